"""The hub process sends last month to Kind en Gezin by itself, through its own upload thread."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from hub.db import open_database
from hub.demo import DEMO_UNIT, DemoData, _record, seed
from hub.localtime import BRUSSELS, now_utc_iso, today
from hub.locations.queries import location_schedule
from hub.upload import store
from hub.upload.timing import automatic_months
from tests.support.kg_receiver import Receiver
from tests.support.processes import start_hub
from tests.support.waiting import wait_for
from wire import Direction


def first_open_day(db, demo: DemoData, year: int, month: int) -> date:
    schedule = location_schedule(db, demo.location_id)
    day = date(year, month, 1)
    while not schedule.on(day).is_open:
        day += timedelta(days=1)
    return day


def test_the_running_hub_sends_last_month_by_itself_and_keeps_the_version(tmp_path: Path) -> None:
    workdir = tmp_path / "hub"
    db = open_database(workdir / "hub.sqlite3")
    demo = seed(db)
    year, month = automatic_months(today(), upload_day=1)[0]  # last month: with day 1 it is always due
    day = first_open_day(db, demo, year, month)
    for moment, direction in ((time(8, 10), Direction.ARRIVAL), (time(16, 40), Direction.DEPARTURE)):
        at = datetime.combine(day, moment, BRUSSELS)
        _record(db, DEMO_UNIT, demo.cards["Jules"], at, direction, demo.cards["Jules"], now_utc_iso())
    db.conn.commit()
    db.close()

    receiver = Receiver(fail_next=1).start()
    hub, _url = start_hub(
        workdir,
        extra_config=(
            f'\n[upload]\nendpoint = "{receiver.url}"\nday = 1\ncheck_every_s = 1\nfirst_pause_s = 0.05\n'
        ),
    )
    try:
        wait_for(lambda: receiver.submissions, timeout=30, what="the hub's upload of last month")
    finally:
        code = hub.stop()
        receiver.stop()
    assert code == 0, hub.log()[-3000:]
    [batch] = receiver.submissions.values()
    assert (batch["month"], batch["version"]) == (f"{year:04d}-{month:02d}", 1)
    [record] = batch["records"]
    assert record["child"]["first_name"] == "Jules" and record["days"][0]["minutes"] == 510
    assert receiver.requests == [503, 200]

    db = open_database(workdir / "hub.sqlite3")
    [submission] = store.history(db, demo.location_id, batch["month"]).submissions
    assert (submission.trigger, submission.requested_by, submission.state) == (
        "schedule",
        "planning",
        "answered",
    )
    assert [t.outcome for t in store.attempts_of(db, submission.id)] == ["failed", "answered"]
    assert "Traceback" not in hub.log(), hub.log()[-3000:]
    assert datetime.now(UTC) > datetime.fromisoformat(submission.created_at)
