"""Every request to the portal is bounded: a body over :data:`~hub.core.bounds.MAX_BODY_BYTES` is
refused with 413 before a form or JSON parser sees it, whether the client announced its length or
streams it in chunks. The fields themselves are bounded again, with a Dutch error, where they are
read (hub/core/bounds.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.core.bounds import MAX_BODY_BYTES

TOO_LARGE_NL = "Dit formulier bevat te veel gegevens. Kijk de velden na en probeer opnieuw."


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``limit`` bytes.

    The body is read here first (at most ``limit`` bytes are ever held) and handed on whole, so a
    streamed body that grows too large is refused before the app starts on it.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int = MAX_BODY_BYTES,
        uploads: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        # ``uploads``: POST paths that take a file (an attachment, a photo) and their larger limit
        self.app, self.limit, self.uploads = app, limit, tuple(uploads)

    def limit_for(self, scope: Scope) -> int:
        if scope.get("method") == "POST":
            for pattern, limit in self.uploads:
                if pattern.fullmatch(scope["path"]):
                    return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > limit:
            await _refuse(scope, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await _refuse(scope, send)
                return
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` first, then whatever the client sends (a disconnect)."""

    async def replayed() -> Message:
        return messages.pop(0) if messages else await receive()

    return replayed


async def _refuse(scope: Scope, send: Send) -> None:
    if scope["path"].startswith("/api/"):
        body, kind = json.dumps({"detail": TOO_LARGE_NL}).encode(), b"application/json"
    else:
        body, kind = f"<!doctype html><p>{TOO_LARGE_NL}</p>".encode(), b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
