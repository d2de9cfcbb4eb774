"""A hub process with the demo's data, and a guesser that talks to its portal over HTTP.

Every request may carry an ``X-Forwarded-For``: what a client behind a proxy (or a liar) sends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hub.core.db import open_database
from hub.demo import DEMO_DOSSIER, seed
from tests.support.portal import PortalClient
from tests.support.processes import Proc, start_hub

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def demo_hub(workdir: Path, settings: str = "") -> Iterator[tuple[Proc, str]]:
    """The hub as a process on the demo's database; ``settings`` are more hub.toml lines."""
    db = open_database(workdir / "hub.sqlite3")
    seed(db, history_days=0)
    db.close()
    proc, url = start_hub(workdir, extra_settings=settings)
    try:
        yield proc, url
    finally:
        proc.stop()


class Guesser(PortalClient):
    """A browser (its own cookies) that may claim an address with X-Forwarded-For."""

    def __init__(self, url: str, forwarded_for: str | None = None) -> None:
        super().__init__(url)
        self.forwarded_for = forwarded_for
        if forwarded_for:  # on every request of this browser, unless a call claims another
            self.http.headers["X-Forwarded-For"] = forwarded_for

    def _headers(self, forwarded_for: str | None) -> dict[str, str]:
        claimed = forwarded_for or self.forwarded_for
        return {"X-Forwarded-For": claimed} if claimed else {}

    def login_pin(self, pin: str, forwarded_for: str | None = None, dossier: str = DEMO_DOSSIER):
        headers = self._headers(forwarded_for)
        page = self.http.get("/aanmelden/organisator", headers=headers).text
        csrf = _CSRF.search(page)[1]
        return self.http.post(
            "/aanmelden/opvanglocatie/pincode",
            data={"csrf": csrf, "dossier": dossier, "pin": pin},
            headers=headers,
        )

    def look_up(self, dossier: str, forwarded_for: str | None = None):
        headers = self._headers(forwarded_for)
        csrf = _CSRF.search(self.http.get("/aanmelden/opvanglocatie", headers=headers).text)[1]
        return self.http.post(
            "/aanmelden/opvanglocatie", data={"csrf": csrf, "dossier": dossier}, headers=headers
        )


def logged_in_as_location(response) -> bool:
    return response.url.path == "/locaties/zonnebloem"
