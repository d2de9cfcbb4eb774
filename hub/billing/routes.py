"""The location's screen "Facturatie": the month run (preview, finalise), invoices as PDF, corrections,
the accountant's CSV, and per child the attest inkomenstarief, debtor and absences."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response

from hub.attendance.grid_routes import parse_month
from hub.billing.absences import fmt_days
from hub.billing.data import (
    add_attest,
    add_plan_stop,
    billing_child,
    child_at,
    parse_euro,
    record_absence,
    save_billing_child,
)
from hub.billing.invoice_rules import balance_text
from hub.billing.pdf import euro
from hub.billing.policy import REASON_NL, Reason
from hub.billing.service import (
    accountant_csv,
    attests_of,
    correct_invoice,
    counter_of,
    creditor_of,
    debtor_of,
    direct_debit_for_month,
    finalise_month,
    fiscal_attest,
    invoice_mails,
    invoice_pdf_of,
    month_run,
    policy_for,
    save_creditor,
    save_rules,
)
from hub.children.queries import children_at
from hub.core.actors import NoAccess, Refused, Role
from hub.core.localtime import fmt_date, fmt_month, today
from hub.locations.schedule import parse_day
from hub.mail import MailError
from hub.prices.amounts import AmountTable
from hub.web.nav import NavEntry
from hub.web.web import AtLocation, at_location, now, portal, render, see_other

log = logging.getLogger(__name__)
router = APIRouter()


def install(app: FastAPI, table: AmountTable) -> None:
    """Mount the screens, the location's "Facturatie" tab, and the amounts table they bill with."""
    app.state.billing_amounts = table
    app.state.portal.nav.append(NavEntry("facturatie", "Facturatie", "/locaties/{location}/facturatie"))
    app.include_router(router)


def _table(request: Request) -> AmountTable:
    return request.app.state.billing_amounts


def _month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _path(location_id: str, year: int, month: int) -> str:
    return f"/locaties/{location_id}/facturatie?maand={_month_key(year, month)}"


