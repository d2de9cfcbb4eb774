"""Dead letters: junk, that is messages that are not a well-formed check-in, kept bounded.

One row per unit and reason: a count, when it was first and last seen, and the first
:data:`PREFIX_BYTES` of the latest payload (enough to see what is wrong, too little to fill a
disk). Rows not seen for a set age are pruned (``dead_letter_days`` in hub.toml). A well-formed
check-in the hub refuses is not junk: it is kept whole in :mod:`hub.ingest.refused`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

PREFIX_BYTES = 4096
_UNIT_IN_TOPIC = re.compile(r"/unit/([^/]{1,64})/")


@dataclass(frozen=True)
class DeadLetter:
    unit_id: str
    reason: str
    count: int
    first_seen: str
    last_seen: str
    topic: str
    detail: str
    size: int  # bytes of the latest payload
    payload: bytes  # its first PREFIX_BYTES


def record(
    db: sqlite_utils.Database, topic: str, payload: bytes, reason: str, detail: str, received_at: str
) -> None:
    """Count one more junk message of the unit in ``topic`` with this reason, keeping a prefix of it."""
    match = _UNIT_IN_TOPIC.search(topic)
    unit_id = match.group(1) if match else ""
    values = (received_at, topic[:512], detail[:1000], payload[:PREFIX_BYTES], len(payload))
    updated = db.execute(
        """
        UPDATE dead_letters SET count = count + 1, last_seen = ?, topic = ?, detail = ?, payload = ?,
                                size = ?
        WHERE id = (SELECT max(id) FROM dead_letters WHERE unit_id = ? AND reason = ?)
        """,
        (*values, unit_id, reason),
    ).rowcount
    if not updated:
        db.execute(
            """
            INSERT INTO dead_letters (received_at, last_seen, topic, detail, payload, size, unit_id, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (received_at, *values, unit_id, reason),
        )


def prune(db: sqlite_utils.Database, seen_before: str) -> int:
    """Forget the roll-ups last seen before ``seen_before`` (UTC ISO); returns how many went."""
    return db.execute(
        "DELETE FROM dead_letters WHERE coalesce(last_seen, received_at) < ?", (seen_before,)
    ).rowcount


def count(db: sqlite_utils.Database, reason: str | None = None) -> int:
    """Junk messages counted (all of them, or with one reason), roll-ups summed."""
    if reason is None:
        return db.execute("SELECT coalesce(sum(count), 0) FROM dead_letters").fetchone()[0]
    return db.execute(
        "SELECT coalesce(sum(count), 0) FROM dead_letters WHERE reason = ?", (reason,)
    ).fetchone()[0]


def by_reason(db: sqlite_utils.Database) -> dict[str, int]:
    """Reason -> junk messages counted."""
    return dict(db.execute("SELECT reason, sum(count) FROM dead_letters GROUP BY reason").fetchall())


def roll_ups(db: sqlite_utils.Database, unit_id: str | None = None) -> list[DeadLetter]:
    rows = db.execute(
        """
        SELECT unit_id, reason, count, received_at, coalesce(last_seen, received_at), topic, detail, size,
               payload
        FROM dead_letters WHERE ? IS NULL OR unit_id = ? ORDER BY last_seen DESC
        """,
        (unit_id, unit_id),
    ).fetchall()
    return [DeadLetter(*row) for row in rows]
