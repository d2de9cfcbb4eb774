"""Two families for the parents' side (issue 18), on top of the portal world.

Family A (``ANNE``) has Jules at De Zonnebloem and Fien at Klavertje (another organisator): one
account sees both. Family B (``BERT``) has Lotte at De Zonnebloem and the Klavertje child "Geheim".
Neither may see the other's children, locations or requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from hub.children.queries import add_child, add_contact
from hub.core.db import open_database, write_transaction
from hub.core.localtime import BRUSSELS, today
from hub.demo import _record
from hub.locations.queries import location_schedule
from hub.parents import accounts
from tests.support.portal import PortalClient
from wire import Direction

ANNE = "anne.peeters@gezin-a.example"
BERT = "bert.janssens@gezin-b.example"
PASSWORD = "ouders-wachtwoord-2026"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Families:
    jules: int
    fien: int
    lotte: int
    geheim: int
    noah: int  # no contact yet: the browser tests add one


def add_families(database: Path, other_child: int, with_accounts: bool = True) -> Families:
    db = open_database(database)
    ids = dict(db.execute("SELECT first_name, id FROM children"))
    fien = add_child(db, "klavertje", "Fien", "Peeters", date(2023, 2, 3), "v")
    add_contact(db, ids["Jules"], "Anne Peeters", ANNE, "moeder", "0470 11 22 33")
    add_contact(db, fien, "Anne Peeters", ANNE, "moeder", "0470 11 22 33")
    add_contact(db, ids["Lotte"], "Bert Janssens", BERT, "vader")
    add_contact(db, other_child, "Bert Janssens", BERT, "vader")
    if with_accounts:
        with write_transaction(db):
            accounts.make_account(db, ANNE, PASSWORD, datetime.now(UTC))
            accounts.make_account(db, BERT, PASSWORD, datetime.now(UTC))
    db.close()
    return Families(ids["Jules"], fien, ids["Lotte"], other_child, ids["Noah"])


def login_parent(url: str, email: str, password: str = PASSWORD) -> PortalClient:
    client = PortalClient(url)
    page = client.get("/ouders/aanmelden")
    csrf = _CSRF.search(page.text)[1]
    response = client.http.post(
        "/ouders/aanmelden", data={"csrf": csrf, "email": email, "password": password}
    )
    assert response.url.path == "/ouders", response.text[:500]
    return client


def csrf_of(client: PortalClient, path: str) -> str:
    return _CSRF.search(client.get(path).text)[1]


def scan_now(database: Path, first_name: str, direction: Direction) -> None:
    """A registration of a moment ago, on today's Brussels date even just after midnight."""
    db = open_database(database)
    code = db.execute(
        "SELECT c.code FROM cards c JOIN children ch ON ch.id = c.child_id WHERE ch.first_name = ?",
        [first_name],
    ).fetchone()[0]
    now = datetime.now(UTC)
    moment = max(
        now - timedelta(seconds=2), datetime.combine(today(), time(0), BRUSSELS) + timedelta(seconds=1)
    )
    with db.atomic():
        _record(db, "unit-zonnebloem-in", code, moment, direction, code, now.isoformat())
    db.close()


def last_open_day(database: Path, location_id: str = "zonnebloem") -> date:
    """The latest day before today on which the location was open (a correction may be asked for it)."""
    db = open_database(database)
    schedule = location_schedule(db, location_id)
    db.close()
    day = today() - timedelta(days=1)
    while not schedule.on(day).is_open:
        day -= timedelta(days=1)
    return day
