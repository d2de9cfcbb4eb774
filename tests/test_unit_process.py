"""The unit as a real process: linking a card at the door over a real Mosquitto, and systemd's
notify protocol (READY, WATCHDOG, STOPPING) over a real datagram socket."""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from pathlib import Path

from argon2 import PasswordHasher

from provisioning.mosquitto import UnitAccount
from tests.support.burst import burst_unit_config, outbox_size, present_cards
from tests.support.mqtt import MqttClient
from tests.support.processes import start_unit
from tests.support.roster import hub_config
from tests.support.waiting import wait_for
from wire import CardRead, CheckIn, LinkCard, Source, Topic, TopicKind, cardcode, decode, encode
from wire.ids import new_event_id

UNIT, LOCATION = "unit-door", "kdv-zonnebloem"


def test_a_link_request_makes_the_next_card_a_card_read_and_not_a_check_in(
    tmp_path: Path, start_mosquitto
) -> None:
    mosquitto = start_mosquitto(UnitAccount(UNIT, LOCATION, "unit-secret"))
    events = str(Topic(LOCATION, UNIT, TopicKind.EVENT))
    hub = MqttClient(mosquitto.hub_url, [events, str(Topic(LOCATION, UNIT, TopicKind.STATUS))])
    unit_dir, camera = tmp_path / "unit", tmp_path / "camera"
    unit = start_unit(unit_dir, burst_unit_config(unit_dir, UNIT, LOCATION, mosquitto.unit_url(UNIT), camera))
    try:
        wait_for(lambda: hub.received(str(Topic(LOCATION, UNIT, TopicKind.STATUS))), what="the unit online")
        new_card = cardcode.new_code()
        request = LinkCard(request=new_event_id(), child="Mila", valid_s=60)
        hub.publish(str(Topic(LOCATION, UNIT, TopicKind.COMMAND)), encode(request))
        wait_for(lambda: "[scherm] Kaart voor Mila: scan nu" in unit.log(), what="the link prompt")

        present_cards(camera, [new_card])
        (answer,) = wait_for(lambda: hub.received(events), what="the card read")
        read = decode(answer, CardRead)
        assert (read.request, read.code, read.source, read.unit) == (
            request.request,
            new_card,
            Source.QR,
            UNIT,
        )
        wait_for(lambda: "[ok] Kaart gelezen — voor Mila" in unit.log(), what="the confirmation")
        assert outbox_size(unit_dir) == 0, "linking a card is not a check-in"

        time.sleep(1.0)  # the card out of view for longer than presence_gap_s: a new presentation
        present_cards(camera, [new_card], first=1)  # the request is answered: now it is a check-in
        wait_for(lambda: len(hub.received(events)) == 2, what="a check-in")
        assert decode(hub.received(events)[1], CheckIn).code == new_card
    finally:
        unit.stop()
        hub.close()
    assert "Traceback" not in unit.log(), unit.log()


def test_the_unit_keeps_the_pin_hash_and_roster_from_the_hub_across_a_restart(
    tmp_path: Path, start_mosquitto
) -> None:
    mosquitto = start_mosquitto(UnitAccount(UNIT, LOCATION, "unit-secret"))
    hub = MqttClient(mosquitto.hub_url, [str(Topic(LOCATION, UNIT, TopicKind.STATUS))])
    card = cardcode.new_code()
    config = hub_config(
        {card: "Jules"},
        UNIT,
        LOCATION,
        settings={"repeat_window_s": 5},
        pin_hash=PasswordHasher().hash("4826"),
    )
    hub.publish(str(Topic(LOCATION, UNIT, TopicKind.CONFIG)), encode(config), retain=True)
    unit_dir, camera = tmp_path / "unit", tmp_path / "camera"
    unit_toml = burst_unit_config(unit_dir, UNIT, LOCATION, mosquitto.unit_url(UNIT), camera)
    unit = start_unit(unit_dir, unit_toml)
    wait_for(lambda: "1 card(s) on the roster" in unit.log(), what="the config from the hub")
    unit.stop()
    hub.close()
    mosquitto.stop()  # the broker is gone for good

    unit = start_unit(unit_dir, unit_toml)
    try:
        with sqlite3.connect(unit_dir / "outbox.sqlite3") as db:
            (saved,) = db.execute("SELECT value FROM state WHERE key = 'config'").fetchone()
        assert json.loads(saved)["pin_hash"] == config.pin_hash, "the staff menu works offline too"
        present_cards(camera, [card])
        wait_for(
            lambda: (
                "[saved_offline] Welkom Jules" in unit.log()
                or "[saved_offline] Tot ziens Jules" in unit.log()
            ),
            what="the child's name from the saved roster while the broker is down",
        )
    finally:
        unit.stop()


def test_under_systemd_the_unit_says_ready_pings_the_watchdog_and_says_stopping(tmp_path: Path) -> None:
    notify_path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(str(notify_path))
        systemd.settimeout(30)
        unit_dir = tmp_path / "unit"
        config = burst_unit_config(unit_dir, UNIT, LOCATION, "mqtt://u:p@127.0.0.1:9", tmp_path / "camera")
        unit = start_unit(
            unit_dir, config, env={"NOTIFY_SOCKET": str(notify_path), "WATCHDOG_USEC": "1000000"}
        )
        try:
            ready = systemd.recv(4096).decode()
            assert ready.startswith("READY=1\nSTATUS=backlog 0, not connected")
            pings = [systemd.recv(4096) for _ in range(3)]
            assert pings.count(b"WATCHDOG=1") >= 2, pings
        finally:
            unit.stop()
        messages = []
        systemd.settimeout(2)
        try:
            while True:
                messages.append(systemd.recv(4096))
        except TimeoutError:
            pass
        assert b"STOPPING=1" in messages
    assert unit.popen.returncode == 0
