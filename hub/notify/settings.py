"""The ``[notify]`` table of hub.toml: Web Push to parents.

subject          the VAPID contact the push services see (``mailto:`` or an https URL)
loopback_push    accept push endpoints on http://127.0.0.1 (tests and the benchmark only);
                 otherwise only https endpoints are taken, so a parent cannot make the hub
                 POST into its own network
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from hub.core.settings import register_section


@dataclass(frozen=True)
class NotifySettings:
    subject: str = "mailto:noreply@aanwezig.example"
    loopback_push: bool = False

    @classmethod
    def from_table(cls, raw: dict[str, Any], _base: Path) -> NotifySettings:
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown notify setting(s): {', '.join(sorted(unknown))}")
        return cls(**raw)


register_section("notify", NotifySettings.from_table, NotifySettings)
