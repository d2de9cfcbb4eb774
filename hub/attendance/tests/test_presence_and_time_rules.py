"""Presence and time trust as plain functions: directions re-derived from the day's registrations,
"tijd onzeker" for a boot without anchor, and the times the hub refuses.

Noor comes only in the afternoon (12:30-17:30); Jules comes in at the front door and leaves
through the garden door, which was offline when he arrived. AG Kinderopvang Antwerpen, a
location may correct 2 months back.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hub.attendance.clock_repair import MAX_AHEAD, Anchor, time_refusal, trusted_time
from hub.attendance.pairing import Interval, Stamp, pair
from hub.attendance.presence_rules import is_present, rederive
from hub.core.localtime import BRUSSELS
from wire import Direction

ARRIVAL, DEPARTURE = Direction.ARRIVAL, Direction.DEPARTURE


def at(day: str, hhmm: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), BRUSSELS)


def by_presence(*stamps: tuple[str, Direction, str]) -> list[tuple[Stamp, bool]]:
    return [(Stamp(at("2026-11-23", hhmm), direction, ref), True) for hhmm, direction, ref in stamps]


def directions(stamps: list[Stamp]) -> list[str]:
    return [s.direction.value for s in stamps]


def test_an_afternoon_only_child_arrives_at_1230_and_leaves_at_1730() -> None:
    # the unit knew Noor was not present at 12:30 and present at 17:30
    derived = rederive(by_presence(("12:30", ARRIVAL, "e1"), ("17:30", DEPARTURE, "e2")))
    assert directions(derived) == ["arrival", "departure"]
    [interval] = pair(derived)
    assert interval.complete and interval.minutes() == 300


def test_a_door_that_was_offline_for_the_arrival_cannot_make_a_false_error() -> None:
    # the garden door did not hear of the arrival at the front door: it chose "arrival" again
    derived = rederive(by_presence(("08:05", ARRIVAL, "front"), ("16:40", ARRIVAL, "garden")))
    assert directions(derived) == ["arrival", "departure"], "re-derived from the day's order"
    [interval] = pair(derived)
    assert interval.complete


def test_presence_toggles_across_two_doors_in_time_order_whatever_arrives_first() -> None:
    stamps = by_presence(
        ("16:40", DEPARTURE, "garden-out"),  # delivered first, the unit's view was right
        ("08:05", ARRIVAL, "front-in"),
        ("12:10", ARRIVAL, "garden-in-again"),  # went home for lunch? the unit thought absent
        ("11:30", ARRIVAL, "front-out"),  # stale: the front door thought Jules had not come
    )
    derived = rederive(stamps)
    assert [s.ref for s in derived] == ["front-in", "front-out", "garden-in-again", "garden-out"]
    assert directions(derived) == ["arrival", "departure", "arrival", "departure"]
    assert [i.complete for i in pair(derived)] == [True, True]


def test_a_mode_key_or_a_fixed_exit_stands_and_sets_the_presence_for_what_follows() -> None:
    stamps = [
        (Stamp(at("2026-11-23", "08:00"), DEPARTURE, "key-b"), False),  # staff pressed B: stands
        (Stamp(at("2026-11-23", "09:00"), DEPARTURE, "presence"), True),
    ]
    assert directions(rederive(stamps)) == ["departure", "arrival"]


def test_a_scan_at_another_door_a_minute_later_is_a_short_stay_not_an_error() -> None:
    # the other door had not heard of the arrival yet and chose "arrival": re-derived, a departure
    derived = rederive(by_presence(("08:05", ARRIVAL, "a"), ("08:06", ARRIVAL, "other-door")))
    assert directions(derived) == ["arrival", "departure"]
    [interval] = pair(derived)
    assert interval.complete and interval.minutes() == 1


def test_a_child_is_present_while_the_last_stay_has_no_departure() -> None:
    morning = Interval(at("2026-11-23", "08:00"), at("2026-11-23", "12:00"))
    assert not is_present([morning])
    assert is_present([morning, Interval(at("2026-11-23", "13:00"), None)])
    assert not is_present([])
    assert not is_present([Interval(None, at("2026-11-23", "17:00"))])


# -- time trust -------------------------------------------------------------------------------------


BOOT_1970 = datetime.fromisoformat("1970-01-01T00:01:40+00:00")


def test_an_unsynced_time_without_anchor_is_uncertain_and_with_one_is_repaired() -> None:
    assert trusted_time(BOOT_1970, False, 100.0, None) is None, "tijd onzeker"
    anchor = Anchor("anchor", at("2026-11-23", "08:15"), 400.0)
    assert trusted_time(BOOT_1970, False, 100.0, anchor) == (at("2026-11-23", "08:10"), "anchor")
    synced = at("2026-11-23", "08:12")
    assert trusted_time(synced, True, 100.0, None) == (synced, None)


def test_a_synced_time_well_after_the_hubs_clock_is_refused() -> None:
    hub = at("2026-11-23", "08:00")
    earliest = date(2026, 9, 1)
    assert time_refusal(hub + MAX_AHEAD, hub, earliest) is None, "a few minutes ahead is two NTP clocks"
    refusal = time_refusal(hub + timedelta(days=365), hub, earliest)
    assert refusal is not None and refusal.reason == "clock_ahead"
    assert "23/11/2027" in refusal.detail


def test_a_time_older_than_the_location_may_correct_is_refused_and_so_is_a_closed_or_uploaded_month() -> None:
    hub = at("2026-11-23", "08:00")
    earliest = date(2026, 9, 1)  # two months back
    assert time_refusal(at("2026-09-01", "08:00"), hub, earliest) is None
    assert time_refusal(at("2026-08-31", "17:00"), hub, earliest).reason == "too_old"
    assert time_refusal(at("2026-10-05", "08:00"), hub, earliest, month_closed=True).reason == "month_closed"
    uploaded = time_refusal(at("2026-10-05", "08:00"), hub, earliest, month_uploaded=True)
    assert uploaded.reason == "month_uploaded" and "05/10/2026 08:00" in uploaded.detail
