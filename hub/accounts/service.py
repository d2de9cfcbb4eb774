"""Logging in, inviting and resetting, with the refusals people see (Dutch).

Checking a PIN or password and counting a wrong one happen under one process-wide lock, so
parallel guesses cannot slip past the limit between the check and the count (the hub is one
process; argon2 keeps each check at some tens of milliseconds).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from hub.accounts import mails as texts
from hub.accounts import sessions, throttle, tokens
from hub.accounts.actors import Actor, Refused, Role
from hub.accounts.location_login import pin_hash
from hub.accounts.passwords import hash_secret, password_problem, verify_secret
from hub.accounts.tokens import Purpose
from hub.core.db import write_transaction
from hub.core.localtime import fmt_time
from hub.mail import Deferring, Mail, Mailer, MailError
from hub.web.clients import PinClient

log = logging.getLogger(__name__)

_CHECKING = threading.Lock()
MAX_RESET_MAILS_PER_HOUR = 3


@dataclass(frozen=True)
class Organisator:
    id: int
    name: str
    email: str
    has_password: bool


@dataclass(frozen=True)
class StaffPerson:
    """A staff person's login as the password pages show it."""

    id: int
    organisator_id: int
    name: str
    email: str
    active: bool


def staff_by_email(db: sqlite_utils.Database, email: str) -> StaffPerson | None:
    row = db.execute(
        "SELECT id, organisator_id, name, email, active FROM staff WHERE email = ? COLLATE NOCASE",
        (email.strip(),),
    ).fetchone()
    return StaffPerson(row[0], row[1], row[2], row[3], bool(row[4])) if row else None


def get_staff_person(db: sqlite_utils.Database, staff_id: int) -> StaffPerson | None:
    row = db.execute(
        "SELECT id, organisator_id, name, email, active FROM staff WHERE id = ?", (staff_id,)
    ).fetchone()
    return StaffPerson(row[0], row[1], row[2], row[3], bool(row[4])) if row else None


def token_person(db: sqlite_utils.Database, info: tokens.TokenInfo) -> Organisator | StaffPerson | None:
    """Whose one-time link this is: a staff person's (active only) or the organisator's."""
    if info.staff_id is not None:
        person = get_staff_person(db, info.staff_id)
        return person if person and person.active else None
    return get_organisator(db, info.organisator_id)


def organisator_by_email(db: sqlite_utils.Database, email: str) -> Organisator | None:
    row = db.execute(
        "SELECT id, name, email, password_hash IS NOT NULL FROM organisators WHERE email = ? COLLATE NOCASE",
        (email.strip(),),
    ).fetchone()
    return Organisator(row[0], row[1], row[2], bool(row[3])) if row else None


def get_organisator(db: sqlite_utils.Database, organisator_id: int) -> Organisator | None:
    row = db.execute(
        "SELECT id, name, email, password_hash IS NOT NULL FROM organisators WHERE id = ?", (organisator_id,)
    ).fetchone()
    return Organisator(row[0], row[1], row[2], bool(row[3])) if row else None


def _locked_message(until: datetime, what: str) -> str:
    return f"Te veel foute {what}. Probeer opnieuw na {fmt_time(until)}."


def login_location(
    db: sqlite_utils.Database,
    location_id: str,
    pin: str,
    client: PinClient | str,
    now: datetime,
    on_location_locked: Callable[[datetime], None] | None = None,
) -> Actor:
    """The location's actor when ``pin`` is its PIN; raises :class:`Refused` with the reason.

    Five wrong PINs from one client (a known device of the location, else an address) lock that
    client at this location for 15 minutes; twenty over all locations lock it everywhere. Only a
    spread attack (50 wrong PINs from 5 networks within an hour) locks the location for every
    unknown client; its known devices still get in, and ``on_location_locked`` is told (the
    caller mails the organisator). Strangers can thus lock out themselves, not the location.
    """
    client = client if isinstance(client, PinClient) else PinClient(client)
    keys = (f"pin-client:{location_id}:{client.key}", f"pin-client:{client.key}")
    with _CHECKING:
        locked = throttle.locked_until(db, keys, now)
        if locked:
            raise Refused(_locked_message(max(locked.values()), "pincodes vanaf dit toestel"))
        location_lock = throttle.location_locked_until(db, location_id, now)
        if location_lock is not None and not client.known_device:
            raise Refused(
                "Te veel foute pincodes van verschillende plaatsen: deze opvanglocatie is vergrendeld tot "
                f"{fmt_time(location_lock)} voor toestellen waarmee nog niet werd aangemeld. Je organisator "
                "kan ze ontgrendelen."
            )
        stored = pin_hash(db, location_id)
        if stored is None:
            raise Refused(
                "Er is nog geen pincode ingesteld voor deze opvang. "
                "Vraag je organisator om er een aan te maken."
            )
        if verify_secret(stored, pin.strip()):
            with write_transaction(db):
                throttle.clear(db, keys[0])
            (name,) = db.execute("SELECT name FROM locations WHERE id = ?", (location_id,)).fetchone()
            return Actor.location(location_id, name)
        with write_transaction(db):
            left, lock = throttle.record_failure(db, keys[0], throttle.PIN_LIMIT, now)
            _, client_lock = throttle.record_failure(db, keys[1], throttle.PIN_CLIENT_LIMIT, now)
            location_locked = throttle.record_pin_failure(db, location_id, client.key, client.network, now)
    if location_locked is not None:
        log.warning("location %s locked for unknown devices until %s", location_id, location_locked)
        if on_location_locked is not None:
            on_location_locked(location_locked)
    if lock:
        raise Refused(f"Foute pincode. Na 5 foute pincodes is dit toestel vergrendeld tot {fmt_time(lock)}.")
    if client_lock:
        raise Refused(_locked_message(client_lock, "pincodes vanaf dit toestel"))
    return _wrong_pin(left)


