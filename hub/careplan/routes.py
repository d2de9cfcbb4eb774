"""The location's screen "Opvangplannen": each child's care plan, its versions and settling-in days."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response

from hub.careplan.rules import SIZE_NL, WEEKDAYS_NL, PlanDay, Size
from hub.careplan.service import (
    capacity,
    change_plan,
    create_plan,
    end_plan,
    plan_of,
    plans_at,
    set_settling_in,
)
from hub.children.queries import children_at
from hub.core.actors import NoAccess, Refused
from hub.core.localtime import fmt_date, today
from hub.locations.queries import location_schedule, location_settings
from hub.locations.schedule import parse_clock, parse_day
from hub.web.nav import NavEntry
from hub.web.web import AtLocation, at_location, render, see_other

router = APIRouter()
WEEKDAYS = range(5)  # Monday to Friday: the days a care plan is made for


def install(app: FastAPI) -> None:
    """Mount the screens and the location's "Opvangplannen" tab."""
    app.state.portal.nav.append(
        NavEntry("opvangplannen", "Opvangplannen", "/locaties/{location}/opvangplannen")
    )
    app.include_router(router)


def _path(location_id: str, child_id: int | None = None) -> str:
    base = f"/locaties/{location_id}/opvangplannen"
    return base if child_id is None else f"{base}/{child_id}"


def _summary(weekdays: dict[int, PlanDay]) -> str:
    return ", ".join(
        f"{WEEKDAYS_NL[n][:2]} {'½' if d.size is Size.HALF else ''}{d.start:%H:%M}–{d.end:%H:%M}"
        for n, d in sorted(weekdays.items())
    )


