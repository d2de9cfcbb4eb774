"""The portal's plain rules: which PINs and passwords are accepted, how dates are typed."""

from __future__ import annotations

from datetime import date

import pytest

from hub.accounts.passwords import hash_secret, password_problem, verify_secret
from hub.children.service import ContactInput, age_text, parse_birth_date, validate_child
from hub.locations.pin_rules import pin_problem


@pytest.mark.parametrize(
    "pin",
    [
        "0000",
        "1111",
        "999999",
        "1234",
        "4321",
        "0123",
        "3456",
        "123456",
        "987654",
        "1212",
        "454545",
        "123123",
    ],
)
def test_trivial_pins_from_the_aaron_tips_and_their_kind_are_refused(pin: str) -> None:
    assert pin_problem(pin) is not None


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", "", "１２３４"])
def test_a_pin_is_4_to_6_plain_digits(pin: str) -> None:
    assert pin_problem(pin) == "Een pincode bestaat uit 4 tot 6 cijfers."


def test_years_and_birthdays_are_refused_as_pins() -> None:
    assert pin_problem("2019") == "Kies geen jaartal, zoals een geboortejaar."
    assert pin_problem("1987") is not None
    assert pin_problem("140324") == "Kies geen datum, zoals een verjaardag."
    assert pin_problem("310299") is None  # 31 February is no birthday


def test_a_pin_may_not_be_part_of_the_dossier_number_shown_at_login() -> None:
    assert pin_problem("3123", dossier_number="903123456") == "Kies geen deel van het dossiernummer."
    assert pin_problem("3123", dossier_number="") is None


@pytest.mark.parametrize("pin", ["4826", "7391", "50813", "918273", "83017"])
def test_ordinary_pins_are_accepted(pin: str) -> None:
    assert pin_problem(pin) is None


def test_commonly_guessed_codes_are_refused() -> None:
    assert pin_problem("2580") is not None


def test_a_password_is_typed_twice_alike_and_is_long_enough() -> None:
    assert "niet gelijk" in password_problem("een-lang-wachtwoord", "een-lang-wachtwoorD")
    assert "minstens 10" in password_problem("kort-1", "kort-1")
    assert "eenvoudig" in password_problem("aaaaaaaaaaaa", "aaaaaaaaaaaa")
    assert password_problem("zonnebloem-2026", "zonnebloem-2026") is None


def test_secrets_are_argon2id_hashes_that_never_match_a_missing_hash() -> None:
    hashed = hash_secret("4826")
    assert hashed.startswith("$argon2id$")
    assert verify_secret(hashed, "4826") and not verify_secret(hashed, "4827")
    assert not verify_secret(None, "4826") and not verify_secret("not a hash", "4826")


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
