"""The staff code each unit checks on its keypad: the location's scanner code, hashed per unit.

A unit with a staff key (given at enrolment or ``rekey``, in its bundle) gets
``staff_code_hash`` = argon2id(HMAC-SHA256(key, scanner code)) (wire/staffcode.py); a unit
enrolled before keys existed gets ``pin_hash`` = argon2id(scanner code), which the previous unit
software checks as it always checked the PIN hash. The portal PIN's hash is never sent.
The hashes are kept in ``units.staff_code_hash`` and recomputed when a code or key changes.
"""

from __future__ import annotations

import sqlite_utils

from hub.core.hashing import hash_secret
from wire import staffcode


def unit_hash(scanner_code: str, staff_key: str | None) -> str:
    """The argon2id hash a unit gets for ``scanner_code``: keyed when the unit has a key."""
    if staff_key is None:
        return hash_secret(scanner_code)
    return hash_secret(staffcode.keyed(staffcode.parse_key(staff_key), scanner_code))


def refresh(db: sqlite_utils.Database, location_id: str | None = None, unit_id: str | None = None) -> int:
    """Recompute the staff hashes of a location's active units (or of one unit); returns how many.

    Hashing (argon2) happens outside any transaction; each unit's row is then written on its own.
    """
    rows = db.execute(
        """
        SELECT u.id, u.staff_key, l.scanner_code FROM units u JOIN locations l ON l.id = u.location_id
        WHERE u.state = 'active' AND (? IS NULL OR u.location_id = ?) AND (? IS NULL OR u.id = ?)
        """,
        (location_id, location_id, unit_id, unit_id),
    ).fetchall()
    hashes = [(uid, unit_hash(code, key) if code else None) for uid, key, code in rows]
    with db.atomic():
        for uid, hashed in hashes:
            db.execute("UPDATE units SET staff_code_hash = ? WHERE id = ?", (hashed, uid))
    return len(hashes)


def fields_for(db: sqlite_utils.Database, unit_id: str) -> dict[str, str | None]:
    """The config fields that carry a unit's staff hash: ``staff_code_hash`` or legacy ``pin_hash``."""
    row = db.execute(
        """
        SELECT u.staff_key IS NOT NULL, u.staff_code_hash, l.scanner_code, u.staff_key
        FROM units u JOIN locations l ON l.id = u.location_id WHERE u.id = ?
        """,
        (unit_id,),
    ).fetchone()
    if row is None:
        return {}
    keyed, hashed, code, key = row
    if hashed is None and code:  # a new unit or key: hash now, and keep it for the next publish
        hashed = unit_hash(code, key)
        with db.atomic():
            db.execute(
                "UPDATE units SET staff_code_hash = ? WHERE id = ? AND staff_key IS NOT DISTINCT FROM ?",
                (hashed, unit_id, key),
            )
    return {"staff_code_hash": hashed} if keyed else {"pin_hash": hashed}
