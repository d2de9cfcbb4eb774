"""Cards: which child a card code belongs to, and the roster of names a unit shows offline."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

import sqlite_utils

from hub.core.localtime import today
from wire import cardcode

INVALID_CODE = "invalid_card_code"  # dead-letter reason; for people: "ongeldige kaartcode"
REASONS_NL = {INVALID_CODE: "ongeldige kaartcode"}


def code_refusal(message: object) -> str | None:
    """:data:`INVALID_CODE` when a message carries a card code with a wrong check digit, else None.

    A unit checks the digit before it sends, so such a code comes from a broken or hostile unit:
    the hub refuses it rather than listing it as an "onbekende kaart" (the list could be flooded).
    """
    code = getattr(message, "code", None)
    return INVALID_CODE if isinstance(code, str) and not cardcode.is_valid(code) else None


def card_owner(db: sqlite_utils.Database, code: str) -> tuple[int, str] | None:
    """(child id, first name) of the active card with this code, or None for an unknown card."""
    row = db.execute(
        """
        SELECT ch.id, ch.first_name FROM cards c JOIN children ch ON ch.id = c.child_id
        WHERE c.code = ? AND c.state = 'active'
        """,
        (code,),
    ).fetchone()
    return (row[0], row[1]) if row else None


def card_owners(db: sqlite_utils.Database, codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """:func:`card_owner` of many codes in one query; unknown codes are left out."""
    rows = db.execute(
        """
        SELECT c.code, ch.id, ch.first_name FROM cards c JOIN children ch ON ch.id = c.child_id
        WHERE c.code IN (SELECT value FROM json_each(?)) AND c.state = 'active'
        """,
        (json.dumps(list(codes)),),
    ).fetchall()
    return {code: (child_id, first_name) for code, child_id, first_name in rows}


def roster(db: sqlite_utils.Database, location_id: str) -> dict[str, str]:
    """Card code -> display name for the active cards of a location's children.

    The first name, with the initial of the last name only where two children of the
    location share a first name.
    """
    rows = db.execute(
        """
        SELECT c.code, ch.first_name, ch.last_name FROM cards c
        JOIN children ch ON ch.id = c.child_id
        JOIN child_locations cl ON cl.child_id = ch.id
        LEFT JOIN child_stays cs ON cs.child_id = ch.id AND cs.location_id = cl.location_id
        WHERE cl.location_id = ? AND c.state = 'active' AND (cs.last_day IS NULL OR cs.last_day >= ?)
        """,
        (location_id, today().isoformat()),
    ).fetchall()
    first_names = Counter(first for _code, first, _last in rows)
    names = {
        code: f"{first} {last[:1]}." if first_names[first] > 1 and last else first
        for code, first, last in rows
    }
    return names | staff_roster(db, location_id)


def staff_roster(db: sqlite_utils.Database, location_id: str) -> dict[str, str]:
    """Card code -> name for the active staff cards of the location's active staff (its members and
    responsibles, and persons with the organisator role): the unit greets them by name, and does not
    call their card unknown. Their scans are staff in/out at the hub (hub/staff/presence.py)."""
    rows = db.execute(
        """
        SELECT c.code, s.name FROM cards c JOIN staff s ON s.id = c.staff_id
        WHERE c.state = 'active' AND s.active = 1 AND (
            EXISTS (SELECT 1 FROM staff_locations sl WHERE sl.staff_id = s.id AND sl.location_id = :loc)
            OR (s.role = 'organisator'
                AND s.organisator_id = (SELECT organisator_id FROM locations WHERE id = :loc)))
        """,
        {"loc": location_id},
    ).fetchall()
    return dict(rows)


def departed(db: sqlite_utils.Database, location_id: str) -> dict[str, str]:
    """Card code -> first name of the location's children whose last day has passed (their cards
    are answered "niet meer ingeschreven" at the unit)."""
    return dict(
        db.execute(
            """
            SELECT c.code, ch.first_name FROM cards c
            JOIN children ch ON ch.id = c.child_id
            JOIN child_stays cs ON cs.child_id = ch.id
            WHERE cs.location_id = ? AND c.state = 'active' AND cs.last_day < ?
            """,
            (location_id, today().isoformat()),
        ).fetchall()
    )


def register_unassigned(db: sqlite_utils.Database, organisator_id: int, count: int) -> list[str]:
    """``count`` fresh random card codes, registered for an organisator and not yet linked to a child."""
    codes: list[str] = []
    with db.atomic():
        while len(codes) < count:
            code = cardcode.new_code()
            inserted = db.execute(
                "INSERT INTO cards (code, organisator_id, state) VALUES (?, ?, 'unassigned')"
                " ON CONFLICT DO NOTHING",
                (code, organisator_id),
            ).rowcount
            if inserted:  # a clash with an existing code (one in a billion) just draws again
                codes.append(code)
    return codes
