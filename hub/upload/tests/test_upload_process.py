"""The hub process sends months to Kind en Gezin through its own upload thread: by itself, and on request."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from hub.accounts.actors import Actor
from hub.attendance.windows import shift_month
from hub.core.db import open_database
from hub.core.localtime import BRUSSELS, now_utc_iso, today
from hub.demo import DEMO_UNIT, DemoData, _record, seed
from hub.locations.queries import location_schedule
from hub.upload import store
from hub.upload.service import request_sending
from hub.upload.timing import automatic_months
from tests.support.kg_receiver import Receiver
from tests.support.processes import start_hub
from tests.support.waiting import wait_for
from wire import Direction

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL: the planner runs under its lease


def first_open_day(db, demo: DemoData, year: int, month: int) -> date:
    schedule = location_schedule(db, demo.location_id)
    day = date(year, month, 1)
    while not schedule.on(day).is_open:
        day += timedelta(days=1)
    return day


def a_day_of(db, demo: DemoData, who: str, year: int, month: int) -> None:
    day = first_open_day(db, demo, year, month)
    for moment, direction in ((time(8, 10), Direction.ARRIVAL), (time(16, 40), Direction.DEPARTURE)):
        at = datetime.combine(day, moment, BRUSSELS)
        _record(db, DEMO_UNIT, demo.cards[who], at, direction, demo.cards[who], now_utc_iso())
    db.conn.commit()


def test_the_running_hub_sends_last_month_by_itself_and_a_month_someone_asks_for(
    tmp_path: Path, hub_target: Path | str
) -> None:
    workdir = tmp_path / "hub"
    db = open_database(hub_target)
    demo = seed(db)
    automatic = automatic_months(today(), upload_day=1)  # with day 1, last month is always due
    year, month = automatic[0]
    a_day_of(db, demo, "Jules", year, month)
    older = shift_month(*automatic[-1], -1)  # too old to go by itself: on demand only
    a_day_of(db, demo, "Lotte", *older)
    db.close()

    receiver = Receiver(fail_next=1).start()
    database = f'database = "{hub_target}"\n' if isinstance(hub_target, str) else ""
    hub, _url = start_hub(
        workdir,
        extra_settings=(
            f'{database}\n[upload]\nendpoint = "{receiver.url}"\nday = 1\ncheck_every_s = 1\n'
            "first_pause_s = 0.05\n"
        ),
    )
    try:
        wait_for(lambda: receiver.submissions, timeout=30, what="the hub's upload of last month")
        db = open_database(hub_target)
        request_sending(db, Actor.location(demo.location_id, "De Zonnebloem"), demo.location_id, *older)
        db.close()
        wait_for(lambda: len(receiver.submissions) == 2, timeout=30, what="the month asked for")
    finally:
        code = hub.stop()
        receiver.stop()
    assert code == 0, hub.log()[-3000:]
    batch, asked = receiver.submissions.values()
    assert (batch["month"], batch["version"]) == (f"{year:04d}-{month:02d}", 1)
    assert asked["month"] == f"{older[0]:04d}-{older[1]:02d}"
    assert [r["child"]["first_name"] for r in asked["records"]] == ["Lotte"]
    [record] = batch["records"]
    assert record["child"]["first_name"] == "Jules" and record["days"][0]["minutes"] == 510
    assert receiver.requests == [503, 200, 200]

    db = open_database(hub_target)
    [submission] = store.history(db, demo.location_id, batch["month"]).submissions
    assert (submission.trigger, submission.requested_by, submission.state) == (
        "schedule",
        "planning",
        "answered",
    )
    assert [t.outcome for t in store.attempts_of(db, submission.id)] == ["failed", "answered"]
    assert "Traceback" not in hub.log(), hub.log()[-3000:]
    assert datetime.now(UTC) > datetime.fromisoformat(submission.created_at)
