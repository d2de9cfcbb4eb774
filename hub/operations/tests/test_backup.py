"""Backups taken while the hub ingests, and restored into a stopped hub: real processes, real files."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.core import pg_dump
from hub.core.db import open_database
from hub.core.settings import HubSettings
from hub.demo import DemoData, seed
from hub.mail.folder import FolderMailer
from hub.notify import vapid
from hub.operations.backup import BackupError, backup, checksum_path, restore, sha256_of
from hub.operations.lock import DataFolderLock, HubIsRunning
from hub.operations.rotation import backups_to_keep
from hub.web.app import create_app
from provisioning.mosquitto import UnitAccount
from tests.support.files import TINY_PDF, jpeg_with_exif
from tests.support.messages import checkin
from tests.support.parents import ANNE, add_families, csrf_of, login_parent
from tests.support.portal import serve
from tests.support.portal_world import PortalWorld
from tests.support.processes import ROOT, start_hub
from tests.support.raw_unit import RawUnit
from tests.support.talk import staff_client
from tests.support.waiting import wait_for
from wire import Ack, encode

BURST = 240


def hub_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hub", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_a_backup_taken_during_a_burst_restores_every_event_acked_before_it_began(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto
) -> None:
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    acked: list[str] = []
    lock = threading.Lock()

    def on_ack(ack: Ack, _arrived: float) -> None:
        with lock:
            acked.append(ack.id)

    unit = RawUnit.of(mosquitto, demo.unit_id, on_ack=on_ack).start()
    codes = list(demo.cards.values())
    start = datetime.now(UTC)
    events = [
        checkin(
            unit=demo.unit_id,
            location=demo.location_id,
            seq=n + 1,
            code=codes[n % len(codes)],
            wall_time=(start + timedelta(milliseconds=10 * n)).isoformat(timespec="milliseconds"),
            direction="arrival" if (n // len(codes)) % 2 == 0 else "departure",
        )
        for n in range(BURST)
    ]
    stop_sending = threading.Event()

    def send() -> None:
        for event in events:
            if stop_sending.is_set():
                return
            unit.publish(encode(event))
            stop_sending.wait(0.01)  # a busy morning, bounded: BURST messages

    sender = threading.Thread(target=send, name="burst")
    backups = tmp_path / "backups"
    try:
        sender.start()
        wait_for(lambda: len(acked) >= BURST // 4, timeout=60, what="a quarter of the burst acked")
        with lock:
            acked_before = set(acked)
        done = hub_cli("backup", str(backups), "--config", str(hub_dir / "hub.toml"))
        assert done.returncode == 0, done.stderr
        with lock:
            acked_after_backup = len(acked)
        sender.join(timeout=60)
        wait_for(lambda: len(set(acked)) == BURST, timeout=60, what="the whole burst acked")

        # a running hub's database is never replaced
        (file,) = backups.glob("aanwezig-hub-*.sqlite3")
        refused = hub_cli("restore", str(file), "--config", str(hub_dir / "hub.toml"))
        assert refused.returncode == 1 and "stop the hub first" in refused.stderr, refused
    finally:
        stop_sending.set()
        unit.stop()
        hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]

    manifest = json.loads(file.with_suffix(".json").read_text())
    assert manifest["sha256"] == sha256_of(file)
    assert (backups / f"{file.name}.sha256").read_text().startswith(f"{manifest['sha256']}  {file.name}\n")
    assert "0001_initial.sql" in manifest["migrations"]

    fresh = tmp_path / "fresh-hub"
    fresh.mkdir()
    (fresh / "hub.toml").write_text(f'data_dir = "{fresh}"\n')
    done = hub_cli("restore", str(file), "--config", str(fresh / "hub.toml"))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(fresh / "hub.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        restored = {row[0] for row in db.execute("SELECT id FROM events")}
    assert acked_before <= restored, f"{len(acked_before - restored)} acked events missing"
    assert manifest["tables"]["events"] == len(restored)
    print(
        f"acked before the backup: {len(acked_before)}, in it: {len(restored)}, "
        f"acked when it returned: {acked_after_backup}, burst: {BURST}"
    )


def test_restore_refuses_a_backup_whose_checksum_does_not_match_and_changes_nothing(
    tmp_path: Path, hub_dir: Path, demo: DemoData
) -> None:
    settings = HubSettings(data_dir=hub_dir)
    made = backup(settings, tmp_path / "backups", now=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    with made.path.open("r+b") as f:  # one flipped byte in the last page
        f.seek(-100, 2)
        byte = f.read(1)
        f.seek(-100, 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    before = sha256_of(hub_dir / "hub.sqlite3")
    with pytest.raises(BackupError, match="checksum does not match"):
        restore(settings, made.path)
    assert sha256_of(hub_dir / "hub.sqlite3") == before
    assert not list(hub_dir.glob("hub.sqlite3.replaced-*"))


def test_restore_keeps_the_replaced_database_aside(tmp_path: Path, hub_dir: Path, demo: DemoData) -> None:
    settings = HubSettings(data_dir=hub_dir)
    made = backup(settings, tmp_path / "backups", now=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    db = open_database(hub_dir / "hub.sqlite3")
    db.execute("DELETE FROM contacts")
    db["closed_months"].insert(
        {"location_id": demo.location_id, "month": "2026-02", "closed_by": "x", "closed_at": "2026-03-01T0Z"}
    )
    db.conn.commit()
    db.close()
    aside = restore(settings, made.path, now=datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    assert aside.name == "hub.sqlite3.replaced-20260302T020000Z"
    with sqlite3.connect(aside) as old, sqlite3.connect(hub_dir / "hub.sqlite3") as new:
        assert old.execute("SELECT count(*) FROM closed_months").fetchone() == (1,)
        assert new.execute("SELECT count(*) FROM closed_months").fetchone() == (0,)


def test_restore_refuses_while_the_data_folder_is_locked(tmp_path: Path, hub_dir: Path, demo) -> None:
    settings = HubSettings(data_dir=hub_dir)
    made = backup(settings, tmp_path / "backups", now=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    with DataFolderLock(hub_dir).acquire(), pytest.raises(HubIsRunning, match="stop the hub first"):
        restore(settings, made.path)


def test_on_postgresql_backup_and_restore_go_through_pg_dump_of_the_database_hub_toml_names(
    tmp_path: Path, hub_dir: Path, postgres_server
) -> None:
    url = postgres_server.create_hub_database()
    db = open_database(url)
    seed(db, history_days=1)
    (cards,) = db.execute("SELECT count(*) FROM cards").fetchone()
    (events,) = db.execute("SELECT count(*) FROM events").fetchone()
    db.close()
    hub_dir.mkdir(parents=True)
    (hub_dir / "vapid.pem").write_bytes(b"the hub's key")
    config = hub_dir / "hub.toml"
    config.write_text(f'data_dir = "{hub_dir}"\ndatabase = "{url}"\n')
    folder = tmp_path / "backups"

    made = hub_cli("backup", str(folder), "--config", str(config))
    assert made.returncode == 0, made.stderr
    [archive] = folder.glob("aanwezig-hub-*.pgdump")
    manifest = json.loads(archive.with_suffix(".json").read_text())
    assert (manifest["tables"]["cards"], manifest["tables"]["events"]) == (cards, events) and events > 0
    assert manifest["schema"] == "public"
    assert manifest["sha256"] == sha256_of(archive) and [f["path"] for f in manifest["files"]] == [
        "vapid.pem"
    ]
    assert subprocess.run(["sha256sum", "-c", checksum_path(archive).name], cwd=folder).returncode == 0

    db = open_database(url)
    db.execute("UPDATE cards SET state = 'lost'")
    db["closed_months"].insert(
        {"location_id": "zonnebloem", "month": "2026-02", "closed_by": "x", "closed_at": "2026-03-01T0Z"}
    )
    db.close()
    (hub_dir / "vapid.pem").write_bytes(b"another key")
    done = hub_cli("restore", str(archive), "--config", str(config))
    assert done.returncode == 0, done.stderr
    db = open_database(url)
    assert db.execute("SELECT count(*) FROM cards WHERE state = 'active'").fetchone() == (cards,)
    assert db.execute("SELECT count(*) FROM closed_months").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM events").fetchone() == (events,)
    with pytest.raises(sqlite3.IntegrityError):  # the event log's triggers came back with the schema
        db.execute("DELETE FROM events")
    db.close()
    assert (hub_dir / "vapid.pem").read_bytes() == b"the hub's key"
    [aside] = hub_dir.glob("hub.pgdump.replaced-*")
    assert "the replaced database is" in done.stdout and str(aside) in done.stdout

    with archive.open("r+b") as f:  # one flipped byte: refused before anything changes
        f.seek(-100, 2)
        byte = f.read(1)
        f.seek(-100, 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    refused = hub_cli("restore", str(archive), "--config", str(config))
    assert refused.returncode == 1 and "checksum does not match" in refused.stderr


def test_without_the_servers_pg_dump_the_backup_says_what_to_install() -> None:
    with pytest.raises(pg_dump.DumpError, match="install Debian's postgresql-client-99"):
        pg_dump.tool("pg_dump", 99)


def test_rotation_keeps_the_newest_backup_of_each_recent_day_and_week(tmp_path, hub_dir, demo) -> None:
    # two backups a day for 40 days, at 01:00 and 13:00 UTC; the last is Monday 09/02/2026 13:00
    first = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    taken = [first + timedelta(hours=12 * n) for n in range(80)]
    keep = backups_to_keep(taken, daily=7, weekly=4)
    days = [datetime(2026, 2, d, 13, 0, tzinfo=UTC) for d in range(3, 10)]
    # weeks: 09/02 and 08/02 (Sunday) are days already; then the Sundays 01/02 and 25/01
    weeks = [datetime(2026, 2, 1, 13, 0, tzinfo=UTC), datetime(2026, 1, 25, 13, 0, tzinfo=UTC)]
    assert keep == set(days + weeks)
    settings = HubSettings(data_dir=hub_dir, backup_keep_daily=2, backup_keep_weekly=1)
    folder = tmp_path / "backups"
    for day in range(4):
        backup(settings, folder, now=datetime(2026, 3, 2 + day, 1, 0, tzinfo=UTC))
    assert sorted(p.name for p in folder.glob("*.sqlite3")) == [
        "aanwezig-hub-20260304T010000Z.sqlite3",
        "aanwezig-hub-20260305T010000Z.sqlite3",
    ]
    assert len(list(folder.glob("*.json"))) == len(list(folder.glob("*.sha256"))) == 2


def _parent_sends_an_attachment(world: PortalWorld, child: int) -> tuple[int, int]:
    """Anne writes to the location with a PDF: (thread, attachment)."""
    anne = login_parent(world.url, ANNE)
    form = {"csrf": csrf_of(anne, "/ouders/berichten/nieuw"), "kind": f"{child}:zonnebloem"}
    form |= {"onderwerp": "Attest", "bericht": "zie bijlage"}
    sent = anne.http.post(
        "/ouders/berichten/nieuw",
        data=form,
        files=[("bestanden", ("attest.pdf", TINY_PDF, "application/pdf"))],
    )
    assert sent.status_code == 200, sent.text[-500:]
    with sqlite3.connect(world.database) as db:
        ((thread, attachment),) = db.execute(
            "SELECT m.thread_id, a.id FROM message_attachments a JOIN messages m ON m.id = a.message_id"
        ).fetchall()
    return thread, attachment


def _location_uploads_a_photo(world: PortalWorld, child: int) -> int:
    staff = staff_client(world.url)
    page = "/locaties/zonnebloem/fotos"
    form = {"csrf": csrf_of(staff, page), "kinderen": [str(child)], "onderschrift": "Zandbak"}
    done = staff.http.post(page, data=form, files={"foto": ("IMG_0001.jpg", jpeg_with_exif(), "image/jpeg")})
    assert done.status_code == 200, done.text[-500:]
    with sqlite3.connect(world.database) as db:
        ((photo,),) = db.execute("SELECT id FROM photos").fetchall()
    return photo


def _what_anne_gets(url: str, thread: int, attachment: int, photo: int) -> tuple[bytes, bytes, bytes]:
    anne = login_parent(url, ANNE)
    got = [
        anne.get(path)
        for path in (
            f"/ouders/berichten/{thread}/bijlagen/{attachment}",
            f"/ouders/fotos/{photo}/foto.jpg",
            f"/ouders/fotos/{photo}/klein.jpg",
        )
    ]
    assert [g.status_code for g in got] == [200, 200, 200], [g.url for g in got]
    return tuple(g.content for g in got)


def test_a_restored_backup_gives_the_parent_the_attachment_and_the_photo_and_keeps_the_vapid_key(
    tmp_path: Path, hub_dir: Path, world: PortalWorld
) -> None:
    families = add_families(world.database, world.other_child)
    thread, attachment = _parent_sends_an_attachment(world, families.jules)
    photo = _location_uploads_a_photo(world, families.jules)
    push_key = vapid.public_key(hub_dir)  # made on first use, 0600
    before = _what_anne_gets(world.url, thread, attachment, photo)
    assert before[0] == TINY_PDF

    made = backup(HubSettings(data_dir=hub_dir), tmp_path / "backups")
    paths = {entry["path"]: entry for entry in made.manifest["files"]}
    assert paths["vapid.pem"]["mode"] == "0600"
    assert {p.split("/")[0] for p in paths} == {"vapid.pem", "berichten", "fotos"}
    tar = made.path.with_suffix(".files.tar")
    assert stat.S_IMODE(tar.stat().st_mode) == 0o600
    assert (tmp_path / "backups" / f"{made.path.name}.sha256").read_text() == (
        f"{made.manifest['sha256']}  {made.path.name}\n{sha256_of(tar)}  {tar.name}\n"
    )
    checked = subprocess.run(["sha256sum", "-c", f"{made.path.name}.sha256"], cwd=tmp_path / "backups")
    assert checked.returncode == 0

    fresh = tmp_path / "fresh-hub"
    fresh.mkdir()
    (fresh / "hub.toml").write_text(f'data_dir = "{fresh}"\n')
    done = hub_cli("restore", str(made.path), "--config", str(fresh / "hub.toml"))
    assert done.returncode == 0, done.stderr
    assert vapid.public_key(fresh) == push_key
    assert stat.S_IMODE((fresh / "vapid.pem").stat().st_mode) == 0o600
    assert not list(fresh.glob(".restoring-*"))
    app = create_app(
        fresh / "hub.sqlite3", mailer=FolderMailer(tmp_path / "mail"), settings=HubSettings(data_dir=fresh)
    )
    with serve(app) as url:
        assert _what_anne_gets(url, thread, attachment, photo) == before


def test_restore_refuses_a_backup_whose_data_file_was_tampered_with_and_changes_nothing(
    tmp_path: Path, hub_dir: Path, demo: DemoData
) -> None:
    vapid.public_key(hub_dir)
    (hub_dir / "berichten").mkdir()
    (hub_dir / "berichten" / "0123abcd").write_bytes(b"%PDF-1.4 een attest %%EOF")
    settings = HubSettings(data_dir=hub_dir)
    made = backup(settings, tmp_path / "backups", now=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    tar = made.path.with_suffix(".files.tar")
    fresh = tmp_path / "fresh-hub"
    fresh.mkdir()
    target = HubSettings(data_dir=fresh)

    # one changed byte in the attachment, inside the tar: the tar's checksum no longer matches
    original = tar.read_bytes()
    tar.write_bytes(original.replace(b"een attest", b"EEN attest"))
    with pytest.raises(BackupError, match=r"files\.tar: checksum does not match"):
        restore(target, made.path)
    # the same change with the checksum file made to fit: the file's own checksum refuses it
    sums = checksum_path(made.path)
    tampered = sha256_of(tar)
    sums.write_text(sums.read_text().replace(made.manifest["files_sha256"], tampered))
    with pytest.raises(BackupError, match="berichten/0123abcd does not match its checksum"):
        restore(target, made.path)
    assert sorted(p.name for p in fresh.iterdir()) == ["hub.lock"]  # no database, no files, no staging

    # the untouched backup restores
    tar.write_bytes(original)
    sums.write_text(sums.read_text().replace(tampered, made.manifest["files_sha256"]))
    restore(target, made.path)
    assert (fresh / "berichten" / "0123abcd").read_bytes() == b"%PDF-1.4 een attest %%EOF"
    assert vapid.public_key(fresh) == vapid.public_key(hub_dir)


def test_a_file_written_during_the_backup_does_not_break_it(
    tmp_path: Path, hub_dir: Path, demo: DemoData
) -> None:
    folder = hub_dir / "fotos"
    folder.mkdir()
    growing = folder / "abc123"
    growing.write_bytes(b"begin")
    stop = threading.Event()

    def write() -> None:  # a file rewritten in place (truncated, then written) and new ones, the whole time
        for n in range(100_000):  # bounded
            if stop.is_set():
                return
            with growing.open("wb") as f:
                for _ in range(n % 64):
                    f.write(b"x" * 4096)
            if n % 500 == 0:
                (folder / f"{n:06x}").write_bytes(b"klein")

    writer = threading.Thread(target=write, name="writer")
    writer.start()
    try:
        made = [
            backup(
                HubSettings(data_dir=hub_dir),
                tmp_path / "backups",
                now=datetime(2026, 3, 2 + n, 1, 0, tzinfo=UTC),
            )
            for n in range(3)
        ]
    finally:
        stop.set()
        writer.join(timeout=30)
    for n, one in enumerate(made):  # each restores: every file in its tar matches its manifest
        fresh = tmp_path / f"fresh-{n}"
        fresh.mkdir()
        restore(HubSettings(data_dir=fresh), one.path)
        entry = next(e for e in one.manifest["files"] if e["path"] == "fotos/abc123")
        assert sha256_of(fresh / "fotos" / "abc123") == entry["sha256"]
