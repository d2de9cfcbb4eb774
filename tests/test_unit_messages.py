"""Hub-to-unit messages go through one table, message type -> handler, like the hub's dispatch:
a new message is one handler; a bad or unexpected message is logged and dropped, never raised."""

from __future__ import annotations

import logging
from pathlib import Path

from device.config import from_dict
from device.feedback.fake import RecordingFeedback
from device.frames.files import FolderFrames
from device.keypad import Absent
from device.messages import Dispatch
from device.service import UnitService
from tests.support.messages import checkin
from wire import Ack, LinkCard, TopicKind, UnitConfig, UpdateCommand, Verdict, encode
from wire.ids import new_event_id

REQUEST = new_event_id()


def link_card() -> LinkCard:
    return LinkCard(request=REQUEST, child="Jules", valid_s=60)


def test_each_message_goes_to_the_handler_of_its_type_on_its_topic() -> None:
    seen: list[tuple[str, object]] = []
    dispatch = Dispatch()
    dispatch.on(TopicKind.ACK, Ack, lambda m: seen.append(("ack", m)))
    dispatch.on(TopicKind.COMMAND, LinkCard, lambda m: seen.append(("link", m)))
    ack = Ack(id=new_event_id(), verdict=Verdict.STORED)
    assert dispatch(TopicKind.ACK, encode(ack))
    assert dispatch(TopicKind.COMMAND, encode(link_card()))
    assert seen == [("ack", ack), ("link", link_card())]


def test_a_new_hub_to_unit_message_is_one_handler() -> None:
    dispatch = Dispatch()
    got: list[Ack] = []
    assert not dispatch(TopicKind.COMMAND, encode(Ack(id=new_event_id(), verdict=Verdict.STORED)))
    dispatch.on(TopicKind.COMMAND, Ack, got.append)  # stands in for a future command type
    assert dispatch(TopicKind.COMMAND, encode(Ack(id=new_event_id(), verdict=Verdict.STORED)))
    assert len(got) == 1
    assert set(dispatch.handles(TopicKind.COMMAND)) == {Ack}


def test_bad_unexpected_and_empty_messages_are_logged_and_dropped(caplog) -> None:
    dispatch = Dispatch()
    called: list[object] = []
    dispatch.on(TopicKind.COMMAND, LinkCard, called.append)
    dispatch.on(TopicKind.CONFIG, UnitConfig, called.append)
    with caplog.at_level(logging.WARNING, logger="device.messages"):
        assert not dispatch(TopicKind.COMMAND, b"{not json")
        assert not dispatch(TopicKind.COMMAND, encode(checkin()))  # a check-in is no command
        assert not dispatch(TopicKind.ACK, encode(link_card()))  # nothing handles the ack topic here
    assert not dispatch(TopicKind.CONFIG, b"")  # a retained config being cleared: silently nothing
    assert called == []
    reasons = [r.getMessage() for r in caplog.records]
    assert len(reasons) == 3
    assert "bad_json" in reasons[0] and "unexpected_type" in reasons[1] and "expected link_card" in reasons[1]
    assert "expected nothing" in reasons[2]


def test_the_unit_takes_acks_its_config_and_link_requests_each_through_one_handler(tmp_path: Path) -> None:
    settings = from_dict(
        {"unit": "u1", "location": "l1", "broker": "mqtt://u1:x@127.0.0.1:9", "data_dir": str(tmp_path)}
    )
    service = UnitService(
        settings, feedback=RecordingFeedback(), frames=FolderFrames(tmp_path / "camera"), keypad=Absent()
    )
    try:
        assert set(service.messages.handles(TopicKind.ACK)) == {Ack}
        assert set(service.messages.handles(TopicKind.CONFIG)) == {UnitConfig}
        assert set(service.messages.handles(TopicKind.COMMAND)) == {LinkCard, UpdateCommand}
        assert service.messages(TopicKind.COMMAND, encode(link_card()))
        pending = service.links.pending(service.clock.monotonic())
        assert pending is not None and pending.request.child == "Jules"
    finally:
        service.frames.close()
        service.outbox.close()
