"""The check-in desk: a card code in, an event on disk and a signal to the parent out.

Order matters and is the delivery guarantee's first half: the event is committed to the
outbox (flushed to disk) before any green signal. Names come from the roster the hub pushes,
so a parent sees the child's name even when the network is down.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from device.clock import Clock
from device.collecting import DEFAULT_WINDOW_S, CollectorWindow, LateCollection, Pairing, children_of
from device.feedback import Feedback, Signal
from device.outbox import Outbox, OutboxFull
from device.presence import PresenceBook
from wire import (
    COLLECTOR_NOT_ALLOWED,
    Ack,
    CheckIn,
    Collection,
    Direction,
    DirectionBy,
    Source,
    UnitConfig,
    Verdict,
    cardcode,
)
from wire.ids import new_event_id

log = logging.getLogger(__name__)

LOCAL_ZONE = ZoneInfo("Europe/Brussels")
MODE_TEXT = {
    Direction.ARRIVAL: "Welkom in de opvang",
    Direction.DEPARTURE: "Tot de volgende keer",
    None: "Welkom — scan je kaart",  # the child's presence decides
}
_ROSTER_KEY = "config"
NOT_ALLOWED = "Niet toegestaan — verwittig de opvang"


@dataclass(frozen=True)
class Outcome:
    signal: Signal
    message: str
    event: CheckIn | None = None


class Roster:
    """Card code -> child's display name, and the staff code's hash, from the hub's last retained
    config; kept on disk so both work after a restart without the network."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._names: dict[str, str] = {}
        self._departed: dict[str, str] = {}
        self._collectors: dict[str, str] = {}
        self._collector_children: dict[str, str] = {}
        self._collector_refused: dict[str, str] = {}
        self.known = False  # no config received yet: every card is "unknown" to us
        self.pin_hash: str | None = None  # legacy: unkeyed hash of the scanner code
        self.staff_code_hash: str | None = None  # keyed with this unit's staff key
        self.settings: dict = {}
        saved = outbox.get_state(_ROSTER_KEY)
        if saved:
            self._take(json.loads(saved))

    def update(self, config: UnitConfig) -> None:
        body = config.to_dict()
        self._take(body)
        try:
            self._outbox.set_state(_ROSTER_KEY, json.dumps(body))
        except sqlite3.OperationalError as exc:  # a full disk: used now, received again on reconnect
            log.warning("the config from the hub is in use but not saved: %s", exc)

    def _take(self, body: dict) -> None:
        self._names = dict(body["roster"])
        self._departed = dict(body.get("departed") or {})
        self._collectors = dict(body.get("collectors") or {})
        self._collector_children = dict(body.get("collector_children") or {})
        self._collector_refused = dict(body.get("collector_refused") or {})
        self.pin_hash = body.get("pin_hash")
        self.staff_code_hash = body.get("staff_code_hash")
        self.settings = body.get("settings") or {}
        self.known = True

    def name(self, code: str) -> str | None:
        return self._names.get(code)

    def departed(self, code: str) -> str | None:
        """The name of a child whose last day here has passed, for its card."""
        return self._departed.get(code)

    def collector(self, code: str) -> str | None:
        """The name of the person whose collector card ("ophaalkaart") this is."""
        return self._collectors.get(code)

    def collector_children(self, code: str) -> frozenset[str]:
        """The card codes of the children the holder of collector card ``code`` may collect."""
        return children_of(self._collector_children.get(code))

    def collector_refused(self, code: str) -> frozenset[str]:
        """The card codes of the children whose contact the holder of ``code`` is but who may not
        collect them."""
        return children_of(self._collector_refused.get(code))

    def codes(self) -> list[str]:
        return list(self._names)  # not the collector cards: a generated camera shows children's cards


