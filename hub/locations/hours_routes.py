"""The screen "Openingsuren en sluitingsdagen" of a location, reached from the location's menu."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hub.accounts.actors import Refused, Role
from hub.core.localtime import fmt_date, today
from hub.locations.hours import (
    BLOCKS_PER_DAY,
    KIND_NL,
    NeedsConfirmation,
    add_closing_days,
    days_between,
    location_runs,
    remove_closing_days,
    save_week,
    week_from_form,
)
from hub.locations.queries import (
    LocationSettings,
    location_settings,
    opening_week,
    registrations_on,
    schedule_changes,
)
from hub.locations.schedule import WEEKDAYS_NL, ClosingKind, parse_day, public_holidays
from hub.web.web import AtLocation, at_location, portal, render, see_other

router = APIRouter()


def _path(location_id: str) -> str:
    return f"/locaties/{location_id}/openingsuren"


def _page(request: Request, here: AtLocation, error: str | None = None, confirm: dict | None = None,
          form: dict | None = None, status_code: int = 200) -> Response:  # fmt: skip
    actor, conn, location = here
    week = opening_week(conn, location.id)
    days = []
    for weekday in range(1, 8):
        blocks = list(week.get(weekday, ()))
        slots = [(f"{b.opens:%H:%M}", f"{b.closes:%H:%M}") for b in blocks]
        slots += [("", "")] * (BLOCKS_PER_DAY - len(slots))
        days.append({"n": weekday, "name": WEEKDAYS_NL[weekday - 1], "open": bool(blocks), "slots": slots})
    year = _int(request.query_params.get("jaar")) or today().year
    proposal = None
    if request.query_params.get("voorstel"):
        eleven = bool(request.query_params.get("elf_juli"))
        existing = {day for run in location_runs(conn, location.id) for day in run.days}
        proposal = {
            "year": year,
            "eleven": eleven,
            "days": [
                {"day": day, "name": name, "known": day in existing,
                 "registrations": registrations_on(conn, location.id, [day])}
                for day, name in public_holidays(year, eleven)
            ],
        }  # fmt: skip
    context = {
        "active": "openingsuren",
        "days": days,
        "settings": location_settings(conn, location.id),
        "may_edit_hours": actor.role is Role.ORGANISATOR,
        "runs": location_runs(conn, location.id),
        "kinds": [(kind.value, KIND_NL[kind]) for kind in ClosingKind],
        "kind_nl": {kind.value: text for kind, text in KIND_NL.items()},
        "changes": schedule_changes(conn, location.id),
        "proposal": proposal,
        "year": year,
        "error": error,
        "confirm": confirm,
        "form": form or {},
        "fmt_date": fmt_date,
    }
    return render(request, "locations/hours.html", context, status_code, location=location)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


@router.get("/locaties/{location_id}/openingsuren")
def hours_page(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    return _page(request, here)


@router.post("/locaties/{location_id}/openingsuren")
async def hours_save(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    try:
        week = week_from_form(form)
        places = form.get("places", "").strip()
        margin = form.get("margin", "").strip() or "60"
        if (places and not places.isdigit()) or not margin.isdigit():
            raise Refused("Plaatsen en marge zijn hele getallen.")
        settings = LocationSettings(int(places) if places else None, int(margin))
        save_week(conn, actor, location.id, week, settings)
    except Refused as refused:
        return _page(request, here, refused.reason, status_code=400)
    portal(request).units.configs_changed(location.id)
    return see_other(_path(location.id), request, "De openingsuren zijn bewaard.")


def _date(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise Refused(f"‘{text}’ is geen datum; schrijf ze als DD/MM/JJJJ.") from None


@router.post("/locaties/{location_id}/sluitingsdagen")
async def closing_add(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    try:
        first = _date(form.get("from", ""))
        last = _date(form["to"]) if form.get("to", "").strip() else None
        kind = ClosingKind(form.get("kind", "andere")) if form.get("kind") in {k.value for k in ClosingKind} \
            else ClosingKind.OTHER  # fmt: skip
        reason = form.get("reason", "")
        days = [(day, kind, reason) for day in days_between(first, last)]
        pending = add_closing_days(conn, actor, location.id, days, confirmed=form.get("confirmed") == "1")
    except Refused as refused:
        return _page(request, here, refused.reason, form=form, status_code=400)
    if isinstance(pending, NeedsConfirmation):
        return _page(request, here, confirm=_confirmation(pending, form, "/sluitingsdagen"), form=form)
    return see_other(_path(location.id), request, "De sluitingsdagen zijn bewaard.")


@router.post("/locaties/{location_id}/feestdagen")
async def holidays_add(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    raw = await request.form()
    form = {key: value for key, value in raw.items() if isinstance(value, str)}
    chosen = {str(value) for value in raw.getlist("day")}
    year = _int(form.get("year")) or today().year
    names = dict(public_holidays(year, bool(form.get("elf_juli"))))
    days = [
        (day, ClosingKind.HOLIDAY, name) for day, name in sorted(names.items()) if day.isoformat() in chosen
    ]
    try:
        pending = add_closing_days(conn, actor, location.id, days, confirmed=form.get("confirmed") == "1")
    except Refused as refused:
        return _page(request, here, refused.reason, status_code=400)
    if isinstance(pending, NeedsConfirmation):
        confirm = _confirmation(pending, form, "/feestdagen")
        confirm["days"] = [day.isoformat() for day, _, _ in days]
        return _page(request, here, confirm=confirm)
    return see_other(_path(location.id), request, f"{len(days)} feestdagen toegevoegd als sluitingsdag.")


def _confirmation(pending: NeedsConfirmation, form: dict, action: str) -> dict:
    return {
        "action": action,
        "registrations": pending.registrations,
        "first": fmt_date(pending.days[0]),
        "last": fmt_date(pending.days[-1]),
        "fields": {k: v for k, v in form.items() if k not in ("csrf", "confirmed")},
        "days": [],
    }


@router.post("/locaties/{location_id}/sluitingsdagen/verwijderen")
async def closing_remove(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    form = await request.form()
    try:
        days = days_between(_date(str(form.get("from", ""))), _date(str(form.get("to", ""))))
        remove_closing_days(conn, actor, location.id, days)
    except Refused as refused:
        return _page(request, here, refused.reason, status_code=400)
    return see_other(_path(location.id), request, "De sluitingsdagen zijn verwijderd.")
