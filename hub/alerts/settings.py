"""The ``[alerts]`` table of the settings file: when a condition becomes an alert."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from hub.core.settings import register_section


@dataclass(frozen=True)
class AlertSettings:
    check_every_seconds: int = 60
    offline_after_minutes: int = 5  # units send their status every 30 s: 10 missed in a row
    backlog_over: int = 20  # check-ins waiting on a unit: a few are normal while it reconnects
    disk_free_min_percent: int = 10
    disk_free_min_mb: int = 500

    def __post_init__(self) -> None:
        for f in fields(self):
            if not isinstance(getattr(self, f.name), int) or getattr(self, f.name) < 1:
                raise ValueError(f"alerts: {f.name} must be a whole number >= 1")


def _parse(raw: dict[str, Any], _folder: Path) -> AlertSettings:
    unknown = set(raw) - {f.name for f in fields(AlertSettings)}
    if unknown:
        raise ValueError(f"unknown alerts setting(s): {', '.join(sorted(unknown))}")
    return AlertSettings(**raw)


register_section("alerts", _parse, AlertSettings)
