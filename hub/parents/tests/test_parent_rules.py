"""The parents' pure rules: typed times, a proposal's checks, the sentence for today's state."""

from __future__ import annotations

from datetime import time

from hub.parents.rules import parse_hhmm, proposal_problem, today_state


def test_a_parent_types_a_time_in_24_hours_as_people_do() -> None:
    assert parse_hhmm("8:05") == time(8, 5)
    assert parse_hhmm("08.05") == time(8, 5)
    assert parse_hhmm("17u30") == time(17, 30)
    assert parse_hhmm(" 23:59 ") == time(23, 59)
    for wrong in ("24:00", "8", "8:5", "acht uur", "12:60", ""):
        assert parse_hhmm(wrong) is None


def test_a_proposal_needs_both_times_in_order_and_a_short_comment() -> None:
    proposal, problem = proposal_problem("08:10", "16:45", "  kwam vroeger  ")
    assert problem is None and proposal.arrival == time(8, 10) and proposal.comment == "kwam vroeger"
    assert "uu:mm" in proposal_problem("8u", "16:45", "")[1]
    assert "aankomst en" in proposal_problem("", "16:45", "")[1]
    assert "na het uur van aankomst" in proposal_problem("16:45", "08:10", "")[1]
    assert "te lang" in proposal_problem("08:10", "16:45", "x" * 1001)[1]


def test_today_reads_not_arrived_arrived_and_left_in_dutch() -> None:
    assert today_state(None, None, "").text == "Nog niet aangekomen"
    arrived = today_state("08:12", None, "De Zonnebloem")
    assert (arrived.key, arrived.text) == ("present", "Aangekomen om 08:12 in De Zonnebloem")
    left = today_state("08:12", "17:05", "De Zonnebloem")
    assert left.key == "left" and left.text.startswith("Vertrokken om 17:05")


def test_today_says_who_collected_when_staff_filled_it_in() -> None:
    left = today_state("08:12", "17:05", "De Zonnebloem", "Oma Rita")
    assert left.text == "Opgehaald om 17:05 door Oma Rita (aangekomen om 08:12 in De Zonnebloem)"
