"""The decoder's own pieces for hard frames: Reed–Solomon with erasures, the grid read of a card's
QR (glare as erasures), and the motion fallback; on real cards from segno and on frames of the
hard scan set's camera model. No timing: the stack gets a budget it never reaches here."""

from __future__ import annotations

import random

import numpy as np
import pytest
import segno

from bench.scanset import TEST_SEED, _code, make_frame, misprinted
from device import deblur, qrgrid
from device.decoder import MIN_SMEAR, PyzbarDecoder, ZxingDecoder, ZxingFullFrameDecoder
from wire import cardcode


def matrix(text: str) -> np.ndarray:
    """The card's QR as printed (segno, error correction H), dark modules True."""
    qr = segno.make_qr(text, error="h", boost_error=False)
    return np.array([list(row) for row in qr.matrix], dtype=bool)


def some_code(rng) -> str:
    """A valid card code drawn from ``rng`` (seeded: the same codes every run)."""
    body = "".join(
        str(rng.integers(0, 10)) if hasattr(rng, "integers") else str(rng.randrange(10)) for _ in range(9)
    )
    return body + cardcode.check_digit(body)


def codewords(text: str) -> list[int]:
    """The 26 codewords of the card's QR, read straight from its modules."""
    qr = segno.make_qr(text, error="h", boost_error=False)
    bits = (matrix(text) ^ qrgrid.MASKS[qr.mask])[qrgrid._ROWS, qrgrid._COLS]
    return [int(v) for v in bits @ qrgrid._WEIGHTS]


def test_reed_solomon_recovers_a_card_with_sixteen_of_its_26_codewords_erased() -> None:
    rng = random.Random(1)
    for _ in range(20):
        word = codewords(some_code(rng))
        erased = rng.sample(range(qrgrid.TOTAL_CODEWORDS), 16)
        damaged = [rng.randrange(256) if i in erased else c for i, c in enumerate(word)]
        corrected, errors = qrgrid.rs_correct(damaged, qrgrid.CHECK_CODEWORDS, erased, qrgrid.MAX_SPENT)
        assert corrected == word and errors == 0


def test_an_erasure_costs_half_an_error() -> None:
    rng = random.Random(2)
    word = codewords(some_code(rng))
    places = rng.sample(range(qrgrid.TOTAL_CODEWORDS), 12)
    erased, wrong = places[:8], places[8:]  # 8 erasures and 4 errors: 8 + 2 * 4 = 16
    damaged = list(word)
    for i in places:
        damaged[i] ^= rng.randrange(1, 256)
    corrected, errors = qrgrid.rs_correct(damaged, qrgrid.CHECK_CODEWORDS, erased, qrgrid.MAX_SPENT)
    assert corrected == word and errors == len(wrong)
    # eight errors alone are what an ordinary decoder manages at most
    damaged = list(word)
    for i in places[:8]:
        damaged[i] ^= 0x5A
    assert qrgrid.rs_correct(damaged, qrgrid.CHECK_CODEWORDS, (), qrgrid.MAX_SPENT)[0] == word


def test_more_erasures_than_the_margin_allows_are_refused_not_guessed() -> None:
    word = codewords("0839171730")
    with pytest.raises(qrgrid.ReedSolomonError):
        qrgrid.rs_correct(word, qrgrid.CHECK_CODEWORDS, range(17), qrgrid.MAX_SPENT)


def test_a_grid_with_a_blob_of_unseen_modules_reads_as_its_card() -> None:
    rng = random.Random(3)
    for _ in range(20):
        code = some_code(rng)
        dark = matrix(code)
        known = np.ones_like(dark)
        top, left = rng.randrange(0, 15), rng.randrange(0, 15)
        known[top : top + 6, left : left + 6] = False  # glare over 36 of 441 modules, any place
        dark[~known] = rng.random() < 0.5
        assert qrgrid.read_grid(dark, known) == code


def test_the_grid_read_accepts_only_a_cards_data() -> None:
    assert qrgrid.read_grid(matrix("A1B2C3"), np.ones((21, 21), dtype=bool)) is None  # not digits
    assert qrgrid.read_grid(matrix("12345678"), np.ones((21, 21), dtype=bool)) is None  # 8 digits
    assert qrgrid.card_text([0x10, 0x28, 0, 0, 0, 0, 0, 0xEC, 0x11]) == "0000000000"
    assert qrgrid.card_text([0x10, 0x28, 0, 0, 0, 0, 0, 0x11, 0xEC]) is None  # pad codewords swapped


def frame_of(condition: str, index: int) -> tuple[str, np.ndarray]:
    """A frame of the hard set's camera model (its own seeds, apart from the benchmark's)."""
    rng = np.random.default_rng([TEST_SEED, 900, index])
    code = _code(rng)
    return code, make_frame(condition, code, rng)


def unbounded() -> ZxingDecoder:
    return ZxingDecoder(budget_s=600)  # the result may not depend on how busy the machine is