def _wrong_pin(left: int) -> Actor:
    tries = "nog 1 poging" if left == 1 else f"nog {left} pogingen"
    raise Refused(f"Foute pincode. Je hebt {tries}; daarna wordt dit toestel 15 minuten geweigerd.")


def location_locked_mail(
    db: sqlite_utils.Database, mailer: Mailer, base_url: str, location_id: str, until: datetime
) -> None:
    """Tell the location's organisator that its location is locked, with the page to lift it."""
    row = db.execute(
        """
        SELECT o.email, o.name, l.name FROM locations l JOIN organisators o ON o.id = l.organisator_id
        WHERE l.id = ?
        """,
        (location_id,),
    ).fetchone()
    if row is None:
        return
    email, name, location_name = row
    mail = texts.location_locked(
        email, name, location_name, fmt_time(until), f"{base_url}/locaties/{location_id}/pincode"
    )
    try:
        mailer.send(mail)
    except MailError:
        log.exception("could not mail the organisator of %s about the location lock", location_id)


def login_organisator(
    db: sqlite_utils.Database, email: str, password: str, client: str, now: datetime
) -> Actor:
    """The actor for a right e-mail and password: an organisator's, or an active staff person's
    (:func:`hub.accounts.sessions.staff_actor`); raises :class:`Refused`.

    An unknown e-mail and a wrong password get the same answer, after the same work.
    """
    email = email.strip()
    keys = (f"password-account:{email.lower()}", f"password-client:{client}")
    with _CHECKING:
        locked = throttle.locked_until(db, keys, now)
        if locked:
            raise Refused(_locked_message(max(locked.values()), "pogingen om aan te melden"))
        row = db.execute(
            "SELECT id, name, password_hash FROM organisators WHERE email = ? COLLATE NOCASE", (email,)
        ).fetchone()
        person = None
        if row is None:
            person = db.execute(
                "SELECT id, name, password_hash FROM staff WHERE email = ? COLLATE NOCASE AND active = 1",
                (email,),
            ).fetchone()
        found = row or person
        if verify_secret(found[2] if found else None, password):
            actor = sessions.staff_actor(db, person[0]) if person else Actor.organisator(row[0], row[1])
            if actor is not None:
                with write_transaction(db):
                    throttle.clear(db, keys[0])
                return actor
        with write_transaction(db):
            _, account_lock = throttle.record_failure(db, keys[0], throttle.PASSWORD_ACCOUNT_LIMIT, now)
            _, client_lock = throttle.record_failure(db, keys[1], throttle.PASSWORD_CLIENT_LIMIT, now)
    lock = account_lock or client_lock
    if lock:
        raise Refused(_locked_message(lock, "pogingen om aan te melden"))
    raise Refused("Onbekend e-mailadres of fout wachtwoord.")


def start_session(
    db: sqlite_utils.Database, actor: Actor, client: str, now: datetime, lifetime: timedelta
) -> str:
    with write_transaction(db):
        return sessions.create(db, actor, client, now, lifetime)


def invite(
    db: sqlite_utils.Database, mailer: Mailer, base_url: str, email: str, name: str, now: datetime
) -> Organisator:
    """Register an organisator (if new) and mail a link to set the password. Raises MailError."""
    email = email.strip()
    with write_transaction(db):
        found = organisator_by_email(db, email)
        if found is None:
            if not name.strip():
                raise Refused("Geef de naam van de nieuwe organisator.")
            if staff_by_email(db, email) is not None:  # one e-mail address, one login
                raise Refused("Dit e-mailadres is al in gebruik door een medewerker in Aanwezig.")
            db.execute("INSERT INTO organisators (name, email) VALUES (?, ?)", (name.strip(), email))
            found = organisator_by_email(db, email)
        assert found is not None
        token = tokens.issue(db, found.id, Purpose.INVITE, now)
    mailer.send(texts.invitation(found.email, found.name, f"{base_url}/wachtwoord-instellen/{token}"))
    return found


