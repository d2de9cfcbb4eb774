"""The checks before a month goes to Kind en Gezin, on the demo location's data.

The demo location "Kinderdagverblijf De Zonnebloem" (dossier 903123456) is open Monday to Friday
07:00-18:00; its children are Jules Peeters (14/03/2024), Lotte Janssens (02/11/2023), Noah Maes
(21/06/2024), Mila Jacobs (30/09/2023, 2.5 years on 30/03/2026), Louis Mertens (08/01/2024) and
Olivia Willems (17/08/2024). Scans go in through the hub's ingest; the month is March 2026,
checked on 2 April.
"""

from __future__ import annotations

from datetime import date

import pytest

from hub.attendance.cells import CellState
from hub.children.service import record_school_start
from hub.demo import DemoData
from hub.locations.queries import add_closing_day
from hub.upload.month import prepare_month
from hub.upload.service import administration_csv, confirm_warning, preview
from hub.upload.validation import Marker, Severity
from tests.support.attendance import (
    ARRIVAL,
    DEPARTURE,
    at,
    child_id,
    day_at_the_creche,
    location_actor,
    second_location,
)
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door
from tests.support.upload_month import CHECKED
from wire import cardcode

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def march(db, demo: DemoData):
    return prepare_month(db, demo.location_id, 2026, 3, now=CHECKED)


def issues_of(prepared, first_name: str):
    return [i for i in prepared.issues if i.child_name.startswith(first_name + " ")]


def sendable_names(prepared) -> list[str]:
    return sorted(r.child.first_name for r in prepared.sendable)


# -- time errors: the red clock ------------------------------------------------------------------


def test_a_missing_departure_is_a_time_error_on_its_cell_and_holds_only_that_child_back(
    db, door, demo
) -> None:
    day_at_the_creche(door, "Jules", "2026-03-10")
    door.scan("Lotte", at("2026-03-10", "08:30"), ARRIVAL)
    month = march(db, demo)
    [issue] = month.issues
    assert (issue.marker, issue.severity, issue.rule) == (Marker.CLOCK, Severity.ERROR, "departure_missing")
    assert (issue.child_name, issue.day) == ("Lotte Janssens", date(2026, 3, 10))
    assert issue.text == "Vertrek ontbreekt na aankomst om 08:30"
    assert sendable_names(month) == ["Jules"] and month.markers == {Marker.CLOCK}


def test_a_departure_without_arrival_is_a_time_error(db, door, demo) -> None:
    door.scan("Noah", at("2026-03-11", "16:10"), DEPARTURE)
    [issue] = march(db, demo).issues
    assert (issue.marker, issue.rule, issue.day) == (
        Marker.CLOCK,
        "departure_without_arrival",
        date(2026, 3, 11),
    )
    assert issue.text == "Vertrek om 16:10 zonder aankomst"


def test_times_outside_the_opening_hours_are_no_time_error_and_are_sent_as_registered(db, door, demo) -> None:
    day_at_the_creche(door, "Noah", "2026-03-12", arrival="06:55", departure="18:20")
    prepared = march(db, demo)
    assert prepared.issues == ()
    [record] = prepared.sendable
    [day] = record.days
    assert (day.date, f"{day.stays[0].arrival:%H:%M}", f"{day.stays[0].departure:%H:%M}") == (
        date(2026, 3, 12),
        "06:55",
        "18:20",
    )
    assert day.minutes == 685


def test_presence_on_a_closing_day_or_a_saturday_is_kept_and_holds_nothing_back(db, door, demo) -> None:
    add_closing_day(db, demo.location_id, date(2026, 3, 16), "pedagogische studiedag")
    day_at_the_creche(door, "Louis", "2026-03-16")
    day_at_the_creche(door, "Louis", "2026-03-14")  # a Saturday
    prepared = march(db, demo)
    assert prepared.issues == () and not prepared.held_back
    [record] = prepared.sendable
    assert [day.date for day in record.days] == [date(2026, 3, 14), date(2026, 3, 16)]


