"""A message's files on disk: checked by their content, stored under a random name in the hub's
data folder (0700, files 0600; never below a static folder), read back only by a route that has
checked access to the thread first.
"""

from __future__ import annotations

import contextlib
import io
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils
from PIL import Image, UnidentifiedImageError

from hub.core.actors import Refused
from hub.core.files import private_dir, write_private
from hub.messages.rules import JPEG, PNG, check_attachment, clean_file_name
from hub.messages.threads import NewFile

Image.MAX_IMAGE_PIXELS = 60_000_000  # a phone photo is ~12 MP; a decompression bomb is refused


def check(name: str, data: bytes) -> NewFile:
    """The file as an attachment (not yet stored), or :class:`Refused` with the Dutch reason."""
    media_type = check_attachment(name, len(data), data[:16])
    if media_type in (JPEG, PNG):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()  # a broken or disguised file starts right but does not decode
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, ValueError):
            raise Refused(f"Het bestand {clean_file_name(name)} is geen geldige afbeelding.") from None
    elif b"%%EOF" not in data[-2048:]:
        raise Refused(f"Het bestand {clean_file_name(name)} is geen volledig PDF-bestand.")
    return NewFile(clean_file_name(name), media_type, len(data), "")


def store(folder: Path, checked: NewFile, data: bytes) -> NewFile:
    """Write the file under a new random name; the same attachment with that name."""
    private_dir(folder)
    stored_as = secrets.token_hex(16)
    write_private(folder / stored_as, data)
    return NewFile(checked.file_name, checked.media_type, checked.size, stored_as)


def remove(folder: Path, files: Iterable[NewFile]) -> None:
    """Take stored files away again (their message was not saved)."""
    for file in files:
        with contextlib.suppress(FileNotFoundError):
            (folder / file.stored_as).unlink()


def path_of(folder: Path, stored_as: str) -> Path:
    """Where a stored file is; the name comes from the database, never from a URL."""
    if not stored_as or not all(ch in "0123456789abcdef" for ch in stored_as):
        raise ValueError(stored_as)
    return folder / stored_as


def message_folder(data_dir: Path) -> Path:
    """Where attachments are kept: in the hub's data folder, never under a static folder."""
    return Path(data_dir) / "berichten"


def erase_orphans(
    db: sqlite_utils.Database,
    folder: Path,
    now: datetime,
    min_age: timedelta = timedelta(hours=1),
    dry_run: bool = False,
) -> int:
    """Delete files no attachment names any more (their child's record was erased, taking its
    threads along); how many. A file younger than ``min_age`` may belong to a message being saved
    right now, so it stays until the next run."""
    if not folder.is_dir():
        return 0
    named = {row[0] for row in db.execute("SELECT stored_as FROM message_attachments")}
    cut = (now - min_age).timestamp()
    orphans = [
        path
        for path in folder.iterdir()
        if path.is_file() and path.name not in named and path.stat().st_mtime < cut
    ]
    if not dry_run:
        for path in orphans:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    return len(orphans)