@pytest.mark.parametrize("index", [0, 2])
def test_a_card_under_glare_neither_zxing_nor_zbar_reads_is_read_by_the_grid(index: int) -> None:
    code, frame = frame_of("glare", index)
    assert ZxingFullFrameDecoder().decode(frame) == [] and PyzbarDecoder().decode(frame) == []
    decoder = unbounded()
    assert decoder.decode(frame) == [code]
    assert decoder.counts["read_by_grid"] == 1


def test_a_smeared_card_neither_zxing_nor_zbar_reads_is_read_after_deblurring() -> None:
    code, frame = frame_of("motion", 6)
    assert ZxingFullFrameDecoder().decode(frame) == [] and PyzbarDecoder().decode(frame) == []
    decoder = unbounded()
    assert decoder.decode(frame) == [code]
    assert decoder.counts["read_by_deblurred"] == 1


@pytest.mark.parametrize(("index", "step"), [(0, "grid_twice_sharpened"), (7, "grid_twice_sharpened_more")])
def test_a_far_card_neither_zxing_nor_zbar_reads_is_read_by_the_grid_at_twice_the_size(
    index: int, step: str
) -> None:
    code, frame = frame_of("far", index)  # 1.5-2 pixels per module
    assert ZxingFullFrameDecoder().decode(frame) == [] and PyzbarDecoder().decode(frame) == []
    decoder = unbounded()
    assert decoder.decode(frame) == [code]
    assert decoder.counts[f"read_by_{step}"] == 1


@pytest.mark.parametrize("code", ["0839171730", "4793617849", "1234567897"])
def test_a_grid_placed_most_of_a_module_off_is_polished_onto_its_modules(code: str) -> None:
    """A hill climb, not a proof: it can stop short (one of twelve such trials on other codes)."""
    import cv2

    modules = np.kron(~matrix(code), np.ones((5, 5), dtype=bool)).astype(np.float32) * 190 + 25
    image = cv2.GaussianBlur(
        cv2.copyMakeBorder(modules, 30, 30, 30, 30, cv2.BORDER_CONSTANT, value=215), (0, 0), 1.2
    )
    image = image.astype(np.uint8)
    edge = np.float32([[0, 0], [21, 0], [21, 21], [0, 21]])
    off = edge * 5 + 30
    off[1] += (3.5, 0)  # the top-right and bottom-right corners 0.7 module out
    off[2] += (3.5, 3.5)
    homography = cv2.getPerspectiveTransform(edge, off)
    placed = qrgrid.place(image, homography)
    assert qrgrid.read_placed(placed) is None
    assert qrgrid.read_placed(qrgrid._polished(image, homography, placed)) == code


def test_the_smears_direction_is_found() -> None:
    import cv2

    # fixed codes: the code's own (axis-parallel) modules pull the estimate by up to ~13°
    for code in ("0839171730", "4793617849", "5551234560"):
        card = np.kron(~matrix(code), np.ones((5, 5), dtype=bool)).astype(np.uint8) * 200 + 20
        card = cv2.copyMakeBorder(card, 30, 30, 30, 30, cv2.BORDER_CONSTANT, value=220)
        for angle in (0, 30, 75, 120):
            kernel = np.fft.fftshift(deblur.line_psf(11, angle, (21, 21)))
            smeared = cv2.filter2D(card.astype(np.float32), -1, kernel).astype(np.uint8)
            found, anisotropy = deblur.blur_direction(smeared)
            assert min(abs(found - angle), 180 - abs(found - angle)) < 15, (code, angle, found)
            assert anisotropy > MIN_SMEAR, "a smear this long is deblurred"


def test_a_misprinted_card_under_glare_is_dropped_not_read_as_another_card() -> None:
    import cv2

    code = "5551234560"
    bad = misprinted(code)
    modules = np.kron(~matrix(bad), np.ones((5, 5), dtype=bool)).astype(np.uint8) * 190 + 25
    frame = cv2.copyMakeBorder(modules, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=215)
    cv2.circle(frame, (60 + 52, 60 + 52), 14, 255, -1)  # glare over the middle of the code
    decoder = unbounded()
    assert qrgrid.locate_and_read(frame) == bad
    assert decoder.decode(frame) == []
    assert decoder.counts["check_digit"] == 1


def test_a_grid_of_noise_with_a_codes_finders_is_never_read_as_a_card() -> None:
    rng = np.random.default_rng(4)
    for _ in range(300):
        dark = rng.random((21, 21)) < 0.5
        dark[qrgrid._KNOWN_DARK], dark[qrgrid._KNOWN_LIGHT] = True, False  # placed on finders
        known = np.ones((21, 21), dtype=bool)
        top, left = rng.integers(0, 12, 2)
        height, width = rng.integers(5, 11, 2)
        known[top : top + height, left : left + width] = False
        assert qrgrid.read_grid(dark, known) is None


def test_a_card_damaged_beyond_repair_reads_as_nothing_never_as_another_card() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        code = some_code(rng)
        dark = matrix(code)
        known = np.ones_like(dark)
        top, left = rng.integers(0, 14, 2)
        known[top : top + 8, left : left + 8] = False  # glare
        flips = rng.random((21, 21)) < rng.uniform(0.05, 0.25)  # and wrong modules elsewhere
        dark ^= flips & known
        assert qrgrid.read_grid(dark, known) in (None, code)
