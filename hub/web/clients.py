"""Who is trying: the client address behind trusted proxies, and the network it belongs to. No I/O.

A client's address is the TCP peer, unless the peer is one of the proxies the hub was told to
trust (``trusted_proxies`` in hub.toml; none by default): then the nearest address in
``X-Forwarded-For`` (or ``Forwarded: for=``) that is not itself a trusted proxy. Headers from any
other peer are ignored, so nobody gets a fresh counter by inventing an address. IPv6 clients are
counted per /64 (one subscriber usually has a whole /64); the location-wide lock counts networks:
/24 for IPv4, /64 for IPv6.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Origin:
    address: str  # the client's address as counted
    spoofed_header: bool  # proxy headers came from a peer that is not a trusted proxy


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """hub.toml's ``trusted_proxies`` as networks; raises ValueError on a malformed entry."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _ip(text: str):
    text = text.strip().strip('"')
    if text.startswith("["):  # Forwarded: for="[2001:db8::1]:4711"
        text = text[1 : text.find("]")]
    elif text.count(":") == 1:  # 192.0.2.60:4711
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def forwarded_chain(headers: Mapping[str, str]) -> list[str]:
    """The addresses the proxies added, nearest last (X-Forwarded-For, else Forwarded)."""
    xff = headers.get("x-forwarded-for")
    if xff:
        return [part.strip() for part in xff.split(",") if part.strip()]
    forwarded = headers.get("forwarded")
    if forwarded:
        found = []
        for element in forwarded.split(","):
            for pair in element.split(";"):
                name, _, value = pair.strip().partition("=")
                if name.lower() == "for":
                    found.append(value)
        return found
    return []


def origin(peer: str, headers: Mapping[str, str], trusted: tuple[Network, ...]) -> Origin:
    """The client's address for counting, given the TCP peer and the request's headers."""
    chain = forwarded_chain(headers)
    peer_ip = _ip(peer)
    if not chain:
        return Origin(peer, False)
    if peer_ip is None or not any(peer_ip in net for net in trusted):
        return Origin(peer, True)
    for hop in reversed(chain):  # the rightmost entries were added by our own proxies
        ip = _ip(hop)
        if ip is None:
            break  # garbage from the client side of the chain: stop at the last good one
        if not any(ip in net for net in trusted):
            return Origin(str(ip), False)
        peer = str(ip)
    return Origin(peer, False)


def network_of(address: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) the address belongs to; the address itself when it is no IP."""
    ip = _ip(address)
    if ip is None:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def counted_as(address: str) -> str:
    """What a per-client counter is keyed on: the IPv4 address, or the IPv6 /64."""
    ip = _ip(address)
    if ip is not None and ip.version == 6 and ip.ipv4_mapped is None:
        return network_of(address)
    return str(ip.ipv4_mapped) if ip is not None and ip.version == 6 else address


@dataclass(frozen=True)
class PinClient:
    """Who types a location PIN: a known device of that location (it logged in there before, and
    carries the signed cookie to prove it), or else its address."""

    address: str
    device: str | None = None

    @property
    def key(self) -> str:
        return f"device:{self.device}" if self.device else f"address:{counted_as(self.address)}"

    @property
    def network(self) -> str:
        return network_of(self.address)

    @property
    def known_device(self) -> bool:
        return self.device is not None
