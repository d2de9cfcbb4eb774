"""What the keys do, and what the display prompts while someone types.

At the door (no menu open):

    0-9      type the card's digits (printed under the QR); the display shows them
    #        confirm: a code whose check digit is wrong is refused on the spot; after three
             wrong codes in a row the keypad locks for 10 s, doubling with each further wrong
             code up to 5 minutes, with the seconds left on the display
    *        clear what was typed
    A / B    arrival / departure for the next scans: the mode holds while it is used and
             returns to the unit's default ``mode_key_hold_s`` seconds after the last use
    D        staff: type the location's scanner code, then #; three wrong codes in a row lock it
             for 30 s, doubling up to 15 minutes (kept across restarts)

In the staff menu:

    1        status: backlog (events waiting for the hub) and connection
    2        mode: cycle auto -> arrival -> departure -> auto; holds until changed again
    3        link request: the child a "link next card" request from the hub is for
    4        camera check: for 10 s cards held up are counted, not registered; then the display
             shows brightness, sharpness and the cards read (4 again: another check). Not on
             the menu line: the 16x2 display is full
    5        evacuation list: how many are present and their names, from the unit's roster and the
             hub's last presence with the unit's own scans on top (works without the hub); staff
             cards and cards not on the roster are counted. Not on the menu line either
    * / #    back; the menu closes itself after a minute without keys

The scanner code is not the portal PIN, and neither is on the unit. A unit with a staff key
(``staff.key`` from its bundle) gets ``UnitConfig.staff_code_hash``, an argon2id hash of
HMAC(key, code) (wire/staffcode.py); a unit without one gets ``pin_hash``, an argon2id hash of
the code itself, as the previous unit software expects.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from enum import Enum

from device.camera_check import LiveCheck
from device.checkin import LOCAL_ZONE, CheckInDesk
from device.feedback import Feedback, Signal
from device.linking import LinkRequests
from device.lockout import Lockout
from wire import Direction, Source, cardcode, staffcode

log = logging.getLogger(__name__)

CODE_IDLE_S = 20.0  # a half-typed code is cleared after this long without keys
PIN_IDLE_S = 30.0
MENU_IDLE_S = 60.0
PIN_LENGTH = (4, 6)
_PIN_FAILURES_KEY = "pin_failures"

MODE_NAMES = {None: "auto", Direction.ARRIVAL: "aankomst", Direction.DEPARTURE: "vertrek"}
_NEXT_STAFF_MODE = {
    None: Direction.ARRIVAL,
    Direction.ARRIVAL: Direction.DEPARTURE,
    Direction.DEPARTURE: None,
}


class State(Enum):
    DOOR = "door"
    PIN = "pin"
    MENU = "menu"


class Page(Enum):
    HOME = "home"
    STATUS = "status"
    MODE = "mode"
    LINK = "link"
    CAMERA = "camera"
    PRESENT = "present"


def pin_matches(pin_hash: str, pin: str) -> bool:
    """Whether ``pin`` (the typed code, or its keyed form) is what the hub's argon2 hash was made of."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return PasswordHasher().verify(pin_hash, pin)
    except VerifyMismatchError:
        return False
    except (VerificationError, InvalidHashError) as exc:
        log.error("the PIN hash from the hub is unusable: %s", exc)
        return False


