"""The children of a location as the portal manages them, each call checked against the actor.

A location manages the children linked to it; an organisator those of its own locations. The
search for a known child looks at every location of the same organisator (AARON: "het systeem
gaat na of het kind gekend is"), never at another organisator's children.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from hub.accounts.actors import Actor, NoAccess, Refused, may_manage
from hub.children.queries import (
    MAX_CONTACTS,
    Child,
    Contact,
    add_contact,
    children_at,
    contacts_of,
    find_children,
    get_child,
    is_linked,
    link_child,
)
from hub.core.db import write_transaction
from hub.locations.access import location_for
from hub.locations.queries import Location
from hub.mail import Mail, texts

SEX_NL = {"m": "Jongen", "v": "Meisje"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ./()-]{5,24}$")  # "03 123 45 67", "+32 470 12 34 56"
MAX_EMERGENCY_NOTES = 1000


@dataclass(frozen=True)
class ContactInput:
    name: str
    email: str = ""
    relation: str = ""
    phone: str = ""


@dataclass(frozen=True)
class NewChild:
    """A child as typed in the form, validated."""

    first_name: str
    last_name: str
    birth_date: date
    sex: str
    no_subsidy: bool
    contacts: tuple[ContactInput, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class KnownChild:
    """A search result: a child already known at one of the organisator's locations."""

    child: Child
    locations: tuple[str, ...]  # names of the organisator's locations it goes to
    here: bool  # already linked to this location


def parse_birth_date(text: str) -> date | None:
    """DD/MM/YYYY (also with - or .), as Flemish forms write it; None when it is not a date."""
    match = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def validate_school_start(text: str, born: date | None) -> tuple[date | None, str | None]:
    """The school start date from the form (empty: not known), or the problem with it (Dutch)."""
    if not text.strip():
        return None, None
    start = parse_birth_date(text)
    if start is None:
        return None, "Geef de startdatum school als DD/MM/JJJJ, bijvoorbeeld 01/09/2026."
    if born is not None and start <= born:
        return None, "De startdatum school ligt voor de geboortedatum."
    return start, None


def validate_child(
    first_name: str,
    last_name: str,
    birth_date: str,
    sex: str,
    no_subsidy: bool,
    contacts: list[ContactInput],
    today: date,
) -> tuple[NewChild | None, dict[str, str]]:
    """The child from the form, or the problems per field (Dutch)."""
    errors: dict[str, str] = {}
    if not first_name.strip():
        errors["first_name"] = "Geef de voornaam van het kind."
    if not last_name.strip():
        errors["last_name"] = "Geef de achternaam van het kind."
    born = parse_birth_date(birth_date)
    if born is None:
        errors["birth_date"] = "Geef de geboortedatum als DD/MM/JJJJ, bijvoorbeeld 14/03/2024."
    elif born > today:
        errors["birth_date"] = "De geboortedatum ligt in de toekomst."
    elif born.year < today.year - 14:
        errors["birth_date"] = "Deze geboortedatum is te lang geleden voor de kinderopvang."
    if sex not in SEX_NL:
        errors["sex"] = "Kies jongen of meisje."
    filled = [c for c in contacts if c.name.strip() or c.email.strip()]
    if len(filled) > MAX_CONTACTS:
        errors["contacts"] = f"Een kind heeft maximum {MAX_CONTACTS} contactpersonen."
    for i, contact in enumerate(filled, start=1):
        if not contact.name.strip():
            errors["contacts"] = f"Contactpersoon {i}: geef een naam."
        elif contact.email.strip() and not _EMAIL.match(contact.email.strip()):
            errors["contacts"] = f"Contactpersoon {i}: ‘{contact.email.strip()}’ is geen geldig e-mailadres."
        elif contact.phone.strip() and not PHONE.match(contact.phone.strip()):
            phone = contact.phone.strip()
            errors["contacts"] = f"Contactpersoon {i}: ‘{phone}’ is geen geldig telefoonnummer."
    if errors:
        return None, errors
    assert born is not None
    child = NewChild(
        first_name.strip(),
        last_name.strip(),
        born,
        sex,
        no_subsidy,
        tuple(
            ContactInput(c.name.strip(), c.email.strip(), c.relation.strip(), c.phone.strip()) for c in filled
        ),
    )
    return child, {}


def children_of(db: sqlite_utils.Database, actor: Actor, location_id: str) -> list[Child]:
    location_for(db, actor, location_id)
    return children_at(db, location_id)


def child_at(db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int) -> Child:
    """A child of a location the actor may see; :class:`NoAccess` for anything else."""
    location_for(db, actor, location_id)
    child = get_child(db, child_id)
    if child is None or not is_linked(db, child_id, location_id):
        raise NoAccess(child_id)
    return child


def search_known(
    db: sqlite_utils.Database, actor: Actor, location_id: str, first_name: str, last_name: str
) -> list[KnownChild]:
    """Children with this name at any location of the same organisator."""
    location = location_for(db, actor, location_id)
    found = []
    for child in find_children(db, location.organisator_id, first_name, last_name):
        names = tuple(
            name
            for (name,) in db.execute(
                """
                SELECT l.name FROM child_locations cl JOIN locations l ON l.id = cl.location_id
                WHERE cl.child_id = ? AND l.organisator_id = ? ORDER BY l.name
                """,
                (child.id, location.organisator_id),
            )
        )
        found.append(KnownChild(child, names, is_linked(db, child.id, location_id)))
    return found


