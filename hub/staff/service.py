"""The staff of an organisation: inviting by mail, roles and locations, deactivating.

Every function takes the acting :class:`~hub.core.actors.Actor` and checks it itself (the rules in
:mod:`hub.staff.rules`): a person of another organisation, or one the actor may not manage, is
:class:`~hub.core.actors.NoAccess` (404). The password is set through the accounts' one-time link
(:mod:`hub.accounts.tokens`), like an organisator's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from hub.accounts import mails, sessions, tokens
from hub.accounts.tokens import Purpose
from hub.core import bounds
from hub.core.actors import Actor, NoAccess, Refused, Role, StaffRole
from hub.core.db import write_transaction
from hub.core.localtime import utc_iso
from hub.mail import Mailer, MailError
from hub.staff.rules import ROLE_NL, assignment_problem, may_manage_person


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str
    email: str
    role: StaffRole
    active: bool
    has_password: bool
    locations: tuple[str, ...]  # location ids, by name

    @property
    def role_nl(self) -> str:
        return ROLE_NL[self.role]


def organisation_of(db: sqlite_utils.Database, actor: Actor) -> int:
    """The organisator id the actor belongs to; NoAccess for a location's own login."""
    if actor.role is Role.ORGANISATOR:
        return int(actor.id)
    if actor.role is Role.STAFF and actor.person_id is not None:
        row = db.execute("SELECT organisator_id FROM staff WHERE id = ?", (actor.person_id,)).fetchone()
        if row:
            return row[0]
    raise NoAccess("staff")


def organisation_locations(db: sqlite_utils.Database, actor: Actor) -> list[tuple[str, str]]:
    """(id, name) of the locations the actor may give to a person: all of an organisator's, a
    responsible's own."""
    organisator = organisation_of(db, actor)
    rows = db.execute(
        "SELECT id, name FROM locations WHERE organisator_id = ? ORDER BY name COLLATE NOCASE, id",
        (organisator,),
    ).fetchall()
    if actor.role is Role.STAFF:
        rows = [row for row in rows if row[0] in actor.locations]
    return [(row[0], row[1]) for row in rows]


def _members(db: sqlite_utils.Database, organisator: int, staff_id: int | None = None) -> list[StaffMember]:
    where, args = ("s.organisator_id = ?", [organisator])
    if staff_id is not None:
        where, args = (where + " AND s.id = ?", [organisator, staff_id])
    rows = db.execute(
        f"""
        SELECT s.id, s.name, s.email, s.role, s.active, s.password_hash IS NOT NULL,
               (SELECT group_concat(location_id, '\x1f') FROM
                   (SELECT sl.location_id FROM staff_locations sl JOIN locations l ON l.id = sl.location_id
                    WHERE sl.staff_id = s.id ORDER BY l.name COLLATE NOCASE) AS ordered)
        FROM staff s WHERE {where} ORDER BY s.active DESC, s.name COLLATE NOCASE, s.id
        """,
        args,
    ).fetchall()
    return [
        StaffMember(row[0], row[1], row[2], StaffRole(row[3]), bool(row[4]), bool(row[5]), _split(row[6]))
        for row in rows
    ]


def _split(joined: str | None) -> tuple[str, ...]:
    return tuple(joined.split("\x1f")) if joined else ()


def list_staff(db: sqlite_utils.Database, actor: Actor) -> list[StaffMember]:
    """The persons the actor may manage (an organisator: all of its organisation)."""
    organisator = organisation_of(db, actor)
    return [m for m in _members(db, organisator) if may_manage_person(actor, m.role, m.locations)]


def get_member(db: sqlite_utils.Database, actor: Actor, staff_id: int) -> StaffMember:
    """One person the actor may manage; NoAccess otherwise (another organisation's, or not theirs)."""
    found = _members(db, organisation_of(db, actor), staff_id)
    if not found or not may_manage_person(actor, found[0].role, found[0].locations):
        raise NoAccess(str(staff_id))
    return found[0]


def _checked(
    db: sqlite_utils.Database, actor: Actor, role: str, locations: Collection[str]
) -> tuple[StaffRole, list[str]]:
    try:
        chosen = StaffRole(role)
    except ValueError:
        raise Refused("Kies een rol.") from None
    wanted = sorted(set(locations)) if chosen is not StaffRole.ORGANISATOR else []
    everything = [
        row[0] for row in organisation_locations(db, Actor.organisator(organisation_of(db, actor), ""))
    ]
    problem = assignment_problem(actor, chosen, wanted, everything)
    if problem:
        raise Refused(problem)
    return chosen, wanted


