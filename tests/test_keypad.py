"""The keypad at the door: key presses on a GPIO matrix keypad (gpiozero mock pins) through the real
matrix scan into digit codes, mode keys, the staff PIN and menu."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher

from device.checkin import CheckInDesk, Roster
from device.config import KeypadConfig
from device.feedback import Signal
from device.feedback.fake import RecordingFeedback
from device.keyentry import KeyEntry
from device.keypad import KEYPADS, NoKeypad, open_keypad
from device.keypad.fake import MatrixBoard
from device.keypad.matrix import MatrixKeypad
from device.linking import LinkRequests
from device.outbox import Outbox
from tests.support.clock import FakeClock
from tests.support.roster import hub_config
from wire import Direction, LinkCard, Source, cardcode, staffcode
from wire.ids import new_event_id

BRUSSELS = ZoneInfo("Europe/Brussels")
ROWS, COLUMNS = (5, 6, 13, 19), (12, 16, 20, 21)
JULES = cardcode.new_code()
STAFF_PIN = "4826"
PIN_HASH = PasswordHasher().hash(STAFF_PIN)


class Door:
    """A unit's door side with a real matrix keypad on mock pins; everything but the pins is real."""

    def __init__(self, tmp_path: Path, mock_factory, drive: str = "rows") -> None:
        self.outbox = Outbox(tmp_path / "outbox.sqlite3")
        self.roster = Roster(self.outbox)
        self.roster.update(hub_config({JULES: "Jules"}, pin_hash=PIN_HASH))
        self.feedback = RecordingFeedback()
        self.clock = FakeClock(datetime(2026, 11, 23, 8, 12, tzinfo=BRUSSELS))
        self.desk = CheckInDesk(
            "u1", "l1", self.outbox, self.roster, self.feedback, self.clock, is_online=lambda: True
        )
        self.links = LinkRequests()
        self.entry = self.make_entry()
        self.board = MatrixBoard(mock_factory, ROWS, COLUMNS, drive=drive)
        self.keypad = MatrixKeypad(ROWS, COLUMNS, drive=drive, scan_hz=500)
        self.seen: list[str] = []
        self.keypad.start(self._key)

    def make_entry(self) -> KeyEntry:
        return KeyEntry(
            self.desk,
            self.feedback,
            present=self.desk.register,
            links=self.links,
            pin_hash=lambda: self.roster.pin_hash,
            backlog_and_connection=lambda: (len(self.outbox), False),
            state_store=self.outbox,
        )

    def _key(self, key: str) -> None:
        self.entry.press(key)
        self.seen.append(key)

    def type(self, keys: str) -> None:
        self.board.type(self.keypad, keys, self.seen)

    @property
    def last_signal(self) -> tuple[Signal, str]:
        return self.feedback.signals[-1]

    def close(self) -> None:
        self.keypad.close()
        self.outbox.close()


@pytest.fixture
def door(tmp_path: Path, mock_factory):
    door = Door(tmp_path, mock_factory)
    yield door
    door.close()


def wrong_check_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def test_parent_types_the_card_digits_and_confirms_with_hash(door: Door) -> None:
    door.type(JULES[:4])
    assert door.feedback.prompt_text == f"Code: {JULES[:4]} — #=ok *=wissen"
    door.type(JULES[4:] + "#")
    assert door.seen == list(JULES + "#"), "the real matrix scan saw every key once"
    assert door.last_signal == (Signal.OK, "Welkom Jules — 08:12")
    (pending,) = door.outbox.pending()
    assert f'"source":"{Source.KEYPAD}"' in pending.payload.decode()
    assert door.feedback.prompt_text is None, "back to the mode text"


def test_star_clears_what_was_typed(door: Door) -> None:
    door.type("123*")
    assert door.feedback.prompt_text is None
    door.type(JULES + "#")
    assert door.last_signal[0] is Signal.OK


