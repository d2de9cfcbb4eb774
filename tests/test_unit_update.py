"""Software updates for the units: signed by the organisation's key, verified on the unit, installed
with pip from the local file into the unit's venv, with the previous version kept for rollback.

Real parts: the Ed25519 key and signature (cryptography), ``aanwezig-provision sign-update`` and
``python -m device.update`` as processes, a real venv and pip. The wheel is a tiny one made here.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from device.update import UpdateRefused, installed_version, verify
from provisioning.bundle import write_bundle
from tests.support.processes import ROOT

PACKAGE = "aanwezig"


def dummy_wheel(folder: Path, version: str, name: str = PACKAGE) -> Path:
    """A pure-Python wheel of ``name`` at ``version`` with one module, RECORD hashes included."""
    folder.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    files = {
        "aanwezig_update_probe.py": f'VERSION = "{version}"\n',
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = "\n".join(record) + "\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
    return wheel


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def provision(*args: str) -> subprocess.CompletedProcess:
    return run("-m", "provisioning", *args)


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> tuple[Path, Path]:
    """The organisation's update key, and another organisation's."""
    ours, theirs = tmp_path_factory.mktemp("our-key"), tmp_path_factory.mktemp("their-key")
    for folder in (ours, theirs):
        done = provision("update-key", "--key-dir", str(folder))
        assert done.returncode == 0, done.stderr
    assert (ours / "update-signing.key").stat().st_mode & 0o077 == 0, "the private key is root's alone"
    again = provision("update-key", "--key-dir", str(ours))
    assert again.returncode == 2 and "bestaat al" in again.stderr, "a second key would lock out every unit"
    return ours, theirs


def sign(wheel: Path, key_dir: Path) -> None:
    done = provision("sign-update", str(wheel), "--key-dir", str(key_dir))
    assert done.returncode == 0, done.stderr


def public_key(key_dir: Path) -> bytes:
    return (key_dir / "update-key.pub").read_bytes()


def unit_update(key_dir: Path, venv: Path, store: Path, *args: str) -> subprocess.CompletedProcess:
    return run(
        "-m", "device.update", "--key", str(key_dir / "update-key.pub"), "--venv", str(venv),
        "--store", str(store), *args,
    )  # fmt: skip


def test_a_signed_update_is_installed_reports_its_version_and_the_previous_one_comes_back_on_rollback(
    tmp_path: Path, keys
) -> None:
    ours, _theirs = keys
    venv, store = tmp_path / "venv", tmp_path / "store"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    first, second = dummy_wheel(tmp_path / "dist", "0.2.0"), dummy_wheel(tmp_path / "dist", "0.3.0")
    sign(first, ours)
    sign(second, ours)

    done = unit_update(ours, venv, store, "install", str(first))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "installed version 0.2.0"
    done = unit_update(ours, venv, store, "install", str(second))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"installed version 0.3.0 (previous kept: {first.name})"
    assert installed_version(venv) == "0.3.0"
    assert sorted(p.name for p in store.glob("*.whl*")) == sorted(
        [first.name, f"{first.name}.sig", second.name, f"{second.name}.sig"]
    )

    done = unit_update(ours, venv, store, "rollback")
    assert done.returncode == 0, done.stderr
    assert installed_version(venv) == "0.2.0"
    assert unit_update(ours, venv, store, "version").stdout.strip() == "0.2.0"


def test_the_unit_refuses_a_tampered_wheel_and_installs_nothing(tmp_path: Path, keys) -> None:
    ours, _theirs = keys
    wheel = dummy_wheel(tmp_path / "dist", "0.2.0")
    sign(wheel, ours)
    verify(wheel, public_key(ours))  # as signed: accepted
    with zipfile.ZipFile(wheel, "a") as zf:  # one more file slipped in after signing
        zf.writestr("sitecustomize.py", "print('owned')\n")
    with pytest.raises(UpdateRefused, match="is not the signed"):
        verify(wheel, public_key(ours))
    venv, store = tmp_path / "venv", tmp_path / "store"
    done = unit_update(ours, venv, store, "install", str(wheel))  # refused before any venv is touched
    assert done.returncode == 1 and "update refused" in done.stderr and "is not the signed" in done.stderr
    assert not store.exists()


def test_the_unit_refuses_a_wheel_signed_by_another_key(tmp_path: Path, keys) -> None:
    ours, theirs = keys
    wheel = dummy_wheel(tmp_path / "dist", "0.2.0")
    sign(wheel, theirs)
    with pytest.raises(UpdateRefused, match="not signed by this organisation's update key"):
        verify(wheel, public_key(ours))
    verify(wheel, public_key(theirs))


def test_the_unit_refuses_an_unsigned_a_renamed_and_a_foreign_wheel(tmp_path: Path, keys) -> None:
    ours, _theirs = keys
    unsigned = dummy_wheel(tmp_path / "unsigned", "0.2.0")
    with pytest.raises(UpdateRefused, match="unsigned"):
        verify(unsigned, public_key(ours))

    signed = dummy_wheel(tmp_path / "dist", "0.2.0")
    sign(signed, ours)
    renamed = tmp_path / "renamed" / "aanwezig-9.9.9-py3-none-any.whl"  # an old wheel passed off as new
    renamed.parent.mkdir()
    renamed.write_bytes(signed.read_bytes())
    renamed.with_name(renamed.name + ".sig").write_bytes(signed.with_name(signed.name + ".sig").read_bytes())
    with pytest.raises(UpdateRefused, match="signed as"):
        verify(renamed, public_key(ours))

    foreign = dummy_wheel(tmp_path / "foreign", "1.0.0", name="requests")
    sign(foreign, ours)
    with pytest.raises(UpdateRefused, match="not aanwezig"):
        verify(foreign, public_key(ours))

    garbage = dummy_wheel(tmp_path / "garbage", "0.2.0")
    garbage.with_name(garbage.name + ".sig").write_text("{not json")
    with pytest.raises(UpdateRefused, match="not an update signature file"):
        verify(garbage, public_key(ours))


def test_every_bundle_carries_the_organisations_public_update_key(tmp_path: Path, keys) -> None:
    ours, _theirs = keys
    written = write_bundle(tmp_path / "aanwezig", "unit = 'x'\n", None, update_key=ours / "update-key.pub")
    assert [p.name for p in written] == ["unit.toml", "update-key.pub"]
    assert (tmp_path / "aanwezig" / "update-key.pub").read_bytes() == public_key(ours)
    assert b"PRIVATE" not in (tmp_path / "aanwezig" / "update-key.pub").read_bytes()
