"""Enrolling, fencing and revoking scanner units against a real Mosquitto that reads only files the
technician's tool generated (``python -m provisioning``): settings, password file, ACL, TLS."""

from __future__ import annotations

import io
import json
import sqlite3
import stat
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hub.core.db import open_database
from hub.core.settings import load as load_hub_settings
from hub.demo import DemoData
from tests.support.fixtures import write_card_image
from tests.support.fleet import Client, ProvisionedHub, bundle_broker
from tests.support.messages import checkin
from tests.support.processes import ROOT, start_unit
from tests.support.waiting import wait_for
from wire import Ack, Topic, TopicKind, Verdict, decode, encode

OTHER_LOCATION = "regenboog"


@pytest.fixture
def make_site(tmp_path: Path, hub_dir: Path, demo: DemoData) -> Iterator[Callable[..., ProvisionedHub]]:
    """A hub machine with the demo's location and a second one, its broker set up by the tool."""
    db = open_database(hub_dir / "hub.sqlite3")
    db["locations"].insert(
        {"id": OTHER_LOCATION, "organisator_id": 1, "dossier_number": "903999888", "name": "De Regenboog"}
    )
    db.close()
    sites: list[ProvisionedHub] = []

    def make(tls: bool = False) -> ProvisionedHub:
        site = ProvisionedHub(tmp_path / "site", hub_dir, tls=tls)
        sites.append(site)
        site.set_up_broker()
        return site

    yield make
    for site in sites:
        site.stop()


def enrol(site: ProvisionedHub, location: str, unit: str, tmp_path: Path) -> Path:
    """Enrol a unit as the technician does; returns its bundle folder."""
    bundle = tmp_path / f"bootfs-{unit}" / "aanwezig"
    site.provision("enrol", location, "--unit", unit, "--out", str(bundle))
    return bundle


def hub_client(site: ProvisionedHub, name: str = "test-hub-listener") -> Client:
    """A second client on the hub's own account (password from the hub.toml that init wrote)."""
    client = Client(load_hub_settings(site.hub_toml).broker_address, name).connect()
    client.subscribe(Topic.all_units(TopicKind.EVENT))
    return client


