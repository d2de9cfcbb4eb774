"""`make demo` as a newcomer meets it: demo data and logins, and check-ins arriving by themselves."""

from __future__ import annotations

import signal
from pathlib import Path

from hub.core.ports import free_port
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from tests.support.portal import PortalClient
from tests.support.processes import healthy, spawn
from tests.support.waiting import wait_for


def test_demo_prints_its_logins_and_a_simulated_checkin_appears_after_logging_in(tmp_path: Path) -> None:
    port = free_port()
    demo = spawn(
        "demo",
        [
            "-m",
            "hub",
            "demo",
            "--data-dir",
            str(tmp_path),
            "--port",
            str(port),
            "--broker-port",
            "0",
            "--every",
            "1",
        ],
        tmp_path,
    )
    portal = PortalClient(f"http://127.0.0.1:{port}")
    try:
        wait_for(lambda: healthy(demo, f"http://127.0.0.1:{port}"), timeout=30, what="the demo's portal")
        assert portal.get("/api/today").status_code == 401, "the portal is behind a login"
        logged_in = portal.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
        assert logged_in.url.path == "/locaties/zonnebloem", "one location: straight to its overview"

        def checkins() -> list:
            today = portal.get("/api/today").json()
            return [c for location in today["locations"] for c in location["checkins"]]

        first = wait_for(checkins, timeout=30, what="a simulated check-in in the portal")
        assert first[0]["known"] and first[0]["direction"] == "aankomst"
        page = portal.get("/locaties/zonnebloem").text
        assert "Kinderdagverblijf De Zonnebloem" in page and first[0]["child"].split()[0] in page

        staff = PortalClient(f"http://127.0.0.1:{port}")
        assert staff.login_location(DEMO_DOSSIER, DEMO_PIN).url.path == "/locaties/zonnebloem"
        staff.close()
        banner = demo.log()
        assert f"http://127.0.0.1:{port}/" in banner, "the demo prints the portal address"
        for shown in (DEMO_EMAIL, DEMO_PASSWORD, DEMO_DOSSIER, DEMO_PIN):
            assert shown in banner, f"the demo's banner shows {shown}"
    finally:
        portal.close()
        code = demo.stop(signal.SIGINT)
    assert code == 0, demo.log()[-3000:]
    assert "Traceback" not in demo.log(), demo.log()[-3000:]
