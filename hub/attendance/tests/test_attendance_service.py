"""Attendance on a real hub database: scans through the ingest, the month grid, corrections, closed months.

The demo location is open Monday to Friday 7-18 h. Scans go in through ``Ingest.handle_batch``,
the same code the MQTT ingest runs; the screens' questions are asked of the service functions.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time
from time import sleep

import pytest

from hub.accounts.actors import Actor, Refused
from hub.attendance.cells import CellState, Mark, Problem
from hub.attendance.closed_months import close_month, reopen_month
from hub.attendance.corrections import apply_correction, cell_detail
from hub.attendance.grid import month_grid, period_grid
from hub.attendance.wording import finding_text
from hub.children.queries import MAX_CONTACTS, add_child, add_contact, contacts_of
from hub.demo import DemoData
from hub.locations.queries import add_closing_day
from tests.support.attendance import (
    ARRIVAL,
    DEPARTURE,
    Door,
    at,
    child_id,
    location_actor,
    organisator_actor,
    row_of,
)
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door
from wire import Ack, Verdict

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

# -- the month grid ------------------------------------------------------------------------------


def test_the_month_grid_shows_every_child_every_day_with_its_state_and_hours(db, door, demo) -> None:
    door.scan("Jules", at("2026-03-10", "08:12"), ARRIVAL)
    door.scan("Jules", at("2026-03-10", "17:03"), DEPARTURE)
    door.scan("Lotte", at("2026-03-10", "08:30"), ARRIVAL)

    afternoon = month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-10", "15:00"))
    assert len(afternoon.rows) == 6 and len(afternoon.days) == 31
    tenth = 9
    assert row_of(afternoon, "Jules").cells[tenth].state is CellState.COMPLETE
    assert row_of(afternoon, "Jules").minutes == 531
    assert row_of(afternoon, "Lotte").cells[tenth].state is CellState.PRESENT
    assert [c.first_name for c in afternoon.present_now] == ["Lotte"]
    assert row_of(afternoon, "Noah").cells[tenth].state is CellState.ABSENT
    assert row_of(afternoon, "Noah").cells[tenth + 1].state is CellState.FUTURE
    assert row_of(afternoon, "Noah").cells[7].state is CellState.CLOSED  # Sunday 8 March

    next_morning = month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-11", "09:00"))
    lotte = row_of(next_morning, "Lotte").cells[tenth]
    assert lotte.state is CellState.ERROR and lotte.problems == {Problem.DEPARTURE_MISSING}
    assert next_morning.errors == 1
    assert next_morning.fix_deadline == date(2026, 4, 7) and not next_morning.overdue
    assert month_grid(db, demo.location_id, 2026, 3, now=at("2026-04-07", "09:00")).overdue


def test_a_scan_belongs_to_the_brussels_day_and_month_it_happened_in(db, door, demo) -> None:
    # 23:30 UTC on 28 February is 00:30 on 1 March in Brussels (a Sunday: the location is closed)
    door.scan("Mila", datetime.fromisoformat("2026-02-28T23:30:00+00:00"), ARRIVAL)
    february = month_grid(db, demo.location_id, 2026, 2, now=at("2026-03-02", "12:00"))
    march = month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-02", "12:00"))
    assert row_of(february, "Mila").cells[27].state is CellState.CLOSED  # Saturday 28 February
    first_of_march = row_of(march, "Mila").cells[0]
    assert first_of_march.state is CellState.ERROR
    assert first_of_march.problems == {Problem.DEPARTURE_MISSING}
    assert first_of_march.marked == {Mark.ON_CLOSED_DAY}


def test_a_summer_time_day_is_judged_in_local_time(db, door, demo) -> None:
    # Monday 30 March 2026, the first weekday of summer time: 07:05 CEST is 05:05 UTC
    door.scan("Noah", datetime.fromisoformat("2026-03-30T05:05:00+00:00"), ARRIVAL)
    door.scan("Noah", datetime.fromisoformat("2026-03-30T15:55:00+00:00"), DEPARTURE)
    week = period_grid(
        db, demo.location_id, date(2026, 3, 30), date(2026, 4, 5), now=at("2026-04-01", "12:00")
    )
    monday = row_of(week, "Noah").cells[0]
    assert monday.state is CellState.COMPLETE and monday.minutes == 650
    assert len(week.days) == 7


def test_a_scan_of_an_unknown_card_is_kept_and_shown_as_onbekende_kaart(db, door, demo) -> None:
    ack = door.scan("5555555558", at("2026-03-10", "08:00"), ARRIVAL)
    door.scan("5555555558", at("2026-03-10", "16:00"), DEPARTURE)
    assert ack.verdict == "unknown_card"
    grid = month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-11", "09:00"))
    [card] = grid.unknown_cards
    assert (card.code, card.scans, card.card_state) == ("5555555558", 2, None)
    assert grid.errors == 0, "an unknown card is not a child's red cell"


def test_stays_at_two_locations_on_one_day_may_not_overlap(db, door, demo) -> None:
    (org,) = db.execute("SELECT id FROM organisators").fetchone()
    db["locations"].insert(
        {"id": "regenboog", "organisator_id": org, "dossier_number": "903999111", "name": "De Regenboog"}
    )
    db["units"].insert({"id": "unit-regenboog", "location_id": "regenboog"})
    db.execute("INSERT INTO child_locations VALUES (?, 'regenboog')", (child_id(db, "Jules"),))
    db.conn.commit()
    door.scan("Jules", at("2026-03-10", "08:00"), ARRIVAL)
    door.scan("Jules", at("2026-03-10", "13:00"), DEPARTURE)
    elsewhere = Door(db, DemoData("regenboog", "unit-regenboog", demo.cards))
    elsewhere.scan("Jules", at("2026-03-10", "12:30"), ARRIVAL)
    elsewhere.scan("Jules", at("2026-03-10", "17:00"), DEPARTURE)
    cell = row_of(month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-11", "09:00")), "Jules").cells[9]
    assert cell.problems == {Problem.OVERLAP}
    assert finding_text(cell.findings[0]) == "08:00–13:00 overlapt met 12:30–17:00 in De Regenboog"
    # another organisation's location is not named to this one
    other = db["organisators"].insert({"name": "Elders vzw", "email": "elders@example.be"}).last_pk
    db.execute("UPDATE locations SET organisator_id = ? WHERE id = 'regenboog'", (other,))
    db.conn.commit()
    cell = row_of(month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-11", "09:00")), "Jules").cells[9]
    assert finding_text(cell.findings[0]) == "08:00–13:00 overlapt met 12:30–17:00 in een andere opvang"


# -- corrections ---------------------------------------------------------------------------------


def test_a_location_fixes_a_red_cell_and_the_history_keeps_who_when_before_and_after(db, door, demo) -> None:
    door.scan("Lotte", at("2026-03-10", "08:30"), ARRIVAL)
    now = at("2026-03-11", "09:00")
    lotte = child_id(db, "Lotte")
    detail = cell_detail(db, location_actor(demo), demo.location_id, lotte, date(2026, 3, 10), now=now)
    assert detail.cell.state is CellState.ERROR and detail.refusal is None and len(detail.events) == 1

    cell = apply_correction(
        db,
        location_actor(demo),
        demo.location_id,
        lotte,
        date(2026, 3, 10),
        [(time(8, 30), time(16, 45))],
        note="vertrek vergeten, mama belde",
        expected=detail.fingerprint,
        now=now,
    )
    assert cell.state is CellState.COMPLETE and cell.corrected and cell.minutes == 495

    after = cell_detail(db, location_actor(demo), demo.location_id, lotte, date(2026, 3, 10), now=now)
    assert after.cell.state is CellState.COMPLETE and after.cell.corrected
    [correction] = after.corrections
    assert correction.actor_role == "location" and correction.actor_name == "Kinderdagverblijf De Zonnebloem"
    assert correction.before[0].departure is None and correction.after[0].departure == at(
        "2026-03-10", "16:45"
    )
    assert correction.note == "vertrek vergeten, mama belde" and correction.made_at
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 1, "the event log is untouched"


def test_a_correction_on_a_changed_cell_is_refused_rather_than_overwriting_unseen_times(
    db, door, demo
) -> None:
    now = at("2026-03-10", "17:30")
    lotte = child_id(db, "Lotte")
    door.scan("Lotte", at("2026-03-10", "08:30"), ARRIVAL)
    seen = cell_detail(db, location_actor(demo), demo.location_id, lotte, date(2026, 3, 10), now=now)
    door.scan("Lotte", at("2026-03-10", "17:10"), DEPARTURE)  # arrives while the screen is open
    with pytest.raises(Refused, match="intussen gewijzigd"):
        apply_correction(
            db,
            location_actor(demo),
            demo.location_id,
            lotte,
            date(2026, 3, 10),
            [(time(8, 30), time(17, 0))],
            expected=seen.fingerprint,
            now=now,
        )


def test_scans_after_a_correction_are_added_to_it(db, door, demo) -> None:
    # the card was forgotten in the morning; staff add the arrival, the parent scans at pick-up
    louis = child_id(db, "Louis")
    cell = apply_correction(
        db,
        location_actor(demo),
        demo.location_id,
        louis,
        date(2026, 3, 10),
        [(time(8, 5), None)],
        now=at("2026-03-10", "10:00"),
    )
    assert cell.state is CellState.PRESENT
    # "after the correction" compares the hub's millisecond stamps (made_at, received_at): a scan in the
    # same millisecond as the correction would count as part of it (a flake on a fast machine)
    sleep(0.002)
    door.scan("Louis", at("2026-03-10", "16:20"), DEPARTURE)
    grid = month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-10", "18:30"))
    day = row_of(grid, "Louis").cells[9]
    assert day.state is CellState.COMPLETE and day.minutes == 495 and day.corrected


def test_a_correction_that_would_leave_the_cell_red_is_refused_with_the_reason(db, demo) -> None:
    actor, lotte, day, now = (
        location_actor(demo),
        child_id(db, "Lotte"),
        date(2026, 3, 10),
        at("2026-03-11", "09:00"),
    )
    cases = [
        ([(time(8, 30), None)], "Vertrek ontbreekt na aankomst om 08:30"),
        ([(time(8, 0), time(12, 0)), (time(11, 0), time(17, 0))], "08:00–12:00 en 11:00–17:00 overlappen"),
        ([(time(12, 0), time(8, 0))], "Het vertrek (08:00) moet na de aankomst (12:00) liggen."),
    ]
    for times, reason in cases:
        with pytest.raises(Refused) as refused:
            apply_correction(db, actor, demo.location_id, lotte, day, times, now=now)
        assert reason in refused.value.reason
    assert db.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0


def test_a_correction_outside_the_opening_hours_is_saved_as_it_happened_with_both_marks(db, demo) -> None:
    lotte, day, now = child_id(db, "Lotte"), date(2026, 3, 10), at("2026-03-11", "09:00")
    stay = [(time(6, 55), time(18, 20))]
    cell = apply_correction(db, location_actor(demo), demo.location_id, lotte, day, stay, now=now)
    assert cell.state is CellState.COMPLETE and cell.minutes == 685
    assert cell.marked == {Mark.OUTSIDE_OPENING_HOURS, Mark.LATE_PICKUP}


def test_the_server_enforces_the_correction_windows(db, door, demo) -> None:
    lotte, now = child_id(db, "Lotte"), at("2026-03-15", "12:00")
    door.scan("Lotte", at("2025-12-15", "08:30"), ARRIVAL)
    stay = [(time(8, 30), time(16, 0))]
    with pytest.raises(Refused) as refused:
        apply_correction(db, location_actor(demo), demo.location_id, lotte, date(2025, 12, 15), stay, now=now)
    assert refused.value.reason == (
        "Een opvanglocatie kan aanwezigheden tot 2 maanden terug wijzigen, vanaf 01/01/2026. "
        "Vraag de organisator om deze wijziging."
    )
    apply_correction(db, location_actor(demo), demo.location_id, lotte, date(2026, 1, 5), stay, now=now)
    cell = apply_correction(
        db, organisator_actor(db), demo.location_id, lotte, date(2025, 12, 15), stay, now=now
    )
    assert cell.state is CellState.COMPLETE
    with pytest.raises(Refused, match="tot 5 jaar terug"):
        apply_correction(db, organisator_actor(db), demo.location_id, lotte, date(2021, 2, 26), stay, now=now)
    with pytest.raises(Refused, match="in de toekomst"):
        apply_correction(db, organisator_actor(db), demo.location_id, lotte, date(2026, 3, 16), stay, now=now)
    with pytest.raises(Refused, match="16:00 ligt in de toekomst"):
        apply_correction(db, location_actor(demo), demo.location_id, lotte, date(2026, 3, 15), stay, now=now)


def test_nobody_corrects_attendance_of_another_location_or_organisator(db, demo) -> None:
    lotte, day, now = child_id(db, "Lotte"), date(2026, 3, 10), at("2026-03-11", "09:00")
    stay = [(time(8, 30), time(16, 0))]
    for stranger in [Actor.location("elders", "Elders"), Actor.organisator(999, "Iemand anders")]:
        with pytest.raises(Refused, match="geen toegang"):
            apply_correction(db, stranger, demo.location_id, lotte, day, stay, now=now)
        with pytest.raises(Refused, match="geen toegang"):
            cell_detail(db, stranger, demo.location_id, lotte, day, now=now)
    (org,) = db.execute("SELECT id FROM organisators").fetchone()
    db["locations"].insert(
        {"id": "regenboog", "organisator_id": org, "dossier_number": "9", "name": "De Regenboog"}
    )
    kobe = add_child(db, "regenboog", "Kobe", "Smet")
    with pytest.raises(Refused, match="niet gekoppeld"):
        apply_correction(db, location_actor(demo), demo.location_id, kobe, day, stay, now=now)


def test_a_closing_day_keeps_a_correction_with_a_warning_and_a_closed_month_takes_none(db, demo) -> None:
    lotte, now = child_id(db, "Lotte"), at("2026-04-20", "09:00")
    add_closing_day(db, demo.location_id, date(2026, 4, 6), "Paasmaandag")
    stay = [(time(8, 30), time(16, 0))]
    easter = date(2026, 4, 6)
    cell = apply_correction(db, location_actor(demo), demo.location_id, lotte, easter, stay, now=now)
    assert cell.state is CellState.COMPLETE and cell.marked == {Mark.ON_CLOSED_DAY}
    close_month(db, location_actor(demo), demo.location_id, 2026, 3, now=now)
    with pytest.raises(Refused, match="Maart 2026 is aangeduid als gesloten maand"):
        apply_correction(db, location_actor(demo), demo.location_id, lotte, date(2026, 3, 10), stay, now=now)


# -- closed months -------------------------------------------------------------------------------


def test_a_closed_month_expects_no_attendance_and_can_be_opened_again(db, demo) -> None:
    now = at("2026-07-20", "12:00")
    close_month(db, location_actor(demo), demo.location_id, 2026, 8, now=now)
    august = month_grid(db, demo.location_id, 2026, 8, now=at("2026-09-02", "12:00"))
    assert august.closed and august.errors == 0
    assert {cell.state for row in august.rows for cell in row.cells} == {CellState.CLOSED}
    reopen_month(db, location_actor(demo), demo.location_id, 2026, 8, now=now)
    assert not month_grid(db, demo.location_id, 2026, 8, now=now).closed


def test_a_month_with_registrations_cannot_be_marked_closed(db, door, demo) -> None:
    door.scan("Mila", at("2026-03-10", "08:00"), ARRIVAL)
    with pytest.raises(Refused, match="Er zijn registraties in maart 2026"):
        close_month(db, location_actor(demo), demo.location_id, 2026, 3, now=at("2026-03-20", "12:00"))
    with pytest.raises(Refused, match="tot 2 maanden terug"):
        close_month(db, location_actor(demo), demo.location_id, 2025, 12, now=at("2026-03-20", "12:00"))


# -- clock repair --------------------------------------------------------------------------------


BOOT = "5d1c9a7e-0000-4000-8000-00000000b007"


def event_times(db) -> dict[str, tuple[str, str, str | None]]:
    rows = db.execute("SELECT id, wall_time, occurred_at, retimed_by FROM events")
    return {row[0]: tuple(row[1:]) for row in rows}


def before_sync(door: Door, who: str, unit_clock: str, monotonic: float, boot: str = BOOT) -> Ack:
    """An arrival scanned while the unit's clock, not yet synced, said ``unit_clock``."""
    moment = datetime.fromisoformat(unit_clock)
    return door.scan(who, moment, ARRIVAL, clock_synced=False, boot_id=boot, monotonic=monotonic)


