"""The monthly batch to Kind en Gezin: one location, one month, per child the days and hours present.

Defined once, here, independent of how it travels: `hub/upload/schema.py` generates the JSON
Schemas and `docs/upload.md` from these classes; `hub/upload/csv_export.py` writes the same
content as CSV for people.

A batch is a *version*: the first version of a month carries every child's record; a later one
(after corrections) only the records that changed since, each replacing that child's earlier
record at the receiver. A child whose attendance was corrected away gets an empty record. The
hub keeps every version it made.

Times are local (Europe/Brussels) with their UTC offset, to the minute, as the grid shows them:
`2026-03-10T08:12+01:00`. Days are ISO dates.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

FORMAT = "aanwezig-maandupload"
FORMAT_VERSION = 1


def spec(doc: str, default: Any = dataclasses.MISSING, **schema: Any) -> Any:
    """A dataclass field with its description and extra JSON Schema keywords (see hub.upload.schema)."""
    return field(default=default, metadata={"doc": doc, **schema})


class Sex(StrEnum):
    BOY = "m"
    GIRL = "v"
    OTHER = "x"


@dataclass(frozen=True)
class Stay:
    """One stay of the child: from arrival to departure, both on the same local day."""

    arrival: datetime = spec("Arrival, local time with offset, to the minute.")
    departure: datetime = spec("Departure, local time with offset, to the minute; after the arrival.")


@dataclass(frozen=True)
class DayPresence:
    """The child's presence at this location on one day."""

    date: date = spec("The local calendar day.")
    stays: tuple[Stay, ...] = spec("The stays of that day, in time order; they do not overlap.", minItems=1)
    minutes: int = spec("Minutes present that day: the sum of the stays, each cut to the minute.", minimum=0)


@dataclass(frozen=True)
class Child:
    """Who the record is about, as the location registered the child."""

    ref: str = spec("The hub's id of the child; the same child keeps it across months and locations.")
    first_name: str = spec("First name.")
    last_name: str = spec("Last name.")
    birth_date: date | None = spec(
        "Birth date. A child without one is held back until it is filled in.", not_null=True
    )
    sex: Sex | None = spec("m (jongen), v (meisje) or x. Held back while unknown.", not_null=True)
    no_subsidy: bool = spec('"Kind krijgt geen KO-toeslag": no childcare subsidy for this child.')
    school_start: date | None = spec(
        "The day the child starts school, if the location recorded it: the subsidy ends then, "
        "also when that is after the age of 2.5 years."
    )


@dataclass(frozen=True)
class ChildRecord:
    """One child's month at this location: replaces any earlier version of the same record."""

    record: str = spec("Record id: location/YYYY-MM/child ref.", pattern=r"^[^/]+/\d{4}-\d{2}/[^/]+$")
    child: Child = spec("The child.")
    days: tuple[DayPresence, ...] = spec(
        "The days the child was present, in date order. Empty: no attendance this month any more."
    )
    minutes: int = spec("Minutes present over the month at this location.", minimum=0)


@dataclass(frozen=True)
class CalendarDay:
    """Whether the location expected children on a day, and its hours."""

    date: date = spec("The local calendar day.")
    open: bool = spec("True when the location was open.")
    opens: time | None = spec(
        "The weekday's opening time (HH:MM), also on a closing day; null: closed weekday."
    )
    closes: time | None = spec("The weekday's closing time (HH:MM), also on a closing day.")
    closed: str | None = spec(
        'Why the location was closed, in Dutch: "sluitingsdag: Paasmaandag", "gesloten maand", '
        '"gesloten op zaterdag".'
    )


@dataclass(frozen=True)
class Location:
    """The location the month is about."""

    id: str = spec("The hub's id of the location.")
    dossier_number: str = spec("Kind en Gezin's dossier number of the location.")
    name: str = spec("The location's name.")


@dataclass(frozen=True)
class MonthBatch:
    """What one location sends for one month: its calendar and, per child, the days and hours present."""

    location: Location = spec("The location the attendance was registered at.")
    month: str = spec("The month, YYYY-MM.", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    version: int = spec("1 for the first sending of the month, one more for every later sending.", minimum=1)
    submission: str = spec("Unique id of this sending; sending it again (a retry) keeps it.")
    created_at: datetime = spec("When the hub made this version (UTC).")
    closed_month: bool = spec('The location marked the whole month closed ("gesloten maand").')
    calendar: tuple[CalendarDay, ...] = spec("Every day of the month.", minItems=28, maxItems=31)
    records: tuple[ChildRecord, ...] = spec(
        "The children's records in this version: all of them in version 1, the changed ones later."
    )
    format: str = spec("Always aanwezig-maandupload.", const=FORMAT, default=FORMAT)
    format_version: int = spec("Version of this format.", const=FORMAT_VERSION, default=FORMAT_VERSION)


class RecordStatus(StrEnum):
    ACCEPTED = "accepted"  # processed and correct
    ERROR = "error"  # processed; something in it is wrong (see kind, code, message)
    RECEIVED = "received"  # taken in, not processed yet


class ErrorKind(StrEnum):
    TIME = "time"  # an error in the registered times (red clock)
    DATA = "data"  # an error in the data sent (red cloud)


@dataclass(frozen=True)
class RecordAnswer:
    """The receiver's word on one record of the version it was sent."""

    record: str = spec("The record id, as sent.")
    status: RecordStatus = spec("accepted, error or received (not processed yet).")
    kind: ErrorKind | None = spec("With an error: time (red clock) or data (red cloud).")
    code: str | None = spec("With an error: the receiver's code for it.")
    message: str | None = spec("With an error: what is wrong, in Dutch, for the location.")


@dataclass(frozen=True)
class Answer:
    """The receiver's answer to a batch (HTTP 200): a word on each record it read."""

    submission: str = spec("The submission id of the batch answered.")
    version: int = spec("The version answered.", minimum=1)
    records: tuple[RecordAnswer, ...] = spec("One answer per record of the batch.")


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def record_id(location_id: str, year: int, month: int, child_ref: str) -> str:
    return f"{location_id}/{month_key(year, month)}/{child_ref}"


def to_json(value: Any) -> Any:
    """A batch (or any part of it) as JSON values: dates ISO, times HH:MM, stays to the minute."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(
            timespec="minutes" if value.second == 0 and not value.microsecond else "seconds"
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def encode(batch: MonthBatch) -> bytes:
    """The batch as the UTF-8 JSON body that is sent and kept."""
    return json.dumps(to_json(batch), ensure_ascii=False, separators=(",", ":")).encode()


def fingerprint(value: Any) -> str:
    """A content hash of a record or a calendar: what decides whether a resend must carry it."""
    canonical = json.dumps(to_json(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class AnswerError(ValueError):
    """The receiver's answer is not an :class:`Answer`."""


def parse_answer(payload: bytes) -> Answer:
    """Read the receiver's answer; raises :class:`AnswerError` saying what is wrong with it."""
    try:
        raw = json.loads(payload)
        records = []
        for item in raw["records"]:
            status = RecordStatus(item["status"])
            kind = ErrorKind(item["kind"]) if item.get("kind") else None
            if status is RecordStatus.ERROR and kind is None:
                kind = ErrorKind.DATA
            records.append(
                RecordAnswer(str(item["record"]), status, kind, item.get("code"), item.get("message"))
            )
        return Answer(str(raw["submission"]), int(raw["version"]), tuple(records))
    except (ValueError, KeyError, TypeError) as exc:
        raise AnswerError(f"unreadable answer: {exc!r}") from exc