class CheckInDesk:
    """Turns a presented code into a stored check-in and tells the parent what happened."""

    def __init__(
        self,
        unit: str,
        location: str,
        outbox: Outbox,
        roster: Roster,
        feedback: Feedback,
        clock: Clock,
        is_online: Callable[[], bool],
        repeat_window_s: float = 120.0,
        departure_from: str = "12:00",
        fixed_mode: Direction | None = None,
        presence: PresenceBook | None = None,
        collector_window_s: float = DEFAULT_WINDOW_S,
    ) -> None:
        self.unit, self.location = unit, location
        self.outbox, self.roster, self.feedback, self.clock = outbox, roster, feedback, clock
        self._is_online = is_online
        self._repeat_window_s = repeat_window_s
        self._departure_from = time.fromisoformat(departure_from)
        self._fixed_mode = fixed_mode  # a unit that serves only an entrance or only an exit
        self.staff_mode: Direction | None = None  # set in the staff menu; holds until changed
        self._door_mode: tuple[Direction, float, float] | None = None  # key A/B: mode, hold_s, until
        self._shown_mode: Direction | str | None = "unset"
        self.presence = presence if presence is not None else PresenceBook(outbox)
        self._recent: dict[tuple[str, Direction | None], tuple[float, datetime]] = {}
        self._lock = threading.Lock()
        self.last_scan: datetime | None = None
        self.collectors = CollectorWindow(collector_window_s)
        self._refused_here: set[str] = set()  # collector departures this unit answered red itself

    @property
    def mode(self) -> Direction | None:
        """A mode key's choice while it holds, else staff's choice, else the unit's default: fixed,
        or None when each child's presence decides, or by the clock while no presence is known."""
        chosen = self._chosen_mode()
        return chosen[0] if chosen is not None else None

    def _chosen_mode(self) -> tuple[Direction, DirectionBy] | None:
        door = self._door_mode
        if door is not None and self.clock.monotonic() < door[2]:
            return door[0], DirectionBy.KEY
        if self.staff_mode is not None:
            return self.staff_mode, DirectionBy.KEY
        if self._fixed_mode is not None:
            return self._fixed_mode, DirectionBy.FIXED
        if self.presence.known:
            return None
        # a hub that never sent a presence (older than presence): the clock decides, as before
        local = self.clock.now().astimezone(LOCAL_ZONE).time()
        by_clock = Direction.DEPARTURE if local >= self._departure_from else Direction.ARRIVAL
        return by_clock, DirectionBy.CLOCK

    def direction_for(self, code: str) -> tuple[Direction, DirectionBy]:
        """The direction of a scan of ``code`` now, and what chose it: the first scan of a child who
        is not present is an arrival, the next a departure, unless a mode key or a fixed unit decides."""
        chosen = self._chosen_mode()
        if chosen is not None:
            return chosen
        today = self.clock.now().astimezone(LOCAL_ZONE).date()
        present = self.presence.is_present(code, today)
        return (Direction.DEPARTURE if present else Direction.ARRIVAL), DirectionBy.PRESENCE

    def set_mode(self, direction: Direction | None) -> None:
        """Staff's mode, until changed again; None returns to the configured default."""
        self.staff_mode = direction
        self._door_mode = None
        self.refresh_mode()

    def hold_mode(self, direction: Direction, hold_s: float) -> None:
        """A parent's mode key: this mode while it is used, the default ``hold_s`` after the last use."""
        self._door_mode = (direction, hold_s, self.clock.monotonic() + hold_s)
        self.refresh_mode()

    def refresh_mode(self) -> None:
        """Show the mode when it changed (a mode key lapsed, the clock passed departure_from)."""
        mode = self.mode
        if mode is not self._shown_mode:
            self._shown_mode = mode
            self.feedback.show_mode(MODE_TEXT[mode])

    def apply_settings(self, settings: dict) -> None:
        """Settings the hub pushes with the unit's config; unknown or malformed ones are ignored."""
        try:
            if "repeat_window_s" in settings:
                self._repeat_window_s = float(settings["repeat_window_s"])
            if "departure_from" in settings:
                self._departure_from = time.fromisoformat(str(settings["departure_from"]))
            if "collector_window_s" in settings:
                self.collectors.window_s = float(settings["collector_window_s"])
        except (TypeError, ValueError) as exc:
            log.warning("ignoring a setting from the hub: %s", exc)
        self.refresh_mode()

    def register(self, code: str, source: Source) -> Outcome:
        """Register one presentation of a card (QR) or one typed code (keypad)."""
        code = cardcode.normalise(code)
        if not cardcode.is_valid(code):
            return self._tell(Outcome(Signal.REFUSED, "Ongeldige code — probeer opnieuw"))
        collector = self.roster.collector(code)
        if collector is not None:
            with self._lock:
                late = self.collectors.collector_scanned(
                    code,
                    collector,
                    self.roster.collector_children(code),
                    self.clock.monotonic(),
                    self.roster.collector_refused(code),
                )
                if late:
                    return self._tell(self._collected_late(late))
            log.info("collector card of %s: waiting for a child's card", collector)
            return self._tell(Outcome(Signal.OK, f"Ophaalkaart van {collector} — toon de kaart van het kind"))
        with self._lock:
            mono = self.clock.monotonic()
            pairing = self.collectors.child_scanned(code, mono)
            if pairing is not None:
                return self._tell(self._collected(code, source, pairing, mono))
            direction, chosen_by = self.direction_for(code)
            if self._door_mode is not None and mono < self._door_mode[2]:
                self._door_mode = (direction, self._door_mode[1], mono + self._door_mode[1])
            # by presence a repeat would flip the direction: any scan of the card counts as the repeat
            repeat_key = None if chosen_by is DirectionBy.PRESENCE else direction
            previous = self._recent.get((code, repeat_key)) or self._recent.get((code, None))
            if previous and mono - previous[0] < self._repeat_window_s:
                return self._tell(Outcome(Signal.ALREADY, f"Al geregistreerd om {_hhmm(previous[1])}"))
            now = self.clock.now()
            try:
                event = self.outbox.append(
                    lambda seq: self._event(seq, code, source, direction, now, mono, chosen_by)
                )
            except OutboxFull as exc:
                log.error("scan refused, outbox cannot take it: %s", exc)
                return self._tell(Outcome(Signal.REFUSED, "NIET bewaard — opslag vol, verwittig de opvang"))
            self._recent[(code, direction)] = (mono, now)
            if chosen_by is DirectionBy.PRESENCE:
                self._recent[(code, None)] = (mono, now)
            self.presence.scanned(
                code, now.astimezone(LOCAL_ZONE).date(), direction is Direction.ARRIVAL, event.id
            )
            self.collectors.child_recorded(code, event.id, mono)  # a collector card may follow
            self.last_scan = now
        return self._tell(self._outcome_for(event, now))

    def _collected(self, code: str, source: Source, pairing: Pairing, mono: float) -> Outcome:
        """A child's card in a collector's window: a departure by that collector, whatever the
        child's presence says. One the config does not allow is still sent (the hub keeps the
        attempt for the opvang) but answered red here and leaves the child's presence as it was."""
        previous = self._recent.get((code, Direction.DEPARTURE))
        if previous and mono - previous[0] < self._repeat_window_s:
            return Outcome(Signal.ALREADY, f"Al geregistreerd om {_hhmm(previous[1])}")
        now = self.clock.now()
        collector = pairing.collector
        try:
            event = self.outbox.append(
                lambda seq: self._event(
                    seq, code, source, Direction.DEPARTURE, now, mono, DirectionBy.COLLECTOR, collector.code
                )
            )
        except OutboxFull as exc:
            log.error("scan refused, outbox cannot take it: %s", exc)
            return Outcome(Signal.REFUSED, "NIET bewaard — opslag vol, verwittig de opvang")
        self.last_scan = now
        if not pairing.allowed:
            self._refused_here.add(event.id)
            log.warning("collector %s may not collect card %s: attempt sent to the hub", collector.name, code)
            return Outcome(Signal.REFUSED, NOT_ALLOWED, event)
        self._recent[(code, Direction.DEPARTURE)] = (mono, now)
        self._recent[(code, None)] = (mono, now)
        self.presence.scanned(code, now.astimezone(LOCAL_ZONE).date(), False, event.id)
        outcome = self._outcome_for(event, now)
        if outcome.signal in (Signal.OK, Signal.SAVED_OFFLINE):
            outcome = Outcome(outcome.signal, f"{outcome.message} — opgehaald door {collector.name}", event)
        return outcome

    def _collected_late(self, late: list[LateCollection]) -> Outcome:
        """A collector card just after children's ordinary scans: one collection per scan, naming its
        event; the hub makes each a departure "opgehaald door" that person. Red when the person may
        not collect one of them (still sent: the hub keeps the attempt for the opvang)."""
        now, mono = self.clock.now(), self.clock.monotonic()
        collector = late[0].collector
        sent: list[Collection] = []
        try:
            for item in late:
                sent.append(
                    self.outbox.append(
                        lambda seq, item=item: Collection(
                            id=new_event_id(),
                            unit=self.unit,
                            location=self.location,
                            seq=seq,
                            event=item.scan.event_id,
                            code=item.scan.code,
                            collector=collector.code,
                            wall_time=now.isoformat(timespec="milliseconds"),
                        )
                    )
                )
        except OutboxFull as exc:
            log.error("collection refused, outbox cannot take it: %s", exc)
            return Outcome(Signal.REFUSED, "NIET bewaard — opslag vol, verwittig de opvang")
        self.last_scan = now
        refused = [c for c, item in zip(sent, late, strict=True) if not item.allowed]
        for item, collection in zip(late, sent, strict=True):
            log.info("collection %s: %s for the scan %s of card %s", collection.id, collector.name,
                     item.scan.event_id, item.scan.code)  # fmt: skip
            if item.allowed:
                self._recent[(item.scan.code, Direction.DEPARTURE)] = (mono, now)
                self._recent[(item.scan.code, None)] = (mono, now)
                self.presence.scanned(item.scan.code, now.astimezone(LOCAL_ZONE).date(), False, collection.id)
        if refused:
            self._refused_here.update(c.id for c in refused)
            log.warning(
                "collector %s may not collect a child scanned just before: attempt sent", collector.name
            )
            return Outcome(Signal.REFUSED, NOT_ALLOWED)
        names = ", ".join(self.roster.name(item.scan.code) or "" for item in late).strip(", ")
        message = f"Tot ziens {names} — opgehaald door {collector.name}".replace("  ", " ")
        return Outcome(Signal.OK if self._is_online() else Signal.SAVED_OFFLINE, message)

    def acknowledged(self, ack: Ack) -> None:
        """The hub's answer to one of our events: a collector departure it does not allow is answered
        red and a long beep (unless this unit did so already when it was scanned)."""
        if ack.verdict is Verdict.REFUSED and ack.reason == COLLECTOR_NOT_ALLOWED:
            if ack.id in self._refused_here:
                self._refused_here.discard(ack.id)
                return
            self.feedback.signal(Signal.REFUSED, NOT_ALLOWED)
        self._refused_here.discard(ack.id)

    def _event(
        self,
        seq: int,
        code: str,
        source: Source,
        direction: Direction,
        now: datetime,
        mono: float,
        chosen_by: DirectionBy,
        collector: str | None = None,
    ) -> CheckIn:
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
            direction_by=chosen_by,
            collector=collector,
        )

    def _outcome_for(self, event: CheckIn, now: datetime) -> Outcome:
        name = self.roster.name(event.code)
        gone = self.roster.departed(event.code) if name is None else None
        if gone is not None:
            return Outcome(Signal.UNKNOWN, f"{gone} — niet meer ingeschreven, verwittig opvang", event)
        if name is None and self.roster.known:
            return Outcome(Signal.UNKNOWN, "Onbekende kaart — verwittig opvang", event)
        greeting = "Welkom" if event.direction is Direction.ARRIVAL else "Tot ziens"
        message = f"{greeting} {name or ''} — {_hhmm(now)}".replace("  ", " ")
        if not self._is_online():
            return Outcome(Signal.SAVED_OFFLINE, message, event)
        return Outcome(Signal.OK, message, event)

    def _tell(self, outcome: Outcome) -> Outcome:
        if outcome.event is not None:
            # logged before the signal: a process test reads which scans showed green from this
            log.info("signal %s for event %s seq %d", outcome.signal, outcome.event.id, outcome.event.seq)
        elif outcome.signal is Signal.REFUSED:
            log.info("scan refused: %s", outcome.message)
        self.feedback.signal(outcome.signal, outcome.message)
        return outcome


def _hhmm(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%H:%M")
