"""Who the client is, behind trusted proxies or not: pure rules (hub/web/clients.py)."""

from __future__ import annotations

from hub.web.clients import PinClient, network_of, origin, trusted_networks

PROXY = trusted_networks(["127.0.0.1", "10.9.0.0/16"])


def test_without_trusted_proxies_the_peer_is_the_client_and_headers_are_flagged() -> None:
    assert origin("127.0.0.1", {}, ()).address == "127.0.0.1"
    spoofed = origin("127.0.0.1", {"x-forwarded-for": "203.0.113.5"}, ())
    assert spoofed.address == "127.0.0.1" and spoofed.spoofed_header


def test_a_trusted_proxy_names_the_nearest_untrusted_hop() -> None:
    headers = {"x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.9.1.1"}
    assert origin("127.0.0.1", headers, PROXY).address == "203.0.113.5"
    assert origin("198.51.100.1", headers, PROXY).address == "198.51.100.1", "not from an untrusted peer"
    assert origin("127.0.0.1", {"forwarded": 'for="[2001:db8::7]:4711";proto=https'}, PROXY).address == (
        "2001:db8::7"
    )
    assert origin("127.0.0.1", {"x-forwarded-for": "garbage, 10.9.1.1"}, PROXY).address == "10.9.1.1"


def test_networks_are_24_for_ipv4_and_64_for_ipv6() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert network_of("::ffff:203.0.113.77") == "203.0.113.0/24"
    assert PinClient("2001:db8:1:2::1").key == PinClient("2001:db8:1:2::ffff").key
    assert PinClient("203.0.113.1", device="abc").key == "device:abc"