def after_sync(door: Door, who: str, moment: datetime, monotonic: float) -> Ack:
    return door.scan(who, moment, ARRIVAL, clock_synced=True, boot_id=BOOT, monotonic=monotonic)


def uncertain(db) -> dict[str, tuple[str, str | None]]:
    """Event id -> (state, placed_at) of the check-ins kept as "tijd onzeker"."""
    rows = db.execute("SELECT id, state, placed_at FROM uncertain_checkins")
    return {row[0]: (row[1], row[2]) for row in rows}


def test_scans_before_the_clock_synced_wait_as_uncertain_and_are_retimed_when_the_boot_syncs(
    db, door, demo
) -> None:
    door.hub_clock(at("2026-03-10", "12:00"))
    # after a power cut the unit boots in 1970 and registers two scans before NTP answers
    first = before_sync(door, "Jules", "1970-01-01T00:01:40+00:00", monotonic=100.0)
    second = before_sync(door, "Lotte", "1970-01-01T00:02:10+00:00", monotonic=130.0)
    assert first.verdict is Verdict.STORED, "kept by the hub: the unit may forget it"
    assert first.id not in event_times(db), "no anchor yet: not stored at 1970"
    assert uncertain(db)[first.id] == ("waiting", None)
    synced = after_sync(door, "Noah", at("2026-03-10", "08:15"), monotonic=400.0)
    times = event_times(db)
    assert times[first.id] == ("1970-01-01T00:01:40.000+00:00", "2026-03-10T07:10:00.000+00:00", synced.id)
    assert times[second.id][1:] == ("2026-03-10T07:10:30.000+00:00", synced.id)
    assert uncertain(db)[first.id] == ("repaired", "2026-03-10T07:10:00.000+00:00")
    later = before_sync(door, "Mila", "1970-01-01T00:10:00+00:00", monotonic=460.0)
    assert event_times(db)[later.id][1:] == ("2026-03-10T07:16:00.000+00:00", synced.id)
    grid = month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-10", "12:00"))
    assert row_of(grid, "Jules").cells[9].state is CellState.PRESENT, "attendance uses the repaired time"


