"""SEPA direct debit (SDD Core) as pain.008.001.02, the version Belgian banks take (Febelfin).

One file per collection: a group header and a payment information block per sequence type, with a
transaction per invoice. The first collection under a mandate is "FRST", later ones "RCUR"
(:func:`sequence_type`; the hub remembers per invoice which it got, hub/billing/service.py). A debtor
bank without a known BIC is "NOTPROVIDED" (IBAN only, allowed since 2016). Texts are cut to the
standard's lengths and written in the SEPA Latin character set. Built in memory, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"
_ALLOWED = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


@dataclass(frozen=True)
class Creditor:
    name: str
    iban: str
    bic: str
    identifier: str  # the creditor identifier, e.g. BE69ZZZ050D000000008


@dataclass(frozen=True)
class Collection:
    end_to_end: str  # the invoice, e.g. "FACTUUR-12"
    amount: Decimal
    debtor: str
    iban: str
    bic: str
    mandate_ref: str
    mandate_date: date
    remittance: str  # "Factuur 12 november 2026 Jules Peeters"
    sequence: str = "RCUR"  # FRST for the first collection under the mandate


SEQUENCES = ("FRST", "RCUR")  # the order of the payment information blocks


def sequence_type(recorded: str | None, mandate_used: bool) -> str:
    """The sequence type of an invoice's collection: what it got in an earlier file (a file made
    again says the same), else RCUR when another collection under the mandate, of an invoice still
    valid, consumed the mandate's first; FRST otherwise (a replaced or credited invoice's does not
    count)."""
    if recorded in SEQUENCES:
        return recorded
    return "RCUR" if mandate_used else "FRST"


def sepa_text(text: str, length: int) -> str:
    """``text`` in the SEPA Latin character set (accents dropped), at most ``length`` characters."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_ALLOWED.sub(" ", plain).split())[:length] or "-"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def direct_debit(
    creditor: Creditor, message_id: str, created: datetime, collect_on: date, items: Sequence[Collection]
) -> bytes:
    """The pain.008.001.02 document (UTF-8 bytes) collecting ``items`` on ``collect_on``."""
    if not items:
        raise ValueError("a direct debit file needs at least one collection")
    if any(item.amount <= 0 for item in items):
        raise ValueError("only positive amounts are collected")
    if any(item.sequence not in SEQUENCES for item in items):
        raise ValueError("a collection is FRST or RCUR")
    total = sum((item.amount for item in items), Decimal("0.00"))
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}Document")
    ns = f"{{{NAMESPACE}}}"

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        return _sub(parent, ns + tag, text, **attrs)

    initiation = sub(root, "CstmrDrctDbtInitn")
    header = sub(initiation, "GrpHdr")
    sub(header, "MsgId", sepa_text(message_id, 35))
    sub(header, "CreDtTm", created.replace(microsecond=0, tzinfo=None).isoformat())
    sub(header, "NbOfTxs", str(len(items)))
    sub(header, "CtrlSum", f"{total:.2f}")
    sub(sub(header, "InitgPty"), "Nm", sepa_text(creditor.name, 70))

    blocks = [(seq, [i for i in items if i.sequence == seq]) for seq in SEQUENCES]
    for number, (sequence, block) in enumerate(((q, b) for q, b in blocks if b), start=1):
        _payment_info(sub, initiation, creditor, f"{message_id}-{number}", sequence, collect_on, block)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _payment_info(
    sub,
    initiation: ET.Element,
    creditor: Creditor,
    block_id: str,
    sequence: str,
    collect_on: date,
    items: Sequence[Collection],
) -> None:
    """One payment information block: the collections of one sequence type."""
    total = sum((item.amount for item in items), Decimal("0.00"))
    info = sub(initiation, "PmtInf")
    sub(info, "PmtInfId", sepa_text(block_id, 35))
    sub(info, "PmtMtd", "DD")
    sub(info, "BtchBookg", "true")
    sub(info, "NbOfTxs", str(len(items)))
    sub(info, "CtrlSum", f"{total:.2f}")
    kind = sub(info, "PmtTpInf")
    sub(sub(kind, "SvcLvl"), "Cd", "SEPA")
    sub(sub(kind, "LclInstrm"), "Cd", "CORE")
    sub(kind, "SeqTp", sequence)
    sub(info, "ReqdColltnDt", collect_on.isoformat())
    sub(sub(info, "Cdtr"), "Nm", sepa_text(creditor.name, 70))
    sub(sub(sub(info, "CdtrAcct"), "Id"), "IBAN", creditor.iban)
    agent = sub(sub(info, "CdtrAgt"), "FinInstnId")
    if creditor.bic:
        sub(agent, "BIC", creditor.bic)
    else:
        sub(sub(agent, "Othr"), "Id", "NOTPROVIDED")
    sub(info, "ChrgBr", "SLEV")
    scheme = sub(sub(sub(sub(info, "CdtrSchmeId"), "Id"), "PrvtId"), "Othr")
    sub(scheme, "Id", creditor.identifier)
    sub(sub(scheme, "SchmeNm"), "Prtry", "SEPA")

    for item in items:
        tx = sub(info, "DrctDbtTxInf")
        sub(sub(tx, "PmtId"), "EndToEndId", sepa_text(item.end_to_end, 35))
        sub(tx, "InstdAmt", f"{item.amount:.2f}", Ccy="EUR")
        mandate = sub(sub(tx, "DrctDbtTx"), "MndtRltdInf")
        sub(mandate, "MndtId", sepa_text(item.mandate_ref, 35))
        sub(mandate, "DtOfSgntr", item.mandate_date.isoformat())
        agent = sub(sub(tx, "DbtrAgt"), "FinInstnId")
        if item.bic:
            sub(agent, "BIC", item.bic)
        else:
            sub(sub(agent, "Othr"), "Id", "NOTPROVIDED")
        sub(sub(tx, "Dbtr"), "Nm", sepa_text(item.debtor, 70))
        sub(sub(sub(tx, "DbtrAcct"), "Id"), "IBAN", item.iban)
        sub(sub(tx, "RmtInf"), "Ustrd", sepa_text(item.remittance, 140))
