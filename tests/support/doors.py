"""A unit process at the door for the fault suite, and the tally of what it produced and the hub stored.

:class:`Door` is one unit process with its camera folder (see :mod:`tests.support.burst`): cards
are presented in turn, the unit can be killed and restarted, and what the parent saw is read
from its log. :func:`tally` compares that with the hub's events table:

- produced: events the unit signalled to the parent (green: stored on its disk);
- stored: the unit's events in the hub's events table;
- doubled: events stored twice in a sense that matters for attendance: the same event id twice
  (the primary key forbids it, checked all the same) or one presentation stored as two events
  (two events in a row with the same card: the bursts never show the same card twice in a row);
- lost: produced but not stored.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.burst import (
    burst_unit_config,
    cards_waiting,
    hub_events,
    outbox_size,
    present_cards,
    shown,
)
from tests.support.processes import Proc, start_unit


class Door:
    """A unit process watching its camera folder; its outbox may live elsewhere (``data_dir``)."""

    def __init__(
        self, root: Path, unit: str, location: str, broker_url: str, data_dir: Path | None = None, **config
    ) -> None:
        self.unit = unit
        self.dir = root / unit
        self.data_dir = data_dir or self.dir
        self.camera = root / f"camera-{unit}"
        self.config = burst_unit_config(
            self.dir, unit, location, broker_url, self.camera, data_dir=data_dir, **config
        )
        self.presented: list[str] = []
        self.proc: Proc | None = None
        self.restarts = 0

    def start(self, env: dict[str, str] | None = None) -> Door:
        self.proc = start_unit(self.dir, self.config, env)
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()

    def restart(self, env: dict[str, str] | None = None) -> None:
        """What systemd's Restart=always does after the unit died."""
        self.restarts += 1
        self.start(env)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()

    def present(self, codes: Sequence[str]) -> None:
        present_cards(self.camera, codes, first=len(self.presented))
        self.presented += codes

    def log(self) -> str:
        return self.proc.log() if self.proc else ""

    def shown(self) -> list:
        return shown(self.log())

    def cards_waiting(self) -> int:
        return cards_waiting(self.camera)

    def outbox_size(self) -> int:
        return outbox_size(self.data_dir)


@dataclass(frozen=True)
class Tally:
    produced: int
    stored: int
    doubled: int
    lost: int
    unsignalled: int  # stored, but the unit died between its disk and the green light


def tally(door: Door, hub_dir: Path, database: str | None = None) -> Tally:
    """What the door produced against what the hub stored for it (``database``: a PostgreSQL URL)."""
    green = {s.event_id for s in door.shown() if s.signal in ("ok", "saved_offline", "unknown")}
    events = hub_events(hub_dir, door.unit, database)
    ids = Counter(e.id for e in events)
    same_id_twice = sum(n - 1 for n in ids.values())
    same_presentation_twice = sum(1 for a, b in itertools.pairwise(events) if a.code == b.code)
    return Tally(
        produced=len(green),
        stored=len(ids),
        doubled=same_id_twice + same_presentation_twice,
        lost=len(green - set(ids)),
        unsignalled=len(set(ids) - green),
    )
