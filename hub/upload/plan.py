"""What the next version of a month carries: the records that changed since the receiver had them. No I/O.

A record goes again when its content differs from the latest version the receiver answered for,
when it went in a version that was never answered (the receiver may hold it), or when it is new.
A child that was sent before and has no attendance now gets an empty record, which clears it at
the receiver. The month's calendar goes with every version; a version without records is sent
when only the calendar changed, or for a closed month that was never sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.upload.batch import ChildRecord, fingerprint
from hub.upload.month import PreparedMonth
from hub.upload.store import MonthHistory


@dataclass(frozen=True)
class Plan:
    records: tuple[tuple[ChildRecord, str], ...]  # (record, content hash) to send
    calendar_hash: str
    send: bool  # a new version is called for

    def content(self) -> tuple[str, frozenset[tuple[int, str]]]:
        return self.calendar_hash, frozenset((int(r.child.ref), h) for r, h in self.records)


def calendar_hash(prepared: PreparedMonth) -> str:
    return fingerprint([prepared.closed_month, prepared.calendar])


def plan_version(prepared: PreparedMonth, history: MonthHistory) -> Plan:
    delivered, uncertain = history.delivered, history.uncertain
    records = []
    for record in prepared.sendable:
        child_id, content = int(record.child.ref), fingerprint(record)
        known = delivered.get(child_id)
        if (
            child_id in uncertain
            or (known is None and record.days)
            or (known and known.content_hash != content)
        ):
            records.append((record, content))
    calendar = calendar_hash(prepared)
    # never answered: the calendar alone is worth a version only for a closed month
    calendar_changed = history.delivered_calendar != calendar if history.answered else prepared.closed_month
    return Plan(tuple(records), calendar, bool(records) or calendar_changed)