def test_overlapping_stays_here_and_at_another_location_are_a_time_error(db, door, demo) -> None:
    elsewhere = second_location(db, demo, "Jules")
    day_at_the_creche(door, "Jules", "2026-03-10", "08:00", "13:00")
    day_at_the_creche(elsewhere, "Jules", "2026-03-10", "12:30", "17:00")
    [issue] = march(db, demo).issues
    assert (issue.marker, issue.rule) == (Marker.CLOCK, "overlap")
    assert issue.text == "08:00–13:00 overlapt met 12:30–17:00 in De Regenboog"


# -- data errors: the red cloud ------------------------------------------------------------------


def test_a_child_without_birth_date_or_sex_is_a_data_error_and_waits(db, door, demo) -> None:
    db.execute("UPDATE children SET birth_date = NULL WHERE first_name = 'Olivia'")
    db.execute("UPDATE children SET sex = NULL WHERE first_name = 'Noah'")
    db.conn.commit()
    for who in ("Olivia", "Noah", "Jules"):
        day_at_the_creche(door, who, "2026-03-10")
    month = march(db, demo)
    assert [(i.marker, i.severity, i.text) for i in issues_of(month, "Olivia")] == [
        (Marker.CLOUD, Severity.ERROR, "De geboortedatum ontbreekt.")
    ]
    assert [i.text for i in issues_of(month, "Noah")] == ["Het geslacht ontbreekt."]
    assert sendable_names(month) == ["Jules"] and month.markers == {Marker.CLOUD}


def test_a_child_older_than_2_and_a_half_is_a_warning_that_is_sent_and_shown_until_settled(
    db, door, demo
) -> None:
    day_at_the_creche(door, "Mila", "2026-03-27")
    assert march(db, demo).issues == (), "Mila is 2.5 years only from 30/03/2026"
    day_at_the_creche(door, "Mila", "2026-03-30")
    month = march(db, demo)
    [warning] = month.issues
    assert (warning.marker, warning.severity, warning.day) == (
        Marker.CLOUD,
        Severity.WARNING,
        date(2026, 3, 30),
    )
    assert warning.text.startswith("Mila is 2,5 jaar sinds 30/03/2026: de KO-toeslag stopt dan")
    assert sendable_names(month) == ["Mila"], "a warning does not hold the record back"
    assert month.markers == {Marker.CLOUD}

    confirm_warning(
        db,
        location_actor(demo),
        demo.location_id,
        2026,
        3,
        child_id(db, "Mila"),
        warning.rule,
        "blijft tot september",
    )
    [confirmed] = march(db, demo).issues
    assert (
        confirmed.confirmed.by == "Kinderdagverblijf De Zonnebloem"
        and confirmed.confirmed.note == "blijft tot september"
    )
    assert march(db, demo).markers == frozenset()

    record_school_start(db, location_actor(demo), demo.location_id, child_id(db, "Mila"), date(2026, 9, 1))
    settled = march(db, demo)
    assert settled.issues == () and settled.records[0].child.school_start == date(2026, 9, 1)


def test_an_error_cannot_be_confirmed_away(db, door, demo) -> None:
    from hub.accounts.actors import Refused

    with pytest.raises(Refused, match="pas ze aan"):
        confirm_warning(
            db, location_actor(demo), demo.location_id, 2026, 3, child_id(db, "Olivia"), "no_birth_date"
        )


def test_the_same_child_registered_twice_is_a_data_error_on_both(db, door, demo) -> None:
    from hub.children.queries import add_child

    twin = add_child(db, demo.location_id, "jules", "Peeters ", date(2024, 3, 14), "m")
    day_at_the_creche(door, "Jules", "2026-03-10")
    twins_card = cardcode.new_code()
    db.execute(
        "INSERT INTO cards (code, organisator_id, child_id, state) "
        "SELECT ?, organisator_id, ?, 'active' FROM locations WHERE id = ?",
        (twins_card, twin, demo.location_id),
    )
    db.conn.commit()
    day_at_the_creche(door, twins_card, "2026-03-11")
    month = march(db, demo)
    jules = child_id(db, "Jules")
    assert {i.child_id: i.text for i in month.issues} == {
        jules: f"Zelfde naam en geboortedatum (14/03/2024) als jules Peeters (nr. {twin}, Kinderdagverblijf "
        "De Zonnebloem): is dit hetzelfde kind? Kind en Gezin zou twee kinderen vinden.",
        twin: f"Zelfde naam en geboortedatum (14/03/2024) als Jules Peeters (nr. {jules}, Kinderdagverblijf "
        "De Zonnebloem): is dit hetzelfde kind? Kind en Gezin zou twee kinderen vinden.",
    }
    assert {i.rule for i in month.issues} == {"duplicate_child"}
    assert month.sendable == ()


