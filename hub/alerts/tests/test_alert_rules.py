"""What is wrong now, and what opens or resolves (the pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.alerts.rules import Condition, Facts, UnitFact, changes, conditions
from hub.alerts.settings import AlertSettings

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # a rule takes its clock as a value: any date will do
SETTINGS = AlertSettings()
NAMES = {"zon": "De Zonnebloem"}


def _unit(online=True, seen_ago=timedelta(seconds=30), backlog=0, open_now=True) -> UnitFact:
    return UnitFact("unit-zon-in", "zon", online, NOW - seen_ago if seen_ago else None, backlog, open_now)


def test_a_unit_offline_during_opening_hours_is_an_alert_but_not_at_night() -> None:
    offline = Facts(NOW, units=(_unit(online=False),), location_names=NAMES)
    assert list(conditions(offline, SETTINGS)) == ["unit-offline:unit-zon-in"]
    assert (
        "De scanner unit-zon-in van De Zonnebloem is offline"
        in conditions(offline, SETTINGS)["unit-offline:unit-zon-in"].text
    )
    night = Facts(NOW, units=(_unit(online=False, open_now=False),))
    assert conditions(night, SETTINGS) == {}


def test_a_unit_silent_longer_than_the_setting_is_offline_even_if_its_last_word_was_online() -> None:
    silent = Facts(NOW, units=(_unit(seen_ago=timedelta(minutes=6)),))
    assert list(conditions(silent, SETTINGS)) == ["unit-offline:unit-zon-in"]
    assert conditions(Facts(NOW, units=(_unit(seen_ago=timedelta(minutes=4)),)), SETTINGS) == {}


def test_a_growing_backlog_is_an_alert() -> None:
    assert list(conditions(Facts(NOW, units=(_unit(backlog=21),)), SETTINGS)) == ["unit-backlog:unit-zon-in"]
    assert conditions(Facts(NOW, units=(_unit(backlog=20),)), SETTINGS) == {}


def test_a_low_disk_a_refused_upload_and_a_pin_lock_are_alerts() -> None:
    mb = 1024 * 1024
    facts = Facts(
        NOW,
        refused_uploads=(("zon", "2026-02", "ongeldig dossiernummer"),),
        disk_free_bytes=100 * mb,
        disk_total_bytes=100_000 * mb,
        locked_locations=(("zon", NOW + timedelta(minutes=15)),),
        location_names=NAMES,
    )
    found = conditions(facts, SETTINGS)
    assert sorted(found) == ["disk-low", "location-locked:zon", "upload-refused:zon:2026-02"]
    assert found["disk-low"].location_id is None
    assert "tot 10/03/2026 om 10:15" in found["location-locked:zon"].text
    assert conditions(Facts(NOW, disk_free_bytes=50_000 * mb, disk_total_bytes=100_000 * mb), SETTINGS) == {}


def test_each_alert_opens_once_and_resolves_when_its_condition_is_gone() -> None:
    wrong = {"disk-low": Condition("disk-low", None, "vol")}
    assert changes([], wrong) == ([wrong["disk-low"]], [])
    assert changes(["disk-low"], wrong) == ([], []), "still open: nothing new"
    assert changes(["disk-low"], {}) == ([], ["disk-low"])
