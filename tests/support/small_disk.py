"""A small filesystem of its own for one test (a tmpfs of a few hundred KB), to fill up on purpose.

Mounting needs root (or CAP_SYS_ADMIN), as the tests have on the development machines and in CI;
without it the test fails and says so, it does not skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path


def free_bytes(path: Path) -> int:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


@contextlib.contextmanager
def small_disk(path: Path, size_kb: int) -> Iterator[Path]:
    """Mount a tmpfs of ``size_kb`` KB on ``path`` for the duration of the block."""
    path.mkdir(parents=True, exist_ok=True)
    mount = shutil.which("mount") or "/bin/mount"
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "aanwezig-test", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"cannot mount a small tmpfs on {path} ({done.stderr.strip()}): the disk-full test needs root "
            "or CAP_SYS_ADMIN, as on the development machines and in CI"
        )
    try:
        yield path
    finally:
        subprocess.run([shutil.which("umount") or "/bin/umount", "-l", str(path)], check=False)


def fill(folder: Path, leave_bytes: int) -> Path:
    """Take all free space of ``folder``'s filesystem but ``leave_bytes`` with one file; returns it."""
    filler = folder / "filler"
    with filler.open("ab") as out:
        out.write(b"\0" * max(0, free_bytes(folder) - leave_bytes))
    return filler
