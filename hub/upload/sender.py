"""Delivering one version to the receiver over HTTP: POST, retry with doubling pauses, report each try.

The only module that talks HTTP for the upload (the standard library's urllib: the hub needs no
HTTP client package for one POST). What is retried: no answer (connection refused, reset, time-out),
408, 429 and 5xx, and a 200 whose body is not an answer. What is not: any other 4xx, which says
the batch itself is wrong. ``Retry-After`` (seconds) is honoured up to the longest pause. The
same body and submission id go out on every try, so a receiver that already stored it can tell.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from hub.upload.batch import Answer, AnswerError, parse_answer
from hub.upload.timing import backoff_delays

log = logging.getLogger(__name__)
MAX_KEPT_RESPONSE = 64 * 1024


@dataclass(frozen=True)
class Endpoint:
    """Where and how to send: from the hub's ``[upload]`` settings."""

    url: str
    token: str = ""
    timeout_s: float = 20.0
    attempts: int = 5  # per round; the next check starts a new round
    first_pause_s: float = 30.0
    longest_pause_s: float = 600.0


class DeliveryOutcome(StrEnum):
    """What came of delivering one version (one try, or all tries)."""

    ANSWERED = "answered"  # 200 with an answer
    REFUSED = "refused"  # 4xx: the batch is refused as a whole
    FAILED = "failed"  # no usable answer this time


Outcome = DeliveryOutcome  # its earlier name


@dataclass(frozen=True)
class Attempt:
    number: int
    started_at: datetime
    finished_at: datetime
    outcome: DeliveryOutcome
    http_status: int | None
    detail: str
    response: str | None
    answer: Answer | None = None
    retry_after_s: float | None = None


def post_once(endpoint: Endpoint, body: bytes, submission: str, number: int) -> Attempt:
    """One try: POST the body and judge what came back."""
    headers = {"Content-Type": "application/json", "Idempotency-Key": submission}
    if endpoint.token:
        headers["Authorization"] = f"Bearer {endpoint.token}"
    request = urllib.request.Request(endpoint.url, data=body, headers=headers, method="POST")
    started = datetime.now(UTC)

    def done(
        outcome: DeliveryOutcome, status: int | None, detail: str, response: bytes | None = None, **more
    ) -> Attempt:
        text = response[:MAX_KEPT_RESPONSE].decode(errors="replace") if response is not None else None
        return Attempt(number, started, datetime.now(UTC), outcome, status, detail, text, **more)

    try:
        with urllib.request.urlopen(request, timeout=endpoint.timeout_s) as reply:
            payload = reply.read()
            status = reply.status
    except urllib.error.HTTPError as error:
        payload = error.read()
        retry_after = _retry_after(error.headers.get("Retry-After"))
        if error.code in (408, 429) or error.code >= 500:
            return done(
                DeliveryOutcome.FAILED,
                error.code,
                f"HTTP {error.code} {error.reason}",
                payload,
                retry_after_s=retry_after,
            )
        return done(DeliveryOutcome.REFUSED, error.code, f"HTTP {error.code} {error.reason}", payload)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return done(DeliveryOutcome.FAILED, None, f"geen antwoord: {reason}")
    if status != 200:
        return done(DeliveryOutcome.FAILED, status, f"HTTP {status}: geen antwoord op de records", payload)
    try:
        answer = parse_answer(payload)
    except AnswerError as error:
        return done(DeliveryOutcome.FAILED, status, str(error), payload)
    if answer.submission != submission:
        detail = f"answer to another submission ({answer.submission})"
        return done(DeliveryOutcome.FAILED, status, detail, payload)
    summary = ", ".join(f"{n} {s}" for s, n in _count(answer).items()) or "geen records"
    return done(DeliveryOutcome.ANSWERED, status, summary, payload, answer=answer)


def deliver(
    endpoint: Endpoint,
    body: bytes,
    submission: str,
    on_attempt: Callable[[Attempt], None],
    pause: Callable[[float], bool],
    first_number: int = 1,
) -> Attempt:
    """Try up to ``endpoint.attempts`` times; returns the last attempt (answered, refused or failed).

    ``on_attempt`` records each try as it ends; ``pause(seconds)`` waits between tries and returns
    True when the hub is stopping, which ends the round early. ``first_number`` continues the
    numbering of an earlier round.
    """
    delays = backoff_delays(endpoint.attempts, endpoint.first_pause_s, endpoint.longest_pause_s)
    for n in range(endpoint.attempts):
        attempt = post_once(endpoint, body, submission, first_number + n)
        on_attempt(attempt)
        if attempt.outcome is not DeliveryOutcome.FAILED or n == endpoint.attempts - 1:
            return attempt
        delay = delays[n]
        if attempt.retry_after_s is not None:
            delay = min(max(delay, attempt.retry_after_s), endpoint.longest_pause_s)
        log.warning(
            "upload %s try %d: %s; next try in %.1f s", submission, attempt.number, attempt.detail, delay
        )
        if pause(delay):
            return attempt
    raise AssertionError("unreachable")


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: the doubling pause will do


def _count(answer: Answer) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in answer.records:
        counts[record.status.value] = counts.get(record.status.value, 0) + 1
    return counts
