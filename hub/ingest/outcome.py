"""What became of one delivery: the ack to send after the commit (or none), and whether it was junk."""

from __future__ import annotations

from dataclasses import dataclass

from wire import Ack


@dataclass(frozen=True)
class Outcome:
    ack_topic: str | None = None
    ack: Ack | None = None
    dead: bool = False  # junk, kept as a (rolled-up) dead letter


PENDING = Outcome()  # a check-in whose verdict comes when the transaction's check-ins are stored
