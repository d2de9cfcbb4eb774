"""``make pi-check``: the scanner unit installed and run on arm64, without a Pi and without changing
the host.

No binfmt handler is registered and no kernel setting touched: the arm64 machine is emulated whole
by ``qemu-system-aarch64``. Its Debian bookworm root comes from ``debootstrap --foreign`` (the first
stage only unpacks packages, no arm64 code runs on the host); Debian's arm64 kernel from its package
boots it with a small initrd made here (busybox and the virtio/ext4 modules), and the machine's
first boot finishes the second stage itself. On the host: the project's wheel, aarch64 wheels from
PyPI (``pip download --platform``), card images rendered from the card sheet, a unit enrolled with
``aanwezig-provision`` against a Mosquitto and a hub started here. In the machine, as the
technician's guide says: ``scripts/install-unit`` from that wheelhouse, then ``aanwezig-unit
decode`` on the cards, then the unit itself with generated frames and gpiozero's mock pins, until
its check-ins are acknowledged; the hub's database on the host must hold them.

Everything lives in ``var/pi-check/`` and is kept between runs (the root tree, the booted disk
image, the kernel, the wheels); results in ``bench/results/pi-check.json``. Not part of ``make
test`` nor ``make bench``. Two things stay untested here: python3-picamera2 (only in Raspberry Pi
OS's archive, so install-unit takes its "not there" branch) and systemd (the machine boots straight
into the check; install-unit runs with ``--no-systemd``).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.common import print_table, write_results

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "pi-check"
TREE = WORK / "root"  # the debootstrap first stage (kept as it is: the source of the disk image)
DISK = WORK / "root.img"  # the machine's disk, made from TREE, booted and kept
DISK_READY = WORK / "root.img.second-stage-done"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = "python3,python3-venv,libzbar0,ca-certificates,busybox-static,linux-image-arm64"
# evdev (the USB keypad driver) has no aarch64 wheel on PyPI (piwheels has one for Raspberry Pi OS):
# the machine builds it once from the sdist, with these
BUILD_PACKAGES = "gcc,libc6-dev,python3-dev"
# what the initrd loads to reach the disks and the host, in dependency order
MODULES = [
    "virtio_pci_legacy_dev",
    "virtio_pci_modern_dev",
    "virtio_pci",
    "virtio_blk",
    "crc16",
    "crc32c_generic",
    "libcrc32c",
    "mbcache",
    "jbd2",
    "ext4",
    "failover",
    "net_failover",
    "virtio_net",
]
DEVICE_REQUIREMENTS = [  # the device extra of pyproject.toml, less evdev (see above)
    "paho-mqtt>=2.1,<3",
    "opencv-python-headless>=4.9",
    "zxing-cpp>=2.2",
    "pyzbar>=0.1.9",
    "gpiozero>=2.0",
    "argon2-cffi>=23.1",
    "segno>=1.6",
    "numpy>=1.26",
    "smbus2>=0.4",
    "cryptography>=42",
]
UNIT = "unit-pi-check"
CHECKINS = 3  # stop once this many check-ins are acknowledged by the hub
HOST = "10.0.2.2"  # the host's loopback as qemu's user-mode network shows it to the machine
MARK = "@@pi-check "


def run(args: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """A host command, nice'd (two cores shared with others), bounded, failing loudly."""
    print("$", " ".join(str(a) for a in args), flush=True)
    return subprocess.run(["nice", "-n", "19", *map(str, args)], check=True, timeout=timeout, **kwargs)


def host_tools() -> None:
    wanted = {
        "qemu-system-aarch64": "qemu-system-arm",
        "debootstrap": "debootstrap",
        "mkfs.ext4": "e2fsprogs",
    }
    missing = sorted(
        {
            pkg
            for tool, pkg in wanted.items()
            if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists()
        }
    )
    if missing:
        run(["apt-get", "update", "-qq"], 600)
        run(["apt-get", "install", "-y", "--no-install-recommends", *missing], 900)


def first_stage() -> None:
    """The arm64 root, unpacked on the host (first stage: no arm64 code runs here)."""
    done = TREE / ".first-stage-done"
    if done.exists():
        return
    shutil.rmtree(TREE, ignore_errors=True)
    common = ["--arch=arm64", "--variant=minbase", "bookworm"]
    run(["debootstrap", "--foreign", f"--include={PACKAGES}", *common, TREE, MIRROR], 3600)
    extra = WORK / "build-tools"
    shutil.rmtree(extra, ignore_errors=True)
    run(["debootstrap", "--download-only", f"--include={BUILD_PACKAGES}", *common, extra, MIRROR], 3600)
    have = {p.name for p in (TREE / "var/cache/apt/archives").glob("*.deb")}
    debs = TREE / "var/cache/pi-check-build-tools"
    debs.mkdir(parents=True, exist_ok=True)
    for deb in (extra / "var/cache/apt/archives").glob("*.deb"):
        if deb.name not in have:
            shutil.copy2(deb, debs / deb.name)
    shutil.rmtree(extra)
    done.touch()


