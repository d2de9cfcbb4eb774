"""The short clock-proof check in ``make test``: a few date-sensitive tests under libfaketime half a
minute before the new year in Brussels (``make test-clock`` runs them all, at every moment)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.faketime import MOMENTS, fake_time_env, library, real_time_env

ROOT = Path(__file__).resolve().parents[1]
SHORT = [
    "hub/attendance/tests/test_presence_and_time_rules.py",
    "tests/test_presence_at_the_door.py",
    "hub/attendance/tests/test_uncertain_screen.py",
]


def test_the_python_under_libfaketime_reads_the_fake_moment_and_mosquitto_does_not_get_it() -> None:
    if library() is None:
        pytest.skip("libfaketime is not installed (scripts/install-test-deps installs it)")
    env = {**os.environ, **fake_time_env(MOMENTS["end-of-year"])}
    seen = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time())"], env=env, capture_output=True, text=True
    )
    assert abs(float(seen.stdout) - MOMENTS["end-of-year"].timestamp()) < 30
    assert "faketime" not in real_time_env(env).get("LD_PRELOAD", "") and "FAKETIME" not in real_time_env(env)


def test_date_sensitive_tests_pass_half_a_minute_before_the_new_year_in_brussels(tmp_path: Path) -> None:
    if library() is None:
        pytest.skip("libfaketime is not installed (scripts/install-test-deps installs it)")
    env = {**os.environ, **fake_time_env(MOMENTS["end-of-year"], lead_s=5.0)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'run'}",
         *SHORT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
