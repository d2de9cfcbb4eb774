"""QR card sheets: printed, then read back by the unit's own decoder, to codes the hub knows."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from device.decoder import open_decoder
from hub.demo import DemoData
from provisioning.cardsheet import A4_H, A4_W, CARD_H, CARD_W
from tests.support.processes import ROOT
from wire import cardcode

MM_PER_PT = 25.4 / 72


def provision(tmp_path: Path, hub_dir: Path, *args: str) -> subprocess.CompletedProcess:
    config = tmp_path / "provision.toml"
    (tmp_path / "hub.toml").write_text(f'data_dir = "{hub_dir}"\n')
    config.write_text(f'unit_broker = "mqtt://127.0.0.1:1883"\nhub_config = "{tmp_path / "hub.toml"}"\n')
    return subprocess.run(
        [sys.executable, "-m", "provisioning", "--config", str(config), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def unassigned_codes(hub_dir: Path) -> set[str]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        rows = db.execute(
            "SELECT code FROM cards WHERE state = 'unassigned' AND child_id IS NULL AND organisator_id = 1"
        ).fetchall()
    return {code for (code,) in rows}


def page_image(page: pdfium.PdfPage, dpi: int = 150) -> np.ndarray:
    return np.array(page.render(scale=dpi / 72).to_pil().convert("L"))


def test_a_card_sheet_pdf_decodes_with_the_units_decoder_to_codes_the_hub_registered(
    tmp_path: Path, hub_dir: Path, demo: DemoData
) -> None:
    out = tmp_path / "kaarten.pdf"
    done = provision(
        tmp_path,
        hub_dir,
        "cards",
        "--organisator",
        "DEMO@aanwezig.example",
        "--count",
        "12",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "12 nieuwe kaartcodes geregistreerd" in done.stdout

    registered = unassigned_codes(hub_dir)
    assert len(registered) == 12 and all(cardcode.is_valid(code) for code in registered)
    pdf = pdfium.PdfDocument(out)
    assert len(pdf) == 4, "two A4 sheets: fronts, then backs"
    decoder = open_decoder()
    read: list[str] = []
    for index, page in enumerate(pdf):
        width, height = page.get_size()
        assert (round(width * MM_PER_PT), round(height * MM_PER_PT)) == (A4_W, A4_H)
        found = decoder.decode(page_image(page))
        text = page.get_textpage().get_text_range()
        if index % 2 == 0:  # a front: QR codes, each with its digits printed under it
            read += found
            assert all(cardcode.pretty(code) in text for code in found)
        else:  # a back: no QR, a line for the child's name
            assert found == []
            assert "Schrijf hier de naam van je kind" in text
    assert sorted(read) == sorted(registered)
    assert len(read) == len(set(read)) == 12


def test_card_printer_layout_has_one_credit_card_sized_face_per_page(
    tmp_path: Path, hub_dir: Path, demo: DemoData
) -> None:
    out = tmp_path / "kaart.pdf"
    done = provision(
        tmp_path,
        hub_dir,
        "cards",
        "--organisator",
        "1",
        "--count",
        "2",
        "--out",
        str(out),
        "--layout",
        "card",
    )
    assert done.returncode == 0, done.stderr
    pdf = pdfium.PdfDocument(out)
    assert len(pdf) == 4
    for page in pdf:
        width, height = page.get_size()
        assert (round(width * MM_PER_PT, 1), round(height * MM_PER_PT, 1)) == (CARD_W, CARD_H)
    fronts = [open_decoder().decode(page_image(pdf[i], dpi=300)) for i in (0, 2)]
    assert sorted(code for found in fronts for code in found) == sorted(unassigned_codes(hub_dir))


@pytest.mark.parametrize(("organisator", "message"), [("niemand@example.org", "onbekende organisator")])
def test_cards_for_an_unknown_organisator_are_refused_and_nothing_is_registered(
    tmp_path: Path, hub_dir: Path, demo: DemoData, organisator: str, message: str
) -> None:
    done = provision(
        tmp_path,
        hub_dir,
        "cards",
        "--organisator",
        organisator,
        "--count",
        "3",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert done.returncode == 2 and message in done.stderr
    assert unassigned_codes(hub_dir) == set()
    assert not (tmp_path / "x.pdf").exists()
