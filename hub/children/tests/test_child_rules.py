"""How a child's birth date, contacts and age are typed and read."""

from __future__ import annotations

from datetime import date

from hub.children.service import ContactInput, age_text, parse_birth_date, validate_child


def test_birth_dates_are_typed_dd_mm_yyyy() -> None:
    assert parse_birth_date("14/03/2024") == date(2024, 3, 14)
    assert parse_birth_date("4-3-2024") == date(2024, 3, 4)
    assert parse_birth_date("2024-03-14") is None
    assert parse_birth_date("31/02/2024") is None


def test_a_new_child_needs_name_birth_date_and_sex_and_at_most_five_contacts() -> None:
    today = date(2026, 3, 10)
    child, errors = validate_child("", "Peeters", "14/03/2027", "", False, [], today)
    assert child is None
    assert set(errors) == {"first_name", "birth_date", "sex"}
    contacts = [ContactInput(f"Ouder {i}", f"ouder{i}@example.org") for i in range(6)]
    child, errors = validate_child("Jules", "Peeters", "14/03/2024", "m", False, contacts, today)
    assert errors == {"contacts": "Een kind heeft maximum 5 contactpersonen."}
    child, errors = validate_child(
        " Jules ",
        "Peeters",
        "14/03/2024",
        "m",
        True,
        [ContactInput("An", "an@example"), ContactInput("")],
        today,
    )
    assert errors == {"contacts": "Contactpersoon 1: ‘an@example’ is geen geldig e-mailadres."}
    child, errors = validate_child(
        "Jules", "Peeters", "14/03/2024", "m", True, [ContactInput("An Peeters")], today
    )
    assert errors == {} and child.first_name == "Jules" and child.no_subsidy and len(child.contacts) == 1


def test_ages_read_as_people_say_them() -> None:
    assert age_text(date(2024, 3, 14), date(2026, 3, 10)) == "1 jaar en 11 maanden"
    assert age_text(date(2025, 12, 1), date(2026, 1, 5)) == "1 maand"
    assert age_text(date(2024, 3, 14), date(2026, 3, 14)) == "2 jaar"
