"""Children in the database: who they are, where they go, and who may collect them.

From the AARON guide: first and last name, birth date (DD/MM/YYYY on screen), sex, the flag
"kind krijgt geen KO-toeslag", and at most 5 contacts per child (name, e-mail). Adding a child
starts with a search for a known child, so one child is never registered twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from hub.accounts.actors import Refused
from hub.children.records import Child

MAX_CONTACTS = 5


@dataclass(frozen=True)
class Contact:
    id: int
    child_id: int
    name: str
    email: str | None
    relation: str
    phone: str = ""  # for the evacuation list
    may_collect: bool = True  # "mag ophalen"; False: "mag niet ophalen", see collect_note
    collect_note: str = ""  # for staff: why, or what to do


CHILD_COLUMNS = "ch.id, ch.first_name, ch.last_name, ch.birth_date, ch.sex, ch.no_subsidy, ch.school_start"


def child_from_row(row: tuple) -> Child:
    """A :class:`Child` from the columns :data:`CHILD_COLUMNS` (children as ``ch``)."""
    child_id, first, last, born, sex, no_subsidy, school = row
    return Child(
        child_id,
        first,
        last,
        date.fromisoformat(born) if born else None,
        sex,
        bool(no_subsidy),
        date.fromisoformat(school) if school else None,
    )


def get_child(db: sqlite_utils.Database, child_id: int) -> Child | None:
    row = db.execute(f"SELECT {CHILD_COLUMNS} FROM children ch WHERE ch.id = ?", (child_id,)).fetchone()
    return child_from_row(row) if row else None


def children_at(db: sqlite_utils.Database, location_id: str) -> list[Child]:
    """The children linked to a location, by first and last name."""
    rows = db.execute(
        f"""
        SELECT {CHILD_COLUMNS} FROM children ch
        JOIN child_locations cl ON cl.child_id = ch.id
        WHERE cl.location_id = ?
        ORDER BY ch.first_name COLLATE NOCASE, ch.last_name COLLATE NOCASE, ch.id
        """,
        (location_id,),
    ).fetchall()
    return [child_from_row(row) for row in rows]


@dataclass(frozen=True)
class Stay:
    """A child's childcare at one location: from its first day to its last (None: not known)."""

    first_day: date | None = None
    last_day: date | None = None

    def covers(self, day: date) -> bool:
        started = self.first_day is None or self.first_day <= day
        return started and (self.last_day is None or day <= self.last_day)

    def left_before(self, day: date) -> bool:
        """True when the child no longer comes on ``day``: its last day lies before it."""
        return self.last_day is not None and self.last_day < day


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def stays_at(db: sqlite_utils.Database, location_id: str) -> dict[int, Stay]:
    """Per child linked to a location, its stay there."""
    return {
        child_id: Stay(_day(first), _day(last))
        for child_id, first, last in db.execute(
            "SELECT child_id, first_day, last_day FROM child_stays WHERE location_id = ?", (location_id,)
        )
    }


def last_days(db: sqlite_utils.Database, child_ids: set[int]) -> dict[tuple[int, str], str]:
    """(child, location) -> the child's last day there (ISO), for the children that have one."""
    return {
        (child_id, location_id): last
        for child_id, location_id, last in db.execute(
            "SELECT child_id, location_id, last_day FROM child_stays "
            "WHERE last_day IS NOT NULL AND child_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
            (json.dumps(sorted(child_ids)),),
        )
    }


def stay_of(db: sqlite_utils.Database, child_id: int, location_id: str) -> Stay:
    row = db.execute(
        "SELECT first_day, last_day FROM child_stays WHERE child_id = ? AND location_id = ?",
        (child_id, location_id),
    ).fetchone()
    return Stay(_day(row[0]), _day(row[1])) if row else Stay()


def set_stay(db: sqlite_utils.Database, child_id: int, location_id: str, stay: Stay) -> None:
    if stay.first_day and stay.last_day and stay.last_day < stay.first_day:
        raise Refused("De laatste opvangdag ligt voor de eerste.")
    with db.atomic():
        db.execute(
            """
            INSERT INTO child_stays (child_id, location_id, first_day, last_day) VALUES (?, ?, ?, ?)
            ON CONFLICT (child_id, location_id) DO UPDATE SET
                first_day = excluded.first_day, last_day = excluded.last_day
            """,
            (
                child_id,
                location_id,
                stay.first_day.isoformat() if stay.first_day else None,
                stay.last_day.isoformat() if stay.last_day else None,
            ),
        )


def is_linked(db: sqlite_utils.Database, child_id: int, location_id: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM child_locations WHERE child_id = ? AND location_id = ?", (child_id, location_id)
        ).fetchone()
        is not None
    )


def find_children(
    db: sqlite_utils.Database, organisator_id: int, first_name: str, last_name: str
) -> list[Child]:
    """Known children of the organisator's locations with this name (case-insensitive)."""
    rows = db.execute(
        f"""
        SELECT DISTINCT {CHILD_COLUMNS} FROM children ch
        JOIN child_locations cl ON cl.child_id = ch.id
        JOIN locations l ON l.id = cl.location_id
        WHERE l.organisator_id = ? AND ch.first_name = ? COLLATE NOCASE AND ch.last_name = ? COLLATE NOCASE
        ORDER BY ch.birth_date, ch.id
        """,
        (organisator_id, first_name.strip(), last_name.strip()),
    ).fetchall()
    return [child_from_row(row) for row in rows]


