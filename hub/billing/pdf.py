"""Invoices and credit notes as PDF (fpdf2), built in memory: the bytes are stored with the invoice.

Core fonts only (Latin-1): amounts are written "EUR 12,34". Nothing here reads the clock or a file;
the same invoice always gives the same bytes (fixed creation date), so a stored PDF can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from fpdf import FPDF


@dataclass(frozen=True)
class PdfLine:
    text: str
    count: int
    unit: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PdfInvoice:
    kind: str  # "factuur" or "creditnota"
    number: int
    issued: str  # DD/MM/YYYY
    organisator: str
    location: str
    period: str  # "maart 2026"
    child: str
    debtor: str
    lines: tuple[PdfLine, ...]
    total: Decimal
    fiscal: Decimal
    balance: str  # "Saldo respijtdagen: nog 26 van 30"
    note: str = ""  # "Crediteert factuur 12", "Vervangt factuur 12"
    mandate: str = ""  # "Domiciliëring: mandaat M-1 van 01/01/2026, IBAN BE.."


def euro(amount: Decimal) -> str:
    """EUR 1.234,56 (nl-BE)."""
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}EUR {grouped},{cents}"


def _latin(text: str) -> str:
    return text.replace("–", "-").replace("’", "'").encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(invoice: PdfInvoice) -> bytes:
    """The PDF of one invoice or credit note."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2000, 1, 1, tzinfo=UTC))  # same input, same bytes
    pdf.set_title(f"{invoice.kind.capitalize()} {invoice.number}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"{invoice.kind.capitalize()} {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for text in (
        invoice.organisator,
        invoice.location,
        f"Datum: {invoice.issued}",
        f"Periode: {invoice.period}",
        f"Kind: {invoice.child}",
        f"Debiteur: {invoice.debtor}",
        invoice.note,
    ):
        if text:
            pdf.cell(0, 6, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    widths = (100, 18, 32, 32)
    for width, head in zip(widths, ("Omschrijving", "Aantal", "Per stuk", "Bedrag"), strict=True):
        pdf.cell(width, 7, head, border="B", align="L" if head == "Omschrijving" else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for line in invoice.lines:
        pdf.cell(widths[0], 6, _latin(line.text))
        pdf.cell(widths[1], 6, str(line.count), align="R")
        pdf.cell(widths[2], 6, euro(line.unit), align="R")
        pdf.cell(widths[3], 6, euro(line.amount), align="R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(sum(widths[:3]), 8, "Totaal", border="T")
    pdf.cell(widths[3], 8, euro(invoice.total), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _latin(f"Voor het fiscaal attest: {euro(invoice.fiscal)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, _latin(invoice.balance), new_x="LMARGIN", new_y="NEXT")
    if invoice.mandate:
        pdf.cell(0, 6, _latin(invoice.mandate), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@dataclass(frozen=True)
class PdfFiscal:
    year: int
    organisator: str
    location: str
    child: str
    birth_date: str
    debtor: str
    first_month: str  # "december 2025"
    last_month: str  # "november 2026"
    days: int
    amount: Decimal
    issued: str


def fiscal_pdf(attest: PdfFiscal) -> bytes:
    """The fiscal attest for childcare costs of one child and debtor for a calendar year."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2000, 1, 1, tzinfo=UTC))
    pdf.set_title(f"Fiscaal attest {attest.year}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"Fiscaal attest kinderopvang {attest.year}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for text in (
        attest.organisator,
        attest.location,
        f"Kind: {attest.child}" + (f", geboren {attest.birth_date}" if attest.birth_date else ""),
        f"Debiteur: {attest.debtor}",
        f"Betaald in {attest.year} voor de opvang van {attest.first_month} tot en met {attest.last_month}",
        f"Aantal opvangdagen: {attest.days}",
        f"Betaald bedrag: {euro(attest.amount)}",
        "Boetes tellen niet mee. Vak X, rubriek B, code 1384 van de aangifte.",
        f"Datum: {attest.issued}",
    ):
        pdf.cell(0, 7, _latin(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
