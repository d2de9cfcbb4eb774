"""Which PINs a location may choose."""

from __future__ import annotations

import pytest

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


def test_a_dossier_number_typed_with_dots_or_spaces_still_refuses_its_digits() -> None:
    assert pin_problem("9123", dossier_number="912.345.678") == "Kies geen deel van het dossiernummer."
    assert pin_problem("912345", dossier_number="912 345 678") is not None
    assert pin_problem("4826", dossier_number="912.345.678") is None


@pytest.mark.parametrize(
    "pin",
    [
        "2580",
        "0852",
        "1470",
        "0741",
        "3690",
        "7410",
        "9630",
        "8520",
        "147258",
        "258369",
        "321654",
        "456123",
        "789456",
        "159357",
        "753951",
        "741852",
        "369147",
    ],
)
def test_keypad_lines_and_columns_on_phone_and_calculator_keypads_are_refused(pin: str) -> None:
    assert pin_problem(pin) == (
        "Kies geen rij, kolom of schuine lijn van het toetsenbord, zoals 2580 of 147258."
    )


@pytest.mark.parametrize("pin", ["1479", "25813", "147925", "3691", "7413"])
def test_a_pin_that_only_starts_along_a_keypad_line_is_accepted(pin: str) -> None:
    assert pin_problem(pin) is None