def kernel() -> tuple[Path, Path]:
    """Debian's arm64 kernel from its package, and an initrd made here: busybox and the modules."""
    kdir = WORK / "kernel"
    (image,) = (TREE / "var/cache/apt/archives").glob("linux-image-[0-9]*-arm64_*.deb")
    (busybox,) = (TREE / "var/cache/apt/archives").glob("busybox-static_*.deb")
    initrd = WORK / "initrd.cpio.gz"
    if not initrd.exists():
        shutil.rmtree(kdir, ignore_errors=True)
        run(["dpkg-deb", "-x", image, kdir], 600)
        run(["dpkg-deb", "-x", busybox, kdir], 60)
        (modules_dir,) = (kdir / "lib/modules").iterdir()
        files = {p.stem: p for p in modules_dir.rglob("*.ko")}
        entries = [
            ("init", 0o100755, INIT.encode()),
            ("bin/busybox", 0o100755, (kdir / "bin/busybox").read_bytes()),
        ]
        entries += [(f"modules/{m}.ko", 0o100644, files[m].read_bytes()) for m in MODULES]
        initrd.write_bytes(gzip.compress(cpio(entries), compresslevel=1))
    (vmlinuz,) = (kdir / "boot").glob("vmlinuz-*")
    return vmlinuz, initrd


INIT = f"""#!/bin/busybox sh
/bin/busybox mkdir -p /proc /dev /newroot /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
for m in {" ".join(MODULES)}; do insmod /modules/$m.ko; done
for i in $(seq 100); do [ -b /dev/vda ] && [ -b /dev/vdb ] && break; sleep 0.1; done
mount -t ext4 /dev/vda /newroot && mkdir -p /newroot/mnt && mount -t ext4 /dev/vdb /newroot/mnt ||
  {{ echo "@@pi-check DONE initrd rc=1"; poweroff -f; }}
umount /proc
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash /mnt/guest.sh
"""


def cpio(entries: list[tuple[str, int, bytes]]) -> bytes:
    """A newc archive (what the kernel unpacks as initramfs), with /dev/console for init's output."""

    def header(ino: int, name: str, mode: int, size: int, rdev: tuple[int, int] = (0, 0)) -> bytes:
        fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
        head = b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0"
        return head + b"\0" * (-len(head) % 4)

    out = bytearray()
    dirs = ["bin", "dev", "modules", "proc", "newroot"]
    for ino, name in enumerate(dirs, 1):
        out += header(ino, name, 0o040755, 0)
    out += header(50, "dev/console", 0o020600, 0, (5, 1))
    for ino, (name, mode, data) in enumerate(entries, 100):
        out += header(ino, name, mode, len(data)) + data + b"\0" * (-len(data) % 4)
    out += header(0, "TRAILER!!!", 0, 0)
    return bytes(out)


def disk() -> None:
    """The machine's disk from the tree, unless one that finished its second stage is kept."""
    if DISK.exists() and DISK_READY.exists():
        return
    DISK.unlink(missing_ok=True)
    proc = TREE / "proc"
    if proc.is_symlink():  # debootstrap in a container links /proc to the host's: the machine mounts its own
        proc.unlink()
        proc.mkdir()
    run(["mkfs.ext4", "-q", "-F", "-L", "root", "-d", TREE, DISK, "6G"], 1800)


