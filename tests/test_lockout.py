"""Growing lock-outs after wrong codes and PINs: the rule on its own."""

from __future__ import annotations

from device.lockout import Lockout, lockout_seconds


def test_the_first_wrong_tries_are_free_then_the_wait_doubles_up_to_a_cap() -> None:
    waits = [lockout_seconds(n, free_tries=3, first_s=10, max_s=300) for n in range(1, 11)]
    assert waits == [0, 0, 0, 10, 20, 40, 80, 160, 300, 300]


def test_a_lockout_counts_down_and_a_right_entry_clears_it() -> None:
    lock = Lockout(free_tries=1, first_s=30, max_s=900)
    assert lock.failed(now=100.0) == 0
    assert lock.failed(now=101.0) == 30
    assert lock.remaining(now=111.0) == 20
    assert lock.remaining(now=131.0) == 0
    lock.succeeded()
    assert lock.failures == 0 and lock.remaining(now=131.0) == 0
