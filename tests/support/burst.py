"""Presenting many cards quickly to a running unit, and reading back what it showed and delivered.

A unit started with :func:`burst_unit_config` watches a camera folder (the ``files`` frame
source); :func:`present_cards` drops one card image per scan into it, numbered so they are shown
in order, each for a quarter of a second. What the parent saw is read from the unit's log: the
check-in desk logs ``signal <kind> for event <id> seq <n>`` for every stored event just before
the green (or other) signal, so a test needs no mock to know which scans showed green.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2

from device.frames.synthetic import card_frame
from tests.support.processes import unit_config

_SIGNAL_LINE = re.compile(r"signal (\w+) for event ([0-9A-Z]{26}) seq (\d+)")
GREEN_SIGNALS = ("ok", "saved_offline")


@dataclass(frozen=True)
class Shown:
    signal: str
    event_id: str
    seq: int


def burst_unit_config(
    unit_dir: Path, unit: str, location: str, broker_url: str, camera: Path, **extra
) -> Path:
    """A unit that scans a camera folder quickly and registers every presentation (no repeat window)."""
    return unit_config(
        unit_dir,
        unit,
        location,
        broker_url,
        camera={"source": "files", "folder": str(camera), "hold_s": 0.25, "fps": 20.0},
        # every presentation counts; a card comes back only after five others (1.25 s), a gap
        # of half a second between frames of one card would need a very slow frame
        scan={"repeat_window_s": 0, "presence_gap_s": 0.5, **extra.pop("scan", {})},
        delivery={"ack_timeout_s": 2.0, **extra.pop("delivery", {})},
        **extra,
    )


def present_cards(camera: Path, codes: Sequence[str], first: int = 0) -> list[Path]:
    """One image per code in the camera folder, shown in this order (each written aside, then renamed)."""
    camera.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, code in enumerate(codes, start=first):
        tmp = camera / f".{number:05d}.png"
        cv2.imwrite(str(tmp), card_frame(code, module_px=6, seed=number))
        path = camera / f"{number:05d}.png"
        tmp.rename(path)
        paths.append(path)
    return paths


def cards_in_turn(codes: Sequence[str], count: int) -> list[str]:
    """``count`` presentations cycling through ``codes`` (no card twice in a row)."""
    return list(itertools.islice(itertools.cycle(codes), count))


def cards_waiting(camera: Path) -> int:
    return sum(1 for p in camera.glob("*.png") if not p.name.startswith("."))


def shown(unit_log: str) -> list[Shown]:
    return [Shown(m[1], m[2], int(m[3])) for m in _SIGNAL_LINE.finditer(unit_log)]


def shown_green(unit_log: str) -> list[Shown]:
    return [s for s in shown(unit_log) if s.signal in GREEN_SIGNALS]


def outbox_size(unit_dir: Path) -> int:
    with sqlite3.connect(unit_dir / "outbox.sqlite3") as db:
        return db.execute("SELECT count(*) FROM outbox").fetchone()[0]


def outbox_last_seq(unit_dir: Path) -> int:
    with sqlite3.connect(unit_dir / "outbox.sqlite3") as db:
        return db.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()[0]


@dataclass(frozen=True)
class HubEvent:
    id: str
    seq: int
    received_at: str
    code: str = ""


def hub_events(hub_dir: Path, unit: str, database: str | None = None) -> list[HubEvent]:
    """The unit's events in the hub's database, in the unit's seq order.

    ``database``: a PostgreSQL URL when the hub runs there; else the SQLite file in ``hub_dir``.
    """
    if database is not None:
        from hub.core.db import connect

        db = connect(database)
        try:
            rows = db.execute(
                "SELECT id, seq, received_at, code FROM events WHERE unit_id = ? ORDER BY seq", (unit,)
            ).fetchall()
        finally:
            db.close()
        return [HubEvent(*row) for row in rows]
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        rows = db.execute(
            "SELECT id, seq, received_at, code FROM events WHERE unit_id = ? ORDER BY seq", (unit,)
        ).fetchall()
    return [HubEvent(*row) for row in rows]
