"""Attack: catching the session cookie on plain HTTP (a captive portal, a hostile Wi-Fi).

On main the cookie was not ``Secure`` unless ``cookie_secure`` was set by hand, and no HSTS told
the browser to stay on HTTPS (this test fails there at the Secure check). Now a hub whose
``public_url`` is https sends its cookies Secure and ``Strict-Transport-Security`` on every answer.

Against the hub as a process, over HTTP (the TLS proxy in front is not needed to read headers).
"""

from __future__ import annotations

from pathlib import Path

import httpx

from hub.accounts.tests.guessing import demo_hub


def test_an_https_hub_sends_secure_cookies_and_hsts(hub_dir: Path) -> None:
    with demo_hub(hub_dir, 'public_url = "https://aanwezig.example.org"\n') as (_proc, url):
        answer = httpx.get(f"{url}/aanmelden")
        cookies = answer.headers.get_list("set-cookie")
        assert cookies and all("secure" in c.lower() for c in cookies), cookies
        assert answer.headers["strict-transport-security"].startswith("max-age=31536000")


def test_a_hub_on_plain_http_for_development_sends_no_hsts(hub_dir: Path) -> None:
    with demo_hub(hub_dir) as (_proc, url):
        answer = httpx.get(f"{url}/aanmelden")
        assert "strict-transport-security" not in answer.headers