def invite_staff(
    db: sqlite_utils.Database,
    mailer: Mailer,
    base_url: str,
    actor: Actor,
    name: str,
    email: str,
    role: str,
    locations: Collection[str],
    now: datetime,
) -> StaffMember:
    """Add a person with a role and locations, and mail the link to set a password."""
    name, email = name.strip(), email.strip()
    problem = bounds.name_problem(name, "De naam") or bounds.too_long(email, bounds.EMAIL, "Het e-mailadres")
    if problem:
        raise Refused(problem)
    if not name:
        raise Refused("Geef de naam van de medewerker.")
    if "@" not in email or " " in email:
        raise Refused("Geef een geldig e-mailadres.")
    chosen, wanted = _checked(db, actor, role, locations)
    organisator = organisation_of(db, actor)
    with write_transaction(db):
        in_use = db.execute(
            "SELECT 1 FROM organisators WHERE email = ? COLLATE NOCASE"
            " UNION ALL SELECT 1 FROM staff WHERE email = ? COLLATE NOCASE",
            (email, email),
        ).fetchone()
        if in_use:
            raise Refused("Dit e-mailadres is al in gebruik in Aanwezig.")
        staff_id = db.execute(
            "INSERT INTO staff (organisator_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?)",
            (organisator, name, email, chosen.value, utc_iso(now)),
        ).lastrowid
        _set_locations(db, staff_id, wanted)
        token = tokens.issue(db, organisator, Purpose.INVITE, now, staff_id)
    _mail_invitation(db, mailer, base_url, organisator, staff_id, token)
    return get_member(db, actor, staff_id)


def _set_locations(db: sqlite_utils.Database, staff_id: int, locations: Collection[str]) -> None:
    db.execute("DELETE FROM staff_locations WHERE staff_id = ?", (staff_id,))
    for location_id in locations:
        db.execute(
            "INSERT INTO staff_locations (staff_id, location_id) VALUES (?, ?)", (staff_id, location_id)
        )


def _mail_invitation(
    db: sqlite_utils.Database, mailer: Mailer, base_url: str, organisator: int, staff_id: int, token: str
) -> None:
    (organisation,) = db.execute("SELECT name FROM organisators WHERE id = ?", (organisator,)).fetchone()
    name, email, role = db.execute("SELECT name, email, role FROM staff WHERE id = ?", (staff_id,)).fetchone()
    mail = mails.staff_invitation(
        email, name, organisation, ROLE_NL[StaffRole(role)], f"{base_url}/wachtwoord-instellen/{token}"
    )
    try:
        mailer.send(mail)
    except MailError as exc:
        raise Refused(f"De uitnodiging kon niet verstuurd worden: {exc}") from exc


def update_staff(
    db: sqlite_utils.Database, actor: Actor, staff_id: int, role: str, locations: Collection[str]
) -> StaffMember:
    """Change a person's role and locations; their open sessions follow at the next request."""
    member = get_member(db, actor, staff_id)
    if member.id == actor.person_id:
        raise Refused("Je kan je eigen rol en opvanglocaties niet wijzigen.")
    chosen, wanted = _checked(db, actor, role, locations)
    with write_transaction(db):
        db.execute("UPDATE staff SET role = ? WHERE id = ?", (chosen.value, member.id))
        _set_locations(db, member.id, wanted)
    return get_member(db, actor, staff_id) if may_manage_person(actor, chosen, wanted) else member


def deactivate(db: sqlite_utils.Database, actor: Actor, staff_id: int, now: datetime) -> StaffMember:
    """Close a person's account: logged out at once, no login or link works any more. Their name
    stays in the history."""
    member = get_member(db, actor, staff_id)
    if member.id == actor.person_id:
        raise Refused("Je kan je eigen account niet deactiveren.")
    with write_transaction(db):
        db.execute("UPDATE staff SET active = 0, deactivated_at = ? WHERE id = ?", (utc_iso(now), member.id))
        sessions.end_all(db, Role.STAFF, str(member.id))
        tokens.void_all(db, organisation_of(db, actor), now, member.id)
    return get_member(db, actor, staff_id)


def reinvite(
    db: sqlite_utils.Database, mailer: Mailer, base_url: str, actor: Actor, staff_id: int, now: datetime
) -> StaffMember:
    """Mail a new link to set the password, and open a deactivated account again."""
    member = get_member(db, actor, staff_id)
    organisator = organisation_of(db, actor)
    with write_transaction(db):
        db.execute("UPDATE staff SET active = 1, deactivated_at = NULL WHERE id = ?", (member.id,))
        token = tokens.issue(db, organisator, Purpose.INVITE, now, member.id)
    _mail_invitation(db, mailer, base_url, organisator, member.id, token)
    return get_member(db, actor, staff_id)
