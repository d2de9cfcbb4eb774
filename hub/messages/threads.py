"""Threads and their messages in the database: who may see which, read state, unread counts.

A parent sees the threads of their own children at those children's locations (computed from the
contacts on every request, as the parents feature does); a location sees its own threads; an
organisator those of its locations. Anything else is :class:`~hub.core.actors.NoAccess` (404).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from hub.core.actors import Actor, NoAccess, Refused
from hub.messages.rules import LOCATION, PARENT, check_message

_THREAD_COLUMNS = """
    t.id, t.location_id, l.name, t.child_id, c.first_name || ' ' || c.last_name, t.subject,
    t.created_at, t.last_at, t.last_side
"""


@dataclass(frozen=True)
class Thread:
    id: int
    location_id: str
    location_name: str
    child_id: int
    child_name: str
    subject: str
    created_at: str
    last_at: str
    last_side: str  # "parent": the location has not answered yet
    unread: int = 0  # messages of the other side this reader has not seen

    @property
    def unanswered(self) -> bool:
        return self.last_side == PARENT


@dataclass(frozen=True)
class Attachment:
    id: int
    message_id: int
    file_name: str
    media_type: str
    size: int
    stored_as: str

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


@dataclass(frozen=True)
class Message:
    id: int
    side: str
    author: str
    body: str
    created_at: str
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class NewFile:
    """A checked attachment, already stored under ``stored_as`` (see attachments.py)."""

    file_name: str
    media_type: str
    size: int
    stored_as: str


def reader_of_parent(account_id: int) -> str:
    return f"parent:{account_id}"


def reader_of_actor(actor: Actor) -> str:
    """The staff side's reader: the location or organisator now, a staff member once they log in."""
    return f"{actor.role}:{actor.id}"


def _unread_sql(other_side: str) -> str:
    return f"""
        (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.side = '{other_side}'
           AND m.id > coalesce((SELECT r.last_read FROM message_reads r
                                WHERE r.thread_id = t.id AND r.reader = :reader), 0))
    """


def _threads(
    db: sqlite_utils.Database, where: str, params: dict, other_side: str, order: str
) -> list[Thread]:
    rows = db.execute(
        f"""
        SELECT {_THREAD_COLUMNS}, {_unread_sql(other_side)}
        FROM message_threads t JOIN locations l ON l.id = t.location_id JOIN children c ON c.id = t.child_id
        WHERE {where} ORDER BY {order}
        """,
        params,
    ).fetchall()
    return [Thread(*row) for row in rows]


def _pairs_clause(pairs: Sequence[tuple[int, str]], params: dict) -> str:
    if not pairs:
        return "0"
    parts = []
    for n, (child_id, location_id) in enumerate(pairs):
        params[f"c{n}"], params[f"l{n}"] = child_id, location_id
        parts.append(f"(t.child_id = :c{n} AND t.location_id = :l{n})")
    return "(" + " OR ".join(parts) + ")"


def threads_of_parent(
    db: sqlite_utils.Database, pairs: Sequence[tuple[int, str]], reader: str
) -> list[Thread]:
    """The threads about the parent's children (``pairs``: child id, location id), newest first."""
    params: dict = {"reader": reader}
    return _threads(db, _pairs_clause(pairs, params), params, LOCATION, "t.last_at DESC, t.id DESC")


def thread_of_parent(
    db: sqlite_utils.Database, pairs: Sequence[tuple[int, str]], thread_id: int, reader: str
) -> Thread:
    """One thread about the parent's children, else :class:`NoAccess`."""
    params: dict = {"reader": reader, "id": thread_id}
    found = _threads(db, f"t.id = :id AND {_pairs_clause(pairs, params)}", params, LOCATION, "t.id")
    if not found:
        raise NoAccess(thread_id)
    return found[0]


def inbox(db: sqlite_utils.Database, location_ids: Iterable[str], reader: str) -> list[Thread]:
    """The locations' threads: unanswered first (oldest waiting on top), then the rest newest first."""
    ids = list(location_ids)
    if not ids:
        return []
    params: dict = {"reader": reader} | {f"l{n}": loc for n, loc in enumerate(ids)}
    where = f"t.location_id IN ({', '.join(f':l{n}' for n in range(len(ids)))})"
    order = (
        "t.last_side = 'parent' DESC, "
        "CASE WHEN t.last_side = 'parent' THEN t.last_at END ASC, t.last_at DESC, t.id DESC"
    )
    return _threads(db, where, params, PARENT, order)


def thread_at(db: sqlite_utils.Database, location_id: str, thread_id: int, reader: str) -> Thread:
    """One thread of the location, else :class:`NoAccess`."""
    params = {"reader": reader, "id": thread_id, "loc": location_id}
    found = _threads(db, "t.id = :id AND t.location_id = :loc", params, PARENT, "t.id")
    if not found:
        raise NoAccess(thread_id)
    return found[0]


def messages_of(db: sqlite_utils.Database, thread_id: int) -> list[Message]:
    """The thread's messages, oldest first, each with its attachments."""
    files: dict[int, list[Attachment]] = {}
    for row in db.execute(
        """
        SELECT a.id, a.message_id, a.file_name, a.media_type, a.size, a.stored_as
        FROM message_attachments a JOIN messages m ON m.id = a.message_id
        WHERE m.thread_id = ? ORDER BY a.id
        """,
        (thread_id,),
    ):
        files.setdefault(row[1], []).append(Attachment(*row))
    return [
        Message(*row, attachments=files.get(row[0], []))
        for row in db.execute(
            "SELECT id, side, author, body, created_at FROM messages WHERE thread_id = ? ORDER BY id",
            (thread_id,),
        )
    ]


