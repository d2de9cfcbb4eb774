"""The unit's outbox: on disk before green, gone only on the hub's ack, bounded, in order."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from device.outbox import Outbox, OutboxFull
from tests.support.messages import checkin


def make(seq: int):
    return checkin(seq=seq)


def test_events_survive_closing_and_reopening_in_their_order(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    made = [outbox.append(make) for _ in range(5)]
    outbox.close()

    reopened = Outbox(tmp_path / "outbox.sqlite3")
    assert [p.id for p in reopened.pending()] == [e.id for e in made]
    assert [p.seq for p in reopened.pending()] == [1, 2, 3, 4, 5]
    assert len(reopened) == 5


def test_an_event_leaves_only_when_acknowledged_and_sequence_numbers_are_never_reused(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    first = outbox.append(make)
    assert outbox.remove(first.id)
    assert not outbox.remove(first.id), "a second ack for the same event changes nothing"
    outbox.close()
    reopened = Outbox(tmp_path / "outbox.sqlite3")
    assert reopened.append(make).seq == 2
    assert len(reopened) == 1


def test_the_outbox_is_flushed_with_synchronous_full_in_wal_mode(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    assert outbox._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    outbox.append(make)
    # another connection (another process after a crash) sees the committed event at once
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as other:
        assert other.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1


def test_a_full_outbox_refuses_new_events_and_keeps_the_old_ones(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3", capacity=4, warn_ratio=0.5)
    for _ in range(2):
        outbox.append(make)
    assert outbox.nearly_full
    for _ in range(2):
        outbox.append(make)
    with pytest.raises(OutboxFull):
        outbox.append(make)
    assert [p.seq for p in outbox.pending()] == [1, 2, 3, 4]
    assert outbox.last_seq == 4, "a refused event does not use up a sequence number"


def test_an_event_that_cannot_be_built_leaves_no_trace(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")

    def broken(seq: int):
        raise RuntimeError("camera unplugged mid-scan")

    with pytest.raises(RuntimeError):
        outbox.append(broken)
    assert len(outbox) == 0
    assert outbox.append(make).seq == 1


class OutboxOnDisk(Outbox):
    """An outbox whose disk has as much free space as the test says."""

    free = 10 * 2**20

    def free_bytes(self) -> int:
        return self.free


def test_a_nearly_full_disk_warns_then_refuses_new_events_but_still_takes_acks(tmp_path: Path) -> None:
    outbox = OutboxOnDisk(tmp_path / "outbox.sqlite3", disk_warn_bytes=2**20, disk_reserve_bytes=2**19)
    first = outbox.append(make)
    assert not outbox.nearly_full
    outbox.free = 2**20 - 1
    assert outbox.nearly_full, "little room left on the disk: staff are warned"
    outbox.append(make)
    outbox.free = 2**19 - 1
    with pytest.raises(OutboxFull, match="below the reserve"):
        outbox.append(make)
    assert outbox.remove(first.id), "the reserve is there for removing acknowledged events"
    assert [p.seq for p in outbox.pending()] == [2]
