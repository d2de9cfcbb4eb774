"""The hub's data folder lock: ``hub.lock``, held (flock) by the running hub for its whole life.

The kernel drops the lock when the process ends, however it ends, so a hub killed with SIGKILL
leaves no stale lock behind. ``restore`` takes the same lock: it cannot replace the database under
a running hub, and no hub can start while a restore is busy.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_NAME = "hub.lock"


class HubIsRunning(RuntimeError):
    """Another process (a running hub, or a restore) holds the data folder's lock."""


class DataFolderLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, what: str = "hub") -> DataFolderLock:
        """Take the lock now or raise :class:`HubIsRunning` naming the holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise HubIsRunning(
                f"{self.path.parent} is in use by {holder}: stop the hub first (systemctl stop aanwezig-hub)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{what} pid {os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> DataFolderLock:
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()
