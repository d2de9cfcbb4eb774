"""A process that runs a job under a lease, for the lease tests: ``python -m tests.support.lease_holder
DATABASE NAME HOLDER OUT LEASE_S``. The job appends ``HOLDER TIME`` to OUT every 0.05 s while it
runs; SIGTERM stops it cleanly (the lease is given back), SIGKILL leaves the lease to expire."""

from __future__ import annotations

import signal
import sys
import threading
import time

from hub.core.leases import LeasedJob


def main(database: str, name: str, holder: str, out: str, lease_s: str) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def job(job_stop: threading.Event) -> None:
        with open(out, "a") as lines:
            while not job_stop.wait(0.05):
                lines.write(f"{holder} {time.time():.3f}\n")
                lines.flush()

    LeasedJob(database, name, holder, job, lease_s=float(lease_s)).run(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
