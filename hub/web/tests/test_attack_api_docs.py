"""Attack: reading the API's map. On main /api/docs and /api/openapi.json answered anyone (this
test fails there at the first request). Now they are off unless hub.toml says ``api_docs = true``,
and then only for a logged-in organisator; everyone else gets 404.

Against the hub as a process, over HTTP.
"""

from __future__ import annotations

from pathlib import Path

from hub.accounts.tests.guessing import Guesser, demo_hub
from hub.demo import DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN

DOCS = ("/api/openapi.json", "/api/docs", "/api/redoc")


def test_the_api_docs_are_off_by_default_for_everyone(hub_dir: Path) -> None:
    with demo_hub(hub_dir) as (_proc, url):
        stranger = Guesser(url)
        organisator = Guesser(url)
        organisator.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
        for path in DOCS:
            assert stranger.get(path).status_code == 404, path
            assert organisator.get(path).status_code == 404, path


def test_with_api_docs_on_only_a_logged_in_organisator_reads_them(hub_dir: Path) -> None:
    with demo_hub(hub_dir, "api_docs = true\n") as (_proc, url):
        stranger = Guesser(url)
        location = Guesser(url)
        location.login_pin(DEMO_PIN)
        organisator = Guesser(url)
        organisator.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
        for path in DOCS:
            assert stranger.get(path).status_code == 404, path
            assert location.get(path).status_code == 404, path
            assert organisator.get(path).status_code == 200, path
        assert "/api/today" in organisator.get("/api/openapi.json").json()["paths"]
