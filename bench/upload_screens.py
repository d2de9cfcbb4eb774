"""The "Opgeladen" screens of a large organisation: how long the portal takes to serve them.

The database of ``make bench-upload`` (10 locations of 40 children, March 2026 with 22 opening
days of scans), with March sent once to the loopback receiver, so every month has a version, its
attempts and the receiver's answer. The portal runs in a real uvicorn server on loopback; an httpx
client logged in as the organisator asks, one request at a time, for

1. the overview of March: every location's status and markers (each location's month prepared);
2. one location's March: status, errors, preview per child, the history of its sending;
3. that month as CSV.

Reported per page: the server's time (the ``Server-Timing`` header) and the client's wall time,
median and p95. ``make bench-upload_screens``; figures in bench/results/upload_screens.json.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.common import percentile, print_table, write_results
from bench.portal import measure
from bench.upload import LOCATIONS, MONTH, UPLOAD_MOMENT, YEAR, build
from hub.accounts.passwords import hash_secret
from hub.core.db import open_database
from hub.upload.sender import Endpoint
from hub.upload.service import run_due
from hub.web.app import create_app
from tests.support.kg_receiver import Receiver
from tests.support.portal import PortalClient, serve

WORKDIR = Path(__file__).resolve().parents[1] / "var" / "bench-upload-screens"
EMAIL, PASSWORD = "bench@example.be", "bench-opgeladen-2026"
REQUESTS = 20
WARMUP = 2


def main() -> int:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    database = WORKDIR / "hub.sqlite3"
    db = open_database(database)
    locations = build(db)
    db.execute("UPDATE organisators SET password_hash = ?", (hash_secret(PASSWORD),))
    db.conn.commit()
    receiver = Receiver().start()
    try:
        sent = run_due(db, Endpoint(receiver.url, attempts=1), 7, now=UPLOAD_MOMENT)
        assert [r.outcome for r in sent] == ["answered"] * LOCATIONS, sent
    finally:
        receiver.stop()
        (events,) = db.execute("SELECT count(*) FROM events").fetchone()
        db.close()

    key = f"{YEAR:04d}-{MONTH:02d}"
    pages = {
        "overview": f"/opgeladen?maand={key}",
        "location_month": f"/locaties/{locations[0]}/opgeladen?maand={key}",
        "csv": f"/locaties/{locations[0]}/opgeladen/csv?maand={key}",
    }
    figures: dict[str, float | int | str] = {
        "locations": LOCATIONS,
        "events_in_month": events,
        "requests": REQUESTS,
    }
    rows: list[tuple[str, object]] = [("locations", LOCATIONS), ("events in the month", events)]
    with serve(create_app(database)) as url:
        client = PortalClient(url)
        assert client.login_organisator(EMAIL, PASSWORD).url.path == "/locaties"
        for name, path in pages.items():
            server, wall = measure(client, path, REQUESTS, WARMUP)
            for label, values in (("server", server), ("client", wall)):
                median, p95 = percentile(values, 50), percentile(values, 95)
                figures[f"{name}_{label}_median_ms"] = round(median, 1)
                figures[f"{name}_{label}_p95_ms"] = round(p95, 1)
                rows += [(f"{name} {label} median ms", median), (f"{name} {label} p95 ms", p95)]
        page = client.get(pages["location_month"])
        assert "aanvaard" in page.text, "March went and was accepted"
        figures["location_month_bytes"] = len(page.content)
        client.close()
    figures["measured_with"] = "httpx against uvicorn on loopback (in-process, one server thread)"
    print_table(f"Opgeladen screens: {LOCATIONS} locations, {events} events in March", rows)
    print(f"written to {write_results('upload_screens', figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
