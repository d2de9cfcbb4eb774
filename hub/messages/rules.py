"""What a message and an attachment may be, decided on values alone (no I/O).

An attachment's type is read from its first bytes, never trusted from its name or the browser's
content type: a PDF starts ``%PDF-``, a JPEG ``FF D8 FF``, a PNG with its 8-byte signature. The
name's extension must agree, so a downloaded file opens as what it is.
"""

from __future__ import annotations

import unicodedata

from hub.core.actors import Refused

SUBJECT = 120  # characters
BODY = 5000  # characters of one message
ATTACHMENT_BYTES = 5 * 1024 * 1024  # one file
ATTACHMENTS_PER_MESSAGE = 3
FILE_NAME = 120  # characters kept of the sender's file name

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
_SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}


PARENT, LOCATION = "parent", "location"  # the two sides of a thread


def media_type_of(head: bytes) -> str | None:
    """The media type the file's first bytes announce, or None for anything else."""
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    return None


def clean_file_name(name: str) -> str:
    """The sender's file name without folders and control characters, bounded; never empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C" and ch not in '"<>')
    base = base.strip(" .") or "bijlage"
    if len(base) > FILE_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: FILE_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 5 else base[:FILE_NAME]
    return base


def check_attachment(name: str, size: int, head: bytes) -> str:
    """The media type of an acceptable attachment; raises :class:`Refused` with the Dutch reason."""
    shown = clean_file_name(name)
    if size == 0:
        raise Refused(f"Het bestand {shown} is leeg.")
    if size > ATTACHMENT_BYTES:
        raise Refused(
            f"Het bestand {shown} is te groot: hoogstens {ATTACHMENT_BYTES // (1024 * 1024)} MB per bestand."
        )
    media_type = media_type_of(head)
    if media_type is None:
        raise Refused(f"Het bestand {shown} is geen PDF, JPEG of PNG. Enkel die soorten kunnen mee.")
    if not shown.lower().endswith(_EXTENSIONS[media_type]):
        raise Refused(
            f"Het bestand {shown} heeft niet de juiste extensie voor zijn inhoud "
            f"({' of '.join(_EXTENSIONS[media_type])})."
        )
    return media_type


def check_message(subject: str | None, body: str, attachments: int) -> None:
    """A message's text and number of files; raises :class:`Refused`. ``subject`` None: a reply."""
    if subject is not None:
        if not subject.strip():
            raise Refused("Geef het bericht een onderwerp.")
        if len(subject) > SUBJECT:
            raise Refused(f"Het onderwerp mag hoogstens {SUBJECT} tekens lang zijn.")
        if any(unicodedata.category(ch) == "Cc" for ch in subject):
            raise Refused("Het onderwerp bevat tekens die er niet in horen (zoals een regeleinde).")
    if not body.strip() and not attachments:
        raise Refused("Het bericht is leeg. Schrijf iets of voeg een bestand toe.")
    if len(body) > BODY:
        raise Refused(f"Een bericht mag hoogstens {BODY} tekens lang zijn.")
    if attachments > ATTACHMENTS_PER_MESSAGE:
        raise Refused(f"Hoogstens {ATTACHMENTS_PER_MESSAGE} bestanden per bericht.")
