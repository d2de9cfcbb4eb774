"""A stand-in for Kind en Gezin's receiver: a real HTTP server on loopback, for the upload tests.

It does what the hub may expect of the real one (docs/upload.md): it checks every batch against
the committed JSON Schema (docs/upload-batch-schema.json) and refuses one that does not match with
422; it stores each submission once, however often it arrives, and answers a repeat the same way;
it keeps per record the latest version, as the receiver's own copy of the month; and it answers
each record accepted, or with the error it was told to give for that child. It can be told to fail
the next N requests (503, or by closing the connection without an answer) and to want a token.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
BATCH_SCHEMA = json.loads((ROOT / "docs" / "upload-batch-schema.json").read_text())


@dataclass
class Receiver:
    token: str = ""
    path: str = "/aanwezigheden"
    fail_next: int = 0  # the next N requests fail ...
    fail_with: int | None = 503  # ... with this status, or None: the connection is closed unanswered
    errors: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # child ref -> (kind, code, message)
    requests: list[int] = field(default_factory=list)  # the status answered to each request, in order
    submissions: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> batch, stored once
    holdings: dict[str, dict[str, Any]] = field(default_factory=dict)  # record id -> latest record
    _answers: dict[str, bytes] = field(default_factory=dict)

    def start(self) -> Receiver:
        receiver = self
        validator = jsonschema.Draft202012Validator(BATCH_SCHEMA, format_checker=jsonschema.FormatChecker())

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        receiver.requests.append(receiver.fail_with or 0)
                        if receiver.fail_with is None:
                            self.close_connection = True
                            return  # no answer at all
                        return self._send(receiver.fail_with, b'{"error": "tijdelijk niet beschikbaar"}')
                    status, answer = receiver._handle(self.path, self.headers, body, validator)
                    receiver.requests.append(status)
                self._send(status, answer)

            def _send(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="kg-receiver", daemon=True
        )
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handle(self, path: str, headers: Any, body: bytes, validator: Any) -> tuple[int, bytes]:
        if path != self.path:
            return 404, b'{"error": "niet gevonden"}'
        if self.token and headers.get("Authorization") != f"Bearer {self.token}":
            return 401, b'{"error": "niet aangemeld"}'
        try:
            batch = json.loads(body)
        except ValueError:
            return 400, b'{"error": "geen JSON"}'
        problems = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(batch)
        ]
        if problems:
            return 422, json.dumps({"error": "schema", "details": problems}).encode()
        submission = batch["submission"]
        if submission in self._answers:  # a retry of what was stored already: the same answer
            return 200, self._answers[submission]
        self.submissions[submission] = batch
        words = []
        for record in batch["records"]:
            self.holdings[record["record"]] = record
            error = self.errors.get(record["child"]["ref"])
            if error:
                kind, code, message = error
                words.append(
                    {
                        "record": record["record"],
                        "status": "error",
                        "kind": kind,
                        "code": code,
                        "message": message,
                    }
                )
            else:
                words.append({"record": record["record"], "status": "accepted"})
        answer = json.dumps(
            {"submission": submission, "version": batch["version"], "records": words}
        ).encode()
        self._answers[submission] = answer
        return 200, answer
