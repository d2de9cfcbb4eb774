"""What a parent is told, and when it is too late to tell it. No I/O.

Mode            per parent and child: every arrival and departure, a daily summary, or nothing
news_of         whether a stored event is news for parents: today's, not a late delivery
direction_of    the event's direction as the hub reads the day (presence re-derived), so the
                message says what the parent will see on "Vandaag"
message         the Dutch title and text of an arrival or departure
summary         the Dutch daily summary of one child
summary_due     whether a summary for this day is due at this moment
with_parts      a summary with what other features add (the diary's day): mail and push text
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.attendance.pairing import Stamp
from hub.attendance.presence_rules import rederive
from hub.core.localtime import fmt_time, local
from wire import Direction

FRESH_FOR = timedelta(minutes=15)  # an arrival/departure message later than this misleads: dropped


class Mode(enum.StrEnum):
    EVERY = "elk"
    SUMMARY = "samenvatting"
    NONE = "geen"


MODE_NL = {
    Mode.EVERY: "Bij elke aankomst en elk vertrek",
    Mode.SUMMARY: "Eén samenvatting per dag",
    Mode.NONE: "Geen meldingen",
}


class Channel(enum.StrEnum):
    MAIL = "mail"
    PUSH = "push"


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def expires_at(occurred_at: datetime) -> datetime:
    """The moment after which an arrival or departure message is no longer sent."""
    return occurred_at + FRESH_FOR


def news_of(occurred_at: datetime, now: datetime) -> bool:
    """Whether a registration is news worth a message now: of today (Brussels) and at most
    :data:`FRESH_FOR` old. A unit's backlog of yesterday, or an hour-old scan delivered late, is not."""
    return local(occurred_at).date() == local(now).date() and now < expires_at(occurred_at)


def direction_of(event_id: str, day_events: Iterable[tuple[Stamp, bool]]) -> Direction | None:
    """The direction of ``event_id`` among one child's registrations of its day, with the directions
    chosen by presence re-derived the way the hub reads the day (``True``: chosen by presence)."""
    for stamp in rederive(day_events):
        if stamp.ref == event_id:
            return stamp.direction
    return None


def message(first_name: str, direction: Direction, at: datetime, place: str, collector: str = "") -> Message:
    """'Jules is aangekomen' / 'Jules is opgehaald', with the time and the location."""
    if direction is Direction.ARRIVAL:
        return Message(
            f"{first_name} is aangekomen", f"{first_name} is om {fmt_time(at)} aangekomen in {place}."
        )
    by = f" door {collector}" if collector else ""
    return Message(
        f"{first_name} is opgehaald", f"{first_name} is om {fmt_time(at)} opgehaald{by} in {place}."
    )


def summary(first_name: str, day_label: str, stamps: Iterable[tuple[Direction, datetime, str]]) -> Message:
    """The day of one child in one message: each arrival and departure with its time and place."""
    lines = [
        f"{'aangekomen' if direction is Direction.ARRIVAL else 'vertrokken'} om {fmt_time(at)} ({place})"
        for direction, at, place in sorted(stamps, key=lambda s: s[1])
    ]
    if not lines:
        return Message(f"{first_name} op {day_label}", f"Vandaag geen registraties voor {first_name}.")
    return Message(f"{first_name} op {day_label}", f"{first_name}: " + "; ".join(lines) + ".")


@dataclass(frozen=True)
class SummaryPart:
    """What another feature adds to a child's daily summary: a block for the mail, a short line
    for the push."""

    mail: str
    push: str


def with_parts(msg: Message, parts: Iterable[SummaryPart], channel: Channel) -> Message:
    """The summary as sent on ``channel``: the mail gets each part's block, the push its short line."""
    parts = list(parts)
    if not parts:
        return msg
    if channel is Channel.MAIL:
        return Message(msg.title, msg.body + "".join(f"\n\n{p.mail}" for p in parts))
    return Message(msg.title, msg.body + "".join(f" {p.push}" for p in parts))


def summary_due(hour: int, now: datetime) -> bool:
    """A daily summary is due from its hour (Brussels) on, until the day ends (late is fine)."""
    return local(now).hour >= hour


def mail_text(msg: Message, settings_url: str) -> str:
    """The mail body of a notification, with where to change or stop these mails."""
    return (
        f"{msg.body}\n\nJe krijgt deze mail omdat je meldingen vroeg voor dit kind. "
        f"Wijzigen of stoppen: {settings_url}\n\n-- \nAanwezig"
    )
