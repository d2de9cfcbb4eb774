"""Every input is bounded, against a hub process over HTTP: a name, a contact, a search term, a
reason, a code or a whole request that is too long is refused with a Dutch error and nothing is
stored; a location takes at most 300 children. Then the worst case of a unit's config (300
children with the longest names, in the widest UTF-8) fits the wire's limit, and a unit takes it."""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from device.messages import Dispatch
from hub.cards.codes import register_unassigned
from hub.core import bounds
from hub.core.db import open_database
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DemoData, seed
from hub.units.config import config_for
from hub.units.registry import active_units
from tests.support.portal import PortalClient
from tests.support.processes import start_hub
from wire import TopicKind, UnitConfig, encode
from wire.contract import MAX_CONFIG_BYTES

NEW_CHILD = "/locaties/zonnebloem/kinderen/nieuw"
WIDE = "\U0001d538"  # 𝔸: four bytes in UTF-8, the widest a character gets in the config's JSON


def child(**changes) -> dict:
    return {"first_name": "Paulien", "last_name": "Claes", "birth_date": "02/02/2025", "sex": "v"} | changes


@pytest.fixture
def hub(hub_dir: Path, demo: DemoData) -> Iterator[str]:
    proc, url = start_hub(hub_dir)
    yield url
    proc.stop()
    assert "Traceback" not in proc.log(), proc.log()[-3000:]


@pytest.fixture
def organisator(hub: str) -> Iterator[PortalClient]:
    client = PortalClient(hub)
    assert client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD).status_code == 200
    yield client
    client.close()


def children(hub_dir: Path) -> int:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute("SELECT count(*) FROM children").fetchone()[0]


def text(response: httpx.Response) -> str:
    return html.unescape(response.text)


def test_a_name_or_contact_too_long_is_refused_with_a_dutch_error_and_nothing_is_stored(
    organisator: PortalClient, hub_dir: Path
) -> None:
    before = children(hub_dir)
    refusals = [
        (child(first_name="A" * 101), "De voornaam mag hoogstens 100 tekens lang zijn."),
        (child(first_name="A" * 100_000), "De voornaam mag hoogstens 100 tekens lang zijn."),
        (child(last_name="B" * 101), "De achternaam mag hoogstens 100 tekens lang zijn."),
        (child(first_name="Paul\nien"), "De voornaam bevat tekens die niet in een naam horen"),
        (
            child(contact_0_name="C" * 101),
            "Contactpersoon 1: de naam van de contactpersoon mag hoogstens 100 tekens lang zijn.",
        ),
        (
            child(contact_0_name="Sofie", contact_0_email="s" * 250 + "@x.be"),
            "Contactpersoon 1: het e-mailadres mag hoogstens 254 tekens lang zijn.",
        ),
        (
            child(contact_0_name="Sofie", contact_0_relation="m" * 51),
            "Contactpersoon 1: de relatie mag hoogstens 50 tekens lang zijn.",
        ),
    ]
    for form, error in refusals:
        page = text(organisator.post(NEW_CHILD, form, NEW_CHILD))
        assert error in page, error
    assert children(hub_dir) == before
    ok = organisator.post(NEW_CHILD, child(first_name="A" * 100), NEW_CHILD)
    assert "is geregistreerd" in text(ok) and children(hub_dir) == before + 1, "100 characters is fine"


