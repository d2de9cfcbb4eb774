"""The wait for a hub's /health makes sure the answer comes from that hub, not from whatever
process got the port first (a port picked free and bound later can be taken meanwhile)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.support.processes import start_hub


class _Impostor(BaseHTTPRequestHandler):
    """Another process's portal: answers /health like a hub does, with its own pid."""

    def do_GET(self) -> None:
        body = json.dumps({"status": "ok", "pid": os.getpid()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def impostor() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_hub_answers_health_with_its_own_pid(tmp_path: Path) -> None:
    hub, url = start_hub(tmp_path / "hub")
    try:
        assert httpx.get(f"{url}/health").json() == {"status": "ok", "pid": hub.popen.pid}
    finally:
        hub.stop()


def test_waiting_for_a_hub_whose_port_another_process_took_fails_instead_of_passing(
    tmp_path: Path, impostor: int
) -> None:
    with pytest.raises(AssertionError, match=r"another process|exited"):
        hub, _url = start_hub(tmp_path / "hub", http_port=impostor)
        hub.stop()
