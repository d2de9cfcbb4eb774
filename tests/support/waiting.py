"""Bounded waiting: every wait in the tests ends, with a message that says what did not happen."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

import httpx

T = TypeVar("T")


class WaitTimeout(AssertionError):
    pass


# What a condition may raise while the thing waited for does not exist yet; anything else
# (an AssertionError about a crashed process, say) fails the wait at once.
NOT_YET = (OSError, sqlite3.Error, httpx.HTTPError, KeyError, IndexError)


def wait_for(
    condition: Callable[[], T], timeout: float = 30.0, what: str = "condition", every: float = 0.05
) -> T:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except NOT_YET as exc:
            last_error = exc
        else:
            if value:
                return value
        time.sleep(every)
    raise WaitTimeout(
        f"timed out after {timeout:g} s waiting for {what}"
        + (f" (last error: {last_error})" if last_error else "")
    )