def attachment_in(db: sqlite_utils.Database, thread_id: int, attachment_id: int) -> Attachment:
    """An attachment of a message in this thread (whose access was checked), else :class:`NoAccess`."""
    row = db.execute(
        """
        SELECT a.id, a.message_id, a.file_name, a.media_type, a.size, a.stored_as
        FROM message_attachments a JOIN messages m ON m.id = a.message_id
        WHERE a.id = ? AND m.thread_id = ?
        """,
        (attachment_id, thread_id),
    ).fetchone()
    if row is None:
        raise NoAccess(attachment_id)
    return Attachment(*row)


def start_thread(
    db: sqlite_utils.Database,
    location_id: str,
    child_id: int,
    subject: str,
    side: str,
    author: str,
    body: str,
    files: Sequence[NewFile],
    now: datetime,
) -> int:
    """A new thread with its first message (inside the caller's transaction); its id."""
    check_message(subject, body, len(files))
    at = now.isoformat()
    thread_id = db.execute(
        """
        INSERT INTO message_threads (location_id, child_id, subject, created_at, last_at, last_side)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        (location_id, child_id, subject.strip(), at, at, side),
    ).lastrowid
    _insert_message(db, thread_id, side, author, body, files, at)
    return thread_id


def add_message(
    db: sqlite_utils.Database,
    thread: Thread,
    side: str,
    author: str,
    body: str,
    files: Sequence[NewFile],
    now: datetime,
) -> int:
    """A reply in a thread whose access the caller checked (inside its transaction); the message id."""
    check_message(None, body, len(files))
    at = now.isoformat()
    db.execute("UPDATE message_threads SET last_at = ?, last_side = ? WHERE id = ?", (at, side, thread.id))
    return _insert_message(db, thread.id, side, author, body, files, at)


def _insert_message(
    db: sqlite_utils.Database, thread_id: int, side: str, author: str, body: str, files, at: str
) -> int:
    if side not in (PARENT, LOCATION):
        raise Refused("Onbekende afzender.")
    message_id = db.execute(
        "INSERT INTO messages (thread_id, side, author, body, created_at) VALUES (?, ?, ?, ?, ?)",
        (thread_id, side, author, body.strip(), at),
    ).lastrowid
    for file in files:
        db.execute(
            """
            INSERT INTO message_attachments (message_id, file_name, media_type, size, stored_as)
            VALUES (?, ?, ?, ?, ?)
            """,
            (message_id, file.file_name, file.media_type, file.size, file.stored_as),
        )
    return message_id


def mark_read(db: sqlite_utils.Database, thread_id: int, reader: str) -> None:
    """The reader has seen every message of the thread so far (inside the caller's transaction)."""
    db.execute(
        """
        INSERT INTO message_reads (thread_id, reader, last_read)
        SELECT ?, ?, coalesce(max(id), 0) FROM messages WHERE thread_id = ?
        ON CONFLICT (thread_id, reader)
            DO UPDATE SET last_read = max(message_reads.last_read, excluded.last_read)
        """,
        (thread_id, reader, thread_id),
    )


def unread_of_parent(db: sqlite_utils.Database, pairs: Sequence[tuple[int, str]], reader: str) -> int:
    """Messages from the location the parent has not read yet, over all their threads."""
    return sum(thread.unread for thread in threads_of_parent(db, pairs, reader))


def unread_at_location(db: sqlite_utils.Database, location_id: str, reader: str) -> int:
    """Messages from parents in the location's threads that this reader has not read yet."""
    (count,) = db.execute(
        """
        SELECT count(*) FROM messages m JOIN message_threads t ON t.id = m.thread_id
        LEFT JOIN message_reads r ON r.thread_id = t.id AND r.reader = ?
        WHERE t.location_id = ? AND m.side = 'parent' AND m.id > coalesce(r.last_read, 0)
        """,
        (reader, location_id),
    ).fetchone()
    return count


def children_at(db: sqlite_utils.Database, location_id: str) -> list[tuple[int, str]]:
    """The location's current children (id, name), for the location's "new message" form."""
    return [
        (row[0], row[1])
        for row in db.execute(
            """
            SELECT c.id, c.first_name || ' ' || c.last_name FROM child_locations cl
            JOIN children c ON c.id = cl.child_id
            WHERE cl.location_id = ?
            AND c.id NOT IN (SELECT child_id FROM children_left) ORDER BY c.first_name, c.last_name, c.id
            """,
            (location_id,),
        )
    ]


def parent_addresses(db: sqlite_utils.Database, child_id: int) -> list[str]:
    """The child's contacts' mail addresses (each once): who hears of a message from the location."""
    seen: dict[str, str] = {}
    for (email,) in db.execute(
        "SELECT email FROM contacts WHERE child_id = ? AND email IS NOT NULL AND email != '' ORDER BY id",
        (child_id,),
    ):
        seen.setdefault(email.lower(), email)
    return list(seen.values())


def parent_author(db: sqlite_utils.Database, child_id: int, email: str) -> str:
    """How a parent signs in a thread about this child: their contact name, else their address."""
    row = db.execute(
        "SELECT name FROM contacts WHERE child_id = ? AND email = ? AND name != '' LIMIT 1", (child_id, email)
    ).fetchone()
    return row[0] if row else email
