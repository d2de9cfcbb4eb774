"""The retained config a hub pushes to a unit, as tests need it: a roster and, if wanted, a PIN hash."""

from __future__ import annotations

from wire import UnitConfig


def hub_config(roster: dict[str, str], unit: str = "u1", location: str = "l1", **extra) -> UnitConfig:
    return UnitConfig(
        unit=unit,
        location=location,
        location_name="De Zonnebloem",
        roster=roster,
        issued_at="2026-11-23T07:00:00+00:00",
        **extra,
    )
