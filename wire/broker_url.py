"""Broker addresses as URLs: ``mqtt://user:password@host:1883`` or ``mqtts://...`` for TLS.

A broker whose certificate comes from a private CA (the one ``aanwezig-provision tls`` makes) is
trusted through that CA alone: ``mqtts://user:password@host:8883?cafile=/etc/aanwezig/ca.crt``.
Without ``cafile`` the system's trusted CAs apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

_OPTIONS = ("cafile",)


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_file: str | None = None  # PEM file of the CA that signed the broker's certificate

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError(f"not a broker URL (mqtt://host:port or mqtts://...): {url!r}")
        tls = parts.scheme == "mqtts"
        options = parse_qs(parts.query, keep_blank_values=True)
        unknown = set(options) - set(_OPTIONS)
        if unknown:
            raise ValueError(f"unknown broker URL option(s) {', '.join(sorted(unknown))}; known: cafile")
        ca_file = options.get("cafile", [None])[-1] or None
        if ca_file and not tls:
            raise ValueError("cafile is for TLS: use an mqtts:// URL")
        return cls(
            host=parts.hostname,
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
            ca_file=ca_file,
        )

    def __str__(self) -> str:
        """The URL without the password, for logs."""
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"
