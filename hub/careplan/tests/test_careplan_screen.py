"""The location's screen "Opvangplannen": a plan made, changed from a date, and seen in the grid."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from hub.core.localtime import fmt_date, today
from hub.demo import DEMO_DOSSIER, DEMO_PIN
from tests.support.portal_world import PortalWorld


def _child(database, first_name: str) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT id FROM children WHERE first_name = ?", (first_name,)).fetchone()[0]


def _week(**days: str) -> dict[str, str]:
    """``ma="volledig"`` ... as the form's fields, 07:30-17:30 for a full day, 08:00-12:00 for a half."""
    form = {}
    for n, name in enumerate(("ma", "di", "wo", "do", "vr")):
        size = days.get(name, "")
        form[f"d{n}_size"] = size
        form[f"d{n}_start"] = {"volledig": "07:30", "half": "08:00"}.get(size, "")
        form[f"d{n}_end"] = {"volledig": "17:30", "half": "12:00"}.get(size, "")
    return form


def test_the_location_makes_a_plan_changes_it_from_a_date_and_the_grid_shows_afwezig(
    world: PortalWorld,
) -> None:
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    noah = _child(world.database, "Noah")
    page = f"/locaties/zonnebloem/opvangplannen/{noah}"
    listing = client.get("/locaties/zonnebloem/opvangplannen").text
    assert "Opvangplannen" in listing and "Capaciteit de komende twee weken" in listing

    first_of_last_month = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    every_day = _week(ma="volledig", di="volledig", wo="volledig", do="volledig", vr="half")
    saved = client.post(page, {"start": fmt_date(first_of_last_month), **every_day}, page)
    assert "Het opvangplan is bewaard." in saved.text
    assert "vr ½08:00–12:00" in saved.text

    tomorrow = today() + timedelta(days=1)
    changed = client.post(page, {"valid_from": fmt_date(tomorrow), **_week(ma="volledig")}, page)
    assert f"gewijzigd vanaf {fmt_date(tomorrow)}" in changed.text
    assert (
        fmt_date(first_of_last_month) in changed.text and fmt_date(tomorrow) in changed.text
    )  # both versions

    past = client.post(page, {"valid_from": fmt_date(first_of_last_month), **_week(ma="volledig")}, page)
    assert past.status_code == 400 and "nooit in het verleden" in past.text

    month = f"{first_of_last_month:%Y-%m}"
    grid = client.get(f"/locaties/zonnebloem?maand={month}").text
    assert 'class="cell missed"' in grid or "cell missed" in grid
    assert ">afwezig<" in grid
    with sqlite3.connect(world.database) as db:
        db.execute("UPDATE locations SET places = 14 WHERE id = 'zonnebloem'")
    grid = client.get(f"/locaties/zonnebloem?maand={month}").text
    assert 'class="capacity"' in grid and ">1/14<" in grid, "each planned day: children planned / places"
    assert (
        ": 1/14" in client.get("/locaties/zonnebloem/opvangplannen").text
        or ": 0/14" in client.get("/locaties/zonnebloem/opvangplannen").text
    )


def test_a_plan_of_another_organisators_child_is_not_found(world: PortalWorld) -> None:
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    page = f"/locaties/zonnebloem/opvangplannen/{world.other_child}"
    assert client.get(page).status_code == 404
    refused = client.post(
        page, {"start": fmt_date(today()), **_week(ma="volledig")}, "/locaties/zonnebloem/opvangplannen"
    )
    assert refused.status_code == 404


def test_the_location_changes_the_settling_in_days_of_a_plan_not_started_yet(world: PortalWorld) -> None:
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    noah = _child(world.database, "Noah")
    page = f"/locaties/zonnebloem/opvangplannen/{noah}"
    start = today() + timedelta(days=14)
    first, second, third = (today() + timedelta(days=n) for n in (2, 3, 4))
    saved = client.post(
        page, {"start": fmt_date(start), "settling_in": fmt_date(first), **_week(ma="volledig")}, page
    )
    assert "Het opvangplan is bewaard." in saved.text
    changed = client.post(f"{page}/wendagen", {"settling_in": f"{fmt_date(second)}, {fmt_date(third)}"}, page)
    assert "De wendagen zijn bewaard." in changed.text
    assert f"Wendagen: {fmt_date(second)}, {fmt_date(third)}" in changed.text
    late = client.post(f"{page}/wendagen", {"settling_in": fmt_date(start)}, page)
    assert late.status_code == 400 and "vóór de startdatum" in late.text
    with sqlite3.connect(world.database) as db:
        days = [d for (d,) in db.execute("SELECT day FROM care_plan_settling_in ORDER BY day")]
    assert days == [second.isoformat(), third.isoformat()]
