"""What the parent sees and hears: LED and buzzer patterns on gpiozero mock pins, the 16x2 LCD
(through a fake I2C bus that decodes what an HD44780 would show), and the console."""

from __future__ import annotations

import io

import pytest

from device.config import FeedbackConfig
from device.feedback import ConsoleFeedback, NoLights, Panel, Signal, open_feedback
from device.feedback.gpio import GpioLights
from device.feedback.lcd import CharacterLcd
from device.feedback.text import layout, transliterate
from tests.support.lcd import FakeLcdBus
from tests.support.waiting import wait_for

GREEN, RED, BUZZER = 17, 27, 22


def played(mock_factory, signal: Signal) -> tuple[tuple[bool, ...], tuple[bool, ...], tuple[bool, ...]]:
    """The states the green, red and buzzer pins went through for one signal."""
    lights = GpioLights(GREEN, RED, BUZZER, speed=20)
    pins = [mock_factory.pin(n) for n in (GREEN, RED, BUZZER)]
    for pin in pins:
        pin.clear_states()
    lights.play(signal)
    lights.wait()
    states = tuple(tuple(s.state for s in pin.states) for pin in pins)
    lights.close()
    return states


def test_ok_is_green_with_one_beep_and_refused_is_red_with_a_long_beep(mock_factory) -> None:
    assert played(mock_factory, Signal.OK) == ((False, True, False), (False,), (False, True, False))
    assert played(mock_factory, Signal.REFUSED) == ((False,), (False, True, False), (False, True, False))


def test_saved_offline_is_green_with_two_beeps_and_already_registered_blinks_green(mock_factory) -> None:
    green, red, buzzer = played(mock_factory, Signal.SAVED_OFFLINE)
    assert (green, red, buzzer) == ((False, True, False), (False,), (False, True, False, True, False))
    green, red, buzzer = played(mock_factory, Signal.ALREADY)
    assert green == (False, True, False, True, False, True, False) and red == (False,)


def test_unknown_card_lights_both_and_a_warning_blinks_red_with_three_beeps(mock_factory) -> None:
    green, red, _buzzer = played(mock_factory, Signal.UNKNOWN)
    assert green == red == (False, True, False)
    green, red, buzzer = played(mock_factory, Signal.WARNING)
    assert green == (False,) and red.count(True) == 3 and buzzer.count(True) == 3


def test_every_signal_has_its_own_pattern_and_all_end_dark_and_silent(mock_factory) -> None:
    patterns = {signal: played(mock_factory, signal) for signal in Signal}
    assert len(set(patterns.values())) == len(Signal)
    for pins in patterns.values():
        assert all(states[-1] is False for states in pins)


def test_a_new_signal_cuts_the_previous_pattern_short(mock_factory) -> None:
    lights = GpioLights(GREEN, RED, BUZZER, speed=0.5)  # slow: the first pattern is still playing
    red = mock_factory.pin(RED)
    lights.play(Signal.OK)
    lights.play(Signal.REFUSED)
    wait_for(lambda: red.state, what="the red LED")
    assert lights.green.value == 0
    lights.close()


def test_the_lcd_shows_name_and_time_on_two_lines() -> None:
    bus = FakeLcdBus()
    lcd = CharacterLcd(bus)
    assert bus.four_bit and bus.backlight
    lcd.show("Welkom Jules — 08:12")
    assert bus.lines == ["Welkom Jules    ", "08:12           "]
    lcd.show("Welkom in de opvang")
    assert bus.lines == ["Welkom in de    ", "opvang          "]


def test_the_lcd_gets_only_characters_it_has_and_only_when_the_text_changes() -> None:
    bus = FakeLcdBus()
    lcd = CharacterLcd(bus)
    lcd.show("Kaart gelezen — voor Zoë–Chloé")
    assert bus.lines == ["Kaart gelezen   ", "voor Zoe-Chloe  "]
    writes = bus.writes
    lcd.show("Kaart gelezen — voor Zoë–Chloé")
    assert bus.writes == writes


def test_long_messages_wrap_and_are_cut_to_the_grid() -> None:
    assert layout("Onbekende kaart — verwittig opvang") == ["Onbekende kaart ", "verwittig opvang"]
    assert layout("Al geregistreerd om 08:12") == ["Al geregistreerd", "om 08:12        "]
    assert layout("Opslag bijna vol — 1234 wachten op de hub") == ["Opslag bijna vol", "1234 wachten op "]
    assert transliterate("a—b “c” … 5 €") == 'a-b "c" ... 5 EUR'
    assert transliterate("日本") == "??"


def test_the_display_returns_to_the_mode_text_after_a_message() -> None:
    bus = FakeLcdBus()
    panel = Panel(CharacterLcd(bus), lights=NoLights(), message_s=0.05)
    panel.show_mode("Tot de volgende keer")
    assert bus.lines == ["Tot de volgende ", "keer            "]
    panel.signal(Signal.OK, "Tot ziens Jules — 17:31")
    assert bus.lines[0].startswith("Tot ziens Jules")
    wait_for(lambda: bus.lines[0].startswith("Tot de volgende"), what="the mode text to come back")
    panel.prompt("Code: 123 — #=ok *=wissen")
    assert bus.lines == ["Code: 123       ", "#=ok *=wissen   "]
    panel.close()
    assert bus.lines == ["Scanner uit     ", "verwittig opvang"], "a stopped unit does not look alive"


def test_on_a_machine_without_lcd_or_gpio_the_feedback_is_the_console() -> None:
    assert isinstance(open_feedback(FeedbackConfig()), ConsoleFeedback)


def test_with_gpio_pins_the_lights_drive_them_and_the_console_is_the_display(mock_factory) -> None:
    feedback = open_feedback(FeedbackConfig(display="console"))
    assert isinstance(feedback, Panel)
    assert feedback.lights.name == "gpio" and feedback.display.name == "console"
    feedback.close()


def test_asking_for_an_lcd_that_is_not_there_fails_loudly() -> None:
    with pytest.raises(Exception, match=r"i2c|smbus|No such file"):
        open_feedback(FeedbackConfig(display="lcd", lcd_bus=99))


def test_the_console_prints_one_line_per_signal_and_each_new_prompt() -> None:
    out = io.StringIO()
    console = ConsoleFeedback(out)
    console.show_mode("Welkom in de opvang")
    console.signal(Signal.SAVED_OFFLINE, "Welkom Jules — 08:12")
    console.prompt("Code: 12 — #=ok *=wissen")
    console.prompt("Code: 12 — #=ok *=wissen")
    console.prompt(None)
    assert out.getvalue().splitlines() == [
        "[mode] Welkom in de opvang",
        "[saved_offline] Welkom Jules — 08:12",
        "[scherm] Code: 12 — #=ok *=wissen",
    ]
