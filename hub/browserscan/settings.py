"""The ``[browser_scanner]`` table of the settings file."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from hub.core.settings import register_section


@dataclass(frozen=True)
class BrowserScanSettings:
    repeat_window_s: float = 120.0  # the same card again within this is "Al geregistreerd", not sent

    @classmethod
    def from_table(cls, raw: dict[str, Any]) -> BrowserScanSettings:
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown browser_scanner setting(s): {', '.join(sorted(unknown))}")
        settings = cls(**raw)
        if not 0 < settings.repeat_window_s <= 3600:
            raise ValueError("browser_scanner: repeat_window_s must be between 0 and 3600 seconds")
        return settings


def _parse(raw: dict[str, Any], _folder: Path) -> BrowserScanSettings:
    return BrowserScanSettings.from_table(raw)


register_section("browser_scanner", _parse, BrowserScanSettings)
