"""Collector cards at the door: the pairing rule lives in :mod:`wire.collecting` (shared with the
hub and mirrored by the browser scanner); re-exported here for the unit."""

from __future__ import annotations

from wire.collecting import (
    DEFAULT_WINDOW_S,
    ChildScan,
    Collector,
    CollectorWindow,
    LateCollection,
    Pairing,
    children_of,
)

__all__ = [
    "DEFAULT_WINDOW_S",
    "ChildScan",
    "Collector",
    "CollectorWindow",
    "LateCollection",
    "Pairing",
    "children_of",
]
