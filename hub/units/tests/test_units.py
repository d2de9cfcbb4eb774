"""Scanner units as the hub knows them, and the one service the technician's tool speaks to."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.demo import DemoData
from hub.units import service
from hub.units.registry import Unit, refusal
from wire import UnitConfig, decode

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def test_a_message_is_refused_from_an_unknown_a_revoked_or_a_misplaced_unit() -> None:
    assert refusal(None, "zonnebloem") == "unknown_unit"
    assert refusal(Unit("u1", "zonnebloem", "revoked"), "zonnebloem") == "revoked_unit"
    assert refusal(Unit("u1", "zonnebloem", "active"), "regenboog") == "wrong_location"
    assert refusal(Unit("u1", "zonnebloem", "active"), "zonnebloem") is None


def test_a_unit_id_is_never_reused_not_even_after_revocation(hub_target: Path | str, demo: DemoData) -> None:
    with service.database(hub_target) as db:
        unit = service.enrol(db, "unit-new", demo.location_id)
        assert unit == Unit("unit-new", demo.location_id, "active")
        assert service.revoke(db, "unit-new").state == "revoked"
        with pytest.raises(service.UnitRegistryError, match="already exists"):
            service.enrol(db, "unit-new", demo.location_id)
        with pytest.raises(service.UnitRegistryError, match="unknown location"):
            service.enrol(db, "unit-other", "nowhere")
        with pytest.raises(service.UnitRegistryError, match="unknown unit"):
            service.revoke(db, "unit-never")
        listed = service.fleet(db, demo.location_id)[demo.location_id]
        assert [(u.id, u.state) for u in listed] == [(demo.unit_id, "active"), ("unit-new", "revoked")]
        assert [u.id for u in service.active_units(db)] == [demo.unit_id]


def test_the_config_a_unit_gets_names_its_location_and_the_roster(
    hub_target: Path | str, demo: DemoData
) -> None:
    with service.database(hub_target) as db:
        unit = service.registered_unit(db, demo.unit_id)
        assert unit is not None
        config = decode(service.config_payload(db, unit))
        names = service.location_names(db)
    assert isinstance(config, UnitConfig)
    assert (config.unit, config.location) == (demo.unit_id, demo.location_id)
    assert config.location_name == names[demo.location_id]
    assert config.roster[demo.cards["Jules"]] == "Jules"
    assert service.config_topic(unit).endswith(f"/{demo.unit_id}/config")


def test_card_codes_are_registered_for_an_organisator_found_by_number_or_mail(
    hub_target: Path | str, demo: DemoData
) -> None:
    with service.database(hub_target) as db:
        (email,) = db.execute("SELECT email FROM organisators").fetchone()
        found = service.organisator(db, email.upper())
        assert found is not None and service.organisator(db, str(found[0])) == found
        assert service.organisator(db, "nobody@example.org") is None
        codes = service.register_unassigned(db, found[0], 3)
        assert len(set(codes)) == 3
        states = db.execute("SELECT DISTINCT state FROM cards WHERE code IN (?, ?, ?)", codes).fetchall()
    assert states == [("unassigned",)]


def test_the_hub_database_is_made_and_migrated_where_the_settings_say(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('data_dir = "data"\n')
    settings = service.load_settings(config)
    applied = service.migrate_database(settings.database_path)
    assert applied and settings.database_path.exists()
    assert service.migrate_database(settings.database_path) == []