def find_elsewhere(
    db: sqlite_utils.Database, organisator_id: int, first_name: str, last_name: str, born: date
) -> list[Child]:
    """Children of other organisators with exactly this first name, last name and birth date.

    Only what was typed comes back (name and birth date): nothing else of the other organisator's
    child is revealed.
    """
    rows = db.execute(
        """
        SELECT DISTINCT ch.id, ch.first_name, ch.last_name, ch.birth_date FROM children ch
        JOIN child_locations cl ON cl.child_id = ch.id
        WHERE ch.first_name = ? COLLATE NOCASE AND ch.last_name = ? COLLATE NOCASE AND ch.birth_date = ?
          AND ch.id NOT IN (
              SELECT cl2.child_id FROM child_locations cl2 JOIN locations l ON l.id = cl2.location_id
              WHERE l.organisator_id = ?)
        ORDER BY ch.id
        """,
        (first_name.strip(), last_name.strip(), born.isoformat(), organisator_id),
    ).fetchall()
    return [Child(cid, first, last, date.fromisoformat(b), None, False) for cid, first, last, b in rows]


def add_child(
    db: sqlite_utils.Database,
    location_id: str,
    first_name: str,
    last_name: str,
    birth_date: date | None = None,
    sex: str | None = None,
    no_subsidy: bool = False,
) -> int:
    """Register a new child and link it to a location; returns its id."""
    with db.atomic():
        child_id = (
            db["children"]
            .insert(
                {
                    "first_name": first_name.strip(),
                    "last_name": last_name.strip(),
                    "birth_date": birth_date.isoformat() if birth_date else None,
                    "sex": sex,
                    "no_subsidy": int(no_subsidy),
                }
            )
            .last_pk
        )
        link_child(db, child_id, location_id)
    return child_id


def link_child(db: sqlite_utils.Database, child_id: int, location_id: str) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO child_locations (child_id, location_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (child_id, location_id),
        )


def contacts_of(db: sqlite_utils.Database, child_id: int, organisator_id: int | None = None) -> list[Contact]:
    """A child's contacts; with ``organisator_id``, only those that organisator may see (its own)."""
    mine = "" if organisator_id is None else " AND (organisator_id IS NULL OR organisator_id = ?)"
    rows = db.execute(
        f"SELECT id, child_id, name, email, relation, phone, may_collect = 1, collect_note FROM contacts "
        f"WHERE child_id = ?{mine} "
        "ORDER BY id",
        (child_id,) if organisator_id is None else (child_id, organisator_id),
    ).fetchall()
    return [Contact(*row[:6], bool(row[6]), row[7]) for row in rows]


def add_contact(
    db: sqlite_utils.Database,
    child_id: int,
    name: str,
    email: str | None = None,
    relation: str = "",
    phone: str = "",
    organisator_id: int | None = None,
) -> int:
    """Add a contact; refused (in Dutch) when the child has five already."""
    with db.atomic():
        (count,) = db.execute("SELECT count(*) FROM contacts WHERE child_id = ?", (child_id,)).fetchone()
        if count >= MAX_CONTACTS:
            raise Refused(f"Een kind heeft maximum {MAX_CONTACTS} contactpersonen.")
        return (
            db["contacts"]
            .insert(
                {
                    "child_id": child_id,
                    "name": name.strip(),
                    "email": email or None,
                    "relation": relation,
                    "phone": phone.strip(),
                    "organisator_id": organisator_id,
                }
            )
            .last_pk
        )


# A child's QR cards as its pages show them (the cards feature, hub/cards/, links and marks them).


@dataclass(frozen=True)
class Card:
    code: str
    state: str  # "active" or "lost"
    linked_at: str | None
    lost_at: str | None


def cards_of(db: sqlite_utils.Database, child_id: int) -> list[Card]:
    """A child's cards: the active one first, then lost ones, latest first."""
    rows = db.execute(
        """
        SELECT code, state, linked_at, lost_at FROM cards WHERE child_id = ? AND state IN ('active', 'lost')
        ORDER BY state = 'lost', coalesce(lost_at, linked_at) DESC
        """,
        (child_id,),
    ).fetchall()
    return [Card(*row) for row in rows]


def active_cards(db: sqlite_utils.Database, location_id: str) -> dict[int, str]:
    """Child id -> code of its active card, for a location's children."""
    rows = db.execute(
        """
        SELECT c.child_id, c.code FROM cards c JOIN child_locations cl ON cl.child_id = c.child_id
        WHERE cl.location_id = ? AND c.state = 'active'
        """,
        (location_id,),
    ).fetchall()
    return dict(rows)


def collector_cards_of(db: sqlite_utils.Database, child_id: int) -> dict[int, list[str]]:
    """Contact id -> its active collector cards ("ophaalkaart", hub/cards/collectors.py), for the
    contacts of a child."""
    found: dict[int, list[str]] = {}
    for contact_id, code in db.execute(
        "SELECT c.contact_id, c.code FROM cards c JOIN contacts k ON k.id = c.contact_id "
        "WHERE k.child_id = ? AND c.state = 'active' ORDER BY c.code",
        (child_id,),
    ):
        found.setdefault(contact_id, []).append(code)
    return found
