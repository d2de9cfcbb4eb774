"""Several extra days in one request (issue 20, "als geheel beoordelen"): judged as a whole, all
approved or all refused at once; or one by one. The location sees the day's capacity beside each
day, and "vervalt automatisch op" lapses the whole request."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import create_plan, plan_of
from hub.core.actors import Actor
from hub.core.db import connect
from hub.core.localtime import fmt_date, today
from hub.demo import DEMO_DOSSIER, DEMO_PIN
from hub.parents import service
from tests.support.hub_sql import hub_sql
from tests.support.parents import ANNE, add_families, csrf_of, login_parent
from tests.support.portal_world import PortalWorld

REQUESTS = "/locaties/zonnebloem/ouderverzoeken"

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _ask(anne, child: int, days: list, whole: bool, expires=None):
    data = {
        "csrf": csrf_of(anne, "/ouders"),
        "locatie": "zonnebloem",
        "van": "08:00",
        "tot": "16:30",
        "meer": ", ".join(fmt_date(d) for d in days[1:]),
        "vervalt": fmt_date(expires) if expires else "",
    }
    if whole:
        data["geheel"] = "ja"
    return anne.http.post(f"/ouders/kinderen/{child}/dag/{days[0].isoformat()}/extra", data=data)


def _statuses(database, days: list) -> list[str]:
    with hub_sql(database) as db:
        return [
            db.execute(
                "SELECT status FROM parent_requests WHERE kind = 'extra_dag' AND day = ?", (d.isoformat(),)
            ).fetchone()[0]
            for d in days
        ]


def _id_of(database, day) -> int:
    with hub_sql(database) as db:
        return db.execute("SELECT id FROM parent_requests WHERE day = ?", (day.isoformat(),)).fetchone()[0]


def _planned_on_todays_weekday(database, child: int) -> list:
    """A plan from today with one day a week (today's weekday); the other days of the next weeks."""
    db = connect(database)
    full = PlanDay(Size.FULL, time(7, 30), time(17, 30))
    zonnebloem = Actor.location("zonnebloem", "Zonnebloem")
    create_plan(db, zonnebloem, child, "zonnebloem", today(), None, {today().weekday(): full})
    db.close()
    return [today() + timedelta(days=n) for n in range(2, 30) if n % 7]


def test_extra_days_asked_as_a_whole_are_all_approved_or_all_refused(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    day = _planned_on_todays_weekday(world.database, families.jules)
    anne = login_parent(world.url, ANNE)
    asked = _ask(anne, families.jules, day[0:3], whole=True)
    assert "Je aanvraag is verstuurd" in asked.text and "als geheel beoordeeld" in asked.text
    _ask(anne, families.jules, day[3:5], whole=False)
    _ask(anne, families.jules, day[5:7], whole=True)

    staff = world.client()
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    listing = staff.get(REQUESTS).text
    first = _id_of(world.database, day[0])
    assert listing.count(f"aanvraag #{first}, als geheel beoordelen") == 3
    assert listing.count("per dag beoordelen") == 2
    assert listing.count('class="capacity">gepland die dag: 0<') == 7  # beside each open day
    assert "Hele aanvraag goedkeuren" in listing

    # approving one day of the whole request approves its three days, and plans them
    done = staff.post(f"{REQUESTS}/{_id_of(world.database, day[1])}/goedkeuren", {}, REQUESTS)
    assert f"aangepast voor alle dagen van aanvraag #{first}" in done.text, done.text.split('id="flash"')[1][
        :300
    ]
    assert _statuses(world.database, day[0:3]) == ["goedgekeurd"] * 3
    db = connect(world.database)
    plan = plan_of(db, families.jules, "zonnebloem").plan
    db.close()
    assert all(plan.planned(d) is not None for d in day[0:3]) and plan.planned(day[3]) is None
    [mail] = [m.read_text() for m in world.mail_dir.glob("*.eml")]  # one mail for the whole request
    assert "als geheel" in mail and all(fmt_date(d) in mail for d in day[0:3]), mail

    # one by one: one day approved, the other refused
    staff.post(f"{REQUESTS}/{_id_of(world.database, day[3])}/goedkeuren", {}, REQUESTS)
    staff.post(f"{REQUESTS}/{_id_of(world.database, day[4])}/afwijzen", {"reden": "volzet"}, REQUESTS)
    assert _statuses(world.database, day[3:5]) == ["goedgekeurd", "afgewezen"]

    # refusing one day of a whole request refuses both, with the reason the parent reads
    staff.post(f"{REQUESTS}/{_id_of(world.database, day[6])}/afwijzen", {"reden": "volzet"}, REQUESTS)
    assert _statuses(world.database, day[5:7]) == ["afgewezen", "afgewezen"]
    assert "volzet" in anne.get("/ouders/verzoeken").text


def test_the_expiry_date_applies_to_the_whole_request(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    day = [today() + timedelta(days=n) for n in range(3, 6)]
    anne = login_parent(world.url, ANNE)
    late = _ask(anne, families.jules, day, whole=True, expires=day[1])
    assert "tussen vandaag en de (eerste) gevraagde dag" in late.text  # after the first day: refused
    _ask(anne, families.jules, day, whole=True, expires=today() + timedelta(days=1))
    with hub_sql(world.database) as db:
        assert {e for (e,) in db.execute("SELECT expires_on FROM parent_requests")} == {
            (today() + timedelta(days=1)).isoformat()
        }
    # two days on, nobody answered: every day of the request has lapsed, none can be approved
    db = connect(world.database)
    assert service.expire(db, datetime.now(UTC) + timedelta(days=2)) == 3
    db.close()
    assert _statuses(world.database, day) == ["vervallen"] * 3
    staff = world.client()
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    refused = staff.post(f"{REQUESTS}/{_id_of(world.database, day[0])}/goedkeuren", {}, REQUESTS)
    assert "al behandeld" in refused.text


def _planned_in_calendar(anne, child: int, day) -> str | None:
    """What the parent's month calendar says is planned on ``day`` (its hours), or None."""
    page = anne.get(f"/ouders/kinderen/{child}?locatie=zonnebloem&maand={day:%Y-%m}").text
    found = re.search(rf'data-day="{day.isoformat()}" data-state="[a-z_]+"(?: data-planned="([^"]+)")?', page)
    assert found, page[-2000:]
    return found.group(1)


def test_the_parents_month_calendar_shows_the_planned_days_and_an_approved_extra_day(
    world: PortalWorld,
) -> None:
    families = add_families(world.database, world.other_child)
    day = _planned_on_todays_weekday(world.database, families.jules)
    anne = login_parent(world.url, ANNE)
    assert _planned_in_calendar(anne, families.jules, today()) == "07:30–17:30"
    assert _planned_in_calendar(anne, families.jules, today() + timedelta(days=7)) == "07:30–17:30"
    assert _planned_in_calendar(anne, families.jules, day[0]) is None
    _ask(anne, families.jules, day[0:1], whole=False)
    staff = world.client()
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    staff.post(f"{REQUESTS}/{_id_of(world.database, day[0])}/goedkeuren", {}, REQUESTS)
    assert _planned_in_calendar(anne, families.jules, day[0]) == "08:00–16:30"
    assert "gepland (opvangplan)" in anne.get(f"/ouders/kinderen/{families.jules}?locatie=zonnebloem").text