def test_an_earlier_synced_scan_delivered_late_reanchors_the_boot(db, door) -> None:
    door.hub_clock(at("2026-03-10", "12:00"))
    unsynced = before_sync(door, "Jules", "1970-01-01T00:01:40+00:00", monotonic=100.0)
    late_anchor = after_sync(door, "Noah", at("2026-03-10", "09:00:00"), monotonic=3000.0)
    assert event_times(db)[unsynced.id][2] == late_anchor.id
    early_anchor = after_sync(door, "Lotte", at("2026-03-10", "08:15:30"), monotonic=400.0)
    assert event_times(db)[unsynced.id][1:] == ("2026-03-10T07:10:30.000+00:00", early_anchor.id)


def test_a_boot_that_never_synced_waits_as_uncertain_and_other_boots_are_untouched(db, door) -> None:
    door.hub_clock(at("2026-03-10", "12:00"))
    other_boot = before_sync(
        door,
        "Jules",
        "2026-03-10T08:00:00+01:00",
        monotonic=50.0,
        boot="0a0eb000-0000-4000-8000-000000000000",
    )
    after_sync(door, "Noah", at("2026-03-10", "09:00"), monotonic=400.0)
    assert other_boot.id not in event_times(db), "not stored at the unit's guess of the time"
    assert uncertain(db)[other_boot.id] == ("waiting", None)


