"""The admission rule on its own: which check-ins the hub takes, which it keeps refused for a person."""

from __future__ import annotations

from datetime import datetime

from hub.ingest.admission import UnitFacts, refusal

REVOKED = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
BEFORE = datetime.fromisoformat("2026-11-23T09:59:00+00:00")
AFTER = datetime.fromisoformat("2026-11-23T10:01:00+00:00")
NEW = UnitFacts("unit-new", "zon", active=True)
OLD = UnitFacts("unit-old", "zon", active=False)


def ask(deliverer=NEW, topic="zon", unit="unit-old", location="zon", made=BEFORE, maker=OLD, revoked=REVOKED,
        predecessor=True):  # fmt: skip
    return refusal(deliverer, topic, unit, location, made, maker, revoked, predecessor)


def test_a_unit_delivering_its_own_checkin_at_its_own_location_is_taken() -> None:
    assert ask(unit="unit-new", maker=NEW, predecessor=False) is None


def test_a_predecessors_checkin_made_before_its_revocation_is_taken() -> None:
    assert ask() is None


def test_a_predecessors_checkin_made_after_its_revocation_is_refused() -> None:
    assert ask(made=AFTER) == "made_after_revocation"
    assert ask(made=REVOKED) == "made_after_revocation"


def test_a_unit_that_is_not_a_predecessor_is_refused() -> None:
    assert ask(predecessor=False) == "not_a_predecessor"
    assert ask(maker=None) == "unknown_unit"


def test_another_location_stays_refused_whoever_delivers_it() -> None:
    assert ask(location="elders") == "wrong_location"
    assert ask(maker=UnitFacts("unit-old", "elders", active=False)) == "wrong_location"
    assert ask(unit="unit-new", maker=NEW, location="elders") == "wrong_location"


def test_an_unknown_or_revoked_deliverer_is_refused() -> None:
    assert ask(deliverer=None) == "unknown_unit"
    assert ask(deliverer=UnitFacts("unit-new", "zon", active=False)) == "revoked_unit"
