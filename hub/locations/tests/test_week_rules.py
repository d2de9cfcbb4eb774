"""Opening hours as typed on the command line and on the screen, and what an older hub's
locations get when the hub migrates."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from hub.core.db import connect, migrate, migrations
from hub.locations.queries import location_schedule, opening_week
from hub.locations.schedule import DEFAULT_WEEK, Hours, parse_clock, parse_week, week_text


def test_the_default_week_is_monday_to_friday_seven_to_six() -> None:
    week = parse_week(DEFAULT_WEEK)
    assert sorted(week) == [1, 2, 3, 4, 5] and all(blocks == (Hours.parse("07:00", "18:00"),) for blocks in
                                                   week.values())  # fmt: skip
    assert week_text(week) == "ma 07:00–18:00, di 07:00–18:00, wo 07:00–18:00, do 07:00–18:00, vr 07:00–18:00"


def test_a_week_with_two_blocks_on_wednesday_and_friday_closed() -> None:
    week = parse_week("ma-vr 07:00-18:00; wo 07:00-12:00,13:00-18:00; vr gesloten; za 08:00-12:00")
    assert sorted(week) == [1, 2, 3, 4, 6]
    assert week[3] == (Hours.parse("07:00", "12:00"), Hours.parse("13:00", "18:00"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("ma-vr 18:00-07:00", "open"),
        ("mo 07:00-18:00", "onbekende dag"),
        ("ma 07:00", "van-tot"),
        ("ma 07:00-12:00,11:00-18:00", "overlap"),
        ("ma 25:00-26:00", "geen geldig uur"),
    ],
)
def test_wrong_hours_are_refused_with_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_week(text)


@pytest.mark.parametrize(
    ("typed", "clock"),
    [("7:05", time(7, 5)), ("0705", time(7, 5)), ("18.20", time(18, 20)), ("18u20", time(18, 20))],
)
def test_times_are_read_as_people_type_them_in_24_hours(typed: str, clock: time) -> None:
    assert parse_clock(typed) == clock


def test_a_location_of_an_older_hub_without_hours_gets_monday_to_friday_when_the_hub_migrates(
    tmp_path: Path,
) -> None:
    db = connect(tmp_path / "hub.sqlite3")
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in migrations():
        if name < "0012_":
            db.conn.executescript(sql)
            db.execute("INSERT INTO schema_migrations VALUES (?, 'earlier')", (name,))
    db.execute("INSERT INTO organisators (name, email) VALUES ('Oud', 'oud@example.be')")
    for location in ("zonder", "met"):
        db.execute(
            "INSERT INTO locations (id, organisator_id, dossier_number, name) VALUES (?, 1, ?, ?)",
            (location, f"90{len(location)}", location),
        )
    db.execute("INSERT INTO location_opening_hours VALUES ('met', 3, '08:00', '12:00')")
    db.conn.commit()
    assert "0012_opening_hours.sql" in migrate(db)
    assert opening_week(db, "zonder") == {d: (Hours.parse("07:00", "18:00"),) for d in range(1, 6)}
    assert opening_week(db, "met") == {3: (Hours.parse("08:00", "12:00"),)}, "hours a location had stay"
    assert location_schedule(db, "zonder").pickup_margin_min == 60
    db.close()