def test_a_wrong_check_digit_is_refused_on_the_spot_and_nothing_is_stored(door: Door) -> None:
    door.type(wrong_check_digit(JULES) + "#")
    assert door.last_signal == (Signal.REFUSED, "Ongeldige code — controleer de cijfers")
    assert len(door.outbox) == 0
    door.type("12345#")
    assert door.last_signal[0] is Signal.REFUSED, "too short is refused too"


def test_repeated_wrong_codes_lock_the_keypad_for_growing_times_shown_on_the_display(door: Door) -> None:
    typo = wrong_check_digit(JULES)
    for _ in range(3):
        door.type(typo + "#")
    assert door.feedback.prompt_text is None, "three typos cost nothing"
    door.type(typo + "#")
    assert door.last_signal == (Signal.REFUSED, "Ongeldige code — wacht 10 s")
    assert door.feedback.prompt_text == "Even wachten — nog 10 s"

    door.type(JULES + "#")
    assert len(door.outbox) == 0, "keys are ignored while the keypad is locked"
    door.clock.advance(4)
    door.entry.tick()
    assert door.feedback.prompt_text == "Even wachten — nog 6 s"

    door.clock.advance(6)
    door.type(typo + "#")
    assert door.last_signal == (Signal.REFUSED, "Ongeldige code — wacht 20 s"), "the lock-out doubles"
    door.clock.advance(20)
    door.type(JULES + "#")
    assert door.last_signal[0] is Signal.OK
    door.type(typo + "#")
    assert door.last_signal[1] == "Ongeldige code — controleer de cijfers", "a good code resets the count"


def test_mode_keys_switch_between_arrival_and_departure_and_lapse_to_the_default(door: Door) -> None:
    door.entry.tick()
    assert door.feedback.mode_text == "Welkom in de opvang"
    door.type("B")
    assert door.feedback.mode_text == "Tot de volgende keer"
    door.type(JULES + "#")
    assert door.last_signal == (Signal.OK, "Tot ziens Jules — 08:12")
    (pending,) = door.outbox.pending()
    assert f'"direction":"{Direction.DEPARTURE}"' in pending.payload.decode()

    door.clock.advance(31)
    door.entry.tick()
    assert door.feedback.mode_text == "Welkom in de opvang", "the morning default returns"
    door.type("BA")
    assert door.desk.mode is Direction.ARRIVAL


def test_staff_pin_opens_the_menu_with_backlog_connection_and_mode_toggle(door: Door) -> None:
    door.type(JULES + "#")
    door.type("D")
    assert door.feedback.prompt_text == "PIN: — #=ok *=terug"
    door.type(STAFF_PIN)
    assert door.feedback.prompt_text == "PIN: **** — #=ok *=terug", "the PIN is never shown"
    door.type("#")
    assert door.feedback.prompt_text == "1 status 2 modus — 3 kaart  * uit"
    door.type("1")
    assert door.feedback.prompt_text == "Wachtrij: 1 — geen verbinding"
    door.type("2")
    assert door.feedback.prompt_text == "Modus: auto — 2=wissel *=terug"
    door.type("2")
    assert door.feedback.prompt_text == "Modus: aankomst — 2=wissel *=terug"
    door.type("2")
    assert door.feedback.prompt_text == "Modus: vertrek — 2=wissel *=terug"
    assert door.feedback.mode_text == "Tot de volgende keer"
    door.clock.advance(3600)  # staff's choice holds (an hour later, the menu itself has closed)
    door.entry.tick()
    assert door.desk.mode is Direction.DEPARTURE
    assert door.feedback.prompt_text is None


