"""The "Opgeladen" screens: what goes (or went) to Kind en Gezin, per location and month.

As AARON's guide shows them: the organisator's overview of its locations for a month, with a red
clock (a time error) or a red cloud (an error in the data sent) by a location's name; and per
location and month the status, the errors with a link to where they are fixed, the warnings to
confirm, when the system sends next, "Nu versturen", the history of every sending, what the month
gives under the location's price model (the KO-toeslag days), and the month as CSV.

The services (hub/upload/service.py) check the actor themselves; "Nu versturen" only asks the hub's
upload thread to send, so no page waits on the receiver.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlencode

import sqlite_utils
from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import Response

from hub.accounts.actors import Actor, Refused, Role
from hub.attendance.grid_routes import parse_month
from hub.attendance.windows import shift_month
from hub.core import bounds
from hub.core.db import connect
from hub.core.localtime import fmt_date, fmt_duration, fmt_month, today
from hub.prices.amounts import AmountTable
from hub.prices.ko_toeslag import Credit
from hub.prices.loader import load_amounts
from hub.upload.month import PreparedMonth
from hub.upload.service import (
    CREDIT_NL,
    HELD_BACK,
    ChildPreview,
    administration_csv,
    confirm_warning,
    month_detail,
    month_log,
    outcome_nl,
    preview,
    request_sending,
)
from hub.upload.settings import UploadSettings
from hub.upload.status import MonthStatus, ReceiverError, Status
from hub.upload.summary import MonthSummary, forget_summaries, month_summaries
from hub.upload.timing import month_is_over
from hub.upload.validation import CONFIRMABLE, DataRule, Issue, Marker
from hub.web.nav import NavEntry
from hub.web.web import AtLocation, at_location, db, now, render, require_actor, see_other

router = APIRouter()

STATUS_CSS = {
    Status.WAITING: "waiting",
    Status.SENT: "sent",
    Status.ACCEPTED: "accepted",
    Status.ERRORS: "errors",
    Status.NOTHING: "nothing",
}
STATE_NL = {
    "pending": "onderweg",
    "answered": "beantwoord",
    "refused": "geweigerd",
    "superseded": "vervangen door een nieuwere versie",
}
ATTEMPT_NL = {"answered": "antwoord ontvangen", "refused": "geweigerd", "failed": "mislukt"}
RECORD_NL = {
    "accepted": "aanvaard",
    "error": "met fout",
    "received": "ontvangen",
    "pending": "zonder antwoord",
}
TRIGGER_NL = {"schedule": "planning", "on_demand": "op vraag"}


@dataclass(frozen=True)
class UploadScreens:
    """What the screens need of the hub's settings: the upload day, whether it sends, the amounts."""

    settings: UploadSettings
    amounts: AmountTable


def install(app: FastAPI, settings: UploadSettings) -> None:
    """Mount the screens: the tab after "Registraties", the routes, the settings they read.

    The amounts table is read here, so a broken ``amounts_file`` stops the hub at start-up
    instead of showing wrong euros later.
    """
    app.state.upload = UploadScreens(settings, load_amounts(settings.amounts_file))
    conn = connect(app.state.portal.database)
    try:
        forget_summaries(conn)  # summaries kept by an older version of the hub are not trusted
    finally:
        conn.close()
    app.state.portal.nav.insert(1, NavEntry("opgeladen", "Opgeladen", "/locaties/{location}/opgeladen"))
    app.include_router(router)


def screens(request: Request) -> UploadScreens:
    return request.app.state.upload


# -- what the templates show ---------------------------------------------------------------------


def chosen_month(maand: str | None) -> tuple[int, int]:
    """The month in the URL, or by default last month: the one to fix before, and send on, the 7th."""
    if maand:
        return parse_month(maand)
    day = today()
    return shift_month(day.year, day.month, -1)


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def next_sending_text(status: MonthStatus | MonthSummary, day: date, enabled: bool) -> str:
    """When the system sends this month next, as the screen says it."""
    if not enabled:
        return "niet ingesteld op deze hub"
    if status.next_sending == day:
        return "vandaag, binnen enkele ogenblikken" if status.sending else "vandaag"
    if status.next_sending is not None:
        return fmt_date(status.next_sending)
    if status.status is Status.ERRORS:
        return "nadat de fouten aangepast zijn"
    if status.status is Status.WAITING:
        return "enkel op vraag, met ‘Nu versturen’"
    return "niets te versturen"


