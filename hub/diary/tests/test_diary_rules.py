"""A diary entry is checked before it is kept, and read back in one Dutch line."""

from __future__ import annotations

import pytest

from hub.core.actors import Refused
from hub.diary.rules import check_entry, describe, summary_texts


def test_a_sleep_has_a_start_and_may_get_its_end_later() -> None:
    assert check_entry("sleep", "12:30", "", "", "").until is None
    entry = check_entry("sleep", "9:05", "10:40", "", "")
    assert (entry.at, entry.until) == ("09:05", "10:40")
    assert describe("sleep", "12:30", "14:05", "", "") == "12:30–14:05"
    assert describe("sleep", "12:30", None, "", "") == "vanaf 12:30 (slaapt nog)"


@pytest.mark.parametrize(
    ("kind", "at", "until", "choice", "text", "words"),
    [
        ("sleep", "14:00", "13:00", "", "", "eindigt na het begin"),
        ("meal", "12:00", "", "buffet", "", "Kies wat past"),
        ("nappy", "25:00", "", "nat", "", "geef een uur"),
        ("note", "10:00", "", "", "  ", "zonder tekst"),
        ("bath", "10:00", "", "", "", "Onbekend"),
        ("note", "10:00", "", "", "x" * 501, "Hoogstens 500"),
    ],
)
def test_an_entry_that_makes_no_sense_is_refused_in_dutch(kind, at, until, choice, text, words) -> None:
    with pytest.raises(Refused, match=words):
        check_entry(kind, at, until, choice, text)


def test_a_meal_reads_as_how_much_and_what() -> None:
    entry = check_entry("meal", "11:45", "", "alles", " pasta ")
    assert describe(entry.kind, entry.at, entry.until, entry.choice, entry.text) == "alles op: pasta"


def test_the_daily_summary_tells_each_entry_in_the_mail_and_only_the_kinds_in_the_push() -> None:
    assert summary_texts([]) is None
    mail, push = summary_texts([("nappy", "10:00", None, "nat", ""), ("sleep", "12:30", None, "", "")])
    assert mail == "Dagboek:\n- 10:00 Luier: nat\n- 12:30 Slaapje: vanaf 12:30 (slaapt nog)"
    assert push == "Dagboek: slaapje en luier."
    assert summary_texts([("mood", "09:00", None, "blij", "")])[1] == "Dagboek: stemming."
