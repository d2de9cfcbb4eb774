"""Fault injection for the fault suite (tests/faults); off unless the environment variable is set.

``AANWEZIG_INGEST_FAULT=before_commit:N`` or ``after_commit:N`` makes the hub SIGKILL itself in the
N-th transaction that holds a check-in: written but not committed, or committed but neither acked
nor settled with the broker. With several ingest workers, ``before_commit:N@2`` arms ingest worker
2 only (the others, and the hub's own process, run clean); the hub restarts a killed worker without
the hook.
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)

FAULT_ENV = "AANWEZIG_INGEST_FAULT"


class FaultHook:
    def __init__(self, spec: str | None = None, worker: int | None = None) -> None:
        """``worker``: the index of this ingest worker (None: the hub's own ingest)."""
        self._point = _fault_point(os.environ.get(FAULT_ENV, "") if spec is None else spec, worker)
        self.checkin_transactions = 0  # transactions that held a check-in, counted from 1

    def reached(self, point: str, size: int) -> None:
        """Kill the process here when this is the armed point and transaction."""
        if self._point == (point, self.checkin_transactions):
            log.warning(
                "fault injection: SIGKILL %s, batch %d of %d message(s)",  # the fault suite reads this
                point,
                self.checkin_transactions,
                size,
            )
            os.kill(os.getpid(), signal.SIGKILL)


def _fault_point(spec: str, worker: int | None = None) -> tuple[str, int] | None:
    """("before_commit" | "after_commit", N) from the fault environment variable; None when unset
    or armed for another ingest worker."""
    if not spec:
        return None
    spec, _, target = spec.partition("@")
    point, _, number = spec.partition(":")
    well_formed = point in ("before_commit", "after_commit") and number.isdigit()
    if not well_formed or not (target.isdigit() or not target):
        raise ValueError(f"{FAULT_ENV}={spec!r}: expected before_commit:N or after_commit:N[@WORKER]")
    if target and (worker is None or int(target) != worker):
        return None
    log.warning("fault injection armed: SIGKILL %s of transaction %s", point, number)
    return point, int(number)
