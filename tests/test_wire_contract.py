"""The wire contract: what units and the hub may say to each other, and nothing else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from wire import (
    Ack,
    CheckIn,
    ContractError,
    Direction,
    Source,
    Status,
    Topic,
    TopicKind,
    Verdict,
    decode,
    encode,
)
from wire.ids import new_event_id
from wire.schema import contract_markdown, contract_schema

ROOT = Path(__file__).resolve().parents[1]


def checkin(**changes) -> CheckIn:
    fields = dict(
        id=new_event_id(),
        unit="unit-1",
        location="loc-1",
        seq=1,
        direction=Direction.ARRIVAL,
        code="1234567890",
        source=Source.QR,
        # now: the hub refuses times it cannot accept (ahead of its clock, older than may be corrected)
        wall_time=datetime.now(UTC).isoformat(timespec="milliseconds"),
        clock_synced=True,
        boot_id="0f4c2a6e-5a7d-4e4b-9d2e-7a0b6c1d2e3f",
        monotonic=1234.5,
    )
    fields.update(changes)
    return CheckIn(**fields)


def test_every_message_round_trips_through_json_with_its_version() -> None:
    messages = [
        checkin(),
        Ack(id=new_event_id(), verdict=Verdict.STORED, child="Jules"),
        Status(
            unit="u", location="l", online=True, version="0.1", backlog=3, sent_at="2026-01-01T00:00:00+00:00"
        ),
    ]
    for message in messages:
        payload = encode(message)
        assert json.loads(payload)["v"] == 1
        assert decode(payload) == message


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "bad_json"),
        (b"[1, 2]", "not_an_object"),
        (b'{"v": 2, "type": "checkin"}', "unsupported_version"),
        (b'{"v": true, "type": "checkin"}', "unsupported_version"),
        (b'{"v": 1, "type": "launch"}', "unknown_type"),
        (b'{"v": 1, "type": "checkin"}', "missing_field"),
        (b"x" * 5000, "too_large"),
    ],
)
def test_malformed_messages_are_refused_with_a_short_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(ContractError) as refused:
        decode(payload)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "change",
    [
        {"seq": "1"},
        {"seq": 0},
        {"seq": True},
        {"direction": "sideways"},
        {"code": "12ab"},
        {"wall_time": "2026-03-29T08:12:03"},  # no UTC offset: ambiguous around DST
        {"unit": "unit/+/#"},
        {"id": "not-a-ulid"},
        {"monotonic": float("nan")},
        {"clock_synced": 1},
        # found by the fault suite: each of these used to pass and then fail in the hub's database
        # or clock repair ("internal_error"); a monotonic of Infinity even poisoned its boot's anchor
        {"monotonic": float("inf")},
        {"monotonic": 1e300},
        {"seq": 10**30},
        {"wall_time": "9999-12-31T23:59:59-05:00"},  # past year 9999 in UTC
        {"wall_time": "0001-01-01T00:00:00+05:00"},  # before year 1 in UTC
        {"wall_time": "1969-12-31T23:59:59+00:00"},  # before any clock a unit can have
    ],
)
def test_a_checkin_with_a_wrong_field_is_refused(change: dict) -> None:
    body = checkin().to_dict() | change
    with pytest.raises(ContractError) as refused:
        decode(json.dumps(body).encode(), CheckIn)
    assert refused.value.reason == "bad_field"


def test_decode_can_insist_on_one_message_type() -> None:
    with pytest.raises(ContractError) as refused:
        decode(encode(Ack(id=new_event_id(), verdict=Verdict.DUPLICATE)), CheckIn)
    assert refused.value.reason == "unexpected_type"


def test_topics_are_per_location_and_unit_and_parse_back() -> None:
    topic = Topic("kdv-zon", "unit-7", TopicKind.EVENT)
    assert str(topic) == "aanwezig/v1/loc/kdv-zon/unit/unit-7/event"
    assert Topic.parse(str(topic)) == topic
    assert Topic.all_units(TopicKind.STATUS) == "aanwezig/v1/loc/+/unit/+/status"
    for bad in ["aanwezig/v1/loc/x/unit/y/launch", "aanwezig/v2/loc/x/unit/y/event", "other/topic"]:
        with pytest.raises(ValueError):
            Topic.parse(bad)
    with pytest.raises(ValueError):
        Topic("kdv/zon", "unit-7", TopicKind.EVENT)


def test_event_ids_are_unique_and_sort_in_creation_order() -> None:
    ids = [new_event_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert new_event_id(now_ms=0) > ids[-1], "a clock stepping back must not break the order"


def test_the_docs_in_the_repository_match_the_contract() -> None:
    """docs/ is generated from wire/contract.py; run `make docs` after changing the contract."""
    assert json.loads((ROOT / "docs/wire-schema.json").read_text()) == contract_schema()
    assert (ROOT / "docs/wire.md").read_text() == contract_markdown()


def test_the_json_schema_accepts_what_decode_accepts() -> None:
    schema = contract_schema()
    jsonschema.validate(checkin().to_dict(), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(checkin().to_dict() | {"direction": "sideways"}, schema)