def test_search_terms_reasons_and_codes_too_long_are_refused_in_dutch(
    organisator: PortalClient, hub: str
) -> None:
    search = organisator.get(
        "/locaties/zonnebloem/kinderen/toevoegen", params={"voornaam": "x" * 101, "achternaam": "y"}
    )
    assert "De voornaam mag hoogstens 100 tekens lang zijn." in text(search) and "x" * 101 not in search.text
    grid = organisator.get("/locaties/zonnebloem", params={"zoek": "z" * 101})
    assert "Een zoekterm mag hoogstens 100 tekens lang zijn." in text(grid) and "z" * 101 not in grid.text

    cell = "/locaties/zonnebloem/cel/1/2026-03-10"
    corrected = organisator.post(cell, {"arrival": "08:00", "departure": "16:00", "note": "n" * 201}, cell)
    assert "De reden van de wijziging mag hoogstens 200 tekens lang zijn." in text(corrected)
    many = organisator.post(cell, {"arrival": ["08:00"] * 21, "departure": ["09:00"] * 21}, cell)
    assert "Hoogstens 20 keer aankomst en vertrek per dag." in text(many)
    bad_time = organisator.post(cell, {"arrival": "8" * 10_000, "departure": ""}, cell)
    assert "‘88888888…’ is geen uur" in text(bad_time) and "8" * 100 not in bad_time.text

    stranger = PortalClient(hub)
    long_mail = stranger.post("/aanmelden/organisator", {"email": "a" * 250 + "@x.be", "password": "p"})
    assert "Een e-mailadres mag hoogstens 254 tekens lang zijn." in text(long_mail)
    long_password = stranger.post("/aanmelden/organisator", {"email": DEMO_EMAIL, "password": "p" * 201})
    assert "Een wachtwoord mag hoogstens 200 tekens lang zijn." in text(long_password)
    dossier = stranger.post("/aanmelden/opvanglocatie", {"dossier": "9" * 33})
    assert "Een dossiernummer mag hoogstens 32 tekens lang zijn." in text(dossier)
    pin = stranger.post("/aanmelden/opvanglocatie/pincode", {"dossier": DEMO_DOSSIER, "pin": "1" * 33})
    assert "Een pincode mag hoogstens 32 tekens lang zijn." in text(pin)
    forgot = stranger.post("/wachtwoord-vergeten", {"email": "a" * 250 + "@x.be"}, "/wachtwoord-vergeten")
    assert "Een e-mailadres mag hoogstens 254 tekens lang zijn." in text(forgot)
    stranger.close()


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(organisator: PortalClient) -> None:
    csrf = organisator.csrf(NEW_CHILD)
    too_much = {"csrf": csrf, "first_name": "A" * (bounds.MAX_BODY_BYTES + 1)}
    big = organisator.http.post(NEW_CHILD, data=too_much)
    assert big.status_code == 413 and "te veel gegevens" in text(big)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body streams in
        yield f"csrf={csrf}&first_name=".encode()
        for _ in range(bounds.MAX_BODY_BYTES // 4096 + 2):
            yield b"A" * 4096

    streamed = organisator.http.post(
        NEW_CHILD, content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413
    api = organisator.http.post("/api/today", content=b"x" * (bounds.MAX_BODY_BYTES + 1))
    assert api.status_code == 413 and "te veel gegevens" in api.json()["detail"]


def test_a_location_takes_at_most_300_children(organisator: PortalClient, hub_dir: Path) -> None:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        (linked,) = db.execute(
            "SELECT count(*) FROM child_locations WHERE location_id = 'zonnebloem'"
        ).fetchone()
        for n in range(bounds.MAX_CHILDREN_PER_LOCATION - 1 - linked):
            child_id = db.execute(
                "INSERT INTO children (first_name, last_name, birth_date, sex) "
                "VALUES (?, 'Vol', '2025-01-01', 'm')",
                (f"Kind{n}",),
            ).lastrowid
            db.execute(
                "INSERT INTO child_locations (child_id, location_id) VALUES (?, 'zonnebloem')", (child_id,)
            )
    last = organisator.post(NEW_CHILD, child(first_name="Driehonderd"), NEW_CHILD)
    assert "Driehonderd is geregistreerd" in text(last)
    before = children(hub_dir)
    over = organisator.post(NEW_CHILD, child(first_name="Eentje"), NEW_CHILD)
    assert "Deze opvanglocatie heeft al 300 kinderen" in text(over)
    assert children(hub_dir) == before


def test_the_worst_case_roster_fits_the_unit_config_and_a_unit_takes_it(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite3")
    demo = seed(db)
    db.execute("DELETE FROM cards WHERE child_id IS NOT NULL")
    db.execute("DELETE FROM child_locations")
    db.execute("UPDATE locations SET name = ? WHERE id = ?", (WIDE * bounds.NAME, demo.location_id))
    (organisator,) = db.execute(
        "SELECT organisator_id FROM locations WHERE id = ?", (demo.location_id,)
    ).fetchone()
    codes = register_unassigned(db, organisator, bounds.MAX_CHILDREN_PER_LOCATION)
    for n, code in enumerate(codes):
        # one first name for all: every display name gets the initial of the last name too
        child_id = db.execute(
            "INSERT INTO children (first_name, last_name, birth_date, sex) VALUES (?, ?, '2025-01-01', 'v')",
            (WIDE * bounds.NAME, WIDE * (bounds.NAME - 1) + str(n % 10)),
        ).lastrowid
        db.execute(
            "INSERT INTO child_locations (child_id, location_id) VALUES (?, ?)", (child_id, demo.location_id)
        )
        db.execute("UPDATE cards SET child_id = ?, state = 'active' WHERE code = ?", (child_id, code))
    db.conn.commit()
    (unit,) = [u for u in active_units(db) if u.location_id == demo.location_id][:1]
    config = config_for(db, unit)
    assert len(config.roster) == bounds.MAX_CHILDREN_PER_LOCATION
    payload = encode(config)
    print(f"worst-case unit config: {len(payload)} bytes of {MAX_CONFIG_BYTES}")
    assert len(payload) <= MAX_CONFIG_BYTES // 2, "with room to spare for what a config may carry later"
    taken: list[UnitConfig] = []
    dispatch = Dispatch()
    dispatch.on(TopicKind.CONFIG, UnitConfig, taken.append)
    assert dispatch(TopicKind.CONFIG, payload) and taken[0].roster == config.roster
