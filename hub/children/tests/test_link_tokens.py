"""The search ticket on its own: it names one actor, one location, one child, and expires."""

from __future__ import annotations

import hashlib
import hmac

from hub.children import link_tokens

KEY = b"k" * 32


def sign(value: str) -> str:
    return f"{value}.{hmac.new(KEY, value.encode(), hashlib.sha256).hexdigest()[:32]}"


def unsign(signed: str) -> str | None:
    value = signed.rpartition(".")[0]
    return value if hmac.compare_digest(sign(value), signed) else None


def test_a_ticket_gives_its_child_to_its_actor_at_its_location_until_it_expires() -> None:
    ticket = link_tokens.issue(sign, "location:zonnebloem", "zonnebloem", 42, now=1000.0)
    assert link_tokens.child_of(unsign, ticket, "location:zonnebloem", "zonnebloem", 1000.0) == 42
    last = 1000.0 + link_tokens.VALID_S
    assert link_tokens.child_of(unsign, ticket, "location:zonnebloem", "zonnebloem", last) == 42
    assert link_tokens.child_of(unsign, ticket, "location:zonnebloem", "zonnebloem", last + 1) is None
    assert link_tokens.child_of(unsign, ticket, "organisator:1", "zonnebloem", 1000.0) is None
    assert link_tokens.child_of(unsign, ticket, "location:zonnebloem", "regenboog", 1000.0) is None


def test_a_forged_or_malformed_ticket_gives_nothing() -> None:
    for ticket in ("", "42", "link|location:z|z|42|9999999999", sign("link|location:z|z|x|1"), sign("other")):
        assert link_tokens.child_of(unsign, ticket, "location:z", "z", 0.0) is None
