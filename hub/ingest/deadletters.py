"""Dead letters: messages the hub could not accept, kept whole with the reason, never dropped."""

from __future__ import annotations

import sqlite_utils


def record(
    db: sqlite_utils.Database, topic: str, payload: bytes, reason: str, detail: str, received_at: str
) -> None:
    db.execute(
        "INSERT INTO dead_letters (received_at, topic, reason, detail, payload) VALUES (?, ?, ?, ?, ?)",
        (received_at, topic[:512], reason, detail[:1000], payload),
    )


def count(db: sqlite_utils.Database, reason: str | None = None) -> int:
    if reason is None:
        return db.execute("SELECT count(*) FROM dead_letters").fetchone()[0]
    return db.execute("SELECT count(*) FROM dead_letters WHERE reason = ?", (reason,)).fetchone()[0]
