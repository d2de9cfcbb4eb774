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
    find_elsewhere,
    get_child,
    is_linked,
    link_child,
)
from hub.core import bounds
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
    elsewhere: bool = False  # known to another organisator (only the typed name and birth date shown)


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
    elif problem := bounds.name_problem(first_name.strip(), "De voornaam"):
        errors["first_name"] = problem
    if not last_name.strip():
        errors["last_name"] = "Geef de achternaam van het kind."
    elif problem := bounds.name_problem(last_name.strip(), "De achternaam"):
        errors["last_name"] = problem
    born = parse_birth_date(birth_date) if len(birth_date) <= bounds.CODE else None
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
        problem = contact_problem(contact)
        if problem:
            errors["contacts"] = f"Contactpersoon {i}: {problem[0].lower()}{problem[1:]}"
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


def contact_problem(contact: ContactInput) -> str | None:
    """What is wrong with a contact as typed (Dutch), or None."""
    name, email, relation = contact.name.strip(), contact.email.strip(), contact.relation.strip()
    if not name:
        return "Geef de naam van de contactpersoon."
    problem = (
        bounds.name_problem(name, "De naam van de contactpersoon")
        or bounds.too_long(email, bounds.EMAIL, "Het e-mailadres")
        or bounds.name_problem(relation, "De relatie", bounds.RELATION)
    )
    if problem:
        return problem
    if email and not _EMAIL.match(email):
        return f"‘{email}’ is geen geldig e-mailadres."
    phone = contact.phone.strip()
    if problem := bounds.too_long(phone, bounds.PHONE, "Het telefoonnummer"):
        return problem
    if phone and not PHONE.match(phone):
        return f"‘{phone}’ is geen geldig telefoonnummer."
    return None


def _room_for_one_more(db: sqlite_utils.Database, location_id: str) -> None:
    """Refuse (Dutch) when the location has the most children a location may have."""
    (count,) = db.execute(
        "SELECT count(*) FROM child_locations WHERE location_id = ?", (location_id,)
    ).fetchone()
    refusal = bounds.too_many_children(count)
    if refusal:
        raise Refused(refusal)


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
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    first_name: str,
    last_name: str,
    born: date | None = None,
) -> list[KnownChild]:
    """Children with this name at any location of the same organisator; with a birth date, also a
    child of another organisator with exactly this name and birth date (nothing else shown)."""
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
    if born is not None:
        found += [
            KnownChild(child, (), False, elsewhere=True)
            for child in find_elsewhere(db, location.organisator_id, first_name, last_name, born)
        ]
    return found


def link_known(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    child_id: int,
    identity: tuple[str, str, date] | None = None,
) -> Child:
    """Link a known child to this location: one of the same organisator's, or, when ``identity``
    (first name, last name, birth date as typed) matches it exactly, another organisator's child.

    The child keeps its card. Another organisator's contacts stay theirs (stamped so, if they
    were not yet) and are not shown here.
    """
    location = location_for(db, actor, location_id)
    with write_transaction(db):
        owners = {
            org
            for (org,) in db.execute(
                "SELECT DISTINCT l.organisator_id FROM child_locations cl "
                "JOIN locations l ON l.id = cl.location_id WHERE cl.child_id = ?",
                (child_id,),
            )
        }
        child = get_child(db, child_id)
        if child is None or not owners:
            raise NoAccess(child_id)
        if location.organisator_id not in owners:
            if identity is None or not _same_child(child, identity):
                raise NoAccess(child_id)
            if len(owners) == 1:
                db.execute(
                    "UPDATE contacts SET organisator_id = ? WHERE child_id = ? AND organisator_id IS NULL",
                    (next(iter(owners)), child_id),
                )
        if not is_linked(db, child_id, location_id):
            _room_for_one_more(db, location_id)
        link_child(db, child_id, location_id)
    return child