@dataclass(frozen=True)
class IssueView:
    issue: Issue
    href: str
    action: str  # the link's text
    confirmable: bool


def issue_view(location_id: str, key: str, issue: Issue) -> IssueView:
    """An issue with the link to the place where it is fixed: the cell, or the child's data."""
    child = f"/locaties/{location_id}/kinderen/{issue.child_id}/wijzigen"
    if issue.marker is Marker.CLOCK and issue.day is not None:
        href, action = f"/locaties/{location_id}/cel/{issue.child_id}/{issue.day.isoformat()}", "Aanpassen"
    elif issue.rule == DataRule.SUBSIDY_AGE:
        href, action = f"{child}#school_start", "Startdatum school invullen"
    elif issue.rule == DataRule.CARD_OF_TWO_CHILDREN:
        href, action = grid_of(location_id, key, issue.child_name), "Uren nakijken"
    else:
        href, action = child, "Gegevens aanpassen"
    return IssueView(issue, href, action, issue.rule in CONFIRMABLE)


def grid_of(location_id: str, key: str, child_name: str) -> str:
    """The month grid showing one child's row."""
    return f"/locaties/{location_id}?{urlencode({'maand': key, 'zoek': child_name})}"


def receiver_error_href(location_id: str, key: str, error: ReceiverError) -> str:
    if error.marker is Marker.CLOCK:
        return grid_of(location_id, key, error.child_name)
    return f"/locaties/{location_id}/kinderen/{error.child_id}/wijzigen"


def fmt_days(days: Fraction) -> str:
    """3 or 3,5 (days)."""
    return str(days.numerator) if days.denominator == 1 else f"{float(days):.1f}".replace(".", ",")


def fmt_euro(amount: Decimal | None) -> str:
    return "–" if amount is None else "€ " + f"{amount:.2f}".replace(".", ",")


@dataclass(frozen=True)
class PreviewDay:
    day: str
    here: str
    elsewhere: str
    gives: str  # "hele dag", "halve dag", "geen (minder dan 3 uur)", or "60 %"
    credit: str  # css: whole, half, none


@dataclass(frozen=True)
class PreviewRow:
    name: str
    child_id: int
    held_back: bool
    days_present: int
    summary: dict[str, str]  # column -> value, in the order the table shows them
    days: list[PreviewDay]


def preview_rows(
    previews: list[ChildPreview], with_amounts: bool
) -> tuple[list[str], list[PreviewRow], dict[str, str]]:
    """The preview table: its columns, a row per child (with its days), and the totals.

    ``with_amounts``: the hub has a table of amounts, so the KO-toeslag is shown in euros too.
    """
    if previews and previews[0].charges is not None:
        return _share_rows(previews)
    columns = [
        "Dagen aanwezig",
        "Hele dagen",
        "Halve dagen",
        "Geen",
        "KO-toeslag (dagen)",
        "Bedrag",
        "Stopt op",
    ]
    rows, paid, amounts = [], Fraction(0), []
    for p in previews:
        subsidy = p.subsidy
        assert subsidy is not None
        paid += subsidy.paid_days
        amounts.append(subsidy.amount)
        none = sum(1 for d in subsidy.days if d.credit is Credit.NONE)
        days = [
            PreviewDay(
                fmt_date(d.day),
                fmt_duration(d.minutes_here),
                fmt_duration(d.minutes_elsewhere) if d.minutes_elsewhere else "",
                CREDIT_NL[d.credit.value] + (f" ({d.why_not.value})" if d.why_not else ""),
                d.credit.value,
            )
            for d in subsidy.days
        ]
        summary = dict(
            zip(
                columns,
                [
                    str(len(subsidy.days)),
                    str(subsidy.whole_days),
                    str(subsidy.half_days),
                    str(none),
                    fmt_days(subsidy.paid_days),
                    fmt_euro(subsidy.amount),
                    fmt_date(subsidy.ends) if subsidy.ends else "onbekend",
                ],
                strict=True,
            )
        )
        if not with_amounts:
            del summary["Bedrag"]
        rows.append(PreviewRow(p.child.name, p.child.id, p.held_back, len(subsidy.days), summary, days))
    known = [a for a in amounts if a is not None]
    totals = {"KO-toeslag (dagen)": fmt_days(paid)}
    if not with_amounts:
        columns.remove("Bedrag")
    elif known and len(known) == len(amounts):
        totals["Bedrag"] = fmt_euro(sum(known, Decimal("0.00")))
    return columns, rows, totals


