"""Sending months to a receiver on loopback: retries, versions with only what changed, answers kept.

The receiver (tests/support/kg_receiver.py) is a real HTTP server that checks each batch against
the committed JSON Schema, stores each submission once and answers per record. The month is March
2026 at the demo location, whose upload day is 7 April.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest

from hub.accounts.actors import Refused
from hub.attendance.corrections import apply_correction
from hub.core.settings import load
from hub.upload import store
from hub.upload.sender import Endpoint
from hub.upload.service import month_detail, run_due, send_month, send_now
from hub.upload.status import Status
from hub.upload.validation import Marker
from tests.support.attendance import (
    ARRIVAL,
    Door,
    at,
    child_id,
    day_at_the_creche,
    location_actor,
    organisator_actor,
)
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door
from tests.support.kg_receiver import Receiver

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

UPLOAD_DAY = at("2026-04-07", "00:15")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def endpoint(receiver: Receiver) -> Endpoint:
    return Endpoint(receiver.url, attempts=4, first_pause_s=0.01, longest_pause_s=0.03, timeout_s=10)


class Pauses(list):
    """Stands in for the wait between tries, and remembers how long each would have been."""

    def __call__(self, seconds: float) -> bool:
        self.append(seconds)
        return False


def status_of(db, demo, now=UPLOAD_DAY):
    return month_detail(db, organisator_actor(db), demo.location_id, 2026, 3, 7, True, now=now)[1]


def sent_records(receiver: Receiver, version: int) -> list[str]:
    [batch] = [b for b in receiver.submissions.values() if b["version"] == version]
    return [r["child"]["first_name"] for r in batch["records"]]


def test_a_receiver_that_fails_twice_and_then_accepts_gets_the_month_on_the_third_try(
    db, door, demo, receiver, endpoint
) -> None:
    day_at_the_creche(door, "Jules", "2026-03-10")
    day_at_the_creche(door, "Lotte", "2026-03-11")
    receiver.fail_next = 2
    pauses = Pauses()

    result = send_month(db, endpoint, demo.location_id, 2026, 3, "schedule", now=UPLOAD_DAY, pause=pauses)

    assert (result.outcome, result.version, result.records) == ("answered", 1, 2)
    assert receiver.requests == [503, 503, 200]
    assert pauses == [0.01, 0.02], "the pause doubles after each failed try"
    [submission] = store.history(db, demo.location_id, "2026-03").submissions
    tries = store.attempts_of(db, submission.id)
    assert [(t.attempt, t.outcome, t.http_status) for t in tries] == [
        (1, "failed", 503),
        (2, "failed", 503),
        (3, "answered", 200),
    ]
    assert tries[0].detail == "HTTP 503 Service Unavailable" and "tijdelijk" in tries[0].response
    assert tries[2].detail == "2 accepted" and json.loads(tries[2].response)["submission"] == submission.id
    assert {r.status for r in submission.records} == {"accepted"} and submission.state == "answered"
    month = status_of(db, demo)
    assert (month.status, month.markers, month.version, month.next_sending) == (
        Status.ACCEPTED,
        frozenset(),
        1,
        None,
    )


def test_a_try_without_any_answer_is_retried_like_a_server_error(db, door, demo, receiver, endpoint) -> None:
    day_at_the_creche(door, "Jules", "2026-03-10")
    receiver.fail_next, receiver.fail_with = 1, None  # the connection closes without an answer
    result = send_month(db, endpoint, demo.location_id, 2026, 3, now=UPLOAD_DAY, pause=Pauses())
    assert result.outcome == "answered"
    [submission] = store.history(db, demo.location_id, "2026-03").submissions
    first, second = store.attempts_of(db, submission.id)
    assert (
        first.outcome == "failed" and first.http_status is None and first.detail.startswith("geen antwoord")
    )
    assert second.outcome == "answered"


def test_a_month_with_a_fixed_error_is_resent_as_a_new_version_with_only_the_changed_record(
    db, door, demo, receiver, endpoint
) -> None:
    day_at_the_creche(door, "Jules", "2026-03-10")
    day_at_the_creche(door, "Louis", "2026-03-10")
    door.scan("Lotte", at("2026-03-10", "08:30"), ARRIVAL)  # her departure was not registered

    first = send_month(db, endpoint, demo.location_id, 2026, 3, "schedule", now=UPLOAD_DAY, pause=Pauses())
    assert (first.version, sent_records(receiver, 1)) == (1, ["Jules", "Louis"])
    waiting = status_of(db, demo)
    assert waiting.status is Status.ERRORS and waiting.markers == {Marker.CLOCK} and waiting.held_back == 1
    [issue] = waiting.issues
    assert (issue.child_id, issue.day, issue.text) == (
        child_id(db, "Lotte"),
        date(2026, 3, 10),
        "Vertrek ontbreekt na aankomst om 08:30",
    ), "the error points at the cell to fix"

    apply_correction(
        db,
        location_actor(demo),
        demo.location_id,
        child_id(db, "Lotte"),
        date(2026, 3, 10),
        [(time(8, 30), time(16, 45))],
        note="vertrek vergeten",
        now=at("2026-04-07", "09:00"),
    )
    fixed = status_of(db, demo, now=at("2026-04-07", "09:01"))
    assert (fixed.status, fixed.markers, fixed.waiting, fixed.next_sending) == (
        Status.WAITING,
        frozenset(),
        1,
        date(2026, 4, 7),
    )
    second = send_month(
        db, endpoint, demo.location_id, 2026, 3, "schedule", now=at("2026-04-07", "09:15"), pause=Pauses()
    )
    assert (second.version, sent_records(receiver, 2)) == (2, ["Lotte"])
    assert sorted(r["child"]["first_name"] for r in receiver.holdings.values()) == ["Jules", "Lotte", "Louis"]
    lotte = next(r for r in receiver.holdings.values() if r["child"]["first_name"] == "Lotte")
    assert lotte["days"][0]["minutes"] == 495

    again = send_month(
        db, endpoint, demo.location_id, 2026, 3, "schedule", now=at("2026-04-07", "09:30"), pause=Pauses()
    )
    assert again.outcome == "nothing" and len(receiver.submissions) == 2

    history = store.history(db, demo.location_id, "2026-03")
    assert [(s.version, s.state, len(s.records)) for s in history.submissions] == [
        (1, "answered", 2),
        (2, "answered", 1),
    ]
    bodies = [json.loads(store.body_of(db, s.id)) for s in history.submissions]
    assert [[r["child"]["first_name"] for r in b["records"]] for b in bodies] == [
        ["Jules", "Louis"],
        ["Lotte"],
    ]
    assert status_of(db, demo, now=at("2026-04-07", "09:31")).status is Status.ACCEPTED


def test_a_child_whose_attendance_is_corrected_away_gets_an_empty_record(
    db, door, demo, receiver, endpoint
) -> None:
    day_at_the_creche(door, "Jules", "2026-03-10")
    day_at_the_creche(door, "Louis", "2026-03-10")
    send_month(db, endpoint, demo.location_id, 2026, 3, now=UPLOAD_DAY, pause=Pauses())
    louis = child_id(db, "Louis")
    apply_correction(
        db,
        organisator_actor(db),
        demo.location_id,
        louis,
        date(2026, 3, 10),
        [],
        now=at("2026-04-08", "10:00"),
    )
    second = send_month(
        db, endpoint, demo.location_id, 2026, 3, now=at("2026-04-08", "10:01"), pause=Pauses()
    )
    assert (second.version, sent_records(receiver, 2)) == (2, ["Louis"])
    assert receiver.holdings[f"zonnebloem/2026-03/{louis}"]["days"] == []


def test_the_receivers_errors_show_as_red_cloud_or_red_clock_with_its_message(
    db, door, demo, receiver, endpoint
) -> None:
    day_at_the_creche(door, "Jules", "2026-03-10")
    day_at_the_creche(door, "Noah", "2026-03-10")
    day_at_the_creche(door, "Mila", "2026-03-11")
    receiver.errors = {
        str(child_id(db, "Noah")): ("data", "KSZ-404", "Kind niet gevonden in de Kruispuntbank."),
        str(child_id(db, "Mila")): ("time", "UUR-12", "Aanwezig langer dan de vergunde openingsuren."),
    }
    send_month(db, endpoint, demo.location_id, 2026, 3, now=UPLOAD_DAY, pause=Pauses())
    month = status_of(db, demo)
    assert month.status is Status.ERRORS and month.markers == {Marker.CLOUD, Marker.CLOCK}
    assert sorted((e.child_name, e.marker, e.code, e.message) for e in month.receiver_errors) == [
        ("Mila Jacobs", Marker.CLOCK, "UUR-12", "Aanwezig langer dan de vergunde openingsuren."),
        ("Noah Maes", Marker.CLOUD, "KSZ-404", "Kind niet gevonden in de Kruispuntbank."),
    ]
    again = send_month(db, endpoint, demo.location_id, 2026, 3, now=UPLOAD_DAY, pause=Pauses())
    assert again.outcome == "nothing", "an unchanged record with an error is not sent again"


def test_a_refused_batch_is_tried_once_and_not_resent_unchanged_by_the_planning(
    db, door, demo, receiver, endpoint
) -> None:
    receiver.token = "geheim"  # the hub was not given it
    day_at_the_creche(door, "Jules", "2026-03-10")
    first = run_due(db, endpoint, 7, now=UPLOAD_DAY, pause=Pauses())
    assert [(r.outcome, r.version) for r in first] == [("refused", 1)]
    assert receiver.requests == [401]
    again = run_due(db, endpoint, 7, now=at("2026-04-07", "01:00"), pause=Pauses())
    assert [r.outcome for r in again] == ["refused_before"] and receiver.requests == [401]
    month = status_of(db, demo)
    assert month.status is Status.ERRORS and Marker.CLOUD in month.markers and month.next_sending is None
    assert month.note.startswith("Kind en Gezin weigerde versie 1: HTTP 401")

    # on demand, with the right token: sent as a new version
    fixed = Endpoint(receiver.url, token="geheim", attempts=1)
    result = send_now(
        db, fixed, organisator_actor(db), demo.location_id, 2026, 3, now=at("2026-04-07", "10:00")
    )
    assert (result.outcome, result.version) == ("answered", 2)
    assert status_of(db, demo).status is Status.ACCEPTED


def test_a_version_that_got_no_answer_is_sent_again_as_it_is_at_the_next_check(
    db, door, demo, receiver
) -> None:
    day_at_the_creche(door, "Jules", "2026-03-10")
    receiver.fail_next = 2
    short = Endpoint(receiver.url, attempts=2, first_pause_s=0.01)
    first = run_due(db, short, 7, now=UPLOAD_DAY, pause=Pauses())
    assert [(r.outcome, r.version) for r in first] == [("failed", 1)]
    month = status_of(db, demo)
    assert month.status is Status.WAITING and month.next_sending == date(2026, 4, 7)
    assert (
        month.note
        == "Versie 1 is nog niet aangekomen (HTTP 503 Service Unavailable); het systeem probeert opnieuw."
    )

    second = run_due(db, short, 7, now=at("2026-04-07", "00:30"), pause=Pauses())
    assert [(r.outcome, r.version) for r in second] == [("answered", 1)]
    [submission] = store.history(db, demo.location_id, "2026-03").submissions
    assert [t.attempt for t in store.attempts_of(db, submission.id)] == [1, 2, 3]
    assert list(receiver.submissions) == [submission.id]


def test_the_planning_sends_a_month_on_its_upload_day_and_not_before(
    db, door, demo, receiver, endpoint
) -> None:
    day_at_the_creche(door, "Jules", "2026-03-10")
    assert run_due(db, endpoint, 7, now=at("2026-04-06", "23:59"), pause=Pauses()) == []
    before = status_of(db, demo, now=at("2026-04-06", "23:59"))
    assert before.status is Status.WAITING and before.next_sending == date(2026, 4, 7)
    assert [r.month for r in run_due(db, endpoint, 7, now=UPLOAD_DAY, pause=Pauses())] == ["2026-03"]

    day_at_the_creche(door, "Jules", "2026-04-01")
    assert run_due(db, endpoint, 3, now=at("2026-05-02", "12:00"), pause=Pauses()) == []
    assert [r.month for r in run_due(db, endpoint, 3, now=at("2026-05-03", "00:01"), pause=Pauses())] == [
        "2026-04"
    ]


def test_a_month_that_is_not_over_cannot_be_sent(db, demo, endpoint) -> None:
    with pytest.raises(Refused, match="Maart 2026 is nog niet voorbij"):
        send_month(db, endpoint, demo.location_id, 2026, 3, now=at("2026-03-31", "20:00"))


def test_a_location_sees_and_sends_only_its_own_months(db, door, demo, endpoint) -> None:
    other = db["organisators"].insert({"name": "Elders vzw", "email": "elders@example.be"}).last_pk
    from hub.accounts.actors import Actor

    stranger = Actor.organisator(other, "Els Elders")
    with pytest.raises(Refused, match="geen toegang"):
        send_now(db, endpoint, stranger, demo.location_id, 2026, 3, now=UPLOAD_DAY)
    with pytest.raises(Refused, match="geen toegang"):
        month_detail(db, stranger, demo.location_id, 2026, 3, 7, True, now=UPLOAD_DAY)


def test_the_upload_settings_come_from_the_hubs_toml(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        '[upload]\nendpoint = "https://kg.example/in"\nday = 5\namounts_file = "bedragen.toml"\n'
    )
    upload = load(config).upload
    assert (upload.endpoint, upload.day, upload.enabled) == ("https://kg.example/in", 5, True)
    assert upload.amounts_file == str(tmp_path / "bedragen.toml")
    config.write_text("[upload]\nday = 31\n")
    with pytest.raises(ValueError, match="1-28"):
        load(config)
    config.write_text("[upload]\nendpoitn = 'x'\n")
    with pytest.raises(ValueError, match="endpoitn"):
        load(config)
    assert not load(None).upload.enabled


def test_a_technician_sends_a_month_from_the_command_line(
    tmp_path, hub_dir, hub_target, demo, receiver, capsys
) -> None:
    from hub.cli import main
    from hub.core.db import connect

    db = connect(hub_target)
    day_at_the_creche(Door(db, demo), "Jules", "2026-03-10")
    db.close()
    config = tmp_path / "hub.toml"
    database = f'database = "{hub_target}"\n' if isinstance(hub_target, str) else ""
    config.write_text(f'data_dir = "{hub_dir}"\n{database}[upload]\nendpoint = "{receiver.url}"\n')
    assert main(["upload", demo.location_id, "2026-03", "--config", str(config)]) == 0
    assert "zonnebloem 2026-03: versie 1, 1 record(s): aangekomen" in capsys.readouterr().out
    assert main(["upload", demo.location_id, "2026-03", "--config", str(config)]) == 0
    assert "niets te versturen" in capsys.readouterr().out
    assert main(["upload", demo.location_id, "maart", "--config", str(config)]) == 2


def test_nu_versturen_is_a_request_the_upload_thread_handles_while_the_screen_shows_it(
    db, door, demo, receiver, endpoint
) -> None:
    from hub.upload.service import request_sending, run_requests

    day_at_the_creche(door, "Jules", "2026-03-10")
    organisator = organisator_actor(db)
    request_sending(db, organisator, demo.location_id, 2026, 3, now=at("2026-04-02", "10:00"))
    request_sending(
        db, organisator, demo.location_id, 2026, 3, now=at("2026-04-02", "10:01")
    )  # clicked twice
    [request] = store.open_requests(db)
    assert request.requested_by == "An Peeters"
    asked = status_of(db, demo, now=at("2026-04-02", "10:02"))
    assert asked.next_sending == date(2026, 4, 2), "before the upload day, since someone asked"
    assert asked.note.startswith("Versturen aangevraagd door An Peeters om ")

    [result] = run_requests(db, endpoint, now=at("2026-04-02", "10:02"), pause=Pauses())
    assert (result.outcome, result.version) == ("answered", 1) and store.open_requests(db) == []
    [submission] = store.history(db, demo.location_id, "2026-03").submissions
    assert (submission.trigger, submission.requested_by) == ("on_demand", "An Peeters")
    assert status_of(db, demo, now=at("2026-04-02", "10:03")).status is Status.ACCEPTED

    with pytest.raises(Refused, match="nog niet voorbij"):
        request_sending(db, organisator, demo.location_id, 2026, 4, now=at("2026-04-02", "10:05"))
