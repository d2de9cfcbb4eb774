"""The screen "Openingsuren en sluitingsdagen": reading its forms, saving them with who and when.

The organisator sets the week (blocks per weekday, places, the margin after closing time); the
location may add and remove its own closing days. A closing day on which children were registered
is only saved after a confirmation that says how many registrations it affects: they are kept and
shown with a warning, never removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from hub.accounts.actors import Actor, Refused, Role
from hub.core.db import write_transaction
from hub.core.localtime import fmt_date
from hub.locations.queries import (
    ClosingDay,
    LocationSettings,
    add_closing_day,
    closing_days,
    location_settings,
    opening_week,
    record_schedule_change,
    registrations_on,
    remove_closing_day,
    set_location_settings,
    set_opening_hours,
)
from hub.locations.schedule import WEEKDAYS_NL, Blocks, ClosingKind, Hours, blocks_of, parse_clock

BLOCKS_PER_DAY = 2  # the form's slots per weekday; a third block is rare enough to leave out
MAX_RANGE_DAYS = 120  # a closing period longer than this is a typing error
KIND_NL = {
    ClosingKind.HOLIDAY: "feestdag",
    ClosingKind.BRIDGE: "brugdag",
    ClosingKind.CHRISTMAS: "kerstvakantie",
    ClosingKind.STUDY: "studiedag",
    ClosingKind.OTHER: "andere",
}


def week_from_form(form: Mapping[str, str]) -> dict[int, Blocks]:
    """The week typed in the form: ``d1_open``, ``d1_b0_from``, ``d1_b0_to``, ...; raises Refused."""
    week: dict[int, Blocks] = {}
    for weekday in range(1, 8):
        if not form.get(f"d{weekday}_open"):
            continue
        name = WEEKDAYS_NL[weekday - 1]
        blocks = []
        for slot in range(BLOCKS_PER_DAY):
            opens = form.get(f"d{weekday}_b{slot}_from", "").strip()
            closes = form.get(f"d{weekday}_b{slot}_to", "").strip()
            if not opens and not closes:
                continue
            try:
                blocks.append(Hours(parse_clock(opens), parse_clock(closes)))
            except ValueError:
                raise Refused(
                    f"{name.capitalize()}: ‘{opens}–{closes}’ zijn geen openingsuren; schrijf ze als UU:MM "
                    "en laat de opvang openen voor ze sluit, bijvoorbeeld 07:00–18:00."
                ) from None
        if not blocks:
            raise Refused(
                f"{name.capitalize()} staat open maar heeft geen uren. Vul ze in of vink ‘open’ uit."
            )
        try:
            week[weekday] = blocks_of(blocks)
        except ValueError:
            raise Refused(f"{name.capitalize()}: de blokken overlappen.") from None
    return week


def week_text(week: Mapping[int, Blocks]) -> str:
    if not week:
        return "elke dag gesloten"
    return "; ".join(
        f"{WEEKDAYS_NL[day - 1]} " + " en ".join(str(b) for b in week[day]) for day in sorted(week)
    )


def save_week(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    week: Mapping[int, Blocks],
    settings: LocationSettings,
) -> None:
    """Replace the week and the settings; only the organisator may. Kept in the change log."""
    if actor.role is not Role.ORGANISATOR:
        raise Refused("Enkel de organisator kan de openingsuren wijzigen.")
    if settings.places is not None and not 0 <= settings.places <= 999:
        raise Refused("Het aantal plaatsen ligt tussen 0 en 999.")
    if not 0 <= settings.pickup_margin_min <= 360:
        raise Refused("De marge na sluitingstijd ligt tussen 0 en 360 minuten.")
    with write_transaction(db):
        before = (opening_week(db, location_id), location_settings(db, location_id))
        set_opening_hours(db, location_id, week)
        set_location_settings(db, location_id, settings)
        if before != (dict(week), settings):
            places = "onbekend" if settings.places is None else str(settings.places)
            _log(
                db,
                actor,
                location_id,
                f"openingsuren: {week_text(week)}; {places} plaatsen; "
                f"marge na sluiting {settings.pickup_margin_min} min",
            )


def days_between(first: date, last: date | None) -> list[date]:
    last = last or first
    if last < first:
        raise Refused("De laatste dag ligt voor de eerste.")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Refused(f"Een periode van sluitingsdagen is hoogstens {MAX_RANGE_DAYS} dagen lang.")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class NeedsConfirmation:
    """Closing days not saved yet: children were registered on them."""

    days: tuple[date, ...]
    registrations: int


def add_closing_days(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    days: Sequence[tuple[date, ClosingKind, str]],
    confirmed: bool = False,
) -> NeedsConfirmation | None:
    """Add closing days (day, kind, reason). Returns what needs confirmation instead, if not confirmed."""
    if not days:
        raise Refused("Geen dagen gekozen.")
    with write_transaction(db):
        registered = registrations_on(db, location_id, [day for day, _, _ in days])
        if registered and not confirmed:
            return NeedsConfirmation(tuple(day for day, _, _ in days), registered)
        for day, kind, reason in days:
            add_closing_day(db, location_id, day, reason.strip()[:100], kind)
        first, last = days[0][0], days[-1][0]
        span = fmt_date(first) if first == last else f"{fmt_date(first)} tot {fmt_date(last)}"
        kinds = ", ".join(sorted({KIND_NL[kind] for _, kind, _ in days}))
        what = f"sluitingsdagen toegevoegd: {span} ({kinds}, {len(days)} dagen)"
        if registered:
            what += f"; {registered} registraties op deze dagen blijven bewaard"
        _log(db, actor, location_id, what)
    return None


def remove_closing_days(
    db: sqlite_utils.Database, actor: Actor, location_id: str, days: Sequence[date]
) -> None:
    with write_transaction(db):
        for day in days:
            remove_closing_day(db, location_id, day)
        span = fmt_date(days[0]) if len(days) == 1 else f"{fmt_date(days[0])} tot {fmt_date(days[-1])}"
        _log(db, actor, location_id, f"sluitingsdagen verwijderd: {span}")


@dataclass(frozen=True)
class ClosingRun:
    """Consecutive closing days with the same kind and reason, shown as one line."""

    first: date
    last: date
    kind: ClosingKind
    reason: str

    @property
    def days(self) -> list[date]:
        return days_between(self.first, self.last)


def closing_runs(found: Sequence[ClosingDay]) -> list[ClosingRun]:
    runs: list[ClosingRun] = []
    for day in found:
        previous = runs[-1] if runs else None
        if (
            previous
            and previous.last + timedelta(days=1) == day.day
            and (previous.kind, previous.reason) == (day.kind, day.reason)
        ):
            runs[-1] = ClosingRun(previous.first, day.day, day.kind, day.reason)
        else:
            runs.append(ClosingRun(day.day, day.day, day.kind, day.reason))
    return runs


def location_runs(db: sqlite_utils.Database, location_id: str) -> list[ClosingRun]:
    return closing_runs(closing_days(db, location_id))


def _log(db: sqlite_utils.Database, actor: Actor, location_id: str, what: str) -> None:
    record_schedule_change(db, location_id, actor.record_role.value, actor.record_id, actor.name, what)
