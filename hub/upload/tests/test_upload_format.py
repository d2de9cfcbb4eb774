"""The monthly batch format: generated schema and description, what a month looks like in it, the CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from hub.attendance.closed_months import close_month
from hub.locations.queries import add_closing_day
from hub.upload.batch import encode, to_json
from hub.upload.month import prepare_month
from hub.upload.schema import answer_schema, batch_schema, upload_markdown
from hub.upload.service import administration_csv
from tests.support.attendance import ARRIVAL, DEPARTURE, at, day_at_the_creche, location_actor
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door
from tests.support.upload_month import CHECKED

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

ROOT = Path(__file__).resolve().parents[3]


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_docs_in_the_repository_match_the_format() -> None:
    """docs/upload* are generated from hub/upload/batch.py; run `make docs` after changing the format."""
    assert json.loads((ROOT / "docs/upload-batch-schema.json").read_text()) == batch_schema()
    assert json.loads((ROOT / "docs/upload-answer-schema.json").read_text()) == answer_schema()
    assert (ROOT / "docs/upload.md").read_text() == upload_markdown()
    jsonschema.Draft202012Validator.check_schema(batch_schema())
    jsonschema.Draft202012Validator.check_schema(answer_schema())


def test_a_month_in_the_batch_has_its_calendar_and_per_child_the_stays_and_minutes(db, door, demo) -> None:
    add_closing_day(db, demo.location_id, date(2026, 3, 16), "pedagogische studiedag")
    day_at_the_creche(door, "Jules", "2026-03-10", "08:12", "12:00")
    day_at_the_creche(door, "Jules", "2026-03-10", "13:00", "17:03")
    day_at_the_creche(door, "Noah", "2026-03-30", "07:05", "17:55")  # summer time since 29 March
    month = prepare_month(db, demo.location_id, 2026, 3, now=CHECKED)
    batch = json.loads(encode(month.batch(1, "01JQ0000000000000000000000", CHECKED, month.sendable)))

    assert list(validator(batch_schema()).iter_errors(batch)) == []
    assert batch["location"] == {
        "id": "zonnebloem",
        "dossier_number": "903123456",
        "name": "Kinderdagverblijf De Zonnebloem",
    }
    assert batch["month"] == "2026-03" and batch["version"] == 1 and batch["closed_month"] is False
    assert batch["format"] == "aanwezig-maandupload" and batch["format_version"] == 1
    calendar = {day["date"]: day for day in batch["calendar"]}
    assert len(calendar) == 31
    assert calendar["2026-03-10"] == {
        "date": "2026-03-10",
        "open": True,
        "opens": "07:00",
        "closes": "18:00",
        "closed": None,
    }
    assert calendar["2026-03-16"]["open"] is False
    assert calendar["2026-03-16"]["closed"] == "sluitingsdag: pedagogische studiedag"
    assert calendar["2026-03-15"] == {
        "date": "2026-03-15",
        "open": False,
        "opens": None,
        "closes": None,
        "closed": "gesloten op zondag",
    }
    jules, noah = batch["records"]
    assert jules["record"] == f"zonnebloem/2026-03/{jules['child']['ref']}"
    assert jules["child"] | {"ref": "-"} == {
        "ref": "-",
        "first_name": "Jules",
        "last_name": "Peeters",
        "birth_date": "2024-03-14",
        "sex": "m",
        "no_subsidy": False,
        "school_start": None,
    }
    assert jules["days"] == [
        {
            "date": "2026-03-10",
            "stays": [
                {"arrival": "2026-03-10T08:12+01:00", "departure": "2026-03-10T12:00+01:00"},
                {"arrival": "2026-03-10T13:00+01:00", "departure": "2026-03-10T17:03+01:00"},
            ],
            "minutes": 228 + 243,
        }
    ]
    assert jules["minutes"] == 471
    assert noah["days"][0]["stays"] == [
        {"arrival": "2026-03-30T07:05+02:00", "departure": "2026-03-30T17:55+02:00"}
    ]


def test_a_closed_month_goes_as_a_closed_month_without_records(db, demo) -> None:
    close_month(db, location_actor(demo), demo.location_id, 2026, 2, now=at("2026-01-20", "10:00"))
    month = prepare_month(db, demo.location_id, 2026, 2, now=CHECKED)
    batch = to_json(month.batch(1, "01JQ0000000000000000000001", CHECKED, month.sendable))
    assert list(validator(batch_schema()).iter_errors(batch)) == []
    assert batch["closed_month"] is True and batch["records"] == []
    assert {day["closed"] for day in batch["calendar"] if day["opens"]} == {"gesloten maand"}


def test_the_schema_refuses_a_child_without_birth_date_so_such_a_record_cannot_slip_through(
    db, door, demo
) -> None:
    day_at_the_creche(door, "Jules", "2026-03-10")
    month = prepare_month(db, demo.location_id, 2026, 3, now=CHECKED)
    batch = to_json(month.batch(1, "01JQ0000000000000000000002", CHECKED, month.records))
    batch["records"][0]["child"]["birth_date"] = None
    errors = [e.message for e in validator(batch_schema()).iter_errors(batch)]
    assert errors == ["None is not of type 'string'"]


def test_the_month_as_csv_reads_in_a_dutch_spreadsheet(db, door, demo) -> None:
    add_closing_day(db, demo.location_id, date(2026, 3, 16), "pedagogische studiedag")
    day_at_the_creche(door, "Jules", "2026-03-10", "08:12", "12:00")
    day_at_the_creche(door, "Jules", "2026-03-10", "13:00", "17:03")
    day_at_the_creche(door, "Lotte", "2026-03-11", "08:00", "10:30")
    door.scan("Noah", at("2026-03-12", "08:00"), ARRIVAL)  # departure forgotten
    door.scan("Noah", at("2026-03-13", "08:00"), ARRIVAL)
    door.scan("Noah", at("2026-03-13", "09:00"), DEPARTURE)
    text = administration_csv(prepare_month(db, demo.location_id, 2026, 3, now=CHECKED))

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    header, *body = rows
    assert header[:3] == ["Dossiernummer", "Locatie", "Datum"] and header[-2:] == ["Fouten", "KO-toeslag"]
    as_dicts = [dict(zip(header, row, strict=True)) for row in body]
    jules, lotte, noah, closed = as_dicts
    assert (jules["Datum"], jules["Voornaam"], jules["Geboortedatum"], jules["Geslacht"]) == (
        "10/03/2026",
        "Jules",
        "14/03/2024",
        "jongen",
    )
    assert (jules["Aanwezig"], jules["Minuten"], jules["Uren"], jules["KO-toeslag"]) == (
        "08:12–12:00, 13:00–17:03",
        "471",
        "7,85",
        "hele dag",
    )
    assert (lotte["Uren"], lotte["KO-toeslag"], lotte["Fouten"]) == ("2,50", "geen (minder dan 3 uur)", "")
    assert noah["Datum"] == "13/03/2026" and noah["Fouten"] == "", "the red cell is on the 12th"
    assert closed["Datum"] == "16/03/2026" and closed["Kind"] == ""
    assert closed["Aanwezig"] == "gesloten: sluitingsdag: pedagogische studiedag"
