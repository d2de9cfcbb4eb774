"""Scenario 3: the hub killed with SIGKILL in the middle of a batch commit, and restarted.

The hub is started with the ingest's fault hook armed (``AANWEZIG_INGEST_FAULT``, see
:mod:`hub.ingest.pipeline`): it kills itself with SIGKILL in a chosen batch, either with the batch written
in its open transaction but not committed, or committed but neither acked to the unit nor settled
with the broker. Each restart arms the next kill; the last start runs clean. The first batch after
a restart holds the backlog that queued at the broker meanwhile, so the later kills hit big batches.
"""

from __future__ import annotations

import re
from pathlib import Path

from hub.demo import DemoData
from hub.ingest.pipeline import FAULT_ENV
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn
from tests.support.doors import Door, tally
from tests.support.processes import start_hub
from tests.support.waiting import wait_for

_KILLED = re.compile(r"fault injection: SIGKILL (\w+), batch \d+ of (\d+) message")


def test_hub_killed_before_and_after_its_commit_and_restarted_stores_every_scan_once(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    burst = size(40, 200)
    kills = size(2, 6)
    faults = ["before_commit:3", "after_commit:1", "before_commit:1", "after_commit:4"] * 2
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url, env={FAULT_ENV: faults[0]})
    door = Door(tmp_path, demo.unit_id, demo.location_id, mosquitto.unit_url(demo.unit_id)).start()
    try:
        door.present(cards_in_turn(list(demo.cards.values()), burst))
        for n in range(kills):
            wait_for(
                lambda h=hub: h.popen.poll() is not None, timeout=60, what=f"the hub's fault {faults[n]}"
            )
            assert hub.popen.returncode == -9, hub.log()[-2000:]
            armed = {FAULT_ENV: faults[n + 1]} if n + 1 < kills else None
            # an armed hub may kill itself before its portal answers
            hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url, env=armed, wait=armed is None)
        wait_for(lambda: door.cards_waiting() == 0, timeout=120, what="the burst scanned")
        wait_for(lambda: door.outbox_size() == 0, timeout=90, what="every event acked by the hub")
        seconds = stopwatch.seconds()
    finally:
        door.stop()
        hub.stop()

    killed = _KILLED.findall(hub.log())
    result = tally(door, hub_dir)
    fault_row(
        f"3 hub SIGKILL x{len(killed)} in a batch commit",
        result,
        seconds,
        f"{burst} scans; kills (point, batch size): "
        + ", ".join(f"{point} {count}" for point, count in killed),
    )
    assert len(killed) == kills, "each armed kill happened, in the ingest"
    assert result.lost == 0 and result.doubled == 0 and result.produced == burst
    assert "Traceback" not in door.log(), door.log()
    assert "Traceback" not in hub.log(), hub.log()
