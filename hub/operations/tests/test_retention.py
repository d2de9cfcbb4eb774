"""Retention with a moved clock: what has passed its period is gone, everything else stays."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlite_utils

from hub.children.queries import Stay, set_stay
from hub.core.db import connect, open_database
from hub.core.settings import load
from hub.demo import DemoData
from hub.operations.retention import erase_expired
from hub.operations.retention_rules import cutoffs, years_back
from hub.operations.settings import RetentionSettings
from tests.support.processes import ROOT
from wire.ids import new_event_id

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+00:00")


def child_id(db: sqlite_utils.Database, first_name: str) -> int:
    return db.execute("SELECT id FROM children WHERE first_name = ?", [first_name]).fetchone()[0]


def add_event(db: sqlite_utils.Database, demo: DemoData, child: int, day: str, seq: int) -> str:
    event_id = new_event_id()
    moment = f"{day}T07:30:00.000+00:00"
    db["events"].insert(
        dict(
            id=event_id,
            unit_id=demo.unit_id,
            location_id=demo.location_id,
            seq=seq,
            direction="arrival",
            code="1234567890",
            source="qr",
            wall_time=moment,
            occurred_at=moment,
            clock_synced=1,
            boot_id="0f4c2a6e",
            monotonic=1.0,
            child_id=child,
            received_at=moment,
        )
    )
    return event_id


def add_correction(db: sqlite_utils.Database, demo: DemoData, child: int, day: str) -> None:
    db["corrections"].insert(
        dict(
            location_id=demo.location_id,
            child_id=child,
            day=day,
            before="[]",
            after="[]",
            actor_role="organisator",
            actor_id="1",
            actor_name="An",
            made_at=f"{day}T18:00:00.000+00:00",
        )
    )


def add_upload(db: sqlite_utils.Database, demo: DemoData, children: tuple[int, ...], month: str) -> None:
    submission = new_event_id()
    db["upload_submissions"].insert(
        dict(
            id=submission,
            location_id=demo.location_id,
            month=month,
            version=1,
            trigger="schedule",
            requested_by="planning",
            created_at=f"{month}-28T00:00:00Z",
            calendar_hash="x",
            body="{}",
        )
    )
    for child in children:
        db["upload_records"].insert(
            dict(submission_id=submission, child_id=child, record=f"{month}/{child}", content_hash="h")
        )


@pytest.fixture
def world(hub_target: Path | str, demo: DemoData):
    """Jules left on 31/01/2026; Lotte stays. Each has attendance, a correction and an upload in May
    2025 and January 2026, and there is a dead letter from January 2026."""
    db = open_database(hub_target)
    jules, lotte = child_id(db, "Jules"), child_id(db, "Lotte")
    set_stay(
        db, jules, demo.location_id, Stay(last_day=date(2026, 1, 31))
    )  # the portal's "Laatste opvangdag"
    seq = 0
    for child in (jules, lotte):
        db["contacts"].insert(dict(child_id=child, name="Mama", email="mama@example.org", relation="moeder"))
        for day in ("2025-05-12", "2026-01-15"):
            seq += 1
            add_event(db, demo, child, day, seq)
            add_correction(db, demo, child, day)
    for month in ("2025-05", "2026-01"):
        add_upload(db, demo, (jules, lotte), month)
    db.conn.commit()
    yield db, jules, lotte
    db.close()


def count(db: sqlite_utils.Database, sql: str, *params) -> int:
    return db.execute(sql, list(params)).fetchone()[0]


def test_the_clock_moves_on_and_each_kind_of_data_goes_when_its_period_ends(world) -> None:
    db, jules, lotte = world
    periods = RetentionSettings()

    # 15/07/2030: May 2025's registrations and corrections are more than 5 years old
    report = erase_expired(db, periods, at("2030-07-15"))
    assert report.erased["events"] == 2 and report.erased["corrections"] == 2
    assert count(db, "SELECT count(*) FROM events WHERE occurred_at < '2025-07-01'") == 0
    assert count(db, "SELECT count(*) FROM events") == 2
    assert count(db, "SELECT count(*) FROM corrections") == 2
    assert count(db, "SELECT count(*) FROM upload_submissions") == 2, "sent versions are kept 10 years"
    assert count(db, "SELECT count(*) FROM contacts WHERE child_id = ?", jules) > 0

    # 01/02/2031: Jules left five years ago: the contacts go, the child's record stays
    erase_expired(db, periods, at("2031-02-01"))
    assert count(db, "SELECT count(*) FROM contacts WHERE child_id = ?", jules) == 0
    assert count(db, "SELECT count(*) FROM contacts WHERE child_id = ?", lotte) > 0
    assert count(db, "SELECT count(*) FROM children WHERE id = ?", jules) == 1
    assert count(db, "SELECT count(*) FROM events") == 0, "January 2026 is now 5 years ago"

    # 01/02/2036: ten years: Jules's versions sent and Jules are gone; Lotte stays, without old history
    report = erase_expired(db, periods, at("2036-02-01"))
    assert report.erased["children"] == 1
    assert count(db, "SELECT count(*) FROM children WHERE id = ?", jules) == 0
    assert count(db, "SELECT count(*) FROM cards WHERE child_id = ?", jules) == 0
    assert count(db, "SELECT count(*) FROM upload_submissions") == 0
    assert db.execute("SELECT first_name FROM children WHERE id = ?", [lotte]).fetchone() == ("Lotte",)
    assert count(db, "SELECT count(*) FROM contacts WHERE child_id = ?", lotte) > 0
    assert count(db, "SELECT count(*) FROM retention_erasing") == 0


def test_a_child_still_named_by_kept_history_is_anonymised_not_deleted(world) -> None:
    db, jules, _lotte = world
    # uploads are kept 10 years, the child only 6 after leaving: the versions sent still name Jules
    erase_expired(db, RetentionSettings(left_child_years=6), at("2032-02-10"))
    row = db.execute("SELECT first_name, last_name, birth_date FROM children WHERE id = ?", [jules])
    row = row.fetchone()
    assert row == ("Gewist", f"#{jules}", None)
    assert count(db, "SELECT count(*) FROM upload_records WHERE child_id = ?", jules) == 2


def test_normal_code_still_cannot_delete_history_and_retention_only_within_its_bound(world) -> None:
    db, _jules, _lotte = world
    for sql in ("DELETE FROM events", "DELETE FROM corrections", "DELETE FROM upload_submissions"):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(sql)
    db.conn.rollback()
    # even with a bound declared, nothing newer than the bound can go
    db.execute("INSERT INTO retention_erasing (kind, before) VALUES ('events', '2025-06-01')")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        db.execute("DELETE FROM events WHERE occurred_at > '2026-01-01'")
    db.conn.rollback()
    assert count(db, "SELECT count(*) FROM events") == 4


def test_a_dry_run_counts_and_erases_nothing(world) -> None:
    db, _jules, _lotte = world
    report = erase_expired(db, RetentionSettings(), at("2036-02-01"), dry_run=True)
    assert report.erased["events"] == 4 and "would erase" in report.summary()
    assert count(db, "SELECT count(*) FROM events") == 4
    assert count(db, "SELECT count(*) FROM retention_erasing") == 0


def test_cutoffs_count_whole_brussels_months_and_leap_days() -> None:
    cut = cutoffs(datetime(2030, 7, 31, 22, 30, tzinfo=UTC), RetentionSettings())  # 1 August in Brussels
    assert cut.events_before == "2025-07-31T22:00:00.000+00:00"  # 01/08/2025 00:00 Brussels
    assert cut.corrections_before == "2025-08-01" and cut.uploads_before == "2020-08"
    assert years_back(datetime(2032, 2, 29).date(), 5).isoformat() == "2027-02-28"


def test_the_retention_command_reads_its_periods_and_its_database_from_hub_toml(
    tmp_path: Path, hub_dir: Path, hub_target: Path | str, world
) -> None:
    hub_dir.mkdir(parents=True, exist_ok=True)
    config = hub_dir / "hub.toml"
    database = f'database = "{hub_target}"\n' if isinstance(hub_target, str) else ""
    config.write_text(
        f'data_dir = "{hub_dir}"\n{database}\n[retention]\nattendance_years = 5\nmail_outbox_days = 30\n'
    )
    assert load(config).retention.mail_outbox_days == 30

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "hub", *args, "--config", str(config)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    done = command("retention", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("retention would erase: ")
    left = command("child-left", str(world[2]), "30/06/2026")
    assert left.returncode == 0, left.stderr
    check = connect(hub_target)
    left_on = check.execute("SELECT left_on FROM children_left WHERE child_id = ?", [world[2]]).fetchone()
    last_day = check.execute("SELECT last_day FROM child_stays WHERE child_id = ?", [world[2]]).fetchone()
    assert left_on == ("2026-06-30",) and last_day == ("2026-06-30",), (
        "one truth: the last day at the location"
    )
    # the real run, under the retention lease: today nothing in the world is old enough to go
    done = command("retention")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("retention erased: ")
    assert count(check, "SELECT count(*) FROM events") == 4
    assert count(check, "SELECT count(*) FROM job_leases WHERE name = 'retention'") == 0, "given back"
    check.close()
    bad = hub_dir / "bad.toml"
    bad.write_text("[retention]\nattendance_yrs = 5\n")
    with pytest.raises(ValueError, match="unknown retention setting"):
        load(bad)


def test_the_portals_last_day_drives_retention_and_a_child_still_at_another_location_has_not_left(
    world, demo: DemoData
) -> None:
    db, _jules, lotte = world
    (organisator,) = db.execute(
        "SELECT organisator_id FROM locations WHERE id = ?", [demo.location_id]
    ).fetchone()
    with db.atomic():
        db["locations"].insert(
            {
                "id": "madeliefje",
                "organisator_id": organisator,
                "dossier_number": "903777888",
                "name": "Madeliefje",
            }
        )
        db["child_locations"].insert({"child_id": lotte, "location_id": "madeliefje"})
    set_stay(db, lotte, demo.location_id, Stay(last_day=date(2026, 1, 31)))  # "Laatste opvangdag" here
    assert db.execute("SELECT * FROM children_left WHERE child_id = ?", [lotte]).fetchall() == []
    erase_expired(db, RetentionSettings(), at("2031-07-15"))
    assert count(db, "SELECT count(*) FROM contacts WHERE child_id = ?", lotte) == 1, "still at Madeliefje"

    set_stay(db, lotte, "madeliefje", Stay(last_day=date(2026, 3, 31)))
    assert db.execute("SELECT left_on FROM children_left WHERE child_id = ?", [lotte]).fetchall() == [
        ("2026-03-31",)
    ]
    erase_expired(db, RetentionSettings(), at("2031-03-30"))
    assert count(db, "SELECT count(*) FROM contacts WHERE child_id = ?", lotte) == 1, (
        "5 years from her last day"
    )
    erase_expired(db, RetentionSettings(), at("2031-04-01"))
    assert count(db, "SELECT count(*) FROM contacts WHERE child_id = ?", lotte) == 0
