"""The "Meldingen" page over HTTP: a parent sets only their own children, and the hub takes only
push endpoints it may call."""

from __future__ import annotations

import pytest

from hub.core.db import connect
from hub.notify import store
from hub.notify.rules import Mode
from hub.parents import accounts
from tests.support.parents import ANNE, add_families, csrf_of, login_parent
from tests.support.portal_world import PortalWorld

HTTPS_ENDPOINT = "https://push.example/abc"

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _subscribe(client, endpoint: str, p256dh: str = "BAAA", auth: str = "AAAA"):
    token = csrf_of(client, "/ouders/meldingen")
    return client.http.post(
        "/ouders/meldingen/browser",
        json={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
        headers={"X-CSRF-Token": token},
    )


def test_a_parent_saves_settings_for_own_children_and_another_familys_child_is_not_touched(
    world: PortalWorld,
) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    data = {
        "csrf": csrf_of(anne, "/ouders/meldingen"),
        f"mode-{families.jules}": "samenvatting",
        f"uur-{families.jules}": "17",
        f"mail-{families.jules}": "1",
        f"mode-{families.lotte}": "elk",  # Bert's child: not Anne's to set
    }
    answer = anne.http.post("/ouders/meldingen", data=data)
    assert answer.status_code == 200 and "Je meldingen zijn bewaard." in answer.text
    db = connect(world.database)
    account = accounts.account_by_email(db, ANNE)
    prefs = store.prefs_of(db, account.id)
    assert prefs[families.jules] == store.Pref(families.jules, Mode.SUMMARY, 17, True, False)
    assert families.lotte not in prefs
    assert (
        db.execute("SELECT count(*) FROM notify_prefs WHERE child_id = ?", (families.lotte,)).fetchone()[0]
        == 0
    )
    db.close()


def test_the_hub_takes_only_https_push_endpoints_and_only_with_the_csrf_token(world: PortalWorld) -> None:
    add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    assert _subscribe(anne, "http://127.0.0.1:8080/intern").status_code == 400  # not the hub's own network
    assert _subscribe(anne, "https://push.example/" + "x" * 2000).status_code == 400
    assert _subscribe(anne, HTTPS_ENDPOINT).status_code == 200
    without_token = anne.http.post(
        "/ouders/meldingen/browser", json={"endpoint": HTTPS_ENDPOINT, "keys": {"p256dh": "B", "auth": "A"}}
    )
    assert without_token.status_code in (400, 403)
    db = connect(world.database)
    account = accounts.account_by_email(db, ANNE)
    assert [endpoint for _, endpoint, _, _ in store.subscriptions_of(db, account.id)] == [HTTPS_ENDPOINT]
    db.close()


def test_the_settings_need_a_parent_login(world: PortalWorld) -> None:
    answer = world.client().get("/ouders/meldingen")
    assert answer.url.path == "/ouders/aanmelden"


def test_my_data_holds_the_notification_settings_and_the_browsers(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    data = {
        "csrf": csrf_of(anne, "/ouders/meldingen"),
        f"mode-{families.jules}": "elk",
        f"push-{families.jules}": "1",
    }
    anne.http.post("/ouders/meldingen", data=data)
    assert _subscribe(anne, HTTPS_ENDPOINT).status_code == 200
    mine = anne.get("/ouders/gegevens.json").json()
    assert {
        "kind": "Jules",
        "meldingen": "elk",
        "samenvatting_om": "18:00",
        "e-mail": False,
        "push": True,
    } in mine["meldingen"]
    assert [b["pushdienst"] for b in mine["toestellen_met_meldingen"]] == ["push.example"]
    assert "Meldingen" in anne.get("/ouders/gegevens").text
