"""``[photos]`` in the settings file: how long the uploaded originals are kept.

    [photos]
    originals_days = 30   # the re-encoded photo (no metadata) stays; the original goes after this

The organisator sets it in the hub's settings; the daily retention job (``aanwezig-hub
retention``) erases originals older than this.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.core.settings import register_section


@dataclass(frozen=True)
class PhotoSettings:
    originals_days: int = 30

    def __post_init__(self) -> None:
        if not isinstance(self.originals_days, int) or self.originals_days < 1:
            raise ValueError("photos: originals_days must be a whole number >= 1")


def _parse(raw: dict[str, Any], _folder: Path) -> PhotoSettings:
    unknown = set(raw) - {"originals_days"}
    if unknown:
        raise ValueError(f"unknown photos setting(s): {', '.join(sorted(unknown))}")
    return PhotoSettings(**raw)


register_section("photos", _parse, PhotoSettings)


def photo_folder(data_dir: Path) -> Path:
    """Where photos are kept: in the hub's data folder, never under a static folder."""
    return Path(data_dir) / "fotos"
