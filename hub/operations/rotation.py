"""Which backups a rotation keeps (pure): the newest of each of the last N days, and the newest
of each of the last M ISO weeks. Days and weeks are Brussels calendar days, so a backup made at
00:30 in summer counts for the day it was made on, as people read it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hub.core.localtime import local


def backups_to_keep(taken: Iterable[datetime], daily: int, weekly: int) -> set[datetime]:
    """The moments (aware datetimes) of the backups to keep; every other one may go."""
    newest_first = sorted(taken, reverse=True)
    keep: set[datetime] = set()
    for count, bucket in ((daily, _day), (weekly, _week)):
        seen: list[object] = []
        for moment in newest_first:
            key = bucket(moment)
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(moment)
    return keep


def _day(moment: datetime) -> object:
    return local(moment).date()


def _week(moment: datetime) -> object:
    return local(moment).isocalendar()[:2]
