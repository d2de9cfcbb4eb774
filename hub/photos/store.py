"""Photos and their tags in the database, their files in the hub's data folder.

Files are written first under random names (0600 in a 0700 folder) and the rows after; a refused
or failed insert takes the files away again. Who may see a photo: the location it belongs to (its
staff, its organisator), and the parents of a child tagged in it at that location.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils

from hub.core.actors import NoAccess, Refused
from hub.core.db import write_transaction
from hub.core.files import private_dir, write_private
from hub.photos.images import Encoded
from hub.photos.rules import check_tags

_COLUMNS = (
    "p.id, p.location_id, p.caption, p.made_by, p.created_at, p.width, p.height, p.stored_as, p.thumb_as"
)


@dataclass(frozen=True)
class Photo:
    id: int
    location_id: str
    caption: str
    made_by: str
    created_at: str
    width: int
    height: int
    stored_as: str
    thumb_as: str
    tagged: tuple[str, ...] = ()  # first names of the children on it (as the viewer may see them)


def tagging_choices(db: sqlite_utils.Database, location_id: str) -> list[tuple[int, str, bool]]:
    """The location's current children: id, name, and whether they are "geen foto's"."""
    return [
        (row[0], row[1], bool(row[2]))
        for row in db.execute(
            """
            SELECT c.id, c.first_name || ' ' || c.last_name, c.no_photos FROM child_locations cl
            JOIN children c ON c.id = cl.child_id WHERE cl.location_id = ?
            AND c.id NOT IN (SELECT child_id FROM children_left)
            ORDER BY c.first_name, c.last_name, c.id
            """,
            (location_id,),
        )
    ]


def add_photo(
    db: sqlite_utils.Database,
    folder: Path,
    location_id: str,
    encoded: Encoded,
    original: bytes,
    chosen: Sequence[int],
    caption: str,
    made_by: str,
    now: datetime,
) -> int:
    """Store a re-encoded photo, its thumbnail and original, tagged; raises :class:`Refused`."""
    choices = {
        cid: (name.split(" ")[0], no_photos) for cid, name, no_photos in tagging_choices(db, location_id)
    }
    tags = check_tags(chosen, choices)
    private_dir(folder)
    names = [secrets.token_hex(16) for _ in range(3)]
    for name, data in zip(names, (encoded.photo, encoded.thumb, original), strict=True):
        write_private(folder / name, data)
    try:
        with write_transaction(db):
            photo_id = db.execute(
                """
                INSERT INTO photos
                    (location_id, caption, made_by, created_at, width, height,
                     stored_as, thumb_as, original_as)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (location_id, caption, made_by, now.isoformat(), encoded.width, encoded.height, *names),
            ).lastrowid
            for child_id in tags:
                db.execute("INSERT INTO photo_tags (photo_id, child_id) VALUES (?, ?)", (photo_id, child_id))
    except sqlite3.IntegrityError:  # consent withdrawn meanwhile: the trigger refused the tag
        _unlink(folder, names)
        raise Refused("Een aangeduid kind heeft geen toestemming voor foto's.") from None
    except Exception:
        _unlink(folder, names)
        raise
    return photo_id


def _unlink(folder: Path, names: Sequence[str | None]) -> None:
    for name in names:
        if name:
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()


def _with_tags(
    db: sqlite_utils.Database, rows: list[tuple], child_ids: Sequence[int] | None = None
) -> list[Photo]:
    photos = []
    for row in rows:
        only = "" if child_ids is None else f" AND c.id IN ({','.join('?' * len(child_ids))})"
        names = tuple(
            r[0]
            for r in db.execute(
                f"""
                SELECT c.first_name FROM photo_tags t JOIN children c ON c.id = t.child_id
                WHERE t.photo_id = ?{only} ORDER BY c.first_name
                """,
                (row[0], *(child_ids or ())),
            )
        )
        photos.append(Photo(*row, tagged=names))
    return photos


def photos_at(db: sqlite_utils.Database, location_id: str, limit: int = 60) -> list[Photo]:
    """The location's newest photos (bounded)."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM photos p WHERE p.location_id = ? "
        "ORDER BY p.created_at DESC, p.id DESC LIMIT ?",
        (location_id, limit),
    ).fetchall()
    return _with_tags(db, rows)