class KeyEntry:
    """Turns key presses into check-ins, mode changes and staff actions; keeps the prompt current."""

    def __init__(
        self,
        desk: CheckInDesk,
        feedback: Feedback,
        present: Callable[[str, Source], None],
        links: LinkRequests,
        pin_hash: Callable[[], str | None],
        backlog_and_connection: Callable[[], tuple[int, bool]],
        state_store=None,
        monotonic: Callable[[], float] | None = None,
        mode_key_hold_s: float = 30.0,
        staff_code_hash: Callable[[], str | None] | None = None,
        staff_key: bytes | None = None,
        camera_check: LiveCheck | None = None,
    ) -> None:
        self.desk, self.feedback, self.links = desk, feedback, links
        self._present = present
        self._pin_hash = pin_hash
        self._staff_code_hash = staff_code_hash or (lambda: None)
        self._staff_key = staff_key
        self._status = backlog_and_connection
        self._store = state_store  # the outbox's state table: PIN failures survive a restart
        self._now = monotonic or desk.clock.monotonic
        self._mode_key_hold_s = mode_key_hold_s
        self._camera_check = camera_check
        self.state = State.DOOR
        self.page = Page.HOME
        self.typed = ""
        self._last_key = float("-inf")
        self.code_lock = Lockout(free_tries=3, first_s=10.0, max_s=300.0)
        self.pin_lock = Lockout(free_tries=3, first_s=30.0, max_s=900.0)
        saved = self._store.get_state(_PIN_FAILURES_KEY) if self._store is not None else None
        if saved:
            # after a restart the count goes on, and a lock-out that was running starts again
            self.pin_lock.failures = int(saved) - 1
            self.pin_lock.failed(self._now())
        self._lock = threading.RLock()
        self._shown: str | None = None

    def press(self, key: str) -> None:
        """One key press (called from the keypad driver's thread)."""
        with self._lock:
            now = self._now()
            self._expire(now)
            self._last_key = now
            handler = {State.DOOR: self._door_key, State.PIN: self._pin_key, State.MENU: self._menu_key}
            handler[self.state](key, now)
            self._refresh(now)

    def tick(self) -> None:
        """Called often (every frame): time-outs, count-downs, a link request lapsing."""
        with self._lock:
            now = self._now()
            self._expire(now)
            self._refresh(now)

    def prompt_text(self, now: float) -> str | None:
        """The standing text over the mode; None: the mode itself shows."""
        if self.state is State.MENU:
            return self._menu_text(now)
        if self.state is State.PIN:
            locked = self.pin_lock.remaining(now)
            if locked:
                return f"PIN geblokkeerd — nog {math.ceil(locked)} s"
            return f"PIN: {'*' * len(self.typed)}".rstrip() + " — #=ok *=terug"
        locked = self.code_lock.remaining(now)
        if locked:
            return f"Even wachten — nog {math.ceil(locked)} s"
        if self.typed:
            return f"Code: {self.typed} — #=ok *=wissen"
        pending = self.links.pending(now)
        if pending is not None:
            return f"Kaart voor {pending.request.child}: scan nu"
        return None

    # -- at the door -------------------------------------------------------------------------

    def _door_key(self, key: str, now: float) -> None:
        if key in "AB":
            direction = Direction.ARRIVAL if key == "A" else Direction.DEPARTURE
            self.desk.hold_mode(direction, self._mode_key_hold_s)
        elif key == "D":
            self.state, self.typed = State.PIN, ""
        elif self.code_lock.remaining(now):
            pass  # locked: digits, * and # wait
        elif key.isdigit():
            if len(self.typed) < cardcode.CODE_LENGTH:
                self.typed += key
        elif key == "*":
            self.typed = ""
        elif key == "#" and self.typed:
            self._confirm_code(now)

    def _confirm_code(self, now: float) -> None:
        code, self.typed = self.typed, ""
        if not cardcode.is_valid(code):
            locked = self.code_lock.failed(now)
            log.info("wrong card code typed (%d in a row)", self.code_lock.failures)
            wait = f"wacht {math.ceil(locked)} s" if locked else "controleer de cijfers"
            self.feedback.signal(Signal.REFUSED, f"Ongeldige code — {wait}")
            return
        self.code_lock.succeeded()
        self._present(code, Source.KEYPAD)

    # -- staff PIN ---------------------------------------------------------------------------

    def _pin_key(self, key: str, now: float) -> None:
        if key == "*":
            self.state, self.typed = State.DOOR, ""
        elif self.pin_lock.remaining(now):
            pass
        elif key.isdigit() and len(self.typed) < PIN_LENGTH[1]:
            self.typed += key
        elif key == "#":
            self._confirm_pin(now)

    def _confirm_pin(self, now: float) -> None:
        pin, self.typed = self.typed, ""
        keyed = self._staff_key is not None and self._staff_code_hash()
        pin_hash = self._staff_code_hash() if keyed else self._pin_hash()
        if not pin_hash:
            self.state = State.DOOR
            self.feedback.signal(Signal.REFUSED, "Geen scannercode ingesteld — stel ze in op de hub")
            return
        typed = staffcode.keyed(self._staff_key, pin) if keyed else pin
        if PIN_LENGTH[0] <= len(pin) <= PIN_LENGTH[1] and pin_matches(pin_hash, typed):
            self.pin_lock.succeeded()
            self._save_pin_failures()
            self.state, self.page = State.MENU, Page.HOME
            log.info("staff menu opened")
            return
        locked = self.pin_lock.failed(now)
        self._save_pin_failures()
        log.warning("wrong staff PIN (%d in a row)", self.pin_lock.failures)
        wait = f" — wacht {math.ceil(locked)} s" if locked else ""
        self.feedback.signal(Signal.REFUSED, f"Foute PIN{wait}")

    def _save_pin_failures(self) -> None:
        if self._store is not None:
            self._store.set_state(_PIN_FAILURES_KEY, str(self.pin_lock.failures))

    # -- staff menu --------------------------------------------------------------------------

    def _menu_key(self, key: str, _now: float) -> None:
        if key in "*#":
            if self.page is Page.HOME:
                self.state = State.DOOR
            self.page = Page.HOME
        elif key == "1":
            self.page = Page.STATUS
        elif key == "2":
            if self.page is Page.MODE:
                self.desk.set_mode(_NEXT_STAFF_MODE[self.desk.staff_mode])
            self.page = Page.MODE
        elif key == "3":
            self.page = Page.LINK
        elif key == "5":
            self.page = Page.PRESENT
        elif key == "4" and self._camera_check is not None:
            if self.page is Page.CAMERA or not self._camera_check.running:
                self._camera_check.start()
            self.page = Page.CAMERA

    def _menu_text(self, now: float) -> str:
        if self.page is Page.STATUS:
            backlog, connected = self._status()
            return f"Wachtrij: {backlog} — {'verbonden' if connected else 'geen verbinding'}"
        if self.page is Page.MODE:
            return f"Modus: {MODE_NAMES[self.desk.staff_mode]} — 2=wissel *=terug"
        if self.page is Page.LINK:
            pending = self.links.pending(now)
            if pending is None:
                return "Geen koppeling — *=terug"
            return f"Kaart voor {pending.request.child} — scan nu ({math.ceil(pending.remaining(now))} s)"
        if self.page is Page.CAMERA and self._camera_check is not None:
            return self._camera_check.text()
        if self.page is Page.PRESENT:
            return self._present_text()
        return "1 status 2 modus — 3 kaart  * uit"

    def _present_text(self) -> str:
        """ "Aanwezig 3: Jules, Lotte, Noah (+1 kaart)": the names on the roster, the rest counted."""
        today = self.desk.clock.now().astimezone(LOCAL_ZONE).date()
        codes = self.desk.presence.present_codes(today)
        names = sorted(name for name in map(self.desk.roster.name, codes) if name)
        others = len(codes) - len(names)
        shown = names + ([f"+{others} {'kaart' if others == 1 else 'kaarten'}"] if others else [])
        text = f"Aanwezig {len(codes)}: {', '.join(shown) if shown else 'niemand'}"
        return text + " — *=terug"

    # -- time --------------------------------------------------------------------------------

    def _expire(self, now: float) -> None:
        idle = now - self._last_key
        idle_limit = {State.MENU: MENU_IDLE_S, State.PIN: PIN_IDLE_S}.get(self.state)
        if idle_limit is not None and idle > idle_limit:
            self.state, self.typed, self.page = State.DOOR, "", Page.HOME
        elif self.state is State.DOOR and self.typed and idle > CODE_IDLE_S:
            self.typed = ""
        self.desk.refresh_mode()

    def _refresh(self, now: float) -> None:
        text = self.prompt_text(now)
        if text != self._shown:
            self._shown = text
            self.feedback.prompt(text)
