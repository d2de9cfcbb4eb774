"""Clock repair and trust in a unit's time: the rules, without I/O (the SQL is in clock_queries.py).

A Raspberry Pi has no battery clock: after a power cut it may boot in 1970 or at the time it was
switched off, and it scans children long before NTP answers. Each event therefore carries the
unit's boot id and a monotonic reading (seconds since boot, never set back). The first synced
event of a boot, the one with the lowest monotonic reading, is the boot's *anchor*: for any event
of that boot, real time = anchor wall time - (anchor monotonic - event monotonic).

An unsynced event whose boot has no anchor yet has no time the hub can trust: it waits as "tijd
onzeker" (never stored at 1970 or at the Pi's last shutdown time) until its anchor arrives, or a
person places it at a time or discards it. A synced time the hub cannot accept (well after the
hub's own clock, or before what a location may still correct, or in a closed or uploaded month)
is refused with a reason and kept for a person, never stored silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.core.localtime import BRUSSELS

# A synced unit clock may run a little ahead of the hub's (both NTP, seconds apart); beyond this the
# event claims a time that has not come yet.
MAX_AHEAD = timedelta(minutes=5)


@dataclass(frozen=True)
class Anchor:
    """A synced event that ties one boot's monotonic clock to real time."""

    event_id: str
    wall: datetime  # aware
    monotonic: float


def effective_time(anchor: Anchor, monotonic: float) -> datetime:
    """The real time of a reading of the same boot's monotonic clock."""
    return anchor.wall - timedelta(seconds=anchor.monotonic - monotonic)


def improves(current: Anchor | None, candidate: Anchor) -> bool:
    """Whether ``candidate`` should anchor the boot instead of ``current``: the earliest reading wins."""
    return current is None or candidate.monotonic < current.monotonic


def trusted_time(
    wall: datetime, clock_synced: bool, monotonic: float, anchor: Anchor | None
) -> tuple[datetime, str | None] | None:
    """(time, anchor event id) the hub may use for an event, or None: "tijd onzeker".

    A synced clock is trusted as it is; an unsynced one only through its boot's anchor.
    """
    if clock_synced:
        return wall, None
    if anchor is not None:
        return effective_time(anchor, monotonic), anchor.event_id
    return None


@dataclass(frozen=True)
class TimeRefusal:
    """Why the hub refuses an event's time: a short code for the refused list, and Dutch for people."""

    reason: str  # "clock_ahead", "too_old", "month_closed", "month_uploaded"
    detail: str


def time_refusal(
    moment: datetime,
    received_at: datetime,
    earliest_day: date,
    month_closed: bool = False,
    month_uploaded: bool = False,
) -> TimeRefusal | None:
    """Why a check-in at ``moment`` (received at the hub's ``received_at``) cannot be stored, or None.

    ``earliest_day`` is the first day the location may still correct; a closed or uploaded month
    is not changed behind the organisator's back.
    """
    local = moment.astimezone(BRUSSELS)
    if moment - received_at > MAX_AHEAD:
        minutes = int((moment - received_at).total_seconds() // 60)
        return TimeRefusal(
            "clock_ahead",
            f"De klok van de scanner liep {minutes} minuten voor op de hub "
            f"({local.strftime('%d/%m/%Y %H:%M')}).",
        )
    if local.date() < earliest_day:
        return TimeRefusal(
            "too_old",
            f"Registratie van {local.strftime('%d/%m/%Y %H:%M')}: "
            "ouder dan de opvanglocatie nog kan wijzigen "
            f"(vanaf {earliest_day.strftime('%d/%m/%Y')}).",
        )
    if month_closed:
        return TimeRefusal(
            "month_closed", f"Registratie van {local.strftime('%d/%m/%Y %H:%M')} in een gesloten maand."
        )
    if month_uploaded:
        return TimeRefusal(
            "month_uploaded",
            f"Registratie van {local.strftime('%d/%m/%Y %H:%M')} "
            "in een maand die al naar Kind en Gezin ging.",
        )
    return None