def test_a_duplicate_at_another_location_of_the_organisation_is_named_and_another_organisation_is_not(
    db, door, demo
) -> None:
    from hub.children.queries import add_child

    second_location(db, demo)
    other_org = db["organisators"].insert({"name": "Elders vzw", "email": "elders@example.be"}).last_pk
    db["locations"].insert(
        {"id": "elders", "organisator_id": other_org, "dossier_number": "903777222", "name": "Elders"}
    )
    db.conn.commit()
    add_child(db, "elders", "Louis", "Mertens", date(2024, 1, 8), "m")  # another organisation's child
    day_at_the_creche(door, "Louis", "2026-03-10")
    assert march(db, demo).issues == ()
    twin = add_child(db, "regenboog", "Louis", "Mertens", date(2024, 1, 8), "m")
    [issue] = march(db, demo).issues
    assert issue.child_name == "Louis Mertens" and f"(nr. {twin}, De Regenboog)" in issue.text


def test_a_card_whose_scans_went_to_two_children_is_a_warning_on_both(db, door, demo) -> None:
    code = demo.cards["Jules"]
    day_at_the_creche(door, "Jules", "2026-03-10")
    db.execute("UPDATE cards SET child_id = ? WHERE code = ?", (child_id(db, "Noah"), code))  # linked again
    db.conn.commit()
    day_at_the_creche(door, code, "2026-03-11")
    month = march(db, demo)
    assert sorted((i.child_name, i.severity) for i in month.issues) == [
        ("Jules Peeters", Severity.WARNING),
        ("Noah Maes", Severity.WARNING),
    ]
    pretty = f"{code[:3]} {code[3:6]} {code[6:]}"
    assert month.issues[0].text == (
        f"Kaart {pretty} werd deze maand gescand voor Jules Peeters en Noah Maes: kijk na of de uren bij het "
        "juiste kind staan, en bevestig."
    )
    assert sendable_names(month) == ["Jules", "Noah"]


def test_a_month_with_both_kinds_shows_both_markers(db, door, demo) -> None:
    door.scan("Lotte", at("2026-03-10", "08:30"), ARRIVAL)
    db.execute("UPDATE children SET birth_date = NULL WHERE first_name = 'Olivia'")
    db.conn.commit()
    day_at_the_creche(door, "Olivia", "2026-03-10")
    assert march(db, demo).markers == {Marker.CLOCK, Marker.CLOUD}


def test_the_grid_the_csv_and_the_preview_judge_a_day_alike(db, door, demo) -> None:
    day_at_the_creche(door, "Louis", "2026-03-14", arrival="09:00", departure="15:00")  # a Saturday
    door.scan("Louis", at("2026-03-16", "08:00"), ARRIVAL)  # a Monday without departure: red
    prepared = march(db, demo)
    [louis_row] = [row for row in prepared.grid.rows if row.child.first_name == "Louis"]
    cells = {cell.day: cell for cell in louis_row.cells}
    assert cells[date(2026, 3, 14)].state is CellState.COMPLETE
    assert cells[date(2026, 3, 16)].state is CellState.ERROR
    rows = [row for row in administration_csv(prepared).splitlines() if ";Louis;" in row]
    assert [row.split(";")[2] for row in rows] == ["14/03/2026"], "the red day counts nowhere"
    assert rows[0].endswith(";hele dag")
    [louis] = [p for p in preview(prepared) if p.child.first_name == "Louis"]
    assert [d.day for d in louis.subsidy.days] == [date(2026, 3, 14)]
