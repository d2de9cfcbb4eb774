"""What a parent is told and when it is too late: the pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.attendance.pairing import Stamp
from hub.notify import rules
from wire import Direction


def test_a_registration_of_a_moment_ago_is_news_and_one_of_sixteen_minutes_ago_is_not() -> None:
    now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # a pure rule: any moment will do
    assert rules.news_of(now - timedelta(seconds=5), now)
    assert not rules.news_of(now - timedelta(minutes=16), now)
    just_after_midnight = datetime(2026, 3, 2, 23, 5, tzinfo=UTC)  # 00:05 in Brussels
    assert not rules.news_of(just_after_midnight - timedelta(minutes=10), just_after_midnight)


def test_the_message_says_the_direction_as_the_hub_reads_the_day() -> None:
    now = datetime.now(UTC)
    first = Stamp(now - timedelta(minutes=2), Direction.ARRIVAL, "a")
    second = Stamp(
        now - timedelta(minutes=1), Direction.ARRIVAL, "b"
    )  # chosen by a door that knew stale presence
    assert rules.direction_of("b", [(first, True), (second, True)]) is Direction.DEPARTURE
    assert rules.direction_of("b", [(first, True), (second, False)]) is Direction.ARRIVAL


def test_messages_are_dutch_with_the_time_and_the_place() -> None:
    at = datetime(2026, 3, 2, 7, 12, tzinfo=UTC)  # 08:12 in Brussels (winter time)
    msg = rules.message("Jules", Direction.ARRIVAL, at, "De Zonnebloem")
    assert msg.title == "Jules is aangekomen"
    assert msg.body == "Jules is om 08:12 aangekomen in De Zonnebloem."
    assert rules.message("Jules", Direction.DEPARTURE, at, "X", "Oma Rita").body.endswith(
        "opgehaald door Oma Rita in X."
    )


def test_the_daily_summary_lists_the_day_in_time_order() -> None:
    at = datetime(2026, 3, 2, 7, 12, tzinfo=UTC)
    msg = rules.summary(
        "Jules",
        "02/03/2026",
        [(Direction.DEPARTURE, at + timedelta(hours=9), "Z"), (Direction.ARRIVAL, at, "Z")],
    )
    assert msg.body == "Jules: aangekomen om 08:12 (Z); vertrokken om 17:12 (Z)."
    assert "geen registraties" in rules.summary("Jules", "02/03/2026", []).body