# -- the database guards its history --------------------------------------------------------------


def test_the_event_log_and_the_corrections_cannot_be_rewritten(db, door, demo) -> None:
    ack = door.scan("Jules", at("2026-03-10", "08:12"), ARRIVAL)
    for statement in [
        "UPDATE events SET child_id = NULL",
        "UPDATE events SET occurred_at = '2026-03-10T06:00:00.000+00:00'",  # a synced event's time
        "DELETE FROM events",
    ]:
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            db.execute(statement)
    apply_correction(
        db,
        location_actor(demo),
        demo.location_id,
        child_id(db, "Jules"),
        date(2026, 3, 10),
        [(time(8, 12), time(16, 0))],
        now=at("2026-03-11", "09:00"),
    )
    for statement in ["UPDATE corrections SET actor_name = 'niemand'", "DELETE FROM corrections"]:
        with pytest.raises(sqlite3.IntegrityError, match="history"):
            db.execute(statement)
    assert ack.verdict == "stored"


def test_a_child_has_at_most_five_contacts(db, demo) -> None:
    jules = child_id(db, "Jules")
    for n in range(MAX_CONTACTS):
        add_contact(db, jules, f"Contact {n}", f"contact{n}@example.be", "grootouder")
    with pytest.raises(Refused, match="maximum 5 contactpersonen"):
        add_contact(db, jules, "Zesde", "zes@example.be")
    with pytest.raises(sqlite3.IntegrityError, match="at most 5"):
        db.execute("INSERT INTO contacts (child_id, name) VALUES (?, 'via SQL')", (jules,))
    assert len(contacts_of(db, jules)) == 5