def _same_child(child: Child, identity: tuple[str, str, date]) -> bool:
    first, last, born = identity
    return (
        child.first_name.strip().casefold() == first.strip().casefold()
        and child.last_name.strip().casefold() == last.strip().casefold()
        and child.birth_date == born
    )


def register(db: sqlite_utils.Database, actor: Actor, location_id: str, new: NewChild) -> int:
    """Register a new child at a location with its contacts; returns the child's id.

    Raises :class:`Refused` when the location has :data:`~hub.core.bounds.MAX_CHILDREN_PER_LOCATION`.
    """
    organisator_id = location_for(db, actor, location_id).organisator_id
    with write_transaction(db):
        _room_for_one_more(db, location_id)
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
            add_contact(
                db,
                child_id,
                contact.name,
                contact.email or None,
                contact.relation,
                contact.phone,
                organisator_id=organisator_id,
            )
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


def contacts_for(db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int) -> list[Contact]:
    child_at(db, actor, location_id, child_id)
    return contacts_of(db, child_id, location_for(db, actor, location_id).organisator_id)


def add_contact_for(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, contact: ContactInput
) -> Contact:
    child_at(db, actor, location_id, child_id)
    problem = contact_problem(contact)
    if problem:
        raise Refused(problem)
    organisator_id = location_for(db, actor, location_id).organisator_id
    with write_transaction(db):
        contact_id = add_contact(
            db,
            child_id,
            contact.name.strip(),
            contact.email.strip() or None,
            contact.relation.strip(),
            contact.phone.strip(),
            organisator_id=organisator_id,
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


def set_no_photos(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, no_photos: bool
) -> None:
    """Mark the child "geen foto's" (no consent) or lift it; marking removes its photo tags at once
    (a trigger of migration 0019_photos), so no parent sees a photo of it any more."""
    child_at(db, actor, location_id, child_id)
    with write_transaction(db):
        db.execute("UPDATE children SET no_photos = ? WHERE id = ?", (int(no_photos), child_id))


def no_photos(db: sqlite_utils.Database, child_id: int) -> bool:
    row = db.execute("SELECT no_photos FROM children WHERE id = ?", (child_id,)).fetchone()
    return bool(row and row[0])


def emergency_notes(db: sqlite_utils.Database, child_id: int) -> str:
    row = db.execute("SELECT emergency_notes FROM children WHERE id = ?", (child_id,)).fetchone()
    return row[0] if row else ""


def remove_contact(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, contact_id: int
) -> None:
    child_at(db, actor, location_id, child_id)
    organisator_id = location_for(db, actor, location_id).organisator_id
    with write_transaction(db):
        db.execute(
            "DELETE FROM contacts WHERE id = ? AND child_id = ? "
            "AND (organisator_id IS NULL OR organisator_id = ?)",
            (contact_id, child_id, organisator_id),
        )


MAX_COLLECT_NOTE = 500


def set_may_collect(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    child_id: int,
    contact_id: int,
    may_collect: bool,
    note: str,
) -> None:
    """ "Mag ophalen" or "mag niet ophalen" (with a note for staff) for one contact of the child."""
    child_at(db, actor, location_id, child_id)
    note = note.strip()
    if len(note) > MAX_COLLECT_NOTE:
        raise Refused(f"De notitie is te lang: hoogstens {MAX_COLLECT_NOTE} tekens.")
    if not may_collect and not note:
        raise Refused(
            "Schrijf er voor je collega's bij waarom deze persoon niet mag ophalen, of wat te doen."
        )
    organisator_id = location_for(db, actor, location_id).organisator_id
    with write_transaction(db):
        changed = db.execute(
            "UPDATE contacts SET may_collect = ?, collect_note = ? WHERE id = ? AND child_id = ? "
            "AND (organisator_id IS NULL OR organisator_id = ?)",
            (int(may_collect), note if not may_collect else "", contact_id, child_id, organisator_id),
        ).rowcount
    if not changed:
        raise NoAccess(contact_id)


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