def _share_rows(previews: list[ChildPreview]) -> tuple[list[str], list[PreviewRow], dict[str, str]]:
    columns = ["Dagen aanwezig", "60 % (< 5 u)", "100 % (5–11 u)", "160 % (> 11 u)"]
    rows = []
    for p in previews:
        charges = p.charges or ()
        count = {share: sum(1 for c in charges if c.percentage == share) for share in (60, 100, 160)}
        summary = dict(
            zip(columns, [str(len(charges)), *(str(count[s]) for s in (60, 100, 160))], strict=True)
        )
        days = [
            PreviewDay(fmt_date(c.day), fmt_duration(c.minutes), "", f"{c.percentage} %", "share")
            for c in charges
        ]
        rows.append(PreviewRow(p.child.name, p.child.id, p.held_back, len(charges), summary, days))
    return columns, rows, {}


def csv_filename(location_name: str, key: str) -> str:
    """aanwezigheden-kinderdagverblijf-de-zonnebloem-2026-03.csv: plain ASCII, safe in any header."""
    ascii_name = unicodedata.normalize("NFKD", location_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "locatie"
    return f"aanwezigheden-{slug}-{key}.csv"


# -- the pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewLine:
    status: MonthSummary
    css: str
    next_sending: str


@router.get("/opgeladen")
def overview(
    request: Request,
    maand: str | None = None,
    actor: Actor = Depends(require_actor),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    """The organisator's locations for one month; a location goes straight to its own month.

    Read from the kept summaries (hub/upload/summary.py): only a location whose month changed since
    is prepared again.
    """
    year, month = chosen_month(maand)
    key = month_key(year, month)
    if actor.role is Role.LOCATION:
        return see_other(f"/locaties/{actor.id}/opgeladen?maand={key}")
    if actor.role is Role.STAFF:
        first = min(actor.locations) if actor.locations else None
        return see_other(f"/locaties/{first}/opgeladen?maand={key}" if first else "/locaties")
    upload = screens(request).settings
    day = today()
    lines = [
        OverviewLine(summary, STATUS_CSS[summary.status], next_sending_text(summary, day, upload.enabled))
        for summary in month_summaries(conn, actor, year, month, upload.day, upload.enabled, now())
    ]
    context = {
        "title": fmt_month(year, month),
        "month_key": key,
        "prev": month_key(*shift_month(year, month, -1)),
        "next": month_key(*shift_month(year, month, 1)),
        "lines": lines,
        "enabled": upload.enabled,
    }
    return render(request, "upload/overview.html", context)


@router.get("/locaties/{location_id}/opgeladen")
def detail(request: Request, maand: str | None = None, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    year, month = chosen_month(maand)
    key = month_key(year, month)
    upload = screens(request)
    prepared, status = month_detail(
        conn, actor, location.id, year, month, upload.settings.day, upload.settings.enabled, now()
    )
    issues = [issue_view(location.id, key, issue) for issue in status.issues]
    with_amounts = bool(upload.amounts.ko_toeslag_whole_day)
    columns, rows, totals = preview_rows(preview(prepared, upload.amounts), with_amounts)
    context = {
        "active": "opgeladen",
        "title": fmt_month(year, month),
        "month_key": key,
        "prev": month_key(*shift_month(year, month, -1)),
        "next": month_key(*shift_month(year, month, 1)),
        "status": status,
        "css": STATUS_CSS[status.status],
        "next_sending": next_sending_text(status, today(), upload.settings.enabled),
        "time_issues": [v for v in issues if v.issue.marker is Marker.CLOCK],
        "data_errors": [v for v in issues if v.issue.marker is Marker.CLOUD and not v.confirmable],
        "warnings": [v for v in issues if v.issue.marker is Marker.CLOUD and v.confirmable],
        "receiver_errors": [(e, receiver_error_href(location.id, key, e)) for e in status.receiver_errors],
        "enabled": upload.settings.enabled,
        "month_over": month_is_over(year, month, today()),
        "preview_title": _preview_title(prepared),
        "columns": columns,
        "rows": rows,
        "totals": totals,
        "log": month_log(conn, actor, location.id, year, month),
        "state_nl": STATE_NL,
        "attempt_nl": ATTEMPT_NL,
        "record_nl": RECORD_NL,
        "trigger_nl": TRIGGER_NL,
        "outcome_nl": outcome_nl,
        "held_back": HELD_BACK,
        "amounts": with_amounts,
    }
    return render(request, "upload/detail.html", context, location=location)


def _preview_title(prepared: PreparedMonth) -> str:
    if prepared.price_model == "inkomenstarief":
        return "Voorbeeld inkomenstarief"
    return "Voorbeeld KO-toeslag"


@router.post("/locaties/{location_id}/opgeladen/versturen")
def send_now(request: Request, maand: str = Form(...), here: AtLocation = Depends(at_location)) -> Response:
    """ "Nu versturen": the hub's upload thread sends the month; the page shows the outcome when it is in."""
    actor, conn, location = here
    year, month = parse_month(maand)
    back = f"/locaties/{location.id}/opgeladen?maand={month_key(year, month)}"
    if not screens(request).settings.enabled:
        return see_other(back, request, "Versturen naar Kind en Gezin is niet ingesteld op deze hub.", True)
    try:
        request_sending(conn, actor, location.id, year, month, now())
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    return see_other(
        back,
        request,
        f"{fmt_month(year, month).capitalize()} wordt verstuurd naar Kind en Gezin. "
        "Deze pagina toont het resultaat zodra het er is.",
    )


@router.post("/locaties/{location_id}/opgeladen/bevestigen")
def confirm(
    request: Request,
    maand: str = Form(...),
    child_id: int = Form(...),
    rule: str = Form(...),
    note: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    """A person looked at a warning (older than 2.5 years, a card of two children) and confirms it."""
    actor, conn, location = here
    year, month = parse_month(maand)
    back = f"/locaties/{location.id}/opgeladen?maand={month_key(year, month)}"
    if problem := bounds.too_long(note, bounds.REASON, "De toelichting"):
        return see_other(back, request, problem, error=True)
    upload = screens(request).settings
    _prepared, status = month_detail(conn, actor, location.id, year, month, upload.day, upload.enabled, now())
    warning = next(
        (i for i in status.issues if i.child_id == child_id and i.rule == rule and i.open),
        None,
    )
    if warning is None:
        return see_other(back, request, "Deze waarschuwing staat niet (meer) open.", error=True)
    try:
        confirm_warning(conn, actor, location.id, year, month, child_id, rule, note)
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    return see_other(back, request, f"De waarschuwing over {warning.child_name} is bevestigd.")


@router.get("/locaties/{location_id}/opgeladen/csv")
def download(request: Request, maand: str | None = None, here: AtLocation = Depends(at_location)) -> Response:
    """The month as CSV for the organisation's own administration (a spreadsheet set to Dutch opens it)."""
    actor, conn, location = here
    year, month = chosen_month(maand)
    upload = screens(request)
    prepared, _status = month_detail(
        conn, actor, location.id, year, month, upload.settings.day, upload.settings.enabled, now()
    )
    filename = csv_filename(location.name, month_key(year, month))
    return Response(
        administration_csv(prepared, upload.amounts).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
