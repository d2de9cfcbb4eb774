"""What a rollout does next, from its state and what its units reported (no I/O).

Stage 1 sends the update to the first units; when every one of them reports the new version,
stage 2 sends it to the rest; when those report it too, the rollout is done. A unit that reports
the update refused or failed, or that has not reported the new version when the stage's time-out
has passed, stops the rollout: every unit that was sent the update is told to roll back. An
aborted rollout (the technician's ``rollout abort``) rolls back the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

ACTIVE = ("stage1", "stage2")
INSTALL, ROLLBACK = "install", "rollback"
BAD_OUTCOMES = ("refused", "failed")


@dataclass(frozen=True)
class UnitView:
    """One unit of a rollout: its stage, the command last sent, and its last status."""

    unit: str
    stage: int
    command: str | None
    version: str | None
    update_rollout: str | None = None
    update_outcome: str | None = None
    update_detail: str | None = None


@dataclass(frozen=True)
class RolloutView:
    id: str
    version: str
    state: str
    stage_started_at: datetime
    timeout_s: float
    reason: str | None = None


@dataclass(frozen=True)
class Decision:
    """The rollout's new state and the commands to send (unit id -> install or rollback)."""

    rollout: RolloutView
    commands: dict[str, str]


def came_back(rollout: RolloutView, unit: UnitView) -> bool:
    """The unit reports the rollout's version and no failure of this rollout."""
    return unit.version == rollout.version and not failed(rollout, unit)


def failed(rollout: RolloutView, unit: UnitView) -> bool:
    return unit.update_rollout == rollout.id and unit.update_outcome in BAD_OUTCOMES


def decide(rollout: RolloutView, units: list[UnitView], now: datetime) -> Decision:
    """The next step of ``rollout`` at ``now``."""
    if rollout.state not in ACTIVE:
        return Decision(
            rollout, _roll_back(rollout, units) if rollout.state in ("stopped", "aborted") else {}
        )
    stage = 1 if rollout.state == "stage1" else 2
    current = [u for u in units if u.stage == stage]
    broken = [u for u in current if failed(rollout, u)]
    if broken:
        first = broken[0]
        why = f"unit {first.unit}: update {first.update_outcome}" + (
            f" ({first.update_detail})" if first.update_detail else ""
        )
        return _stop(rollout, units, why)
    waiting = [u for u in current if not came_back(rollout, u)]
    if not waiting:
        rest = [u for u in units if u.stage == 2]
        if stage == 1 and rest:
            moved = replace(rollout, state="stage2", stage_started_at=now)
            return Decision(moved, {u.unit: INSTALL for u in rest if u.command != INSTALL})
        return Decision(replace(rollout, state="done"), {})
    if now - rollout.stage_started_at > timedelta(seconds=rollout.timeout_s):
        late = ", ".join(u.unit for u in waiting)
        return _stop(
            rollout, units, f"no report of version {rollout.version} within {rollout.timeout_s:g} s: {late}"
        )
    return Decision(rollout, {u.unit: INSTALL for u in current if u.command is None})


def abort(rollout: RolloutView, reason: str = "aborted by the technician") -> RolloutView:
    """The technician stops the rollout; :func:`decide` then rolls back what was sent."""
    if rollout.state not in ACTIVE:
        return rollout
    return replace(rollout, state="aborted", reason=reason)


def _stop(rollout: RolloutView, units: list[UnitView], reason: str) -> Decision:
    stopped = replace(rollout, state="stopped", reason=reason)
    return Decision(stopped, _roll_back(stopped, units))


def _roll_back(rollout: RolloutView, units: list[UnitView]) -> dict[str, str]:
    """Every unit that was sent the update goes back (a unit never sent it is left alone)."""
    return {u.unit: ROLLBACK for u in units if u.command == INSTALL}
