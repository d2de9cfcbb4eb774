"""Pages travel gzip-compressed to a browser that accepts it; small answers and streams do not. The
CSRF token a page carries is masked anew on every page (a compressed page must not repeat a fixed
secret next to text a visitor typed: BREACH), and every masked form of it is accepted.
"""

from __future__ import annotations

import re

from hub.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.support.portal_world import PortalWorld

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_a_month_grid_travels_gzip_compressed_and_plainly_to_a_client_without_gzip(
    world: PortalWorld,
) -> None:
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    page = client.get("/locaties/zonnebloem", headers={"accept-encoding": "gzip"})
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in page.headers["vary"].lower()
    assert int(page.headers["content-length"]) < len(page.content), "httpx unpacked the smaller body"
    assert "<table" in page.text and page.headers["cache-control"] == "no-store"
    plain = client.get("/locaties/zonnebloem", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and "<table" in plain.text


def test_a_small_answer_is_not_compressed(world: PortalWorld) -> None:
    health = world.client().get("/health", headers={"accept-encoding": "gzip"})
    assert health.status_code == 200 and "content-encoding" not in health.headers


def test_the_csrf_token_differs_on_every_page_and_each_one_is_accepted(world: PortalWorld) -> None:
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    first = CSRF.search(client.get("/locaties").text)[1]
    second = CSRF.search(client.get("/locaties").text)[1]
    assert first != second, "masked anew for each response"
    assert client.http.post("/afmelden", data={"csrf": first}).status_code in (200, 303)
    assert client.get("/locaties").url.path == "/aanmelden", "logged out with the first page's token"


def test_a_forged_masked_token_is_refused(world: PortalWorld) -> None:
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    token = CSRF.search(client.get("/locaties").text)[1]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.http.post("/afmelden", data={"csrf": forged}).status_code == 403
    assert client.http.post("/afmelden", data={"csrf": "zz" * 32}).status_code == 403
    assert client.get("/locaties").url.path != "/aanmelden", "still logged in"