def _page(
    request: Request,
    here: AtLocation,
    year: int,
    month: int,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    _actor, conn, location = here
    run = month_run(conn, location.id, year, month, _table(request), now())
    previous = date(year, month, 1) - timedelta(days=1)
    following = date(year, month, 28) + timedelta(days=4)
    context = {
        "active": "facturatie",
        "run": run,
        "title": fmt_month(year, month).capitalize(),
        "key": _month_key(year, month),
        "previous": _month_key(previous.year, previous.month),
        "following": _month_key(following.year, following.month),
        "balance": lambda draft: balance_text(run.policy, draft),
        "euro": lambda text: euro(Decimal(text)),
        "fmt_days": fmt_days,
        "creditor": creditor_of(conn, location.id),
        "may_set_creditor": here.actor.role is Role.ORGANISATOR,
        "presets": [
            ("ag-antwerpen", "AG Kinderopvang Antwerpen (groepsopvang)"),
            ("gezinsbond", "Gezinsbond (gezinsopvang)"),
        ],
        "collect_on": fmt_date(today() + timedelta(days=5)),
        "error": error,
    }
    return render(request, "billing/month.html", context, status_code, location=location)


@router.get("/locaties/{location_id}/facturatie")
def month_page(
    request: Request, maand: str | None = None, here: AtLocation = Depends(at_location)
) -> Response:
    if maand is None:  # the month to bill is normally the one that just ended
        last = today().replace(day=1) - timedelta(days=1)
        year, month = last.year, last.month
    else:
        year, month = parse_month(maand)
    return _page(request, here, year, month)


@router.post("/locaties/{location_id}/facturatie/finaliseren")
async def finalise(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    form = await request.form()
    year, month = parse_month(str(form.get("maand", "")))
    try:
        ids = finalise_month(conn, actor, location.id, year, month, _table(request), now())
    except Refused as refused:
        return _page(request, here, year, month, refused.reason, status_code=400)
    _mail(request, conn, ids)
    return see_other(_path(location.id, year, month), request, f"{len(ids)} facturen gefinaliseerd.")


def _mail(request: Request, conn, ids: list[int]) -> None:
    """Tell each debtor where the invoice is; the outbox sends (a mail that fails is logged, not fatal)."""
    state = portal(request)
    for mail in invoice_mails(conn, ids, state.base_url):
        try:
            state.mailer.send(mail)
        except MailError as error:
            log.warning("invoice mail not sent: %s", error)


@router.post("/locaties/{location_id}/facturatie/{invoice_id}/corrigeren")
async def correct(request: Request, invoice_id: int, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    form = await request.form()
    year, month = parse_month(str(form.get("maand", "")))
    try:
        credit, new = correct_invoice(conn, actor, location.id, invoice_id, _table(request), now())
    except Refused as refused:
        return _page(request, here, year, month, refused.reason, status_code=400)
    _mail(request, conn, [credit, new])
    return see_other(_path(location.id, year, month), request, "Creditnota en nieuwe factuur gemaakt.")


@router.get("/locaties/{location_id}/facturatie/{invoice_id}.pdf")
def invoice_pdf(invoice_id: int, here: AtLocation = Depends(at_location)) -> Response:
    _actor, conn, location = here
    number, kind, pdf = invoice_pdf_of(conn, location.id, invoice_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{kind}-{number}.pdf"'},
    )


@router.get("/locaties/{location_id}/facturatie/boekhouding/{key}.csv")
def accountant(key: str, here: AtLocation = Depends(at_location)) -> Response:
    _actor, conn, location = here
    year, month = parse_month(key)
    filename = f"facturen-{location.id}-{_month_key(year, month)}.csv"
    return Response(
        accountant_csv(conn, location.id, year, month).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _child_page(
    request: Request, here: AtLocation, child_id: int, error: str | None = None, status_code: int = 200
) -> Response:
    _actor, conn, location = here
    child_at(conn, child_id, location.id)
    child = next(c for c in children_at(conn, location.id) if c.id == child_id)
    context = {
        "active": "facturatie",
        "child": child,
        "flags": billing_child(conn, child_id),
        "debtor": debtor_of(conn, child_id),
        "attests": attests_of(conn, child_id),
        "counter": counter_of(conn, location.id, child_id, now()),
        "stop_weeks": policy_for(conn, location.id).plan_stop_weeks,
        "reasons": [(r.value, REASON_NL[r]) for r in Reason if r is not Reason.UNREPORTED],
        "fmt_date": fmt_date,
        "error": error,
    }
    return render(request, "billing/child.html", context, status_code, location=location)


@router.get("/locaties/{location_id}/facturatie/kind/{child_id}")
def child_page(request: Request, child_id: int, here: AtLocation = Depends(at_location)) -> Response:
    return _child_page(request, here, child_id)


def _date(text: str, what: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise Refused(f"{what}: ‘{text}’ is geen datum; schrijf ze als DD/MM/JJJJ.") from None


@router.post("/locaties/{location_id}/facturatie/kind/{child_id}")
async def child_save(request: Request, child_id: int, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    child_at(conn, child_id, location.id)
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    what = form.get("what", "")
    try:
        if what == "attest":
            until = _date(form["valid_until"], "Geldig tot") if form.get("valid_until", "").strip() else None
            add_attest(
                conn,
                actor,
                child_id,
                location.id,
                parse_euro(form.get("day_price", "")),
                _date(form.get("valid_from", ""), "Geldig vanaf"),
                until,
            )
            message = "Het attest inkomenstarief is bewaard."
        elif what == "stop":
            weeks = form.get("weeks", "1")
            first = _date(form.get("first_day", ""), "Vanaf maandag")
            policy = policy_for(conn, location.id)
            add_plan_stop(
                conn,
                actor,
                child_id,
                location.id,
                first,
                int(weeks) if weeks.isdigit() else 0,
                today(),
                policy,
            )
            message = f"De opvangstop vanaf {fmt_date(first)} is bewaard."
        elif what == "absence":
            reason = form.get("reason", "")
            if reason not in {r.value for r in Reason}:
                raise Refused("Kies een reden.")
            record_absence(
                conn, actor, child_id, location.id, _date(form.get("day", ""), "Dag"), Reason(reason)
            )
            message = "De afwezigheid is bewaard."
        else:
            dependent = form.get("dependent_children", "1").strip()
            if not dependent.isdigit():
                raise Refused("Het aantal kinderen ten laste is een getal.")
            mandate_date = form.get("mandate_date", "").strip()
            save_billing_child(
                conn,
                child_id,
                location.id,
                school_full_time=bool(form.get("school_full_time")),
                dependent_children=int(dependent),
                multiple_birth=bool(form.get("multiple_birth")),
                debtor={
                    **form,
                    "mandate_date": _date(mandate_date, "Datum mandaat").isoformat()
                    if mandate_date
                    else None,
                },
            )
            message = "De gegevens voor de facturatie zijn bewaard."
    except Refused as refused:
        return _child_page(request, here, child_id, refused.reason, status_code=400)
    return see_other(f"/locaties/{location.id}/facturatie/kind/{child_id}", request, message)


@router.post("/locaties/{location_id}/facturatie/incassant")
async def creditor(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    """The organisator's creditor identifier and account (the organisator only)."""
    actor, conn, location = here
    form = await request.form()
    year, month = parse_month(str(form.get("maand", "")))
    try:
        if actor.role is not Role.ORGANISATOR:
            raise Refused("Enkel je organisator kan de gegevens voor domiciliëring invullen.")
        save_creditor(
            conn,
            location.id,
            str(form.get("creditor_id", "")),
            str(form.get("iban", "")),
            str(form.get("bic", "")),
        )
    except Refused as refused:
        return _page(request, here, year, month, refused.reason, status_code=400)
    return see_other(_path(location.id, year, month), request, "De gegevens voor domiciliëring zijn bewaard.")


@router.post("/locaties/{location_id}/facturatie/sepa")
async def sepa(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    """The SEPA direct debit file (pain.008.001.02) of the month's valid invoices."""
    _actor, conn, location = here
    form = await request.form()
    year, month = parse_month(str(form.get("maand", "")))
    try:
        collect_on = _date(str(form.get("collect_on", "")), "Datum van inning")
        if collect_on <= today():
            raise Refused("De datum van inning ligt na vandaag.")
        debit = direct_debit_for_month(conn, location.id, year, month, collect_on, now())
    except Refused as refused:
        return _page(request, here, year, month, refused.reason, status_code=400)
    filename = f"domiciliering-{location.id}-{_month_key(year, month)}.xml"
    return Response(
        debit.xml,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/locaties/{location_id}/facturatie/fiscaal/{child_id}/{year}.pdf")
def fiscal(child_id: int, year: int, here: AtLocation = Depends(at_location)) -> Response:
    """The fiscal attest of a child for a calendar year (fines excluded)."""
    _actor, conn, location = here
    child_at(conn, child_id, location.id)
    if not 2000 <= year <= 2100:
        raise NoAccess(year)
    _figures, pdf = fiscal_attest(conn, location.id, child_id, year, now())
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="fiscaal-attest-{year}.pdf"'},
    )


@router.post("/locaties/{location_id}/facturatie/regels")
async def rules(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    """Which organisation's rules the location bills by (the organisator only)."""
    actor, conn, location = here
    form = await request.form()
    year, month = parse_month(str(form.get("maand", "")))
    try:
        if actor.role is not Role.ORGANISATOR:
            raise Refused("Enkel je organisator kiest de regels voor de facturatie.")
        save_rules(conn, location.id, str(form.get("rules", "")), form.get("scope") == "location")
    except (Refused, ValueError) as refused:
        reason = (
            refused.reason if isinstance(refused, Refused) else "Kies de regels van een van de organisaties."
        )
        return _page(request, here, year, month, reason, status_code=400)
    return see_other(_path(location.id, year, month), request, "De regels voor de facturatie zijn bewaard.")
