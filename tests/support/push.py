"""A Web Push service on loopback for the notification tests, and subscriptions the test makes.

The service takes what a real one takes (RFC 8030: POST to the subscription's endpoint with an
encrypted body) and keeps each request. A :class:`Subscription` holds the P-256 key pair and auth
secret a browser would make, so the test can decrypt a message (RFC 8291, aes128gcm, with
``http_ece``) and check the VAPID header (RFC 8292): an ES256 JWT signed by the key in ``k=``.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.support.waiting import wait_for


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when it arrived


@dataclass
class Subscription:
    """What a browser's ``pushManager.subscribe`` makes: an endpoint, a key pair, an auth secret."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def json(self) -> dict:
        """As ``PushSubscription.toJSON()`` gives it to the page's script."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def decrypt(self, received: Received) -> dict:
        """The message's JSON, decrypted with this subscription's private key and auth secret."""
        assert received.headers.get("content-encoding") == "aes128gcm", received.headers
        plain = http_ece.decrypt(
            received.body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def vapid_claims(received: Received) -> tuple[dict, str]:
    """The VAPID JWT's claims, after checking its ES256 signature with the key it names; and that key.

    Raises ``cryptography.exceptions.InvalidSignature`` when the signature does not hold.
    """
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme.lower() == "vapid", received.headers["authorization"]
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    token, k = parts["t"], parts["k"]
    head, claims, signature = token.split(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(k))
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(unb64url(head))["alg"] == "ES256"
    return json.loads(unb64url(claims)), k


class PushService:
    """A push service on 127.0.0.1: answers 201 to every POST (or ``status`` for a path), keeps it."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status: dict[str, int] = {}
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with service._lock:
                    service.received.append(
                        Received(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()
                        )
                    )
                    status = service.status.get(self.path, 201)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def subscription(self, name: str) -> Subscription:
        return Subscription(f"{self.origin}/push/{name}")

    def start(self) -> PushService:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def to(self, subscription: Subscription) -> list[Received]:
        path = subscription.endpoint.removeprefix(self.origin)
        with self._lock:
            return [r for r in self.received if r.path == path]

    def wait_for(self, subscription: Subscription, count: int = 1, timeout: float = 30) -> list[Received]:
        return wait_for(
            lambda: len(self.to(subscription)) >= count and self.to(subscription),
            timeout,
            f"{count} push message(s) to {subscription.endpoint}",
        )