RESET = "password_reset"  # the outbox's kind of a deferred "wachtwoord vergeten"


def request_reset(
    db: sqlite_utils.Database, mailer: Mailer, base_url: str, email: str, now: datetime
) -> None:
    """Mail a "new password" link if the e-mail belongs to an organisator or an active staff person;
    silent otherwise.

    The screen says the same whatever happened, so it cannot be used to test addresses. With the
    hub's outbox the request only queues the address, known or not, and the mail thread decides
    (:func:`prepare_reset`): the request does the same work for any address.
    """
    if isinstance(mailer, Deferring):
        mailer.defer(RESET, email.strip())
        return
    mail = prepare_reset(db, base_url, email, now)
    if mail is None:
        return
    try:
        mailer.send(mail)
    except MailError:
        log.exception("could not send a password reset mail")


def prepare_reset(db: sqlite_utils.Database, base_url: str, email: str, now: datetime) -> Mail | None:
    """The "new password" mail for ``email`` with a fresh link, or None (unknown, or three this hour)."""
    with write_transaction(db):
        found = organisator_by_email(db, email)
        if found is None:
            return _prepare_staff_reset(db, base_url, email, now)
        if (
            tokens.issued_since(db, found.id, Purpose.RESET, now - timedelta(hours=1))
            >= MAX_RESET_MAILS_PER_HOUR
        ):
            log.warning("password reset for organisator %s: hourly limit reached, no mail", found.id)
            return None
        token = tokens.issue(db, found.id, Purpose.RESET, now)
    return texts.password_reset(found.email, found.name, f"{base_url}/wachtwoord-instellen/{token}")


def _prepare_staff_reset(db: sqlite_utils.Database, base_url: str, email: str, now: datetime) -> Mail | None:
    person = staff_by_email(db, email)
    if person is None or not person.active:
        log.info("password reset asked for an unknown address")
        return None
    since = now - timedelta(hours=1)
    if (
        tokens.issued_since(db, person.organisator_id, Purpose.RESET, since, person.id)
        >= MAX_RESET_MAILS_PER_HOUR
    ):
        log.warning("password reset for staff %s: hourly limit reached, no mail", person.id)
        return None
    token = tokens.issue(db, person.organisator_id, Purpose.RESET, now, person.id)
    return texts.password_reset(person.email, person.name, f"{base_url}/wachtwoord-instellen/{token}")


INVALID_LINK = "Deze link is niet meer geldig. Vraag een nieuwe link via ‘Wachtwoord vergeten’."


def set_password(
    db: sqlite_utils.Database, token: str, password: str, repeated: str, now: datetime
) -> Organisator | StaffPerson:
    """Set the password behind a one-time link; the link is used up. Raises :class:`Refused`.

    Every session of the person ends: whoever had the old password is out. A deactivated staff
    person's link no longer works.
    """
    if tokens.valid(db, token, now) is None:
        raise Refused(INVALID_LINK)
    problem = password_problem(password, repeated)
    if problem:
        raise Refused(problem)
    hashed = hash_secret(password)
    with write_transaction(db):
        info = tokens.valid(db, token, now)  # again, under the lock: a link works exactly once
        if info is None:
            raise Refused(INVALID_LINK)
        if info.staff_id is not None:
            return _set_staff_password(db, info, token, hashed, now)
        tokens.use(db, token, now)
        tokens.void_all(db, info.organisator_id, now)
        db.execute("UPDATE organisators SET password_hash = ? WHERE id = ?", (hashed, info.organisator_id))
        sessions.end_all(db, Role.ORGANISATOR, str(info.organisator_id))
        throttle.clear(db, f"password-account:{get_organisator(db, info.organisator_id).email.lower()}")
    found = get_organisator(db, info.organisator_id)
    assert found is not None
    return found


def _set_staff_password(
    db: sqlite_utils.Database, info: tokens.TokenInfo, token: str, hashed: str, now: datetime
) -> StaffPerson:
    """The staff half of :func:`set_password`, inside its transaction."""
    person = get_staff_person(db, info.staff_id)
    if person is None or not person.active:
        raise Refused(INVALID_LINK)
    tokens.use(db, token, now)
    tokens.void_all(db, info.organisator_id, now, person.id)
    db.execute("UPDATE staff SET password_hash = ? WHERE id = ?", (hashed, person.id))
    sessions.end_all(db, Role.STAFF, str(person.id))
    throttle.clear(db, f"password-account:{person.email.lower()}")
    return person
