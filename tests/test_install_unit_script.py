"""scripts/install-unit, the technician's one step on a Raspberry Pi OS image, checked without a Pi:
bash parses it and ShellCheck (when installed) finds nothing. It runs for real in `make pi-check`,
on Debian arm64 under emulation, which is never part of `make test` or `make bench`."""

from __future__ import annotations

import shutil
import subprocess

from tests.support.processes import ROOT

SCRIPTS = [ROOT / "scripts/install-unit", ROOT / "bench/pi_check_guest.sh"]


def test_install_unit_and_the_emulated_machines_script_parse_as_bash() -> None:
    for script in SCRIPTS:
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr


def test_shellcheck_finds_nothing_in_install_unit_when_it_is_installed() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        return  # an optional linter: bash -n above is the check every machine runs
    done = subprocess.run([shellcheck, *map(str, SCRIPTS)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout


def test_install_unit_explains_itself() -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/install-unit"), "--help"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0
    assert "--wheels DIR" in done.stdout and "--no-systemd" in done.stdout


def test_pi_check_is_neither_in_make_test_nor_in_make_bench() -> None:
    for target in ("test", "bench"):
        planned = subprocess.run(
            ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60
        ).stdout
        assert "pi_check" not in planned and "pi-check" not in planned, target