def photo_at(db: sqlite_utils.Database, location_id: str, photo_id: int) -> Photo:
    """A photo of this location, else :class:`NoAccess`."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM photos p WHERE p.id = ? AND p.location_id = ?", (photo_id, location_id)
    ).fetchall()
    if not rows:
        raise NoAccess(photo_id)
    return _with_tags(db, rows)[0]


def _parent_clause(pairs: Sequence[tuple[int, str]]) -> tuple[str, list]:
    if not pairs:
        return "0", []
    parts, params = [], []
    for child_id, location_id in pairs:
        parts.append("(t.child_id = ? AND p.location_id = ?)")
        params += [child_id, location_id]
    clause = f"EXISTS (SELECT 1 FROM photo_tags t WHERE t.photo_id = p.id AND ({' OR '.join(parts)}))"
    return clause, params


def photos_of_parent(
    db: sqlite_utils.Database, pairs: Sequence[tuple[int, str]], limit: int = 100
) -> list[Photo]:
    """Photos in which one of the parent's children (at that child's location) is tagged, newest first.

    The names shown with a photo are the parent's own children only: a parent learns nothing of
    who else is on it.
    """
    clause, params = _parent_clause(pairs)
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM photos p WHERE {clause} ORDER BY p.created_at DESC, p.id DESC LIMIT ?",
        (*params, limit),
    ).fetchall()
    return _with_tags(db, rows, sorted({c for c, _ in pairs}))


def photo_of_parent(db: sqlite_utils.Database, pairs: Sequence[tuple[int, str]], photo_id: int) -> Photo:
    """A photo the parent may see, else :class:`NoAccess`."""
    clause, params = _parent_clause(pairs)
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM photos p WHERE p.id = ? AND {clause}", (photo_id, *params)
    ).fetchall()
    if not rows:
        raise NoAccess(photo_id)
    return _with_tags(db, rows, sorted({c for c, _ in pairs}))[0]


def delete_photo(db: sqlite_utils.Database, folder: Path, photo: Photo) -> None:
    (original,) = db.execute("SELECT original_as FROM photos WHERE id = ?", (photo.id,)).fetchone()
    with write_transaction(db):
        db.execute("DELETE FROM photos WHERE id = ?", (photo.id,))
    _unlink(folder, [photo.stored_as, photo.thumb_as, original])


def file_of(folder: Path, stored_as: str) -> Path:
    """A stored file's path; the name comes from the database, never from a URL."""
    if not stored_as or not all(ch in "0123456789abcdef" for ch in stored_as):
        raise NoAccess(stored_as)
    path = folder / stored_as
    if not path.exists():
        raise NoAccess(stored_as)
    return path


def erase_expired_originals(
    db: sqlite_utils.Database, folder: Path, days: int, now: datetime, dry_run: bool = False
) -> int:
    """Forget and delete the originals of photos older than ``days``; how many (the retention job).

    The rows are cleared in one transaction first; the files go after the commit, so a crash in
    between leaves a file nobody names rather than a name without a file.
    """
    cut = (now - timedelta(days=days)).isoformat()
    rows = db.execute(
        "SELECT id, original_as FROM photos WHERE original_as IS NOT NULL AND created_at < ?", (cut,)
    ).fetchall()
    if dry_run or not rows:
        return len(rows)
    with write_transaction(db):
        db.conn.executemany("UPDATE photos SET original_as = NULL WHERE id = ?", [(r[0],) for r in rows])
    _unlink(folder, [r[1] for r in rows])
    return len(rows)
