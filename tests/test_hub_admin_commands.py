"""The hub's admin commands work on the hub of a settings file, and refuse to run without one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.cli import DEFAULT_CONFIG, main, settings_file

COMMANDS = [
    ["invite", "org@example.org", "--name", "Opvang"],
    ["add-location", "zon", "--organisator", "org@example.org", "--dossier", "123", "--name", "Zon"],
    ["migrate"],
    ["upload", "zon", "2026-03"],
    ["serve"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_admin_command_without_a_settings_file_refuses_and_creates_no_database(
    tmp_path: Path, command: list[str]
) -> None:
    assert not DEFAULT_CONFIG.exists(), "this machine has a real hub: the test would not be about defaults"
    env = {k: v for k, v in os.environ.items() if k != "AANWEZIG_HUB_CONFIG"}
    done = subprocess.run(
        [sys.executable, "-m", "hub", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "no hub settings file at /etc/aanwezig/hub.toml" in done.stderr and "--config" in done.stderr
    assert list(tmp_path.iterdir()) == [], "nothing created under the current folder"


def test_a_settings_file_named_by_the_environment_or_by_config_that_does_not_exist_is_refused(
    tmp_path: Path, capsys
) -> None:
    missing = tmp_path / "nope.toml"
    assert main(["migrate", "--config", str(missing)]) == 2
    assert f"no hub settings file at {missing} (--config)" in capsys.readouterr().err
    with pytest.raises(Exception, match=r"\$AANWEZIG_HUB_CONFIG"):
        settings_file(None, {"AANWEZIG_HUB_CONFIG": str(missing)})
    assert not (tmp_path / "var").exists()


def test_the_settings_file_comes_from_config_then_the_environment(tmp_path: Path, capsys) -> None:
    given, from_env = tmp_path / "given.toml", tmp_path / "env.toml"
    for path in (given, from_env):
        path.write_text(f'data_dir = "{path.stem}-data"\n')
    assert settings_file(str(given), {"AANWEZIG_HUB_CONFIG": str(from_env)}) == given
    assert settings_file(None, {"AANWEZIG_HUB_CONFIG": str(from_env)}) == from_env
    assert main(["migrate", "--config", str(given)]) == 0
    assert (tmp_path / "given-data" / "hub.sqlite3").exists() and not (tmp_path / "env-data").exists()
