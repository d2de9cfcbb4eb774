"""Diary entries in the database: add, close a sleep, remove, and read a child's day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from hub.core.actors import NoAccess, Refused
from hub.diary.rules import KIND_NL, Entry, check_entry, describe


@dataclass(frozen=True)
class DiaryLine:
    id: int
    child_id: int
    kind: str
    at: str
    until: str | None
    choice: str
    text: str
    made_by: str

    @property
    def label(self) -> str:
        return KIND_NL[self.kind]

    @property
    def line(self) -> str:
        return describe(self.kind, self.at, self.until, self.choice, self.text)

    @property
    def sleeping(self) -> bool:
        return self.kind == "sleep" and self.until is None


_COLUMNS = "id, child_id, kind, at, until, choice, text, made_by"


def add(
    db: sqlite_utils.Database,
    location_id: str,
    child_id: int,
    day: date,
    entry: Entry,
    made_by: str,
    now: datetime,
) -> int:
    """Keep a checked entry (inside the caller's transaction); its id."""
    return db.execute(
        """
        INSERT INTO diary_entries
            (child_id, location_id, day, kind, at, until, choice, text, made_by, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (child_id, location_id, day.isoformat(), entry.kind, entry.at, entry.until, entry.choice, entry.text,
         made_by, now.isoformat()),
    ).lastrowid  # fmt: skip


def line_at(db: sqlite_utils.Database, location_id: str, entry_id: int) -> DiaryLine:
    """An entry of this location, else :class:`NoAccess`."""
    row = db.execute(
        f"SELECT {_COLUMNS} FROM diary_entries WHERE id = ? AND location_id = ?", (entry_id, location_id)
    ).fetchone()
    if row is None:
        raise NoAccess(entry_id)
    return DiaryLine(*row)


def wake(db: sqlite_utils.Database, line: DiaryLine, until: str) -> None:
    """Close an open sleep at ``until`` (HH:MM)."""
    if not line.sleeping:
        raise Refused("Dit slaapje heeft al een einduur.")
    checked = check_entry("sleep", line.at, until, "", line.text)
    db.execute("UPDATE diary_entries SET until = ? WHERE id = ?", (checked.until, line.id))


def remove(db: sqlite_utils.Database, line: DiaryLine) -> None:
    db.execute("DELETE FROM diary_entries WHERE id = ?", (line.id,))


def day_of(db: sqlite_utils.Database, child_id: int, location_ids: list[str], day: date) -> list[DiaryLine]:
    """A child's entries of one day at the given locations, in the order of the day."""
    if not location_ids:
        return []
    marks = ",".join("?" * len(location_ids))
    return [
        DiaryLine(*row)
        for row in db.execute(
            f"""
            SELECT {_COLUMNS} FROM diary_entries
            WHERE child_id = ? AND day = ? AND location_id IN ({marks}) ORDER BY at, id
            """,
            (child_id, day.isoformat(), *location_ids),
        )
    ]


def days_with_entries(
    db: sqlite_utils.Database, child_id: int, location_ids: list[str], limit: int = 14
) -> list[date]:
    """The latest days that have entries, newest first (bounded)."""
    if not location_ids:
        return []
    marks = ",".join("?" * len(location_ids))
    return [
        date.fromisoformat(row[0])
        for row in db.execute(
            f"""
            SELECT DISTINCT day FROM diary_entries WHERE child_id = ? AND location_id IN ({marks})
            ORDER BY day DESC LIMIT ?
            """,
            (child_id, *location_ids, limit),
        )
    ]


def is_child_of(db: sqlite_utils.Database, location_id: str, child_id: int) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM child_locations WHERE location_id = ? AND child_id = ?", (location_id, child_id)
        ).fetchone()
        is not None
    )
