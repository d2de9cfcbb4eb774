"""A child as every feature reads it: a plain value, no database (the queries are beside it in
:mod:`hub.children.queries`, which re-exports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Child:
    id: int
    first_name: str
    last_name: str
    birth_date: date | None
    sex: str | None  # "m", "v" or "x"
    no_subsidy: bool  # "geen KO-toeslag"
    school_start: date | None = None  # the KO-toeslag ends then (hub/prices/ko_toeslag.py)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"
