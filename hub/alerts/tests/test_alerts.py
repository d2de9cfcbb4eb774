"""Alerts on a real SQLite file, mailed through the durable outbox to a real SMTP server (aiosmtpd):
each alert once, a "resolved" mail when it clears; the banner on the overview; the check run by
the hub service itself."""

from __future__ import annotations

import time as wall
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from hub.alerts import store
from hub.alerts.checker import AlertChecker
from hub.alerts.settings import AlertSettings
from hub.core.db import connect, write_transaction
from hub.core.localtime import BRUSSELS, utc_iso
from hub.core.settings import HubSettings
from hub.demo import DEMO_EMAIL, DEMO_PASSWORD, DemoData
from hub.mail.outbox import worker_for
from tests.support.parents import last_open_day
from tests.support.portal_world import OTHER_EMAIL, PortalWorld
from tests.support.processes import start_hub
from tests.support.small_disk import fill, small_disk
from tests.support.smtp import SmtpServer, body
from tests.support.waiting import wait_for

UNIT = "unit-zonnebloem-in"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def _deliver(hub_dir: Path, smtp: SmtpServer) -> None:
    settings = HubSettings(data_dir=hub_dir, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none")
    db = connect(hub_dir / "hub.sqlite3")
    try:
        worker_for(settings).deliver_due(db)
    finally:
        db.close()


def _unit_seen(hub_dir: Path, moment: datetime, online: bool = True, backlog: int = 0) -> None:
    db = connect(hub_dir / "hub.sqlite3")
    with write_transaction(db):
        db.execute(
            "UPDATE units SET online = ?, last_seen = ?, backlog = ? WHERE id = ?",
            (int(online), utc_iso(moment), backlog, UNIT),
        )
    db.close()


def _not_units(alerts) -> list[str]:
    """The keys of alerts other than the units' (the world's units are offline when its clock is in
    opening hours, which these tests do not fix)."""
    return sorted(a.key for a in alerts if not a.key.startswith("unit-"))


def test_a_unit_offline_during_opening_hours_is_mailed_once_and_its_resolution_once(
    hub_dir: Path, demo: DemoData, smtp: SmtpServer
) -> None:
    # the hub's clock of this check: the last opening day at 10:00 (the rules take any moment)
    clock = datetime.combine(last_open_day(hub_dir / "hub.sqlite3"), time(10, 0), BRUSSELS)
    checker = AlertChecker(
        hub_dir / "hub.sqlite3", AlertSettings(), "http://hub.example", None, clock=lambda: clock
    )
    _unit_seen(hub_dir, clock - timedelta(seconds=30))
    assert checker.step() == ([], [])

    _unit_seen(hub_dir, clock - timedelta(minutes=12))
    opened, _ = checker.step()
    assert [a.key for a in opened] == [f"unit-offline:{UNIT}"]
    assert checker.step() == ([], []), "an open alert is not mailed again"
    _deliver(hub_dir, smtp)
    [mail] = smtp.inbox.wait_for(DEMO_EMAIL)
    assert "offline tijdens de openingsuren" in mail["Subject"]
    assert "Je krijgt nog een mail wanneer het opgelost is" in body(mail)

    _unit_seen(hub_dir, clock, backlog=25)  # back, but with a backlog: a new, different alert
    opened, resolved = checker.step()
    assert [a.key for a in resolved] == [f"unit-offline:{UNIT}"]
    assert [a.key for a in opened] == [f"unit-backlog:{UNIT}"]
    _unit_seen(hub_dir, clock, backlog=0)
    assert [a.key for a in checker.step()[1]] == [f"unit-backlog:{UNIT}"]
    _deliver(hub_dir, smtp)
    mails = smtp.inbox.wait_for(DEMO_EMAIL, 4)
    subjects = [m["Subject"] for m in mails]
    assert len(mails) == 4 and sum(s.startswith("Opgelost:") for s in subjects) == 2


def test_a_unit_switched_off_after_closing_time_is_no_alert(hub_dir: Path, demo: DemoData) -> None:
    night = datetime.combine(last_open_day(hub_dir / "hub.sqlite3"), time(22, 0), BRUSSELS)
    checker = AlertChecker(hub_dir / "hub.sqlite3", AlertSettings(), "http://x", None, clock=lambda: night)
    _unit_seen(hub_dir, night - timedelta(hours=3), online=False)
    assert checker.step() == ([], [])


def test_a_pin_lock_and_a_refused_upload_show_a_banner_on_the_overview_only_to_their_organisator(
    world: PortalWorld,
) -> None:
    db = connect(world.database)
    with write_transaction(db):
        until = utc_iso(datetime.now(BRUSSELS) + timedelta(minutes=30))
        db.execute("UPDATE locations SET pin_locked_until = ? WHERE id = 'zonnebloem'", (until,))
        month = datetime.now(BRUSSELS).strftime("%Y-%m")
        db.execute(
            """
            INSERT INTO upload_submissions (id, location_id, month, version, trigger, requested_by,
                                            created_at, calendar_hash, body, state, refusal)
            VALUES ('01JTESTREFUSED0000000000000', 'zonnebloem', ?, 1, 'schedule', 'planning', ?, '', '{}',
                    'refused', 'ongeldig dossiernummer')
            """,
            (month, utc_iso(datetime.now(BRUSSELS))),
        )
    db.close()
    checker = AlertChecker(world.database, AlertSettings(), world.url, None)
    opened, _ = checker.step()
    assert _not_units(opened) == [
        "location-locked:zonnebloem",
        f"upload-refused:zonnebloem:{month}",
    ]

    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    page = client.get("/locaties/zonnebloem/bezetting").text
    assert "vergrendeld na te veel foute pincodes" in page and "Kind en Gezin weigerde" in page
    other = world.client()
    other.login_organisator(OTHER_EMAIL, "klavertje-vier-2026")
    assert "Zonnebloem" not in other.get("/locaties/klavertje/bezetting").text

    db = connect(world.database)
    with write_transaction(db):
        db.execute("UPDATE locations SET pin_locked_until = NULL")
    db.close()
    _, resolved = checker.step()
    assert _not_units(resolved) == ["location-locked:zonnebloem"]
    assert "vergrendeld" not in client.get("/locaties/zonnebloem/bezetting").text


def test_a_disk_running_low_is_an_alert_until_space_is_freed(
    hub_dir: Path, demo: DemoData, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "disk", 4096) as disk:
        checker = AlertChecker(hub_dir / "hub.sqlite3", AlertSettings(disk_free_min_mb=1), "http://x", disk)
        opened, _ = checker.step()
        assert _not_units(opened) == []
        filler = fill(disk, 200 * 1024)
        opened, _ = checker.step()
        [disk_low] = [a for a in opened if a.key == "disk-low"]
        assert _not_units(opened) == ["disk-low"] and disk_low.location_id is None
        db = connect(hub_dir / "hub.sqlite3")
        assert _not_units(store.open_for(db, ["zonnebloem"])) == ["disk-low"], "every location's banner"
        db.close()
        filler.unlink()
        assert _not_units(checker.step()[1]) == ["disk-low"]


def test_the_hub_service_runs_the_check_and_mails_through_its_outbox(
    hub_dir: Path, demo: DemoData, smtp: SmtpServer
) -> None:
    hub, _url = start_hub(hub_dir, extra_settings=smtp.settings() + "\n[alerts]\ncheck_every_seconds = 1\n")

    def lock_mails() -> list:  # the units' alerts may come too when the clock is in opening hours
        return [m for m in smtp.inbox.to(DEMO_EMAIL) if "vergrendeld" in str(m["Subject"])]

    try:
        db = connect(hub_dir / "hub.sqlite3")
        with write_transaction(db):
            until = utc_iso(datetime.now(BRUSSELS) + timedelta(minutes=30))
            db.execute("UPDATE locations SET pin_locked_until = ? WHERE id = 'zonnebloem'", (until,))
        wait_for(lambda: lock_mails(), 30, "the lock's alert mail")
        with write_transaction(db):
            db.execute("UPDATE locations SET pin_locked_until = NULL")
        db.close()
        wait_for(lambda: len(lock_mails()) == 2, 30, "the lock's 'Opgelost' mail")
        assert lock_mails()[1]["Subject"].startswith("Opgelost:")
        wall.sleep(2)  # two more checks: nothing more about the lock
        assert len(lock_mails()) == 2
    finally:
        hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]
