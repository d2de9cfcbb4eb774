"""A parent reports an absence (issue 20): a reason, a doctor's note checked by type and size, in time
before 08:00 or late; the location sees it, opens the note and approves it, and billing gets the reason."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import create_plan, plan_of
from hub.core.actors import Actor
from hub.core.db import connect
from hub.core.localtime import fmt_date, today
from hub.demo import DEMO_DOSSIER, DEMO_PIN
from tests.support.hub_sql import hub_sql
from tests.support.parents import ANNE, BERT, add_families, csrf_of, last_open_day, login_parent
from tests.support.portal_world import OTHER_DOSSIER, OTHER_PIN, PortalWorld

PDF = b"%PDF-1.4\n% a doctor's note\n"

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _report(client, child: int, day, reason: str, note: tuple | None = None):
    data = {
        "csrf": csrf_of(client, "/ouders"),
        "locatie": "zonnebloem",
        "reden": reason,
        "opmerking": "koorts",
    }
    files = {"attest": note} if note else None
    return client.http.post(f"/ouders/kinderen/{child}/dag/{day.isoformat()}/afwezig", data=data, files=files)


def test_a_parent_reports_absences_in_time_or_late_and_the_location_approves_one(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    tomorrow, gone = today() + timedelta(days=1), last_open_day(world.database)

    refused = _report(anne, families.jules, tomorrow, "ziek_attest")
    assert refused.status_code == 200 and "Voeg het doktersattest toe" in refused.text
    text = _report(anne, families.jules, tomorrow, "ziek_attest", ("attest.txt", b"just text", "text/plain"))
    assert "PDF, JPEG of PNG" in text.text
    big = _report(
        anne, families.jules, tomorrow, "ziek_attest", ("attest.pdf", PDF + b"x" * 210_000, "application/pdf")
    )
    assert big.status_code in (200, 413) and ("te groot" in big.text or big.status_code == 413)
    sent = _report(anne, families.jules, tomorrow, "ziek_attest", ("attest.pdf", PDF, "application/pdf"))
    assert "Je afwezigheidsmelding is verstuurd" in sent.text and "op tijd gemeld" in sent.text
    late = _report(anne, families.jules, gone, "vakantie")
    assert "te laat gemeld (na 08:00)" in late.text
    assert (
        "ongeval" not in late.text.split('id="reden"')[1].split("</select>")[0]
    )  # the location's reasons only

    with hub_sql(world.database) as db:
        rows = db.execute(
            "SELECT id, day, absence_reason, in_time FROM parent_requests"
            " WHERE kind = 'afwezigheid' ORDER BY id"
        ).fetchall()
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (tomorrow.isoformat(), "ziek_attest", 1),
        (gone.isoformat(), "vakantie", 0),
    ]
    noted = rows[0][0]

    staff = world.client()
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    listing = staff.get("/locaties/zonnebloem/ouderverzoeken").text
    assert "afwezig: ziek met doktersattest · op tijd gemeld" in listing and "te laat gemeld" in listing
    note = staff.get(f"/locaties/zonnebloem/ouderverzoeken/{noted}/attest")
    assert note.headers["content-type"] == "application/pdf" and note.content == PDF
    approved = staff.post(
        f"/locaties/zonnebloem/ouderverzoeken/{noted}/goedkeuren", {}, "/locaties/zonnebloem/ouderverzoeken"
    )
    assert "is afwezig op" in approved.text
    with hub_sql(world.database) as db:
        assert db.execute("SELECT day, reason FROM billing_absences").fetchall() == [
            (tomorrow.isoformat(), "ziek_attest")
        ]

    other = world.client()
    other.login_location(OTHER_DOSSIER, OTHER_PIN)
    assert other.get(f"/locaties/klavertje/ouderverzoeken/{noted}/attest").status_code == 404
    bert = login_parent(world.url, BERT)
    assert _report(bert, families.jules, tomorrow, "ziek").status_code == 404


def test_an_extra_day_and_a_swap_day_change_the_plan_for_those_days_only(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    start = today()
    skipped = (start + timedelta(days=2)).weekday()
    full = PlanDay(Size.FULL, time(7, 30), time(17, 30))
    db = connect(world.database)
    weekdays = {n: full for n in range(7) if n != skipped}
    create_plan(
        db, Actor.location("zonnebloem", "Zonnebloem"), families.jules, "zonnebloem", start, None, weekdays
    )
    db.close()
    extra_day, planned_day, swap_to = (start + timedelta(days=d) for d in (2, 3, 9))

    anne = login_parent(world.url, ANNE)
    page = anne.get(f"/ouders/kinderen/{families.jules}/dag/{extra_day.isoformat()}?locatie=zonnebloem").text
    assert "Dag aanvragen" in page and "Ruildag aanvragen" not in page
    csrf = csrf_of(anne, "/ouders")
    asked = anne.http.post(
        f"/ouders/kinderen/{families.jules}/dag/{extra_day.isoformat()}/extra",
        data={
            "csrf": csrf,
            "locatie": "zonnebloem",
            "van": "08:00",
            "tot": "12:30",
            "vervalt": fmt_date(start),
        },
    )
    assert "Je aanvraag is verstuurd" in asked.text and "08:00–12:30" in asked.text
    swapped = anne.http.post(
        f"/ouders/kinderen/{families.jules}/dag/{planned_day.isoformat()}/ruil",
        data={"csrf": csrf, "locatie": "zonnebloem", "naar": fmt_date(swap_to)},
    )
    assert "Je ruildag is verstuurd" in swapped.text
    refused = anne.http.post(
        f"/ouders/kinderen/{families.jules}/dag/{planned_day.isoformat()}/ruil",
        data={"csrf": csrf, "locatie": "zonnebloem", "naar": fmt_date(planned_day + timedelta(days=1))},
    )
    assert "al opvang gepland" in refused.text

    staff = world.client()
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    listing = staff.get("/locaties/zonnebloem/ouderverzoeken").text
    assert (
        "extra dag 08:00–12:30" in listing
        and f"ruildag: {fmt_date(planned_day)} → {fmt_date(swap_to)}" in listing
    )
    with hub_sql(world.database) as conn:
        ids = [
            i
            for (i,) in conn.execute("SELECT id FROM parent_requests WHERE kind != 'afwezigheid' ORDER BY id")
        ]
    for request_id in ids:
        done = staff.post(
            f"/locaties/zonnebloem/ouderverzoeken/{request_id}/goedkeuren", {}, "/locaties/zonnebloem"
        )
        flash = (
            done.text.split('id="flash">')[1].split("</p>")[0]
            if 'id="flash"' in done.text
            else done.text[-3000:]
        )
        assert "het opvangplan van Jules Peeters is aangepast" in done.text, flash
    db = connect(world.database)
    plan = plan_of(db, families.jules, "zonnebloem").plan
    db.close()
    assert plan.planned(extra_day) == PlanDay(Size.HALF, time(8), time(12, 30))  # 4 h 30: a half day
    assert plan.planned(planned_day) is None and plan.planned(swap_to) == full
    assert plan.planned(extra_day + timedelta(days=14)) is None  # the weekday itself stays unplanned

    # an unanswered extra day lapses after its "vervalt automatisch op" day
    anne.http.post(
        f"/ouders/kinderen/{families.jules}/dag/{(extra_day + timedelta(days=14)).isoformat()}/extra",
        data={"csrf": csrf, "locatie": "zonnebloem", "van": "08:00", "tot": "17:00"},
    )
    with hub_sql(world.database) as conn:
        conn.execute(
            "UPDATE parent_requests SET expires_on = ? WHERE status = 'ingediend'",
            ((start - timedelta(days=1)).isoformat(),),
        )
    assert "Vervallen" in anne.get("/ouders/verzoeken").text
