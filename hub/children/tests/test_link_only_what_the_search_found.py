"""Linking a child of a sibling location (same organisator) goes through the same search as
"Kind toevoegen", against a hub process over HTTP: the link takes the signed, short-lived ticket
of the location's own search result; a raw child id, a ticket for another child, another actor's
or another location's ticket are refused and link nothing."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN, DemoData
from tests.support.portal import PortalClient
from tests.support.processes import start_hub

SEARCH = "/locaties/zonnebloem/kinderen/toevoegen"
LINK = "/locaties/zonnebloem/kinderen/koppelen"
TICKET = re.compile(r'name="ticket" value="([^"]+)"')


@pytest.fixture
def sibling_child(hub_dir: Path, demo: DemoData) -> int:
    """Olivia Janssens goes to "De Regenboog", the organisator's other location."""
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
        db.execute(
            "INSERT INTO locations (id, organisator_id, dossier_number, name) "
            "VALUES ('regenboog', ?, '903999111', 'De Regenboog')",
            (org,),
        )
        child = db.execute(
            "INSERT INTO children (first_name, last_name, birth_date, sex) "
            "VALUES ('Olivia', 'Janssens', '2025-01-01', 'v')"
        ).lastrowid
        db.execute("INSERT INTO child_locations VALUES (?, 'regenboog')", (child,))
    return child


@pytest.fixture
def hub(hub_dir: Path, sibling_child: int) -> Iterator[str]:
    proc, url = start_hub(hub_dir)
    yield url
    proc.stop()
    assert "Traceback" not in proc.log(), proc.log()[-3000:]


def at_zonnebloem(hub_dir: Path, child: int) -> bool:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(
            "SELECT count(*) FROM child_locations WHERE child_id = ? AND location_id = 'zonnebloem'", (child,)
        ).fetchone() == (1,)


def search(client: PortalClient, first: str = "Olivia", last: str = "Janssens") -> str:
    page = client.get(SEARCH, params={"voornaam": first, "achternaam": last}).text
    (ticket,) = TICKET.findall(page)
    return ticket


def test_a_raw_child_id_is_refused_without_the_search(hub: str, hub_dir: Path, sibling_child: int) -> None:
    staff = PortalClient(hub)
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    for data in ({"child_id": str(sibling_child)}, {"ticket": str(sibling_child)}, {}):
        refused = staff.post(LINK, data, SEARCH)
        assert refused.status_code == 403 and "Dit kind werd niet gevonden." in refused.text, data
    assert not at_zonnebloem(hub_dir, sibling_child)


def test_a_ticket_works_only_for_its_child_its_actor_and_its_location(
    hub: str, hub_dir: Path, sibling_child: int
) -> None:
    staff = PortalClient(hub)
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    ticket = search(staff)
    value, _, mac = ticket.rpartition(".")
    other_child = value.replace(f"|{sibling_child}|", f"|{sibling_child + 1}|")
    assert staff.post(LINK, {"ticket": f"{other_child}.{mac}"}, SEARCH).status_code == 403, "tampered"

    organisator = PortalClient(hub)
    organisator.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    assert organisator.post(LINK, {"ticket": ticket}, SEARCH).status_code == 403, "another actor's ticket"
    zonnebloem_ticket = search(organisator)
    regenboog = "/locaties/regenboog/kinderen/koppelen"
    elsewhere = organisator.post(regenboog, {"ticket": zonnebloem_ticket}, SEARCH)
    assert elsewhere.status_code == 403, "a ticket for one location does not link at another"
    assert not at_zonnebloem(hub_dir, sibling_child)


def test_the_location_links_the_child_its_search_found(hub: str, hub_dir: Path, sibling_child: int) -> None:
    staff = PortalClient(hub)
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    linked = staff.post(LINK, {"ticket": search(staff)}, SEARCH)
    assert linked.status_code == 200
    assert "Olivia is toegevoegd aan Kinderdagverblijf De Zonnebloem" in linked.text
    assert at_zonnebloem(hub_dir, sibling_child)
