"""The rollout's decisions, on their own: stage 1, then stage 2, and a stop with rollback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.rollout.rules import INSTALL, ROLLBACK, RolloutView, UnitView, abort, decide

NOW = datetime.now(UTC)
R = "01JABCDEFGHJKMNPQRSTVWXYZ0"


def rollout(state: str = "stage1", started: datetime = NOW, timeout_s: float = 60) -> RolloutView:
    return RolloutView(R, "0.3.0", state, started, timeout_s)


def unit(name: str, stage: int, command: str | None = None, version: str = "0.2.0", **update) -> UnitView:
    return UnitView(name, stage, command, version, **update)


def test_stage_1_sends_the_update_to_the_first_units_only() -> None:
    done = decide(rollout(), [unit("a", 1), unit("b", 2), unit("c", 2)], NOW)
    assert done.commands == {"a": INSTALL}
    assert done.rollout.state == "stage1"


def test_a_command_already_sent_is_not_sent_again_while_waiting() -> None:
    done = decide(rollout(), [unit("a", 1, INSTALL), unit("b", 2)], NOW + timedelta(seconds=10))
    assert done.commands == {} and done.rollout.state == "stage1"


def test_when_the_first_units_report_the_new_version_stage_2_sends_it_to_the_rest() -> None:
    later = NOW + timedelta(seconds=30)
    done = decide(rollout(), [unit("a", 1, INSTALL, "0.3.0"), unit("b", 2), unit("c", 2)], later)
    assert done.commands == {"b": INSTALL, "c": INSTALL}
    assert done.rollout.state == "stage2" and done.rollout.stage_started_at == later, (
        "stage 2 gets its own time"
    )


def test_the_rollout_is_done_when_every_unit_runs_the_new_version() -> None:
    units = [unit("a", 1, INSTALL, "0.3.0"), unit("b", 2, INSTALL, "0.3.0")]
    done = decide(rollout("stage2"), units, NOW)
    assert done.rollout.state == "done" and done.commands == {}


def test_a_unit_that_does_not_come_back_in_time_stops_the_rollout_and_the_first_stage_rolls_back() -> None:
    units = [unit("a", 1, INSTALL, "0.3.0"), unit("b", 1, INSTALL), unit("c", 2)]
    assert decide(rollout(), units, NOW + timedelta(seconds=59)).rollout.state == "stage1"
    done = decide(rollout(), units, NOW + timedelta(seconds=61))
    assert done.rollout.state == "stopped" and "b" in done.rollout.reason and "0.3.0" in done.rollout.reason
    assert done.commands == {"a": ROLLBACK, "b": ROLLBACK}, "c was never sent it: left alone"


def test_a_refused_update_stops_the_rollout_at_once_with_the_units_reason() -> None:
    units = [unit("a", 1, INSTALL, update_rollout=R, update_outcome="refused", update_detail="not signed")]
    done = decide(rollout(), [*units, unit("b", 2)], NOW)
    assert done.rollout.state == "stopped" and "refused (not signed)" in done.rollout.reason
    assert done.commands == {"a": ROLLBACK}


def test_a_failure_in_stage_2_rolls_back_every_unit_sent_the_update() -> None:
    units = [
        unit("a", 1, INSTALL, "0.3.0"),
        unit("b", 2, INSTALL, update_rollout=R, update_outcome="failed"),
        unit("c", 2, INSTALL, "0.3.0"),
    ]
    done = decide(rollout("stage2"), units, NOW)
    assert done.commands == {"a": ROLLBACK, "b": ROLLBACK, "c": ROLLBACK}


def test_an_outcome_of_an_older_rollout_does_not_count() -> None:
    old = unit("a", 1, INSTALL, update_rollout="01JOLDOLDOLDOLDOLDOLDOLD00", update_outcome="refused")
    assert decide(rollout(), [old], NOW).rollout.state == "stage1"


def test_an_aborted_rollout_rolls_back_what_was_sent_and_a_finished_one_ignores_abort() -> None:
    aborted = abort(rollout())
    assert aborted.state == "aborted"
    done = decide(aborted, [unit("a", 1, INSTALL, "0.3.0"), unit("b", 2)], NOW)
    assert done.commands == {"a": ROLLBACK}
    assert abort(rollout("done")).state == "done"
    assert decide(aborted, [unit("a", 1, ROLLBACK)], NOW).commands == {}, "nothing left to roll back"
