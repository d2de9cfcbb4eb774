"""Printable QR cards: credit-card size (85.6 x 54 mm), the QR with its digits on the front, a line
for the child's name on the back.

Two layouts:

- ``a4``: ten cards per A4 sheet (2 x 5, the layout of perforated business-card paper), fronts
  on one page and backs on the next, mirrored so that double-sided printing (flip on the long
  edge) puts each back behind its own front; thin grey lines show where to cut.
- ``card``: one card face per page of 85.6 x 54 mm, front then back, for a card printer.

The QR is drawn as vector squares (sharp at any printer resolution) with error correction H, so a
scratched or bent card still scans; it holds the card code and nothing else.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from fpdf import FPDF

from wire import cardcode

CARD_W, CARD_H = 85.6, 54.0
A4_W, A4_H = 210.0, 297.0
COLUMNS, ROWS = 2, 5
MODULE_MM = 1.3  # a 21-module QR of 27.3 mm: large enough for a door camera at arm's length
QUIET_MODULES = 4

TITLE = "Aanwezigheidskaart"
FRONT_HINT = "Houd de QR-code voor de scanner bij aankomst en vertrek. Geen camera? Tik de cijfers in."
BACK_LABEL = "Schrijf hier de naam van je kind"
LAYOUTS = ("a4", "card")


@dataclass(frozen=True)
class _Origin:
    x: float
    y: float


def card_sheet_pdf(codes: Sequence[str], organisator: str, layout: str = "a4") -> bytes:
    """The PDF of one card per code, for ``organisator`` (its name is printed on each card)."""
    for code in codes:
        if not cardcode.is_valid(code):
            raise ValueError(f"not a valid card code: {code!r}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    name = _printable(organisator)
    pdf = FPDF(unit="mm", format="A4" if layout == "a4" else (CARD_W, CARD_H))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(f"{TITLE}en - {name}")
    pdf.set_creator("aanwezig-provision")
    pdf.set_lang("nl-BE")
    if layout == "card":
        for code in codes:
            pdf.add_page()
            _front(pdf, _Origin(0, 0), code, name)
            pdf.add_page()
            _back(pdf, _Origin(0, 0), name)
    else:
        per_sheet = COLUMNS * ROWS
        for start in range(0, len(codes), per_sheet):
            sheet = codes[start : start + per_sheet]
            pdf.add_page()
            for i, code in enumerate(sheet):
                origin = _slot(i % COLUMNS, i // COLUMNS)
                _cut_marks(pdf, origin)
                _front(pdf, origin, code, name)
            pdf.add_page()
            for i in range(len(sheet)):
                origin = _slot(COLUMNS - 1 - i % COLUMNS, i // COLUMNS)  # mirrored for the flip
                _cut_marks(pdf, origin)
                _back(pdf, origin, name)
    return bytes(pdf.output())


def _slot(column: int, row: int) -> _Origin:
    left = (A4_W - COLUMNS * CARD_W) / 2
    top = (A4_H - ROWS * CARD_H) / 2
    return _Origin(left + column * CARD_W, top + row * CARD_H)


def _front(pdf: FPDF, o: _Origin, code: str, organisator: str) -> None:
    qr = segno.make_qr(code, error="h", boost_error=False)
    matrix = [list(row) for row in qr.matrix]
    side = len(matrix) * MODULE_MM
    qr_x, qr_y = o.x + 6.0, o.y + 5.5
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):  # one rectangle per run of dark modules
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(
                    qr_x + start * MODULE_MM, qr_y + r * MODULE_MM, (c - start) * MODULE_MM, MODULE_MM, "F"
                )
            else:
                c += 1
    # The digits under the QR, outside its quiet zone, for typing at the keypad.
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("helvetica", "B", 14)
    digits = cardcode.pretty(code)
    baseline = qr_y + side + QUIET_MODULES * MODULE_MM + 4.5
    pdf.text(qr_x + (side - pdf.get_string_width(digits)) / 2, baseline, digits)
    # The right-hand column: whose card it is and how to use it.
    text_x = qr_x + side + QUIET_MODULES * MODULE_MM + 1
    width = o.x + CARD_W - 4 - text_x
    pdf.set_xy(text_x, o.y + 6)
    pdf.set_font("helvetica", "B", 10)
    pdf.multi_cell(width, 4.5, TITLE, align="L")
    pdf.set_x(text_x)
    pdf.set_font("helvetica", "", 7.5)
    pdf.multi_cell(width, 3.4, organisator, align="L")
    pdf.set_xy(text_x, o.y + 29)
    pdf.set_font("helvetica", "", 6.5)
    pdf.set_text_color(70, 70, 70)
    pdf.multi_cell(width, 3.0, FRONT_HINT, align="L")


def _back(pdf: FPDF, o: _Origin, organisator: str) -> None:
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("helvetica", "", 9)
    pdf.text(o.x + 8, o.y + 20, BACK_LABEL)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.line(o.x + 8, o.y + 31, o.x + CARD_W - 8, o.y + 31)
    pdf.set_font("helvetica", "", 6.5)
    pdf.set_text_color(70, 70, 70)
    pdf.set_xy(o.x + 8, o.y + CARD_H - 12)
    pdf.multi_cell(CARD_W - 16, 3.0, f"Gevonden? Bezorg deze kaart aan {organisator}.", align="L")


def _cut_marks(pdf: FPDF, o: _Origin) -> None:
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.1)
    pdf.rect(o.x, o.y, CARD_W, CARD_H)


def _printable(text: str) -> str:
    """The text in the PDF core fonts' character set (Latin-1): accents kept, others simplified."""
    out = []
    for ch in " ".join(text.split()):
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(plain or "?")
    return "".join(out)
