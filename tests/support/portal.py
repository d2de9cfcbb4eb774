"""The portal as a real HTTP server on loopback (uvicorn in a thread), and a client that logs in.

For tests that need no MQTT: the app is built on a test database with a recording unit channel
and a mailer of the test's choosing. Tests that need the whole hub use processes.start_hub.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from hub.core.ports import free_port
from tests.support.waiting import wait_for

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free loopback port until the block ends; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="portal", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        # the answer must come from this process: another may have bound the port meanwhile
        wait_for(
            lambda: httpx.get(f"{url}/health", timeout=1).json().get("pid") == os.getpid(), 15, "the portal"
        )
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class PortalClient:
    """A browser without a browser: keeps the cookie, finds the CSRF token on each page."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, follow_redirects=True, timeout=30)

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def csrf(self, path: str = "/aanmelden/organisator") -> str:
        match = _CSRF.search(self.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match[1]

    def post(self, path: str, data: dict | None = None, form_page: str | None = None) -> httpx.Response:
        """POST a form with the CSRF token of this browser (taken from ``form_page`` or the login page)."""
        body = {"csrf": self.csrf(form_page or "/aanmelden/organisator"), **(data or {})}
        return self.http.post(path, data=body)

    def login_organisator(self, email: str, password: str) -> httpx.Response:
        return self.post("/aanmelden/organisator", {"email": email, "password": password})

    def login_location(self, dossier: str, pin: str) -> httpx.Response:
        return self.post("/aanmelden/opvanglocatie/pincode", {"dossier": dossier, "pin": pin})


def database_path(hub_dir: Path) -> Path:
    return hub_dir / "hub.sqlite3"
