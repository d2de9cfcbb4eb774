"""Starting a rollout (the technician's checks) and the units' download of its wheel, on a real
database and the portal served over HTTP."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest

from hub.core.db import open_database, write_transaction
from hub.core.settings import HubSettings
from hub.demo import seed
from hub.rollout import store
from hub.units.registry import new_staff_key, revoke
from hub.web.app import create_app
from tests.support.portal import serve
from wire import staffcode
from wire.update_manifest import UpdateManifest, download_token

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

FILE = "aanwezig-0.3.0-py3-none-any.whl"


def signed_wheel(folder: Path, content: bytes = b"not really a zip") -> Path:
    """A wheel file and a manifest that matches it (the signature is the units' business)."""
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / FILE
    wheel.write_bytes(content)
    manifest = UpdateManifest(
        FILE, "aanwezig", "0.3.0", hashlib.sha256(content).hexdigest(), "2026-01-01T00:00:00Z"
    )
    (folder / f"{FILE}.sig").write_text(manifest.to_json("c2lnbmF0dXJl"))
    return wheel


@pytest.fixture
def hub_db(hub_target: Path | str):
    db = open_database(hub_target)
    seed(db, ("a1", "a2", "a3", "gone"))
    keys = {unit: new_staff_key(db, unit) for unit in ("a1", "a2", "a3", "gone")}
    revoke(db, "gone")
    yield db, keys
    db.close()


def test_a_rollout_puts_the_first_units_in_stage_1_and_the_other_active_units_in_stage_2(
    tmp_path, hub_db
) -> None:
    db, _keys = hub_db
    with write_transaction(db):
        rollout_id = store.start(db, signed_wheel(tmp_path / "dist"), tmp_path / "hub" / "updates", 2, 60)
    stages = {u.unit: u.stage for u in store.units_of(db, rollout_id)}
    assert stages == {"a1": 1, "a2": 1, "a3": 2}, "a revoked unit is left out"
    assert (tmp_path / "hub" / "updates" / FILE).exists() and (
        tmp_path / "hub" / "updates" / f"{FILE}.sig"
    ).exists()
    with pytest.raises(store.RolloutError, match="still running"), write_transaction(db):
        store.start(db, signed_wheel(tmp_path / "dist"), tmp_path / "hub" / "updates", 1, 60)


def test_a_wheel_without_its_signature_file_or_not_the_one_signed_is_not_rolled_out(tmp_path, hub_db) -> None:
    db, _keys = hub_db
    wheel = signed_wheel(tmp_path / "dist")
    wheel.write_bytes(b"something else")
    with pytest.raises(store.RolloutError, match="not the wheel"):
        store.start(db, wheel, tmp_path / "updates", 1, 60)
    (tmp_path / "dist" / f"{FILE}.sig").unlink()
    with pytest.raises(store.RolloutError, match="sign-update"):
        store.start(db, wheel, tmp_path / "updates", 1, 60)
    bad = signed_wheel(tmp_path / "bad")
    (tmp_path / "bad" / f"{FILE}.sig").write_text(json.dumps({"file": FILE}))
    with pytest.raises(store.RolloutError, match="not an update signature file"):
        store.start(db, bad, tmp_path / "updates", 1, 60)
    assert store.latest(db) is None


def test_only_an_active_unit_with_its_own_token_downloads_the_rollouts_wheel(
    tmp_path, hub_target, hub_db
) -> None:
    db, keys = hub_db
    folder = tmp_path / "hub" / "updates"
    with write_transaction(db):
        store.start(db, signed_wheel(tmp_path / "dist", b"the wheel"), folder, 1, 60)
    (folder / "other.whl").write_bytes(b"not in a rollout")

    def token(unit: str, file: str = FILE) -> str:
        return download_token(staffcode.parse_key(keys[unit]), file)

    with serve(create_app(hub_target, settings=HubSettings(data_dir=tmp_path / "hub"))) as url:
        path = f"{url}/units/updates/{FILE}"
        assert httpx.get(path, auth=("a1", token("a1"))).content == b"the wheel"
        assert httpx.get(path, auth=("a2", token("a1"))).status_code == 401, "another unit's token"
        assert httpx.get(path, auth=("gone", token("gone"))).status_code == 401, "a revoked unit"
        assert httpx.get(path).status_code == 401
        other = f"{url}/units/updates/other.whl"
        assert httpx.get(other, auth=("a1", token("a1", "other.whl"))).status_code == 404