@router.get("/locaties/{location_id}/opvangplannen")
def plans_page(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    _actor, conn, location = here
    plans = plans_at(conn, location.id)
    day = today()
    rows = []
    for child in children_at(conn, location.id):
        stored = plans.get(child.id)
        version = stored.plan.version_on(max(day, stored.plan.start)) if stored else None
        rows.append(
            {"child": child, "plan": stored, "summary": _summary(dict(version.weekdays)) if version else ""}
        )
    schedule = location_schedule(conn, location.id)
    places = location_settings(conn, location.id).places
    week = [
        {
            "day": d,
            "name": WEEKDAYS_NL[d.weekday()][:2],
            "planned": n,
            "places": p,
            "over": p is not None and n > p,
        }
        for d, n, p in capacity(conn, location.id, day, 14, places)
        if schedule.on(d).is_open
    ]
    context = {"active": "opvangplannen", "rows": rows, "fmt_date": fmt_date, "capacity": week}
    return render(request, "careplan/list.html", context, location=location)


def _child(conn, location_id: str, child_id: int):
    for child in children_at(conn, location_id):
        if child.id == child_id:
            return child
    raise NoAccess("child")


def _page(request: Request, here: AtLocation, child_id: int, error: str | None = None,
          form: dict | None = None, status_code: int = 200) -> Response:  # fmt: skip
    _actor, conn, location = here
    child = _child(conn, location.id, child_id)
    stored = plan_of(conn, child_id, location.id)
    day = today()
    current = stored.plan.version_on(max(day, stored.plan.start)) if stored else None
    week = []
    for n in WEEKDAYS:
        planned = current.weekdays.get(n) if current else None
        week.append({
            "n": n, "name": WEEKDAYS_NL[n],
            "size": planned.size.value if planned else "",
            "start": f"{planned.start:%H:%M}" if planned else "",
            "end": f"{planned.end:%H:%M}" if planned else "",
        })  # fmt: skip
    context = {
        "active": "opvangplannen",
        "child": child,
        "plan": stored,
        "week": week,
        "sizes": [(s.value, SIZE_NL[s]) for s in (Size.FULL, Size.HALF)],
        "history": [
            {"valid_from": fmt_date(date.fromisoformat(vf)), "by": by, "summary": _summary(dict(v.weekdays))}
            for _at, by, vf, v in (stored.history if stored else ())
        ],
        "settling_in": sorted(stored.plan.settling_in) if stored else [],
        "today": fmt_date(day),
        "error": error,
        "form": form or {},
        "fmt_date": fmt_date,
    }
    return render(request, "careplan/plan.html", context, status_code, location=location)


@router.get("/locaties/{location_id}/opvangplannen/{child_id}")
def plan_page(request: Request, child_id: int, here: AtLocation = Depends(at_location)) -> Response:
    return _page(request, here, child_id)


def week_from_form(form: dict[str, str]) -> dict[int, PlanDay]:
    """The weekdays as typed: a size per day ("" nothing) with its hours."""
    week = {}
    for n in WEEKDAYS:
        size = form.get(f"d{n}_size", "")
        if not size:
            continue
        if size not in {s.value for s in Size}:
            raise Refused("Kies per dag niets, een volledige dag of een halve dag.")
        try:
            start, end = parse_clock(form.get(f"d{n}_start", "")), parse_clock(form.get(f"d{n}_end", ""))
        except ValueError:
            raise Refused(f"Vul voor {WEEKDAYS_NL[n]} een begin- en einduur in (uu:mm).") from None
        week[n] = PlanDay(Size(size), start, end)
    return week


def _date(text: str, what: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise Refused(f"{what}: ‘{text}’ is geen datum; schrijf ze als DD/MM/JJJJ.") from None


@router.post("/locaties/{location_id}/opvangplannen/{child_id}")
async def plan_save(request: Request, child_id: int, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    _child(conn, location.id, child_id)
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    try:
        week = week_from_form(form)
        stored = plan_of(conn, child_id, location.id)
        if stored is None:
            start = _date(form.get("start", ""), "Startdatum")
            end = _date(form["end"], "Einddatum") if form.get("end", "").strip() else None
            settling = [
                _date(part, "Wendag")
                for part in form.get("settling_in", "").replace(";", ",").split(",")
                if part.strip()
            ]
            create_plan(conn, actor, child_id, location.id, start, end, week, settling)
            message = "Het opvangplan is bewaard."
        else:
            valid_from = _date(form.get("valid_from", ""), "Geldig vanaf")
            change_plan(conn, actor, child_id, location.id, valid_from, week, today())
            message = f"Het opvangplan is gewijzigd vanaf {fmt_date(valid_from)}."
    except Refused as refused:
        return _page(request, here, child_id, refused.reason, form, status_code=400)
    return see_other(_path(location.id, child_id), request, message)


@router.post("/locaties/{location_id}/opvangplannen/{child_id}/wendagen")
async def plan_settling_in(
    request: Request, child_id: int, here: AtLocation = Depends(at_location)
) -> Response:
    """The settling-in days changed after the plan is made (days gone by stay as they were)."""
    actor, conn, location = here
    _child(conn, location.id, child_id)
    form = await request.form()
    text = str(form.get("settling_in", ""))[:400]
    try:
        days = [_date(part, "Wendag") for part in text.replace(";", ",").split(",") if part.strip()]
        set_settling_in(conn, actor, child_id, location.id, days, today())
    except Refused as refused:
        return _page(request, here, child_id, refused.reason, status_code=400)
    return see_other(_path(location.id, child_id), request, "De wendagen zijn bewaard.")


@router.post("/locaties/{location_id}/opvangplannen/{child_id}/einde")
async def plan_end(request: Request, child_id: int, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    _child(conn, location.id, child_id)
    form = await request.form()
    try:
        end_plan(conn, actor, child_id, location.id, _date(str(form.get("end", "")), "Einddatum"), today())
    except Refused as refused:
        return _page(request, here, child_id, refused.reason, status_code=400)
    return see_other(_path(location.id, child_id), request, "De einddatum is bewaard.")
