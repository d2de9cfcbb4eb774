"""The organisator's page of the location's scanners and the last rollout (read-only, Dutch)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.core.db import open_database, write_transaction
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_LOCATION, DEMO_PASSWORD, DEMO_PIN
from hub.rollout import store
from hub.rollout.tests.test_rollout_start_and_download import signed_wheel
from tests.support.portal_world import OTHER_EMAIL, OTHER_PASSWORD, PortalWorld, world  # noqa: F401

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

PAGE = f"/locaties/{DEMO_LOCATION}/scanners"


def test_the_organisator_sees_each_scanners_version_and_its_place_in_the_rollout(
    world: PortalWorld,  # noqa: F811
    tmp_path: Path,
) -> None:
    db = open_database(world.database)
    db.execute("UPDATE units SET version = '0.2.0', online = 1, last_seen = ?", (store.now_utc_iso(),))
    with write_transaction(db):
        store.start(db, signed_wheel(tmp_path / "dist"), tmp_path / "updates", 1, 60)
        rollout_id = store.latest(db)
        store.save(db, store.rollout(db, rollout_id), {"unit-zonnebloem-in": "install"}, store.now_utc_iso())
    db.close()

    organisator = world.client()
    organisator.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    page = organisator.get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert "Laatste software-update: versie 0.3.0" in text and "bezig: eerst enkele scanners" in text
    assert "unit-zonnebloem-in" in text and "wordt bijgewerkt" in text
    assert "wacht op de tweede fase" in text, "unit-zonnebloem-uit comes in stage 2"
    assert 'href="/locaties/zonnebloem/scanners"' in organisator.get(f"/locaties/{DEMO_LOCATION}").text

    location = world.client()
    location.login_location(DEMO_DOSSIER, DEMO_PIN)
    assert location.get(PAGE).status_code == 404, "the location's own login does not manage software"
    other = world.client()
    other.login_organisator(OTHER_EMAIL, OTHER_PASSWORD)
    assert other.get(PAGE).status_code == 404, "another organisator's location"
    assert "unit-zonnebloem" not in other.get("/locaties/klavertje/scanners").text
    for client in (organisator, location, other):
        client.close()
