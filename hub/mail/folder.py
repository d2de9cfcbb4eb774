"""Mails written to a folder as .eml files instead of sent: for the demo and development.

Each mail is one file (written aside, then renamed, so a reader never sees half a mail); any
mail program opens them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from hub.core.files import private_dir, write_private
from hub.mail import Mail, MailError, message
from wire.ids import new_event_id


class FolderMailer:
    def __init__(self, folder: Path, sender: str = "Aanwezig <noreply@aanwezig.example>") -> None:
        self.folder = Path(folder)
        self.sender = sender

    def send(self, mail: Mail) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        slug = re.sub(r"[^A-Za-z0-9]+", "-", mail.to).strip("-")[:60]
        path = self.folder / f"{stamp}-{slug}-{new_event_id()[-6:]}.eml"
        try:
            private_dir(self.folder)  # password links: for the hub's user only
            tmp = path.with_suffix(".tmp")
            write_private(tmp, message(mail, self.sender).as_bytes())
            tmp.rename(path)
        except OSError as exc:
            raise MailError(f"could not write {path}: {exc}") from exc