def hub_rows(hub_dir: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def acks(client: Client) -> list[Ack]:
    return [decode(payload, Ack) for topic, payload, _ in client.messages if topic.endswith("/ack")]


def test_enrolled_unit_installs_its_bundle_on_first_boot_and_its_scans_reach_the_hub_over_tls(
    make_site, demo: DemoData, hub_dir: Path, tmp_path: Path
) -> None:
    site = make_site(tls=True)
    site.start_hub()
    boot = tmp_path / "bootfs" / "aanwezig"

    enrolled = site.provision("enrol", demo.location_id, "--unit", "unit-door", "--out", str(boot))
    assert "Scanner ingeschreven" in enrolled.stdout
    assert "Kinderdagverblijf De Zonnebloem (zonnebloem)" in enrolled.stdout
    assert sorted(p.name for p in boot.iterdir()) == ["ca.crt", "staff.key", "unit.toml"]
    # First boot: aanwezig-install-bundle.service runs exactly this.
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "device.bundle",
            "install",
            str(boot),
            str(site.unit_config_dir),
            "--owner",
            "",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert installed.returncode == 0, installed.stderr
    assert not boot.exists(), "the bundle (with the password) must be wiped from the boot partition"
    config = site.unit_config_dir / "unit.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    broker = bundle_broker(config)
    assert broker.tls and broker.ca_file == str(site.unit_config_dir / "ca.crt")
    # The unit's clear password lives in its bundle only: the hub side keeps a hash.
    hub_side = [*site.broker_dir.rglob("*"), *hub_dir.rglob("*"), site.hub_toml]
    assert not [p for p in hub_side if p.is_file() and broker.password.encode() in p.read_bytes()]

    # this machine's clock is right, but a container's kernel does not say it is synced; the hub
    # keeps an unsynced scan without anchor aside as "tijd onzeker"
    config.write_text(config.read_text().replace("[scan]\n", "[scan]\nclock_synced = true\n", 1))
    unit = start_unit(site.unit_data_dir, config)
    try:
        write_card_image(site.camera, demo.cards["Jules"])
        stored = wait_for(
            lambda: hub_rows(hub_dir, "SELECT unit_id, location_id, child_id FROM events"),
            what="the enrolled unit's check-in in the hub database",
        )
        assert stored == [("unit-door", demo.location_id, 1)]

        def listed() -> dict:
            out = site.provision("list", "--location", demo.location_id, "--json").stdout
            return next(u for u in json.loads(out)[demo.location_id] if u["id"] == "unit-door")

        row = wait_for(
            lambda: (r := listed())["online"] and r["version"] and r, what="the unit online in list"
        )
        assert row["state"] == "active" and row["backlog"] == 0
        table = site.provision("list").stdout
        assert "unit-door" in table and "online" in table
    finally:
        unit.stop()
    assert "Traceback" not in unit.log(), unit.log()


def test_a_unit_cannot_publish_as_another_unit_nor_read_another_units_config(
    make_site, demo: DemoData, hub_dir: Path, tmp_path: Path
) -> None:
    site = make_site()
    site.start_hub()
    a = enrol(site, demo.location_id, "unit-a", tmp_path)
    enrol(site, demo.location_id, "unit-b", tmp_path)
    enrol(site, OTHER_LOCATION, "unit-c", tmp_path)
    listener = hub_client(site)
    thief = Client(bundle_broker(a), "unit-a").connect()
    thief.subscribe("aanwezig/v1/#", str(Topic(demo.location_id, "unit-a", TopicKind.ACK)))

    as_b = checkin(unit="unit-b", location=demo.location_id, code=demo.cards["Jules"], seq=1)
    as_c = checkin(unit="unit-c", location=OTHER_LOCATION, code=demo.cards["Jules"], seq=1)
    own = checkin(unit="unit-a", location=demo.location_id, code=demo.cards["Mila"], seq=1)
    thief.publish(str(Topic(demo.location_id, "unit-b", TopicKind.EVENT)), encode(as_b))
    thief.publish(str(Topic(OTHER_LOCATION, "unit-c", TopicKind.EVENT)), encode(as_c))
    thief.publish(str(Topic(demo.location_id, "unit-a", TopicKind.EVENT)), encode(own))

    # The broker delivers one publisher's messages in order: once its own event is in, the two
    # before it would have been too.
    wait_for(lambda: any(m[0].endswith("unit-a/event") for m in listener.messages), what="unit-a's own event")
    assert [topic for topic, _, _ in listener.messages] == [
        str(Topic(demo.location_id, "unit-a", TopicKind.EVENT))
    ]
    wait_for(lambda: [a.id for a in acks(thief)] == [own.id], what="the hub's ack of unit-a's own event")
    assert acks(thief)[0].verdict is Verdict.STORED
    assert hub_rows(hub_dir, "SELECT id FROM events") == [(own.id,)]
    assert hub_rows(hub_dir, "SELECT reason FROM dead_letters") == []

    # Retained configs: unit-a gets its own, and neither unit-b's nor unit-c's (they hold rosters).
    wait_for(lambda: any(m[0].endswith("unit-a/config") for m in thief.messages), what="unit-a's own config")
    reader = Client(bundle_broker(a), "unit-a-reader").connect()
    reader.subscribe(
        str(Topic(demo.location_id, "unit-b", TopicKind.CONFIG)),
        str(Topic(OTHER_LOCATION, "unit-c", TopicKind.CONFIG)),
        str(Topic(demo.location_id, "unit-a", TopicKind.CONFIG)),
    )
    wait_for(lambda: reader.messages, what="the retained config after subscribing")
    assert [topic for topic, _, _ in reader.messages] == [
        str(Topic(demo.location_id, "unit-a", TopicKind.CONFIG))
    ]
    assert not [m for m in thief.messages if "/unit-b/" in m[0] or "/unit-c/" in m[0]]
    # ...while the hub's account does see that unit-b's config is there.
    hub_reader = Client(load_hub_settings(site.hub_toml).broker_address, "hub-reader").connect()
    hub_reader.subscribe(str(Topic(demo.location_id, "unit-b", TopicKind.CONFIG)))
    wait_for(lambda: hub_reader.messages, what="unit-b's config for the hub account")
    for client in (listener, thief, reader, hub_reader):
        client.close()


def test_a_revoked_unit_is_cut_off_at_once_and_refused_afterwards_while_its_events_stay(
    make_site, demo: DemoData, hub_dir: Path, tmp_path: Path
) -> None:
    site = make_site()
    site.start_hub()
    bundle = enrol(site, demo.location_id, "unit-stolen", tmp_path)
    unit = Client(bundle_broker(bundle), "unit-stolen").connect()
    unit.publish(
        str(Topic(demo.location_id, "unit-stolen", TopicKind.EVENT)),
        encode(checkin(unit="unit-stolen", location=demo.location_id, code=demo.cards["Noah"])),
    )
    wait_for(lambda: hub_rows(hub_dir, "SELECT id FROM events"), what="the event sent before the theft")

    revoked = site.provision("revoke", "unit-stolen")
    assert "ingetrokken" in revoked.stdout and "SIGHUP" in revoked.stdout

    wait_for(lambda: not unit.connected, what="Mosquitto dropping the revoked unit's connection")
    again = Client(bundle_broker(bundle), "unit-stolen").connect()
    assert again.refused == ["Not authorized"]
    assert not again.connected
    assert len(hub_rows(hub_dir, "SELECT id FROM events WHERE unit_id = 'unit-stolen'")) == 1
    assert hub_rows(hub_dir, "SELECT state, online FROM units WHERE id = 'unit-stolen'") == [("revoked", 0)]
    assert "unit-stolen" not in (site.broker_dir / "passwd").read_text()
    assert "unit-stolen" not in (site.broker_dir / "acl").read_text()
    assert "unit-stolen" not in (site.broker_dir / "accounts.json").read_text()
    listing = json.loads(site.provision("list", "--json").stdout)
    assert [u["state"] for u in listing[demo.location_id] if u["id"] == "unit-stolen"] == ["revoked"]
    unit.close()
    again.close()


def test_a_replacement_unit_takes_over_the_location_and_the_old_one_is_refused(
    make_site, demo: DemoData, hub_dir: Path, tmp_path: Path
) -> None:
    site = make_site()
    site.start_hub()
    old_bundle = enrol(site, demo.location_id, "unit-old", tmp_path)
    old = Client(bundle_broker(old_bundle), "unit-old").connect()
    new_bundle = tmp_path / "bootfs-new" / "aanwezig"

    replaced = site.provision("replace", "unit-old", "--unit", "unit-new", "--out", str(new_bundle))
    assert "Scanner unit-old vervangen" in replaced.stdout

    wait_for(lambda: not old.connected, what="the old unit cut off")
    assert Client(bundle_broker(old_bundle), "unit-old-2").connect().refused == ["Not authorized"]
    new = Client(bundle_broker(new_bundle), "unit-new").connect()
    event = checkin(unit="unit-new", location=demo.location_id, code=demo.cards["Lotte"])
    new.publish(str(Topic(demo.location_id, "unit-new", TopicKind.EVENT)), encode(event))
    stored = wait_for(
        lambda: hub_rows(hub_dir, "SELECT unit_id, location_id FROM events"), what="the new unit's event"
    )
    assert stored == [("unit-new", demo.location_id)]
    states = dict(hub_rows(hub_dir, "SELECT id, state FROM units WHERE id IN ('unit-old', 'unit-new')"))
    assert states["unit-old"] == "revoked" and states["unit-new"] == "active"
    old.close()
    new.close()


def test_a_revoked_unit_replaced_and_another_rekeyed_deliver_their_outbox_stored_once_as_their_own(
    make_site, demo: DemoData, hub_dir: Path, tmp_path: Path
) -> None:
    site = make_site()
    site.start_hub()
    enrol(site, demo.location_id, "unit-lost", tmp_path)
    enrol(site, demo.location_id, "unit-found", tmp_path)
    held = {
        unit: checkin(unit=unit, location=demo.location_id, code=demo.cards["Lotte"], seq=1)
        for unit in ("unit-lost", "unit-found")
    }  # made offline, before the revocation below
    assert "ingetrokken" in site.provision("revoke", "unit-lost").stdout
    site.provision("revoke", "unit-found")

    replaced = site.provision("replace", "unit-lost", "--unit", "unit-heir", "--out", str(tmp_path / "heir"))
    assert "unit-heir volgt unit-lost op" in replaced.stdout
    rekeyed = site.provision("rekey", "unit-found", "--out", str(tmp_path / "found"))
    assert "opnieuw in dienst" in rekeyed.stdout

    for unit, bundle in (("unit-heir", tmp_path / "heir"), ("unit-found", tmp_path / "found")):
        client = Client(bundle_broker(bundle), unit).connect()
        client.subscribe(str(Topic(demo.location_id, unit, TopicKind.ACK)))
        maker = "unit-lost" if unit == "unit-heir" else unit
        for _ in range(2):  # offered twice, as after a lost ack
            client.publish(str(Topic(demo.location_id, unit, TopicKind.EVENT)), encode(held[maker]))
        wait_for(lambda c=client: len(acks(c)) == 2, what=f"the verdicts for {unit}")
        assert [a.verdict for a in acks(client)] == [Verdict.STORED, Verdict.DUPLICATE]
        client.close()
    stored = hub_rows(hub_dir, "SELECT unit_id, count(*) FROM events GROUP BY unit_id ORDER BY unit_id")
    assert stored == [("unit-found", 1), ("unit-lost", 1)], "stored once each, as the unit that made it"
    assert hub_rows(hub_dir, "SELECT successor, predecessor, how FROM unit_successions ORDER BY how") == [
        ("unit-found", "unit-found", "rekey"),
        ("unit-heir", "unit-lost", "replace"),
    ]


def test_the_hub_refuses_events_that_claim_another_location(
    make_site, demo: DemoData, hub_dir: Path, tmp_path: Path
) -> None:
    site = make_site()
    site.start_hub()
    bundle = enrol(site, demo.location_id, "unit-a", tmp_path)
    listener = hub_client(site)
    unit = Client(bundle_broker(bundle), "unit-a").connect()
    unit.subscribe(str(Topic(demo.location_id, "unit-a", TopicKind.ACK)))
    own_topic = str(Topic(demo.location_id, "unit-a", TopicKind.EVENT))

    # 1. On the other location's topic: the broker's ACL stops it; the hub never hears of it.
    elsewhere = checkin(unit="unit-a", location=OTHER_LOCATION, code=demo.cards["Jules"], seq=1)
    unit.publish(str(Topic(OTHER_LOCATION, "unit-a", TopicKind.EVENT)), encode(elsewhere))
    # 2. On its own topic, claiming the other location: through the broker, refused by the hub.
    claimed = checkin(unit="unit-a", location=OTHER_LOCATION, code=demo.cards["Jules"], seq=2)
    unit.publish(own_topic, encode(claimed))
    wait_for(lambda: [a.id for a in acks(unit)] == [claimed.id], what="the hub's verdict on the claim")
    assert acks(unit)[0].verdict is Verdict.REFUSED and acks(unit)[0].reason == "wrong_location"
    assert [t for t, _, _ in listener.messages] == [own_topic]

    # 3. The hub checks its own register too, not only the topic: with the unit moved to the
    # other location in the database and the broker's files not yet rebuilt, an event for the
    # old location passes the broker and is refused by the hub.
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        db.execute("UPDATE units SET location_id = ? WHERE id = 'unit-a'", (OTHER_LOCATION,))
    stale = checkin(unit="unit-a", location=demo.location_id, code=demo.cards["Jules"], seq=3)
    unit.publish(own_topic, encode(stale))
    wait_for(lambda: len(acks(unit)) == 2, what="the hub's verdict on the stale location")
    assert acks(unit)[1].verdict is Verdict.REFUSED and acks(unit)[1].reason == "wrong_location"

    assert hub_rows(hub_dir, "SELECT count(*) FROM events") == [(0,)]
    kept = hub_rows(hub_dir, "SELECT event_id, reason FROM refused_events ORDER BY id")
    assert kept == [(claimed.id, "wrong_location"), (stale.id, "wrong_location")], "refused, and kept whole"
    assert all(a.kept for a in acks(unit)), "the verdict says it was kept"
    assert hub_rows(hub_dir, "SELECT count(*) FROM dead_letters") == [(0,)], "no junk"
    listener.close()
    unit.close()


def test_the_tool_refuses_an_unknown_location_and_a_folder_that_holds_another_bundle(
    make_site, demo: DemoData, tmp_path: Path
) -> None:
    site = make_site()
    unknown = site.provision("enrol", "nergens", "--out", str(tmp_path / "x"), ok=False)
    assert unknown.returncode == 2
    assert "onbekende locatie 'nergens'" in unknown.stderr and "zonnebloem" in unknown.stderr
    bundle = enrol(site, demo.location_id, "unit-a", tmp_path)
    again = site.provision("enrol", demo.location_id, "--out", str(bundle), ok=False)
    assert again.returncode == 2 and "staat al een bundel" in again.stderr
    taken = site.provision(
        "enrol", demo.location_id, "--unit", "unit-a", "--out", str(tmp_path / "y"), ok=False
    )
    assert taken.returncode == 2 and "bestaat al" in taken.stderr


def test_the_bundle_can_stream_as_a_tar_straight_onto_the_sd_card_in_the_laptop(
    make_site, demo: DemoData, tmp_path: Path
) -> None:
    site = make_site()
    # ssh hub sudo aanwezig-provision enrol zonnebloem --out - | tar -x -C /media/$USER/bootfs
    command = ["enrol", demo.location_id, "--unit", "unit-tar", "--out", "-"]
    done = subprocess.run(
        [sys.executable, "-m", "provisioning", "--config", str(site.provision_toml), *command],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "Scanner ingeschreven" in done.stderr.decode()
    bootfs = tmp_path / "bootfs"
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        assert sorted(tar.getnames()) == ["aanwezig", "aanwezig/staff.key", "aanwezig/unit.toml"]
        tar.extractall(bootfs, filter="data")
    unit = Client(bundle_broker(bootfs / "aanwezig"), "unit-tar").connect()
    assert unit.connected and not unit.refused
    unit.close()


def test_rekey_gives_a_new_password_and_sync_follows_a_revocation_made_in_the_database(
    make_site, demo: DemoData, hub_dir: Path, tmp_path: Path
) -> None:
    site = make_site()
    first = enrol(site, demo.location_id, "unit-a", tmp_path)
    second = tmp_path / "bootfs-rekeyed" / "aanwezig"
    rekeyed = site.provision("rekey", "unit-a", "--out", str(second))
    assert "het vorige werkt niet meer" in rekeyed.stdout
    assert Client(bundle_broker(first), "unit-a-old").connect().refused == ["Not authorized"]
    unit = Client(bundle_broker(second), "unit-a").connect()
    assert unit.connected

    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:  # revoked elsewhere, e.g. in the portal
        db.execute("UPDATE units SET state = 'revoked' WHERE id = 'unit-a'")
    synced = site.provision("sync")
    assert "0 actieve unit(s)" in synced.stdout
    wait_for(lambda: not unit.connected, what="the unit revoked in the database cut off by sync")
    assert Client(bundle_broker(second), "unit-a-2").connect().refused == ["Not authorized"]
    unit.close()
