"""The check-in desk: a card code in, an event on disk and a signal to the parent out.

Order matters and is the delivery guarantee's first half: the event is committed to the
outbox (flushed to disk) before any green signal. Names come from the roster the hub pushes,
so a parent sees the child's name even when the network is down.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from device.clock import SystemClock
from device.feedback import Feedback, Signal
from device.outbox import Outbox, OutboxFull
from wire import CheckIn, Direction, Source, UnitConfig, cardcode
from wire.ids import new_event_id

log = logging.getLogger(__name__)

LOCAL_ZONE = ZoneInfo("Europe/Brussels")
MODE_TEXT = {Direction.ARRIVAL: "Welkom in de opvang", Direction.DEPARTURE: "Tot de volgende keer"}
_ROSTER_KEY = "config"


@dataclass(frozen=True)
class Outcome:
    signal: Signal
    message: str
    event: CheckIn | None = None


class Roster:
    """Card code -> child's display name, from the hub's last retained config; kept on disk."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._names: dict[str, str] = {}
        self.known = False  # no config received yet: every card is "unknown" to us
        saved = outbox.get_state(_ROSTER_KEY)
        if saved:
            self._names = json.loads(saved)["roster"]
            self.known = True

    def update(self, config: UnitConfig) -> None:
        self._names = dict(config.roster)
        self.known = True
        self._outbox.set_state(_ROSTER_KEY, json.dumps(config.to_dict()))

    def name(self, code: str) -> str | None:
        return self._names.get(code)

    def codes(self) -> list[str]:
        return list(self._names)


class CheckInDesk:
    """Turns a presented code into a stored check-in and tells the parent what happened."""

    def __init__(
        self,
        unit: str,
        location: str,
        outbox: Outbox,
        roster: Roster,
        feedback: Feedback,
        clock: SystemClock,
        is_online: Callable[[], bool],
        repeat_window_s: float = 120.0,
        departure_from: str = "12:00",
        fixed_mode: Direction | None = None,
    ) -> None:
        self.unit, self.location = unit, location
        self.outbox, self.roster, self.feedback, self.clock = outbox, roster, feedback, clock
        self._is_online = is_online
        self._repeat_window_s = repeat_window_s
        self._departure_from = time.fromisoformat(departure_from)
        self._fixed_mode = fixed_mode  # a unit that serves only an entrance or only an exit
        self._manual_mode: Direction | None = None
        self._recent: dict[tuple[str, Direction], tuple[float, datetime]] = {}
        self._lock = threading.Lock()
        self.last_scan: datetime | None = None

    @property
    def mode(self) -> Direction:
        if self._manual_mode is not None:
            return self._manual_mode
        if self._fixed_mode is not None:
            return self._fixed_mode
        local = self.clock.now().astimezone(LOCAL_ZONE).time()
        return Direction.DEPARTURE if local >= self._departure_from else Direction.ARRIVAL

    def set_mode(self, direction: Direction | None) -> None:
        """Force a mode (staff key); None returns to the configured default."""
        self._manual_mode = direction
        self.feedback.show_mode(MODE_TEXT[self.mode])

    def register(self, code: str, source: Source) -> Outcome:
        """Register one presentation of a card (QR) or one typed code (keypad)."""
        code = cardcode.normalise(code)
        if not cardcode.is_valid(code):
            return self._tell(Outcome(Signal.REFUSED, "Ongeldige code — probeer opnieuw"))
        with self._lock:
            direction = self.mode
            mono = self.clock.monotonic()
            previous = self._recent.get((code, direction))
            if previous and mono - previous[0] < self._repeat_window_s:
                return self._tell(Outcome(Signal.ALREADY, f"Al geregistreerd om {_hhmm(previous[1])}"))
            now = self.clock.now()
            try:
                event = self.outbox.append(lambda seq: self._event(seq, code, source, direction, now, mono))
            except OutboxFull as exc:
                log.error("scan refused, outbox cannot take it: %s", exc)
                return self._tell(
                    Outcome(Signal.REFUSED, "Geheugen vol — NIET geregistreerd, verwittig de opvang")
                )
            self._recent[(code, direction)] = (mono, now)
            self.last_scan = now
        return self._tell(self._outcome_for(event, now))

    def _event(self, seq: int, code: str, source: Source, direction: Direction, now: datetime, mono: float):
        return CheckIn(
            id=new_event_id(),
            unit=self.unit,
            location=self.location,
            seq=seq,
            direction=direction,
            code=code,
            source=source,
            wall_time=now.isoformat(timespec="milliseconds"),
            clock_synced=self.clock.synced(),
            boot_id=self.clock.boot_id,
            monotonic=round(mono, 6),
        )

    def _outcome_for(self, event: CheckIn, now: datetime) -> Outcome:
        name = self.roster.name(event.code)
        if name is None and self.roster.known:
            return Outcome(Signal.UNKNOWN, "Onbekende kaart — bewaard, verwittig de opvang", event)
        greeting = "Welkom" if event.direction is Direction.ARRIVAL else "Tot ziens"
        message = f"{greeting} {name or ''} — {_hhmm(now)}".replace("  ", " ")
        if not self._is_online():
            return Outcome(Signal.SAVED_OFFLINE, message, event)
        return Outcome(Signal.OK, message, event)

    def _tell(self, outcome: Outcome) -> Outcome:
        self.feedback.signal(outcome.signal, outcome.message)
        if outcome.event is None and outcome.signal is Signal.REFUSED:
            log.info("scan refused: %s", outcome.message)
        return outcome


def _hhmm(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%H:%M")
