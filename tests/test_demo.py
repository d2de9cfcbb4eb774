"""`make demo` as a newcomer meets it: a portal with demo data and check-ins arriving by themselves."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from hub.ports import free_port
from tests.support.processes import spawn
from tests.support.waiting import wait_for


def test_demo_brings_up_the_portal_and_a_simulated_checkin_appears_within_seconds(tmp_path: Path) -> None:
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
    try:

        def checkins() -> list:
            if demo.popen.poll() is not None:
                raise AssertionError(f"demo exited early:\n{demo.log()[-3000:]}")
            today = httpx.get(f"http://127.0.0.1:{port}/api/today", timeout=2).json()
            return [c for location in today["locations"] for c in location["checkins"]]

        first = wait_for(checkins, timeout=30, what="a simulated check-in in the portal")
        assert first[0]["known"] and first[0]["direction"] == "aankomst"
        page = httpx.get(f"http://127.0.0.1:{port}/").text
        assert "Kinderdagverblijf De Zonnebloem" in page and first[0]["child"] in page
        assert f"http://127.0.0.1:{port}/" in demo.log(), "the demo prints the portal address"
    finally:
        code = demo.stop(signal.SIGINT)
    assert code == 0, demo.log()[-3000:]
    assert "Traceback" not in demo.log(), demo.log()[-3000:]
