"""Attack: another user on the hub machine reads the database (child data, the cookie-signing key,
the units' staff keys) or the mail folder (password links).

On main, a hub run by hand with the usual umask 022 made its database 0644 and its mail folder
0755 (this test fails there at the first mode check). Now folders the hub creates are 0700 and
its files 0600 whatever the umask, and a database left 0644 by an earlier run is narrowed.

Runs the hub's own command (``python -m hub invite``) as a process with the umask set, so the
database and a mail are made the way a technician's first run makes them.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_hub(config: Path, umask: int, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hub", *args, "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(umask),
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_the_database_and_the_mail_folder_are_for_the_hubs_user_only_whatever_the_umask(
    tmp_path: Path, umask: int
) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('data_dir = "var/hub"\n')
    run_hub(config, umask, "invite", "nieuw@example.org", "--name", "Vzw Nieuw")
    data = tmp_path / "var" / "hub"
    assert mode(data) == 0o700
    assert mode(data / "hub.sqlite3") == 0o600
    for companion in ("hub.sqlite3-wal", "hub.sqlite3-shm"):
        if (data / companion).exists():
            assert mode(data / companion) == 0o600, companion
    mails = list((data / "mail").glob("*.eml"))
    assert len(mails) == 1, "the invitation with its password link"
    assert mode(data / "mail") == 0o700
    assert mode(mails[0]) == 0o600


def test_a_database_left_readable_by_an_earlier_run_is_narrowed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "hub.sqlite3") as db:
        db.execute("CREATE TABLE t (x)")
    os.chmod(data / "hub.sqlite3", 0o644)
    config = tmp_path / "hub.toml"
    config.write_text('data_dir = "data"\n')
    run_hub(config, 0o022, "migrate")
    assert mode(data / "hub.sqlite3") == 0o600
