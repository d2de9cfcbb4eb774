"""A hub for the billing tests (issue 20): the portal world without demo history, an amounts table
with the [[billing]] rows, the two families, and stays written into last month's open days.

Everything is relative to today: "last month" is the calendar month before today's (Brussels).
"""

from __future__ import annotations

import os
import time as wall
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from hub.core.db import open_database
from hub.core.localtime import BRUSSELS, today
from hub.core.ports import free_port
from hub.core.settings import HubSettings
from hub.demo import _record
from hub.locations.queries import location_schedule
from hub.mail.folder import FolderMailer
from hub.prices.amounts import parse_amounts
from hub.upload.settings import UploadSettings
from hub.web.app import create_app
from hub.web.channel import RecordingChannel
from tests.support.faketime import fake_time_env
from tests.support.parents import Families, add_families
from tests.support.portal import serve
from tests.support.portal_world import build_world
from tests.support.processes import healthy, spawn
from tests.support.waiting import wait_for
from wire import Direction

AMOUNTS = """\
[[billing]]
from = 2022-01-01
waste_fee_per_day = "0.19"
admin_per_child_month = "3.50"
admin_per_invoice = "2.00"
child_discount = "3.43"
late_fine_minimum = "5.00"
"""


TABLE = parse_amounts(AMOUNTS)


def billable(db, first_name: str, day_price: str = "25.34", location: str = "zonnebloem") -> int:
    """A child with an attest from 01/01/2026 and a debtor with a mandate; the location bills by income."""
    (child,) = db.execute("SELECT id FROM children WHERE first_name = ?", (first_name,)).fetchone()
    db.execute(
        "INSERT INTO income_attests (child_id, day_price, valid_from, entered_at)"
        " VALUES (?, ?, '2026-01-01', '')",
        (child, day_price),
    )
    db.execute(
        "INSERT INTO child_debtors (child_id, name, email, iban, mandate_ref, mandate_date)"
        " VALUES (?, ?, 'ouder@example.org', 'BE68539007547034', ?, '2026-01-01')",
        (child, f"Ouder van {first_name}", f"M-{child}"),
    )
    db.execute("UPDATE locations SET price_model = 'inkomenstarief' WHERE id = ?", (location,))
    db.conn.commit()
    return child


@dataclass
class BillingHub:
    url: str
    database: Path
    families: Families
    year: int
    month: int
    open_days: list[date]  # last month's open days at De Zonnebloem, in order
    amounts: Path
    mail: Path

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def last_month() -> tuple[int, int]:
    last = today().replace(day=1) - timedelta(days=1)
    return last.year, last.month


def open_days(database: Path, year: int, month: int, location_id: str = "zonnebloem") -> list[date]:
    db = open_database(database)
    schedule = location_schedule(db, location_id)
    db.close()
    day, days = date(year, month, 1), []
    while day.month == month:
        if schedule.on(day).is_open:
            days.append(day)
        day += timedelta(days=1)
    return days


def stay(
    database: Path, first_name: str, day: date, arrival: str = "08:00", departure: str = "16:30"
) -> None:
    """Arrival and departure at De Zonnebloem on ``day`` (Brussels times), stored as the door does."""
    db = open_database(database)
    (code,) = db.execute(
        "SELECT c.code FROM cards c JOIN children ch ON ch.id = c.child_id WHERE ch.first_name = ?",
        [first_name],
    ).fetchone()
    received = datetime.now(UTC).isoformat()
    with db.atomic():
        for hhmm, direction in ((arrival, Direction.ARRIVAL), (departure, Direction.DEPARTURE)):
            moment = datetime.combine(day, time.fromisoformat(hhmm), BRUSSELS)
            _record(db, "unit-zonnebloem-in", code, moment, direction, code, received)
    db.close()


@pytest.fixture
def billing_hub(hub_dir: Path, tmp_path: Path) -> Iterator[BillingHub]:
    """De Zonnebloem billing by income (inkomenstarief), with no registrations yet."""
    database, other_child, _code = build_world(hub_dir, history_days=0)
    families = add_families(database, other_child)
    db = open_database(database)
    with db.atomic():
        db.execute("UPDATE locations SET price_model = 'inkomenstarief' WHERE id = 'zonnebloem'")
    db.close()
    amounts = tmp_path / "bedragen.toml"
    amounts.write_text(AMOUNTS)
    settings = HubSettings(data_dir=hub_dir, sections={"upload": UploadSettings(amounts_file=str(amounts))})
    app = create_app(
        database, units=RecordingChannel(), mailer=FolderMailer(tmp_path / "mail"), settings=settings
    )
    year, month = last_month()
    with serve(app) as url:
        yield BillingHub(
            url, database, families, year, month, open_days(database, year, month), amounts, tmp_path / "mail"
        )


@contextmanager
def hub_at(hub: BillingHub, moment: datetime, workdir: Path) -> Iterator[str]:
    """A second hub process on ``hub``'s database whose clock reads ``moment`` now and runs on
    (libfaketime): what a parent and the location did on a day of last month, at that day's hour.

    Under the clock-proof check this process's own clock is already moved (``FAKETIME=+Ns``); the
    hub's offset is then taken from this process's clock, so both agree on "now"."""
    offset = os.environ.get("FAKETIME", "")
    env = fake_time_env(moment)
    if offset[:1] in "+-" and offset.endswith("s") and offset:
        env["FAKETIME"] = f"{float(offset[:-1]) + moment.timestamp() - wall.time():+.3f}s"
    port = free_port()
    proc = spawn(
        f"hub-at-{moment:%Y%m%d%H%M}",
        [
            "-m",
            "tests.support.billing_process",
            str(hub.database),
            str(hub.amounts),
            str(hub.mail),
            str(port),
        ],
        workdir,
        env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(proc, url), timeout=30, what="the hub on a moved clock")
        yield url
    finally:
        proc.stop()
