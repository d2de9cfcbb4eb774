"""The operations' table of the settings file: ``[retention]``, how long each kind of data is kept."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from hub.core.settings import register_section


@dataclass(frozen=True)
class RetentionSettings:
    """How long each kind of data is kept (the README's "Backups, retention and erasure" says where
    each default comes from).

    Periods count from the data's own date (the day of a registration, the month sent) and, for a
    child who left, from the day they left: their last day ("Laatste opvangdag") at the last of
    their locations (the view ``children_left``).
    """

    attendance_years: int = 5  # registrations (the event log) and closed months
    corrections_years: int = 5  # the corrections' audit trail, as long as the attendance it explains
    uploads_years: int = 10  # the versions sent to Kind en Gezin: the subsidy's financial basis
    left_child_contacts_years: int = 5  # contacts of a child who left
    left_child_years: int = 10  # then the child's own record is erased (anonymised if still referenced)
    mail_outbox_days: int = 90  # mails sent (or given up on) in the mail outbox

    def __post_init__(self) -> None:
        for f in fields(self):
            if not isinstance(getattr(self, f.name), int) or getattr(self, f.name) < 1:
                raise ValueError(f"retention: {f.name} must be a whole number >= 1")

    @classmethod
    def from_table(cls, raw: dict[str, Any]) -> RetentionSettings:
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown retention setting(s): {', '.join(sorted(unknown))}")
        return cls(**raw)


def _parse(raw: dict[str, Any], _folder: Path) -> RetentionSettings:
    return RetentionSettings.from_table(raw)


register_section("retention", _parse, RetentionSettings)