def test_wrong_pins_are_counted_and_lock_the_pin_even_after_a_restart(door: Door) -> None:
    for _ in range(3):
        door.type("D1111#")
        assert door.last_signal == (Signal.REFUSED, "Foute PIN")
        door.type("*")
    door.type("D1111#")
    assert door.last_signal == (Signal.REFUSED, "Foute PIN — wacht 30 s")
    door.type(STAFF_PIN + "#")
    assert door.feedback.prompt_text == "PIN geblokkeerd — nog 30 s", "the right PIN waits too"

    door.clock.advance(20)
    door.entry = door.make_entry()  # the unit restarts: the count comes back from disk
    door.type("D")
    assert door.feedback.prompt_text == "PIN geblokkeerd — nog 30 s", "a restart starts the lock-out again"
    door.clock.advance(30)
    door.type(STAFF_PIN + "#")
    assert door.feedback.prompt_text == "1 status 2 modus — 3 kaart  * uit"


def test_a_unit_without_a_pin_from_the_hub_opens_no_menu(door: Door) -> None:
    door.roster.pin_hash = None
    door.type("D1234#")
    assert door.last_signal == (Signal.REFUSED, "Geen scannercode ingesteld — stel ze in op de hub")
    assert door.feedback.prompt_text is None


def test_a_link_request_shows_at_the_door_and_in_the_staff_menu(door: Door) -> None:
    request = LinkCard(request=new_event_id(), child="Mila", valid_s=30)
    door.links.offer(request, door.clock.monotonic())
    door.entry.tick()
    assert door.feedback.prompt_text == "Kaart voor Mila: scan nu"
    door.type("D" + STAFF_PIN + "#3")
    assert door.feedback.prompt_text == "Kaart voor Mila — scan nu (30 s)"
    door.clock.advance(31)
    door.entry.tick()
    assert door.feedback.prompt_text == "Geen koppeling — *=terug"


def test_a_keypad_wired_the_other_way_round_reads_the_same_keys(tmp_path: Path, mock_factory) -> None:
    door = Door(tmp_path, mock_factory, drive="columns")
    try:
        door.type("147*2580#369ABCD")
        assert door.seen == list("147*2580#369ABCD")
    finally:
        door.close()


def test_auto_looks_for_a_usb_keypad_then_the_gpio_matrix_then_goes_without(mock_factory) -> None:
    assert KEYPADS.order == ["usb", "matrix", "none"]
    keypad = open_keypad(KeypadConfig())  # no USB keypad on this machine; gpiozero's mock pins
    assert keypad.name == "matrix"
    keypad.close()


def test_without_gpio_or_usb_keypad_the_unit_runs_without_keys() -> None:
    assert open_keypad(KeypadConfig()).name == "none"
    with pytest.raises(NoKeypad, match="matrix"):
        open_keypad(KeypadConfig(source="matrix"))


def test_a_unit_with_a_staff_key_opens_the_menu_with_the_keyed_code_only(tmp_path: Path, mock_factory):
    key = staffcode.parse_key(staffcode.new_key())
    door = Door(tmp_path, mock_factory)
    keyed_hash = PasswordHasher().hash(staffcode.keyed(key, STAFF_PIN))
    door.roster.update(hub_config({JULES: "Jules"}, staff_code_hash=keyed_hash))
    door.entry = KeyEntry(
        door.desk,
        door.feedback,
        present=door.desk.register,
        links=door.links,
        pin_hash=lambda: door.roster.pin_hash,
        backlog_and_connection=lambda: (0, False),
        staff_code_hash=lambda: door.roster.staff_code_hash,
        staff_key=key,
    )
    try:
        door.type("D" + STAFF_PIN + "#")
        assert door.feedback.prompt_text == "1 status 2 modus — 3 kaart  * uit"
        door.type("*")
        door.entry._staff_key = staffcode.parse_key(staffcode.new_key())  # another unit's key: no menu
        door.type("D" + STAFF_PIN + "#")
        assert door.last_signal == (Signal.REFUSED, "Foute PIN")
    finally:
        door.close()


def test_a_unit_of_the_previous_version_checks_the_unkeyed_scanner_code_hash(door: Door) -> None:
    """A unit without a staff key (enrolled before keys) gets ``pin_hash`` of the scanner code."""
    door.type("D" + STAFF_PIN + "#")
    assert door.feedback.prompt_text == "1 status 2 modus — 3 kaart  * uit"
