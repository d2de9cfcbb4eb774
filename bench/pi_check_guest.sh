#!/bin/bash
# PID 1 of `make pi-check`'s emulated arm64 machine (see bench/pi_check.py). The payload disk is at
# /mnt: the wheelhouse, install-unit, the bundle, card images. Lines starting with "@@pi-check "
# on the console are what the host reads; the machine powers off at the end.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
export DEBIAN_FRONTEND=noninteractive
CHECKINS=@CHECKINS@ # check-ins the unit must have delivered (bench/pi_check.py fills it in)
mark() { echo "@@pi-check $*"; }
finish() {
  cp /tmp/unit.log /mnt/out/ 2>/dev/null
  sync
  mark END
  /mnt/busybox poweroff -f
}
trap finish EXIT
step() { # step NAME COMMAND...: BEGIN/DONE markers around it, its output on the console
  local name=$1 rc
  shift
  mark "BEGIN $name"
  "$@"
  rc=$?
  mark "DONE $name rc=$rc"
  return $rc
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
ln -sfn /proc/self/fd /dev/fd # devtmpfs has no /dev/fd (bash's process substitution wants it)
mount -o remount,rw /

second_stage() {
  # INITRD=No: the kernel's package makes no initramfs (this machine boots with the host's)
  INITRD=No /debootstrap/debootstrap --second-stage
}
[ -x /debootstrap/debootstrap ] && { step second-stage second_stage || exit 1; }
mount -t tmpfs tmpfs /run

network() {
  B=/mnt/busybox
  $B ip link set lo up && $B ip link set eth0 up && $B ip addr add 10.0.2.15/24 dev eth0 &&
    $B ip route add default via 10.0.2.2
}
step network network

build_evdev() {
  # evdev has no aarch64 wheel on PyPI (piwheels serves Raspberry Pi OS): build one from its sdist
  command -v gcc >/dev/null || dpkg -i /var/cache/pi-check-build-tools/*.deb >/dev/null || return 1
  python3 -m venv /tmp/build &&
    /tmp/build/bin/pip wheel -q --no-index --find-links /mnt/sdist --no-deps -w /mnt/out /mnt/sdist/evdev-*.tar.gz &&
    cp /mnt/out/evdev-*.whl /mnt/wheels/
}
ls /mnt/wheels/evdev-*.whl >/dev/null 2>&1 || step build-evdev build_evdev

step install-unit bash /mnt/src/scripts/install-unit --wheels /mnt/wheels --bundle /mnt/bundle --no-systemd
# idempotent: the same step again changes nothing and succeeds
step install-unit-again bash /mnt/src/scripts/install-unit --wheels /mnt/wheels --no-systemd

mark "INFO arch $(uname -m)"
mark "INFO kernel $(uname -r)"
mark "INFO debian $(cat /etc/debian_version)"
mark "INFO python $(python3 -c 'import platform; print(platform.python_version())')"
mark "INFO unit_version $(/opt/aanwezig/.venv/bin/aanwezig-unit --version 2>&1 | tail -n 1)"
mark "INFO picamera2_in_archive $(apt-cache policy python3-picamera2 2>/dev/null | grep -q 'Candidate: [^(]' && echo yes || echo no)"

decode() {
  /opt/aanwezig/.venv/bin/aanwezig-unit decode /mnt/cards/*.png >/tmp/decoded || return 1
  while IFS= read -r line; do mark "DECODED $line"; done </tmp/decoded
}
step decode decode

outbox() { # seq and backlog of the unit's outbox
  python3 - <<'EOF'
import sqlite3
try:
    db = sqlite3.connect("file:/var/lib/aanwezig/outbox.sqlite3?mode=ro", uri=True)
    seq = db.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()
    backlog = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    print(seq[0] if seq else 0, backlog)
except sqlite3.Error:
    print(0, 0)
EOF
}

unit() {
  # each run enrols a new unit on a new hub: start from an empty outbox, as a new SD card does
  rm -rf /var/lib/aanwezig/*
  # generated frames (the demo's camera, cards from the roster the hub sends) and gpiozero's mock
  # pins for the lights and the matrix keypad
  AANWEZIG_CAMERA=generated GPIOZERO_PIN_FACTORY=mock AANWEZIG_LIGHTS=gpio AANWEZIG_KEYPAD=matrix \
    AANWEZIG_DISPLAY=console PYTHONUNBUFFERED=1 \
    /opt/aanwezig/.venv/bin/aanwezig-unit run --config /etc/aanwezig/unit.toml >/tmp/unit.log 2>&1 &
  local pid=$! sent=0 backlog=0
  for _ in $(seq 180); do # at most 15 minutes
    sleep 5
    read -r sent backlog <<<"$(outbox)"
    kill -0 $pid 2>/dev/null || break
    [ "$sent" -ge "$CHECKINS" ] && [ "$backlog" = 0 ] && break
  done
  kill -TERM $pid 2>/dev/null
  wait $pid
  mark "INFO checkins_sent $sent"
  mark "INFO checkins_backlog $backlog"
  tail -n 40 /tmp/unit.log
  [ "$sent" -ge "$CHECKINS" ] && [ "$backlog" = 0 ]
}
step unit unit
