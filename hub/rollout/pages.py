"""``/locaties/{location}/scanners``: the organisator's view of the location's scanners, their
software version and where they are in the last rollout (read-only: the technician runs it)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hub.core.actors import NoAccess, Role, StaffRole
from hub.core.localtime import fmt_date, fmt_time, local
from hub.rollout import store
from hub.web.web import AtLocation, at_location, render

router = APIRouter()

STATES = {
    "stage1": "bezig: eerst enkele scanners",
    "stage2": "bezig: de overige scanners",
    "done": "klaar: alle scanners zijn bijgewerkt",
    "stopped": (
        "gestopt: een scanner kwam niet terug of weigerde; de bijgewerkte scanners gaan terug naar de "
        "vorige versie"
    ),
    "aborted": "afgebroken door de technieker; de bijgewerkte scanners gaan terug naar de vorige versie",
}


def stamp(iso: str | None) -> str:
    return f"{fmt_date(local(iso).date())} {fmt_time(iso)}" if iso else "nooit"


@router.get("/locaties/{location_id}/scanners")
def scanners_page(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    if not (
        actor.role is Role.ORGANISATOR
        or (actor.role is Role.STAFF and actor.staff_role is StaffRole.ORGANISATOR)
    ):
        raise NoAccess()
    found, lines = store.scanners_of(conn, location.id)
    context = {
        "active": "scanners",
        "rollout": found,
        "rollout_state": STATES.get(found.state, found.state) if found else "",
        "started": stamp(found.started_at) if found else "",
        "scanners": [(line, stamp(line.last_seen)) for line in lines],
    }
    return render(request, "rollout/scanners.html", context, location=location)
