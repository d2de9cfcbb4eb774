"""Card codes: random, with a check digit that catches the typing mistakes people make."""

from __future__ import annotations

import itertools
import random

from wire import cardcode


def test_new_codes_are_valid_and_not_sequential() -> None:
    codes = [cardcode.new_code() for _ in range(2000)]
    assert all(cardcode.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)
    # one card says nothing about the next: consecutive codes are never neighbours
    assert all(abs(int(a[:-1]) - int(b[:-1])) > 1 for a, b in itertools.pairwise(codes))


def test_every_single_wrong_digit_is_refused() -> None:
    rng = random.Random(7)
    for _ in range(300):
        code = cardcode.new_code()
        position = rng.randrange(len(code))
        for digit in "0123456789":
            if digit != code[position]:
                typo = code[:position] + digit + code[position + 1 :]
                assert not cardcode.is_valid(typo), (code, typo)


def test_every_swap_of_two_neighbouring_digits_is_refused() -> None:
    for _ in range(300):
        code = cardcode.new_code()
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                assert not cardcode.is_valid(swapped), (code, swapped)


def test_codes_of_the_wrong_length_or_with_letters_are_refused() -> None:
    code = cardcode.new_code()
    assert not cardcode.is_valid(code[:-1])
    assert not cardcode.is_valid(code + "0")
    assert not cardcode.is_valid("12345abcd0")
    assert not cardcode.is_valid("١٢٣٤٥٦٧٨٩٠")  # Arabic-Indic digits are digits to Python, not to us


def test_printed_codes_can_be_typed_with_spaces() -> None:
    code = cardcode.new_code()
    assert cardcode.normalise(cardcode.pretty(code)) == code
    assert len(cardcode.pretty(code).split()) == 3
