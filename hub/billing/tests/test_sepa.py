"""The SEPA direct debit file (pain.008.001.02), validated against the official XSD that sepaxml ships."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import sepaxml
import xmlschema

from hub.accounts.actors import Refused
from hub.billing.sepa import NAMESPACE, sepa_text, sequence_type
from hub.billing.service import (
    correct_invoice,
    direct_debit_for_month,
    finalise_month,
    issued,
    save_creditor,
)
from hub.core.actors import Actor
from hub.core.db import connect
from hub.core.localtime import fmt_date, today
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from tests.support.attendance import at, child_id, day_at_the_creche, location_actor
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door
from tests.support.billing import TABLE, BillingHub, billable, stay
from tests.support.portal import PortalClient

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.02.xsd"
NS = {"p": NAMESPACE}
APRIL = at("2026-04-02", "10:00")  # the hub's clock when March is billed


def test_the_direct_debit_is_valid_pain_008_001_02_and_sums_the_months_invoices(db, door, demo) -> None:
    for name in ("Jules", "Noah", "Louis"):
        billable(db, name)
        day_at_the_creche(door, name, "2026-03-03")
        day_at_the_creche(door, name, "2026-03-04", "08:00", "12:00")
    db.execute(
        "UPDATE child_debtors SET name = 'Élise Müller-Dupré', bic = '' WHERE child_id = ?",
        (child_id(db, "Noah"),),
    )
    db.execute("UPDATE child_debtors SET mandate_ref = '' WHERE child_id = ?", (child_id(db, "Louis"),))
    db.conn.commit()
    with pytest.raises(Refused, match="incassant-ID"):
        direct_debit_for_month(db, demo.location_id, 2026, 3, date(2026, 4, 10), APRIL)
    with pytest.raises(Refused, match="geen geldig IBAN"):
        save_creditor(db, demo.location_id, "BE69ZZZ0123456789", "BE68539007547035", "")
    save_creditor(db, demo.location_id, "BE69ZZZ0123456789", "BE71 0961 2345 6769", "GKCCBEBB")

    finalise_month(db, location_actor(demo), demo.location_id, 2026, 3, TABLE, APRIL)
    # Jules's invoice is corrected: the new one is collected, not the replaced one nor the credit note
    day_at_the_creche(door, "Jules", "2026-03-05")
    jules_first = next(
        r["id"] for r in issued(db, demo.location_id, 2026, 3) if r["child"] == "Jules Peeters"
    )
    correct_invoice(db, location_actor(demo), demo.location_id, jules_first, TABLE, APRIL)
    valid = [
        r for r in issued(db, demo.location_id, 2026, 3) if r["kind"] == "factuur" and not r["replaced_by"]
    ]
    with_mandate = [r for r in valid if r["child"] != "Louis Mertens"]

    debit = direct_debit_for_month(db, demo.location_id, 2026, 3, date(2026, 4, 10), APRIL)
    xmlschema.XMLSchema(str(XSD)).validate(debit.xml.decode())  # raises on any deviation
    document = ET.fromstring(debit.xml)
    control = Decimal(document.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", NS).text)
    amounts = [Decimal(a.text) for a in document.iterfind(".//p:DrctDbtTxInf/p:InstdAmt", NS)]
    assert control == sum(amounts) == sum(Decimal(r["total"]) for r in with_mandate) == debit.total
    assert debit.count == 2 and debit.without_mandate == ("Louis Mertens",)
    # 25,34 + 15,20 + 3,50 for Noah; Jules's new invoice has the third day: 2 x 25,34 + 15,20 + 3,50
    assert sorted(amounts) == [Decimal("44.04"), Decimal("69.38")]
    ends = [e.text for e in document.iterfind(".//p:EndToEndId", NS)]
    assert ends == [f"FACTUUR-{r['number']}" for r in with_mandate]
    names = [n.text for n in document.iterfind(".//p:Dbtr/p:Nm", NS)]
    assert "Elise Muller-Dupre" in names  # the SEPA character set
    assert document.find(".//p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", NS).text == "BE69ZZZ0123456789"
    assert document.find(".//p:MndtRltdInf/p:DtOfSgntr", NS).text == "2026-01-01"
    assert document.find(".//p:ReqdColltnDt", NS).text == "2026-04-10"


def test_sepa_texts_keep_to_the_latin_set_and_the_lengths() -> None:
    assert sepa_text("Crèche «Zonnebloem» & Co", 70) == "Creche Zonnebloem Co"
    assert sepa_text("x" * 200, 140) == "x" * 140
    assert sepa_text("€€", 10) == "-"


def test_the_organisator_sets_the_creditor_and_downloads_the_months_direct_debit(
    billing_hub: BillingHub,
) -> None:
    hub = billing_hub
    stay(hub.database, "Jules", hub.open_days[0])
    db = connect(hub.database)
    billable(db, "Jules")
    finalise_month(
        db,
        Actor.location("zonnebloem", "De Zonnebloem"),
        "zonnebloem",
        hub.year,
        hub.month,
        TABLE,
        datetime.now(UTC),
    )
    db.close()
    page = f"/locaties/zonnebloem/facturatie?maand={hub.key}"
    location = PortalClient(hub.url)
    location.login_location(DEMO_DOSSIER, DEMO_PIN)
    refused = location.post(
        "/locaties/zonnebloem/facturatie/incassant",
        {"maand": hub.key, "creditor_id": "BE69ZZZ0123456789", "iban": "BE71096123456769"},
        page,
    )
    assert refused.status_code == 400 and "Enkel je organisator" in refused.text

    organisator = PortalClient(hub.url)
    organisator.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    saved = organisator.post(
        "/locaties/zonnebloem/facturatie/incassant",
        {
            "maand": hub.key,
            "creditor_id": "BE69 ZZZ 0123456789",
            "iban": "BE71 0961 2345 6769",
            "bic": "gkccbebb",
        },
        page,
    )
    assert "De gegevens voor domiciliëring zijn bewaard." in saved.text
    collect_on = fmt_date(today() + timedelta(days=3))
    response = organisator.post(
        "/locaties/zonnebloem/facturatie/sepa", {"maand": hub.key, "collect_on": collect_on}, page
    )
    assert response.headers["content-type"] == "application/xml"
    xmlschema.XMLSchema(str(XSD)).validate(response.text)
    document = ET.fromstring(response.content)
    assert document.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", NS).text == "28.84"  # 25,34 + 3,50
    # the rules are a setting: Gezinsbond's for this location only, then the organisator's again
    chosen = organisator.post(
        "/locaties/zonnebloem/facturatie/regels",
        {"maand": hub.key, "rules": "gezinsbond", "scope": "location"},
        page,
    )
    assert "De regels voor de facturatie zijn bewaard." in chosen.text and "Regels: gezinsbond" in chosen.text
    with sqlite3.connect(hub.database) as conn:
        assert conn.execute("SELECT billing_rules FROM locations WHERE id = 'zonnebloem'").fetchone() == (
            "gezinsbond",
        )
    unknown = organisator.post(
        "/locaties/zonnebloem/facturatie/regels", {"maand": hub.key, "rules": "elders"}, page
    )
    assert unknown.status_code == 400
    refused_rules = location.post(
        "/locaties/zonnebloem/facturatie/regels", {"maand": hub.key, "rules": "ag-antwerpen"}, page
    )
    assert refused_rules.status_code == 400 and "Enkel je organisator" in refused_rules.text
    past = organisator.post(
        "/locaties/zonnebloem/facturatie/sepa", {"maand": hub.key, "collect_on": fmt_date(today())}, page
    )
    assert past.status_code == 400 and "na vandaag" in past.text


MAY = at("2026-05-04", "10:00")  # the hub's clock when April is billed


def _sequences(xml: bytes) -> dict[str, str]:
    """End-to-end id -> sequence type, per payment information block."""
    document = ET.fromstring(xml)
    return {
        tx.find("p:PmtId/p:EndToEndId", NS).text: info.find("p:PmtTpInf/p:SeqTp", NS).text
        for info in document.iterfind(".//p:PmtInf", NS)
        for tx in info.iterfind("p:DrctDbtTxInf", NS)
    }


def _valid(db, location_id: str, year: int, month: int, child: str) -> int:
    [number] = [
        r["number"]
        for r in issued(db, location_id, year, month)
        if r["kind"] == "factuur" and not r["replaced_by"] and r["child"].startswith(child)
    ]
    return number


def test_the_first_collection_under_a_mandate_is_frst_and_later_ones_rcur_over_two_months(
    db, door, demo
) -> None:
    for name in ("Jules", "Noah"):
        billable(db, name)
        day_at_the_creche(door, name, "2026-03-03")
        day_at_the_creche(door, name, "2026-04-08")
    save_creditor(db, demo.location_id, "BE69ZZZ0123456789", "BE71 0961 2345 6769", "GKCCBEBB")
    schema = xmlschema.XMLSchema(str(XSD))
    where = demo.location_id

    # March: Jules's invoice is replaced before any file, so his new one is the first under his mandate
    finalise_month(db, location_actor(demo), where, 2026, 3, TABLE, APRIL)
    day_at_the_creche(door, "Jules", "2026-03-05")
    correct_invoice(
        db, location_actor(demo), where, _valid(db, where, 2026, 3, "Jules Peeters"), TABLE, APRIL
    )
    march = direct_debit_for_month(db, where, 2026, 3, date(2026, 4, 10), APRIL)
    schema.validate(march.xml.decode())
    jules_march, noah_march = _valid(db, where, 2026, 3, "Jules Peeters"), _valid(db, where, 2026, 3, "Noah")
    assert _sequences(march.xml) == {f"FACTUUR-{jules_march}": "FRST", f"FACTUUR-{noah_march}": "FRST"}
    assert len(ET.fromstring(march.xml).findall(".//p:PmtInf", NS)) == 1

    # after the file, Noah's March invoice is credited and replaced: it no longer holds his FRST
    day_at_the_creche(door, "Noah", "2026-03-05")
    correct_invoice(db, location_actor(demo), where, noah_march, TABLE, APRIL)

    # April: Jules's mandate was used (RCUR); Noah's only collected invoice is replaced (FRST again)
    finalise_month(db, location_actor(demo), where, 2026, 4, TABLE, MAY)
    april = direct_debit_for_month(db, where, 2026, 4, date(2026, 5, 11), MAY)
    schema.validate(april.xml.decode())
    jules_april, noah_april = _valid(db, where, 2026, 4, "Jules Peeters"), _valid(db, where, 2026, 4, "Noah")
    assert _sequences(april.xml) == {f"FACTUUR-{noah_april}": "FRST", f"FACTUUR-{jules_april}": "RCUR"}
    document = ET.fromstring(april.xml)
    blocks = document.findall(".//p:PmtInf", NS)
    assert [b.find("p:PmtTpInf/p:SeqTp", NS).text for b in blocks] == ["FRST", "RCUR"]
    for block in blocks:  # each block's control sum is its own transactions'
        amounts = [Decimal(a.text) for a in block.iterfind(".//p:InstdAmt", NS)]
        assert Decimal(block.find("p:CtrlSum", NS).text) == sum(amounts)
    assert Decimal(document.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", NS).text) == april.total

    # the March file made again: Jules's invoice keeps its FRST; Noah's new March one is now RCUR
    again = direct_debit_for_month(db, where, 2026, 3, date(2026, 4, 10), MAY)
    noah_new = _valid(db, where, 2026, 3, "Noah")
    assert _sequences(again.xml) == {f"FACTUUR-{jules_march}": "FRST", f"FACTUUR-{noah_new}": "RCUR"}


def test_a_collection_is_frst_unless_the_mandate_was_used_and_keeps_what_it_got() -> None:
    assert sequence_type(None, mandate_used=False) == "FRST"
    assert sequence_type(None, mandate_used=True) == "RCUR"
    assert sequence_type("FRST", mandate_used=True) == "FRST"  # a file made again says the same
    assert sequence_type("RCUR", mandate_used=False) == "RCUR"
