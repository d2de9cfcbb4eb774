"""Children in the database: who they are, where they go, and who may collect them.

From the AARON guide: first and last name, birth date (DD/MM/YYYY on screen), sex, the flag
"kind krijgt geen KO-toeslag", and at most 5 contacts per child (name, e-mail). Adding a child
starts with a search for a known child, so one child is never registered twice.
"""

from __future__ import annotations

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


def contacts_of(db: sqlite_utils.Database, child_id: int) -> list[Contact]:
    rows = db.execute(
        "SELECT id, child_id, name, email, relation, phone FROM contacts WHERE child_id = ? ORDER BY id",
        (child_id,),
    ).fetchall()
    return [Contact(*row) for row in rows]


def add_contact(
    db: sqlite_utils.Database,
    child_id: int,
    name: str,
    email: str | None = None,
    relation: str = "",
    phone: str = "",
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
