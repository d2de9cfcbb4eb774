"""The registration rules as plain functions: pairing, cell states, hours, windows and clock repair.

Numbers come from the seed documents: AG Kinderopvang Antwerpen is open Monday to Friday from
7 to 18 h; a Gezinsbond location opens 9-11.30 h, on Thursday 13-16 h; red cells must be fixed
before the 7th; a location may change 2 months back, an organisator 5 years. Summer time starts
on Sunday 29 March 2026 and ends on Sunday 25 October 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from hub.accounts.actors import Role
from hub.attendance.cells import (
    CellState,
    Elsewhere,
    Mark,
    Problem,
    counted_stays,
    judge_day,
    month_minutes,
    present_until,
)
from hub.attendance.clock_repair import Anchor, effective_time, improves
from hub.attendance.pairing import Interval, Stamp, by_local_day, pair
from hub.attendance.windows import (
    correction_refusal,
    days_left_to_fix,
    earliest_correctable_day,
    fix_deadline,
    month_change_refusal,
    overdue,
)
from hub.attendance.wording import cell_texts, finding_text
from hub.core.localtime import BRUSSELS, fmt_duration
from hub.locations.schedule import Hours, LocationSchedule, weekdays
from wire import Direction

ARRIVAL, DEPARTURE = Direction.ARRIVAL, Direction.DEPARTURE
AG_ANTWERPEN = LocationSchedule(weekdays("07:00", "18:00"))
GEZINSBOND = LocationSchedule({**weekdays("09:00", "11:30"), 4: Hours.parse("13:00", "16:00")})


def at(day: str, hhmm: str) -> datetime:
    """A Brussels wall-clock moment."""
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), BRUSSELS)


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def stamps(day: str, *moves: tuple[str, Direction]) -> list[Stamp]:
    return [Stamp(at(day, hhmm), direction) for hhmm, direction in moves]


def judge(schedule: LocationSchedule, day: str, intervals, now: datetime, elsewhere=()):
    return judge_day(schedule.on(date.fromisoformat(day)), intervals, now, elsewhere)


EVENING = at("2026-03-31", "20:00")  # after closing time on the days judged below

# -- pairing -------------------------------------------------------------------------------------


def test_an_arrival_and_a_departure_make_one_interval() -> None:
    day = stamps("2026-03-10", ("08:12", ARRIVAL), ("17:03", DEPARTURE))
    assert pair(day) == [Interval(at("2026-03-10", "08:12"), at("2026-03-10", "17:03"))]


def test_a_child_may_come_and_go_several_times_a_day() -> None:
    day = stamps(
        "2026-03-10", ("08:12", ARRIVAL), ("12:00", DEPARTURE), ("13:05", ARRIVAL), ("17:03", DEPARTURE)
    )
    intervals = pair(day)
    assert [(i.minutes()) for i in intervals] == [228, 238]


def test_stamps_are_paired_in_time_order_whatever_order_they_arrived_in() -> None:
    day = stamps("2026-03-10", ("17:03", DEPARTURE), ("08:12", ARRIVAL))
    assert pair(day) == [Interval(at("2026-03-10", "08:12"), at("2026-03-10", "17:03"))]


def test_a_repeated_scan_within_two_minutes_counts_once() -> None:
    day = stamps(
        "2026-03-10", ("08:12", ARRIVAL), ("08:13", ARRIVAL), ("17:03", DEPARTURE), ("17:04", DEPARTURE)
    )
    assert pair(day) == [Interval(at("2026-03-10", "08:12"), at("2026-03-10", "17:03"))]


def test_a_second_arrival_later_leaves_the_first_without_departure() -> None:
    day = stamps("2026-03-10", ("08:12", ARRIVAL), ("13:05", ARRIVAL), ("17:03", DEPARTURE))
    assert pair(day) == [
        Interval(at("2026-03-10", "08:12"), None),
        Interval(at("2026-03-10", "13:05"), at("2026-03-10", "17:03")),
    ]


def test_a_departure_without_arrival_stays_visible() -> None:
    day = stamps("2026-03-10", ("17:03", DEPARTURE))
    assert pair(day) == [Interval(None, at("2026-03-10", "17:03"))]


def test_days_are_brussels_days_at_the_start_of_summer_time() -> None:
    # 29 March 2026 has 23 hours: 02:00 CET becomes 03:00 CEST
    before_midnight = Stamp(utc("2026-03-28T22:30:00"), ARRIVAL)  # 23:30 CET on the 28th
    after_midnight = Stamp(utc("2026-03-28T23:30:00"), ARRIVAL)  # 00:30 CET on the 29th
    last_minute = Stamp(utc("2026-03-29T21:59:00"), DEPARTURE)  # 23:59 CEST on the 29th
    next_day = Stamp(utc("2026-03-29T22:00:00"), DEPARTURE)  # 00:00 CEST on the 30th
    days = by_local_day([before_midnight, after_midnight, last_minute, next_day])
    assert sorted(days) == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert days[date(2026, 3, 29)] == [after_midnight, last_minute]


def test_an_interval_across_the_spring_clock_change_has_its_true_length() -> None:
    # 01:30 CET to 03:30 CEST is one hour, not two
    [interval] = pair(stamps("2026-03-29", ("01:30", ARRIVAL), ("03:30", DEPARTURE)))
    assert interval.minutes() == 60


def test_an_interval_across_the_autumn_clock_change_has_its_true_length() -> None:
    # 25 October 2026 has 25 hours: 01:30 CEST to 02:30 CET (the second 02:30) is two hours
    arrival = Stamp(utc("2026-10-24T23:30:00"), ARRIVAL)
    departure = Stamp(utc("2026-10-25T01:30:00"), DEPARTURE)
    days = by_local_day([arrival, departure])
    assert list(days) == [date(2026, 10, 25)]
    [interval] = pair(days[date(2026, 10, 25)])
    assert interval.minutes() == 120
    assert by_local_day([Stamp(utc("2026-10-25T22:59:00"), DEPARTURE)]).keys() == {date(2026, 10, 25)}


# -- cell states ---------------------------------------------------------------------------------


def test_a_complete_day_is_green_with_its_hours() -> None:
    day = pair(stamps("2026-03-10", ("08:12", ARRIVAL), ("17:03", DEPARTURE)))
    cell = judge(AG_ANTWERPEN, "2026-03-10", day, EVENING)
    assert cell.state is CellState.COMPLETE and cell.minutes == 531 and fmt_duration(cell.minutes) == "8u51"


def test_a_day_without_registrations_is_absent_grey_plus() -> None:
    assert judge(AG_ANTWERPEN, "2026-03-10", [], EVENING).state is CellState.ABSENT


def test_a_child_in_the_building_before_closing_time_is_present_now() -> None:
    day = pair(stamps("2026-03-10", ("08:12", ARRIVAL)))
    cell = judge(AG_ANTWERPEN, "2026-03-10", day, at("2026-03-10", "15:00"))
    assert cell.state is CellState.PRESENT and cell.present_now and not cell.findings


def test_a_missing_departure_is_nog_aanwezig_until_closing_time_plus_the_margin_then_red() -> None:
    day = pair(stamps("2026-03-10", ("08:12", ARRIVAL)))
    at_closing = judge(AG_ANTWERPEN, "2026-03-10", day, at("2026-03-10", "18:00"))
    assert at_closing.state is CellState.PRESENT and not at_closing.findings
    within_margin = judge(AG_ANTWERPEN, "2026-03-10", day, at("2026-03-10", "18:59"))
    assert within_margin.state is CellState.PRESENT
    after_margin = judge(AG_ANTWERPEN, "2026-03-10", day, at("2026-03-10", "19:00"))
    assert after_margin.state is CellState.ERROR and after_margin.problems == {Problem.DEPARTURE_MISSING}
    assert finding_text(after_margin.findings[0]) == "Vertrek ontbreekt na aankomst om 08:12"
    assert after_margin.intervals == tuple(day), "no departure is invented"
    next_morning = judge(AG_ANTWERPEN, "2026-03-10", day, at("2026-03-11", "07:00"))
    assert next_morning.state is CellState.ERROR


def test_the_margin_after_closing_time_is_the_locations_and_never_passes_midnight() -> None:
    short = LocationSchedule(weekdays("07:00", "18:00"), pickup_margin_min=15)
    late = LocationSchedule(weekdays("07:00", "23:30"), pickup_margin_min=120)
    day = pair(stamps("2026-03-10", ("08:12", ARRIVAL)))
    assert judge(short, "2026-03-10", day, at("2026-03-10", "18:14")).state is CellState.PRESENT
    assert judge(short, "2026-03-10", day, at("2026-03-10", "18:15")).state is CellState.ERROR
    assert present_until(late.on(date(2026, 3, 10))) == at("2026-03-11", "00:00")
    assert judge(late, "2026-03-10", day, at("2026-03-10", "23:59")).state is CellState.PRESENT


def test_a_child_without_departure_on_a_closed_day_is_red_at_midnight() -> None:
    saturday = pair(stamps("2026-03-14", ("09:00", ARRIVAL)))
    assert judge(AG_ANTWERPEN, "2026-03-14", saturday, at("2026-03-14", "22:00")).state is CellState.PRESENT
    assert judge(AG_ANTWERPEN, "2026-03-14", saturday, at("2026-03-15", "00:00")).state is CellState.ERROR


def test_a_missing_departure_before_a_second_stay_is_red_even_while_the_child_is_here() -> None:
    day = pair(stamps("2026-03-10", ("08:12", ARRIVAL), ("13:05", ARRIVAL)))
    cell = judge(AG_ANTWERPEN, "2026-03-10", day, at("2026-03-10", "15:00"))
    assert cell.state is CellState.ERROR and cell.present_now
    assert cell.problems == {Problem.DEPARTURE_MISSING}


def test_a_departure_without_arrival_is_red() -> None:
    day = pair(stamps("2026-03-10", ("17:03", DEPARTURE)))
    cell = judge(AG_ANTWERPEN, "2026-03-10", day, EVENING)
    assert cell.problems == {Problem.DEPARTURE_WITHOUT_ARRIVAL}
    assert finding_text(cell.findings[0]) == "Vertrek om 17:03 zonder aankomst"


def test_arrival_after_departure_is_red_and_says_the_modes_may_be_swapped() -> None:
    day = pair(stamps("2026-03-10", ("08:12", DEPARTURE), ("17:03", ARRIVAL)))
    cell = judge(AG_ANTWERPEN, "2026-03-10", day, EVENING)
    assert cell.problems == {Problem.ARRIVAL_AFTER_DEPARTURE}
    assert "omgewisseld" in finding_text(cell.findings[0])
    reversed_interval = [Interval(at("2026-03-10", "17:03"), at("2026-03-10", "08:12"))]
    assert judge(AG_ANTWERPEN, "2026-03-10", reversed_interval, EVENING).problems == {
        Problem.ARRIVAL_AFTER_DEPARTURE
    }


def test_overlapping_intervals_are_red() -> None:
    day = [
        Interval(at("2026-03-10", "08:00"), at("2026-03-10", "12:00")),
        Interval(at("2026-03-10", "11:00"), at("2026-03-10", "17:00")),
    ]
    cell = judge(AG_ANTWERPEN, "2026-03-10", day, EVENING)
    assert cell.problems == {Problem.OVERLAP}
    assert finding_text(cell.findings[0]) == "08:00–12:00 en 11:00–17:00 overlappen"


def test_a_stay_that_overlaps_a_stay_at_another_location_is_red_and_adjacent_stays_are_not() -> None:
    morning_elsewhere = Elsewhere(
        Interval(at("2026-03-10", "07:30"), at("2026-03-10", "12:30")), "Kinderdagverblijf De Regenboog"
    )
    overlapping = [Interval(at("2026-03-10", "12:00"), at("2026-03-10", "17:00"))]
    adjacent = [Interval(at("2026-03-10", "12:30"), at("2026-03-10", "17:00"))]
    cell = judge(AG_ANTWERPEN, "2026-03-10", overlapping, EVENING, [morning_elsewhere])
    assert cell.problems == {Problem.OVERLAP} and "De Regenboog" in finding_text(cell.findings[0])
    assert (
        judge(AG_ANTWERPEN, "2026-03-10", adjacent, EVENING, [morning_elsewhere]).state is CellState.COMPLETE
    )


@pytest.mark.parametrize(
    ("arrival", "departure", "outside", "late"),
    [
        ("07:00", "18:00", [], []),  # exactly the opening hours
        ("06:59", "17:00", ["06:59"], []),
        ("07:30", "18:01", ["18:01"], ["18:01"]),
        ("06:55", "18:20", ["06:55", "18:20"], ["18:20"]),  # the house rules foresee both
    ],
)
def test_times_outside_the_opening_hours_are_kept_green_with_a_mark(
    arrival: str, departure: str, outside: list[str], late: list[str]
) -> None:
    day = pair(stamps("2026-03-10", (arrival, ARRIVAL), (departure, DEPARTURE)))
    cell = judge(AG_ANTWERPEN, "2026-03-10", day, EVENING)
    assert cell.state is CellState.COMPLETE and not cell.findings
    marked = {m.mark: [f"{t.astimezone(BRUSSELS):%H:%M}" for t in m.times] for m in cell.marks}
    assert marked.get(Mark.OUTSIDE_OPENING_HOURS, []) == outside
    assert marked.get(Mark.LATE_PICKUP, []) == late
    assert counted_stays(cell) == tuple(day), "the times count as they happened"


def test_the_marks_say_buiten_openingsuren_and_laat_opgehaald() -> None:
    day = pair(stamps("2026-03-10", ("06:55", ARRIVAL), ("18:20", DEPARTURE)))
    cell = judge(AG_ANTWERPEN, "2026-03-10", day, EVENING)
    assert cell_texts(cell) == ["buiten openingsuren (07:00–18:00): 06:55, 18:20", "laat opgehaald: 18:20"]
    assert cell.minutes == 685  # 11u25, nothing cut to the opening hours


def test_opening_hours_differ_per_weekday() -> None:
    thursday_afternoon = pair(stamps("2026-03-12", ("13:00", ARRIVAL), ("16:00", DEPARTURE)))
    friday_afternoon = pair(stamps("2026-03-13", ("13:00", ARRIVAL), ("16:00", DEPARTURE)))
    thursday = judge(GEZINSBOND, "2026-03-12", thursday_afternoon, EVENING)
    assert thursday.state is CellState.COMPLETE and not thursday.marks
    friday = judge(GEZINSBOND, "2026-03-13", friday_afternoon, EVENING)
    assert friday.state is CellState.COMPLETE
    assert friday.marked == {Mark.OUTSIDE_OPENING_HOURS, Mark.LATE_PICKUP}


def test_a_day_with_two_opening_blocks_marks_a_time_in_the_gap_but_not_at_the_edges() -> None:
    split = LocationSchedule({3: (Hours.parse("07:00", "12:00"), Hours.parse("13:00", "18:00"))})
    edges = pair(stamps("2026-03-11", ("07:00", ARRIVAL), ("12:00", DEPARTURE), ("13:00", ARRIVAL),
                        ("18:00", DEPARTURE)))  # fmt: skip
    assert not judge(split, "2026-03-11", edges, EVENING).marks
    gap = pair(stamps("2026-03-11", ("12:30", ARRIVAL), ("17:00", DEPARTURE)))
    cell = judge(split, "2026-03-11", gap, EVENING)
    assert cell.marked == {Mark.OUTSIDE_OPENING_HOURS} and cell.hours == "07:00–12:00 en 13:00–18:00"


def test_opening_hours_are_local_time_on_both_sides_of_the_spring_clock_change() -> None:
    # 05:30 UTC is 06:30 on Friday 27 March (CET) but 07:30 on Monday 30 March (CEST)
    friday = [Interval(utc("2026-03-27T05:30:00"), utc("2026-03-27T15:00:00"))]
    monday = [Interval(utc("2026-03-30T05:30:00"), utc("2026-03-30T15:00:00"))]
    assert judge(AG_ANTWERPEN, "2026-03-27", friday, EVENING).marked == {Mark.OUTSIDE_OPENING_HOURS}
    assert not judge(AG_ANTWERPEN, "2026-03-30", monday, EVENING).marks


def test_closing_days_and_closed_weekdays_expect_nobody() -> None:
    schedule = LocationSchedule(weekdays("07:00", "18:00"), closing_days={date(2026, 4, 6): "Paasmaandag"})
    assert judge(schedule, "2026-04-06", [], EVENING).state is CellState.CLOSED
    assert schedule.on(date(2026, 4, 6)).closed == "sluitingsdag: Paasmaandag"
    assert judge(schedule, "2026-04-04", [], EVENING).state is CellState.CLOSED  # a Saturday
    assert schedule.on(date(2026, 4, 4)).closed == "gesloten op zaterdag"


def test_a_child_registered_on_a_closing_day_is_kept_with_a_warning_not_red() -> None:
    schedule = LocationSchedule(weekdays("07:00", "18:00"), closing_days={date(2026, 4, 6): "Paasmaandag"})
    day = pair(stamps("2026-04-06", ("08:00", ARRIVAL), ("12:00", DEPARTURE)))
    cell = judge(schedule, "2026-04-06", day, EVENING)
    assert cell.state is CellState.COMPLETE and cell.marked == {Mark.ON_CLOSED_DAY} and cell.minutes == 240
    assert cell_texts(cell) == ["aanwezig terwijl de opvang dicht is (sluitingsdag: Paasmaandag)"]
    saturday = judge(schedule, "2026-04-04", pair(stamps("2026-04-04", ("09:00", ARRIVAL),
                                                              ("11:00", DEPARTURE))), EVENING)  # fmt: skip
    assert saturday.state is CellState.COMPLETE and saturday.marked == {Mark.ON_CLOSED_DAY}
    assert counted_stays(saturday), "the weekend day counts in the CSV as in the grid"


def test_only_what_kind_en_gezin_cannot_accept_stays_red_and_a_red_day_counts_nothing() -> None:
    red_days = [
        pair(stamps("2026-03-10", ("08:12", ARRIVAL))),  # departure missing
        pair(stamps("2026-03-10", ("17:03", DEPARTURE))),  # departure without arrival
        [Interval(at("2026-03-10", "08:00"), at("2026-03-10", "12:00")),
         Interval(at("2026-03-10", "11:00"), at("2026-03-10", "17:00"))],  # overlap
        [Interval(at("2026-03-10", "17:03"), at("2026-03-10", "08:12"))],  # arrival after departure
    ]  # fmt: skip
    for day in red_days:
        cell = judge(AG_ANTWERPEN, "2026-03-10", day, EVENING)
        assert cell.state is CellState.ERROR and counted_stays(cell) == () and cell.minutes == 0


def test_a_closed_month_expects_no_attendance_on_any_day() -> None:
    schedule = LocationSchedule(weekdays("07:00", "18:00"), closed_months=frozenset({(2026, 8)}))
    august = [schedule.on(date(2026, 8, 1) + timedelta(days=n)) for n in range(31)]
    assert all(not day.is_open and day.closed == "gesloten maand" for day in august)
    assert judge(schedule, "2026-08-03", [], at("2026-09-01", "08:00")).state is CellState.CLOSED
    assert schedule.on(date(2026, 9, 1)).is_open  # the month after is not


def test_days_to_come_are_not_absent_yet() -> None:
    assert judge(AG_ANTWERPEN, "2026-03-11", [], at("2026-03-10", "20:00")).state is CellState.FUTURE


def test_hours_per_month_add_up_the_days() -> None:
    cells = [
        judge(
            AG_ANTWERPEN,
            "2026-03-09",
            pair(stamps("2026-03-09", ("08:00", ARRIVAL), ("17:00", DEPARTURE))),
            EVENING,
        ),
        judge(
            AG_ANTWERPEN,
            "2026-03-10",
            pair(stamps("2026-03-10", ("08:12", ARRIVAL), ("17:03", DEPARTURE))),
            EVENING,
        ),
        judge(AG_ANTWERPEN, "2026-03-11", [], EVENING),
        judge(AG_ANTWERPEN, "2026-03-12", pair(stamps("2026-03-12", ("08:00", ARRIVAL))), EVENING),  # red, 0
    ]
    assert [c.minutes for c in cells] == [540, 531, 0, 0]
    assert month_minutes(cells) == 1071 and fmt_duration(1071) == "17u51"


# -- correction windows and the deadline ---------------------------------------------------------


def test_a_location_may_change_up_to_two_calendar_months_back() -> None:
    today = date(2026, 3, 1)
    assert earliest_correctable_day(Role.LOCATION, today) == date(2026, 1, 1)
    assert correction_refusal(Role.LOCATION, date(2026, 1, 1), today) is None
    refusal = correction_refusal(Role.LOCATION, date(2025, 12, 31), today)
    assert refusal is not None and "tot 2 maanden terug" in refusal and "01/01/2026" in refusal


def test_the_location_window_crosses_the_new_year() -> None:
    assert earliest_correctable_day(Role.LOCATION, date(2026, 1, 31)) == date(2025, 11, 1)
    assert earliest_correctable_day(Role.LOCATION, date(2026, 2, 28)) == date(2025, 12, 1)


def test_an_organisator_may_change_up_to_five_years_back() -> None:
    today = date(2026, 3, 15)
    assert earliest_correctable_day(Role.ORGANISATOR, today) == date(2021, 3, 1)
    assert correction_refusal(Role.ORGANISATOR, date(2021, 3, 1), today) is None
    assert correction_refusal(Role.LOCATION, date(2021, 3, 1), today) is not None
    refusal = correction_refusal(Role.ORGANISATOR, date(2021, 2, 28), today)
    assert refusal is not None and "5 jaar" in refusal


def test_nobody_changes_days_to_come_or_a_closed_month() -> None:
    today = date(2026, 3, 15)
    assert correction_refusal(Role.ORGANISATOR, date(2026, 3, 16), today) is not None
    assert correction_refusal(Role.ORGANISATOR, today, today) is None
    closed = correction_refusal(Role.LOCATION, date(2026, 2, 10), today, month_closed=True)
    assert closed is not None and closed.startswith("Februari 2026 is aangeduid als gesloten maand")


def test_months_can_be_closed_ahead_but_not_beyond_the_window() -> None:
    today = date(2026, 3, 15)
    assert month_change_refusal(Role.LOCATION, 2026, 8, today) is None
    assert month_change_refusal(Role.LOCATION, 2026, 1, today) is None
    assert month_change_refusal(Role.LOCATION, 2025, 12, today) is not None
    assert month_change_refusal(Role.ORGANISATOR, 2025, 12, today) is None


@pytest.mark.parametrize(
    ("year", "month", "deadline"),
    [(2026, 3, date(2026, 4, 7)), (2026, 2, date(2026, 3, 7)), (2025, 12, date(2026, 1, 7))],
)
def test_red_cells_must_be_fixed_before_the_seventh_of_the_next_month(year, month, deadline) -> None:
    assert fix_deadline(year, month) == deadline
    assert not overdue(year, month, deadline - timedelta(days=1))
    assert overdue(year, month, deadline)
    assert days_left_to_fix(year, month, deadline - timedelta(days=1)) == 1
    assert days_left_to_fix(year, month, deadline) == 0


# -- clock repair --------------------------------------------------------------------------------


def test_an_unsynced_reading_is_retimed_from_the_first_synced_event_of_its_boot() -> None:
    # the unit booted thinking it was 1970; 90 s after the first scan NTP answered
    anchor = Anchor("01ANCHOR", utc("2026-03-10T07:13:42.500"), monotonic=212.5)
    assert effective_time(anchor, 122.5) == utc("2026-03-10T07:12:12.500")
    assert effective_time(anchor, 300.0) == utc("2026-03-10T07:15:10")


def test_the_earliest_synced_reading_of_a_boot_anchors_it() -> None:
    later = Anchor("B", utc("2026-03-10T08:00:00"), 4000.0)
    earlier = Anchor("A", utc("2026-03-10T07:00:00"), 400.0)
    assert improves(None, later) and improves(later, earlier) and not improves(earlier, later)