def link_known(db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int) -> Child:
    """Link a child known at another location of the same organisator to this one."""
    location = location_for(db, actor, location_id)
    with write_transaction(db):
        known = db.execute(
            """
            SELECT 1 FROM child_locations cl JOIN locations l ON l.id = cl.location_id
            WHERE cl.child_id = ? AND l.organisator_id = ?
            """,
            (child_id, location.organisator_id),
        ).fetchone()
        child = get_child(db, child_id)
        if known is None or child is None:
            raise NoAccess(child_id)
        link_child(db, child_id, location_id)
    return child


def register(db: sqlite_utils.Database, actor: Actor, location_id: str, new: NewChild) -> int:
    """Register a new child at a location with its contacts; returns the child's id."""
    location_for(db, actor, location_id)
    with write_transaction(db):
        child_id = (
            db["children"]
            .insert(
                {
                    "first_name": new.first_name,
                    "last_name": new.last_name,
                    "birth_date": new.birth_date.isoformat(),
                    "sex": new.sex,
                    "no_subsidy": int(new.no_subsidy),
                }
            )
            .last_pk
        )
        link_child(db, child_id, location_id)
        for contact in new.contacts:
            add_contact(db, child_id, contact.name, contact.email or None, contact.relation, contact.phone)
    return child_id


def update_child(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, new: NewChild
) -> None:
    """Change a child's data (name, birth date, sex, KO-toeslag); contacts are kept as they are."""
    child_at(db, actor, location_id, child_id)
    with write_transaction(db):
        db.execute(
            "UPDATE children SET first_name = ?, last_name = ?, birth_date = ?, sex = ?, no_subsidy = ?"
            " WHERE id = ?",
            (
                new.first_name,
                new.last_name,
                new.birth_date.isoformat(),
                new.sex,
                int(new.no_subsidy),
                child_id,
            ),
        )


def add_contact_for(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, contact: ContactInput
) -> Contact:
    child_at(db, actor, location_id, child_id)
    if not contact.name.strip():
        raise Refused("Geef de naam van de contactpersoon.")
    if contact.email.strip() and not _EMAIL.match(contact.email.strip()):
        raise Refused(f"‘{contact.email.strip()}’ is geen geldig e-mailadres.")
    if contact.phone.strip() and not PHONE.match(contact.phone.strip()):
        raise Refused(f"‘{contact.phone.strip()}’ is geen geldig telefoonnummer.")
    with write_transaction(db):
        contact_id = add_contact(
            db, child_id, contact.name, contact.email.strip() or None, contact.relation.strip(), contact.phone
        )
    return next(c for c in contacts_of(db, child_id) if c.id == contact_id)


def set_emergency_notes(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, notes: str
) -> None:
    """What staff must know about the child in an emergency (shown on the evacuation list)."""
    child_at(db, actor, location_id, child_id)
    notes = notes.strip().replace("\r\n", "\n")
    if len(notes) > MAX_EMERGENCY_NOTES:
        raise Refused(f"Maximum {MAX_EMERGENCY_NOTES} tekens, a.u.b.")
    with write_transaction(db):
        db.execute("UPDATE children SET emergency_notes = ? WHERE id = ?", (notes, child_id))


def emergency_notes(db: sqlite_utils.Database, child_id: int) -> str:
    row = db.execute("SELECT emergency_notes FROM children WHERE id = ?", (child_id,)).fetchone()
    return row[0] if row else ""


def remove_contact(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, contact_id: int
) -> None:
    child_at(db, actor, location_id, child_id)
    with write_transaction(db):
        db.execute("DELETE FROM contacts WHERE id = ? AND child_id = ?", (contact_id, child_id))


def confirmation_mails(
    location: Location,
    child: Child,
    contacts: list[Contact] | tuple[ContactInput, ...],
    account_link: Callable[[str], str] | None = None,
) -> list[Mail]:
    """The confirmation for each contact with an e-mail address (with the parents' account link)."""
    return [
        texts.contact_confirmation(
            c.email,
            c.name,
            child.name,
            location.name,
            location.address,
            account_link(c.email) if account_link else "",
        )
        for c in contacts
        if c.email
    ]


def age_text(born: date | None, today: date) -> str:
    """'1 jaar en 3 maanden', for the children list."""
    if born is None:
        return ""
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    years, months = divmod(max(months, 0), 12)
    parts = ([f"{years} jaar"] if years else []) + (
        [f"{months} maand" + ("en" if months != 1 else "")] if months or not years else []
    )
    return " en ".join(parts)


def record_school_start(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, school_start: date | None
) -> None:
    """Record (or clear) the day a child starts school: the KO-toeslag ends then."""
    if not may_manage(db, actor, location_id):
        raise Refused("Je hebt geen toegang tot deze opvanglocatie.")
    linked = db.execute(
        "SELECT 1 FROM child_locations WHERE child_id = ? AND location_id = ?", (child_id, location_id)
    ).fetchone()
    if linked is None:
        raise Refused("Dit kind is niet gekoppeld aan deze opvanglocatie.")
    with db.conn:
        db.execute(
            "UPDATE children SET school_start = ? WHERE id = ?",
            (school_start.isoformat() if school_start else None, child_id),
        )