def wheelhouse(payload: Path) -> None:
    """The project's wheel and the device extra's aarch64 wheels (cached), and evdev's sdist."""
    cache = WORK / "wheels"
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob("aanwezig-*.whl"):
        old.unlink()
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    # from a copy of what the wheel holds: setuptools would otherwise walk var/ (this root tree)
    source = WORK / "source"
    shutil.rmtree(source, ignore_errors=True)
    for name in ("wire", "device", "hub", "provisioning"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    run([*pip, "wheel", "--no-deps", "-w", cache, source], 600, cwd=WORK)
    shutil.rmtree(source)
    if not (cache / ".downloaded").exists():
        platforms = ["manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_17_aarch64"]
        platforms = [f"--platform={p}" for p in platforms]
        pin = ["--python-version", "3.11", "--implementation", "cp", "--only-binary=:all:"]
        run([*pip, "download", "-d", cache, *platforms, *pin, *DEVICE_REQUIREMENTS], 1800)
        sdist = WORK / "sdist"
        run([*pip, "download", "-d", sdist, "--no-deps", "--no-binary=:all:", "evdev>=1.7"], 600)
        # evdev builds with setuptools>=77, newer than Debian's: from the wheelhouse, not PyPI
        run([*pip, "download", "-d", sdist, "--no-deps", "--only-binary=:all:", "setuptools>=77"], 600)
        (cache / ".downloaded").touch()
    shutil.copytree(cache, payload / "wheels")
    shutil.copytree(WORK / "sdist", payload / "sdist")


def card_images(folder: Path, codes: dict[str, str]) -> dict[str, str]:
    """Each card's front as printed (the card sheet PDF, rendered), and one empty hall; file -> code."""
    import cv2
    import numpy as np
    import pypdfium2 as pdfium

    from device.frames.synthetic import empty_frame
    from provisioning.cardsheet import card_sheet_pdf

    folder.mkdir(parents=True)
    expected = {}
    for name, code in codes.items():
        pdf = pdfium.PdfDocument(card_sheet_pdf([code], "De Zonnebloem", layout="card"))
        page = np.array(pdf[0].render(scale=8 * 25.4 / 72).to_pil().convert("L"))
        cv2.imwrite(str(folder / f"{name}.png"), page)
        expected[f"{name}.png"] = code
    cv2.imwrite(str(folder / "empty.png"), empty_frame())
    expected["empty.png"] = ""
    return expected


def guest_script() -> str:
    return (Path(__file__).with_name("pi_check_guest.sh")).read_text()


def boot(
    vmlinuz: Path, initrd: Path, payload_img: Path, console: Path, timeout: float
) -> list[tuple[float, str]]:
    """Boot the machine until it powers off; returns the marker lines with their host time."""
    args = ["nice", "-n", "19", "qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72", "-m", "2048"]
    args += ["-smp", "2", "-nographic", "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd]
    args += ["-append", "console=ttyAMA0 panic=-1 loglevel=4"]
    for n, image in enumerate((DISK, payload_img)):
        args += [
            "-drive",
            f"file={image},if=none,format=raw,id=d{n}",
            "-device",
            f"virtio-blk-pci,drive=d{n}",
        ]
    # romfile= : no network-boot ROM (the kernel boots directly), so Debian's ipxe-qemu, only a
    # recommendation of qemu-system-arm, need not be there.
    args += ["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0,romfile="]
    print("$", " ".join(map(str, args)), flush=True)
    marks: list[tuple[float, str]] = []
    start = time.monotonic()
    with console.open("a") as log:
        qemu = subprocess.Popen(
            [str(a) for a in args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            assert qemu.stdout is not None
            os.set_blocking(qemu.stdout.fileno(), False)
            pending = b""
            # until the end of its output (b""), reading what is left after it powered off too
            while (chunk := qemu.stdout.read()) != b"" and time.monotonic() - start < timeout:
                if chunk is None:  # nothing yet
                    time.sleep(0.5)
                    continue
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    line = raw.decode(errors="replace").rstrip("\r")
                    log.write(line + "\n")
                    if line.startswith(MARK):
                        marks.append((time.monotonic() - start, line[len(MARK) :]))
                        print(f"[{time.monotonic() - start:7.1f} s] {line[len(MARK) :]}", flush=True)
                log.flush()
        finally:
            if qemu.poll() is None:
                print(
                    f"pi-check: the machine did not power off within {timeout:.0f} s; killing qemu",
                    flush=True,
                )
                qemu.kill()
            qemu.wait(timeout=30)
    return marks


def stage_seconds(marks: list[tuple[float, str]]) -> dict[str, float]:
    """``BEGIN name`` ... ``DONE name rc=N``: seconds per stage, by the host's clock."""
    begun = {}
    seconds = {}
    for at, line in marks:
        words = line.split()
        if words[0] == "BEGIN":
            begun[words[1]] = at
        elif words[0] == "DONE" and words[1] in begun:
            seconds[f"seconds_{words[1].replace('-', '_')}"] = round(at - begun[words[1]], 1)
    return seconds


def main() -> int:
    from hub.core.db import open_database
    from hub.demo import seed
    from tests.support.fleet import ProvisionedHub

    WORK.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}

    def timed(name: str, step, *args):
        began = time.monotonic()
        result = step(*args)
        times[f"seconds_host_{name}"] = round(time.monotonic() - began, 1)
        return result

    timed("tools", host_tools)
    timed("first_stage", first_stage)
    vmlinuz, initrd = timed("kernel", kernel)
    timed("disk", disk)

    run_dir = WORK / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    payload = run_dir / "payload"
    payload.mkdir(parents=True)
    timed("wheels", wheelhouse, payload)
    (payload / "src/scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts/install-unit", payload / "src/scripts/install-unit")
    shutil.copytree(ROOT / "systemd", payload / "src/systemd")
    shutil.copy2(WORK / "kernel/bin/busybox", payload / "busybox")
    (payload / "guest.sh").write_text(guest_script().replace("@CHECKINS@", str(CHECKINS)))
    (payload / "out").mkdir()

    hub_dir = run_dir / "hub"
    db = open_database(hub_dir / "hub.sqlite3")
    demo = seed(db)
    db.close()
    expected = card_images(payload / "cards", demo.cards)
    site = ProvisionedHub(run_dir / "site", hub_dir)
    # the unit reaches the host's loopback as 10.0.2.2; its files live where install-unit puts them
    site.provision_toml.write_text(
        re.sub(
            r'unit_broker = "mqtt://127.0.0.1:',
            f'unit_broker = "mqtt://{HOST}:',
            site.provision_toml.read_text(),
        )
        .replace(str(site.unit_config_dir), "/etc/aanwezig")
        .replace(str(site.unit_data_dir), "/var/lib/aanwezig")
        .replace(f'source = "files"\nfolder = "{site.camera}"', 'source = "generated"')
    )
    results: dict[str, float | int | str] = {}
    try:
        site.set_up_broker()
        site.start_hub()
        site.provision("enrol", demo.location_id, "--unit", UNIT, "--out", str(payload / "bundle"))
        toml = payload / "bundle/unit.toml"
        # the machine's clock is the host's (its RTC), but no NTP answers it there
        toml.write_text(toml.read_text().replace("[scan]\n", "[scan]\nclock_synced = true\n", 1))
        payload_img = run_dir / "payload.img"
        run(["mkfs.ext4", "-q", "-F", "-L", "payload", "-d", payload, payload_img, "2G"], 600)
        console = run_dir / "console.log"
        timeout = 2400 if DISK_READY.exists() else 5400
        began = time.monotonic()
        marks = boot(vmlinuz, initrd, payload_img, console, timeout)
        times["seconds_machine_total"] = round(time.monotonic() - began, 1)
        if any(line.startswith("DONE second-stage rc=0") for _, line in marks):
            DISK_READY.touch()
        out = run_dir / "out"
        subprocess.run(
            ["debugfs", "-R", f"rdump /out {run_dir}", str(payload_img)], capture_output=True, timeout=120
        )
        for built in out.glob("evdev-*.whl"):
            shutil.copy2(built, WORK / "wheels" / built.name)  # built once, kept
        with sqlite3.connect(hub_dir / "hub.sqlite3") as hub_db:
            stored = hub_db.execute("SELECT count(*) FROM events WHERE unit_id = ?", (UNIT,)).fetchone()[0]
    finally:
        site.stop()

    info = dict(line[len("INFO ") :].partition(" ")[::2] for _, line in marks if line.startswith("INFO "))
    decoded = {}
    for _, line in marks:
        if line.startswith("DECODED "):
            path, _, text = line[len("DECODED ") :].partition("\t")
            decoded[Path(path).name] = text
    results.update({key: int(value) if value.isdigit() else value for key, value in info.items()})
    results["decode_cards"] = len(expected) - 1
    results["decode_right"] = sum(1 for name, code in expected.items() if code and decoded.get(name) == code)
    results["decode_wrong"] = sum(1 for name, text in decoded.items() if text and text != expected.get(name))
    results["decode_empty_frame_nothing"] = int(decoded.get("empty.png") == "")
    results["checkins_sent"] = int(info.get("checkins_sent", 0))
    results["checkins_backlog"] = int(info.get("checkins_backlog", -1))
    results["checkins_stored_by_hub"] = stored
    stages = stage_seconds(marks)
    # the once-only stages (second stage, evdev's build) are kept from the run that did them
    once = WORK / "once.json"
    kept = json.loads(once.read_text()) if once.exists() else {}
    kept.update({k: v for k, v in stages.items() if k in ("seconds_second_stage", "seconds_build_evdev")})
    once.write_text(json.dumps(kept, indent=2) + "\n")
    results.update({**{f"{k}_first_run": v for k, v in kept.items()}, **stages})
    results.update(times)
    failed = [line for _, line in marks if line.startswith("DONE") and not line.endswith("rc=0")]
    if not any(line == "END" for _, line in marks):
        failed.append("DONE machine-did-not-finish rc=1")
    results["failed_stages"] = ", ".join(line.split()[1] for line in failed)
    results["untested"] = (
        "python3-picamera2 and the pi extra (only in Raspberry Pi OS's archive); apt-get install"
        " (debootstrap brought the packages); systemd (install-unit --no-systemd; the unit runs as root)"
    )
    path = write_results("pi-check", results)
    print_table("pi-check (arm64 under qemu-system-aarch64)", list(results.items()))
    print(f"console: {console}\nresults: {path}")
    ok = (
        info.get("arch") == "aarch64"
        and not failed
        and results["decode_right"] == results["decode_cards"]
        and not results["decode_wrong"]
        and stored >= CHECKINS
    )
    print("pi-check:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
