"""Files and folders only the hub's own user may read: the database (child data, the cookie-signing
key, unit keys), the mail folder (password links), whatever the umask of whoever starts the hub.

Folders the hub creates get 0700, files 0600; an existing database file that others could read
is narrowed to 0600 when the hub owns it (a hub first run by hand left it 0644).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) if needed; a folder created here is 0700."""
    missing = []
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=PRIVATE_DIR)
            os.chmod(folder, PRIVATE_DIR)  # mkdir's mode passes through the umask: be explicit
    return Path(path)


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists and is 0600 (narrowed if the hub's user owns a wider one)."""
    path = Path(path)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    narrow(path)
    return path


def narrow(path: Path) -> None:
    """Take group and other permissions off ``path`` if it exists and the hub's user owns it."""
    with contextlib.suppress(FileNotFoundError):
        info = os.stat(path)
        if info.st_mode & 0o077 and info.st_uid == os.geteuid():
            os.chmod(path, PRIVATE_FILE)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file that is 0600 from its first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
