"""Attack: strangers keep a location out of its own portal by typing wrong PINs.

Before issue 13, five wrong PINs from anyone locked the whole location for 15 minutes: anyone
who knew a dossier number (they are public) could keep the door tablet out all day. Now five
wrong PINs lock only the client that typed them (its address, or its known-device cookie), and
the location as a whole is locked only by a spread attack (50 wrong PINs from 5 networks within
an hour), and then only for devices that never logged in there; the organisator gets a mail and
can lift it. On main, the first test fails where the tablet is refused after the stranger's
five guesses.

Against the hub as a process, over HTTP.
"""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from hub.accounts.tests.guessing import Guesser, demo_hub, logged_in_as_location
from hub.core.db import open_database
from hub.demo import DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN

WRONG = "9157"


def location_lock(hub_dir: Path) -> str | None:
    db = open_database(hub_dir / "hub.sqlite3")
    try:
        return db.execute("SELECT pin_locked_until FROM locations WHERE id = 'zonnebloem'").fetchone()[0]
    finally:
        db.close()


def test_a_stranger_typing_wrong_pins_locks_out_only_itself_not_the_locations_tablet(hub_dir: Path) -> None:
    with demo_hub(hub_dir) as (_proc, url):
        tablet = Guesser(url)
        assert logged_in_as_location(tablet.login_pin(DEMO_PIN)), "the door tablet logged in before"
        tablet.post("/afmelden", form_page="/locaties/zonnebloem")

        stranger = Guesser(url)
        answers = [stranger.login_pin(WRONG).text for _ in range(5)]
        assert "Je hebt nog 4 pogingen" in answers[0]
        assert "Na 5 foute pincodes is dit toestel vergrendeld tot" in answers[4]
        for _ in range(20):  # and it keeps trying: every try is refused unseen
            refused = stranger.login_pin(DEMO_PIN)
            assert "vanaf dit toestel" in refused.text and not logged_in_as_location(refused)

        # The tablet is at the same address (one school network behind one router), but it is a
        # known device of the location: the stranger's guesses do not lock it.
        assert logged_in_as_location(tablet.login_pin(DEMO_PIN))
        assert location_lock(hub_dir) is None
        assert not list((hub_dir / "mail").glob("*.eml")), "no location lock, no mail"


def test_a_spread_attack_locks_the_location_for_unknown_devices_until_the_organisator_unlocks(
    hub_dir: Path,
) -> None:
    """Through a trusted proxy the hub sees each attacker's own address: ten addresses in five
    /24 networks, five wrong PINs each, make the 50 from 5 networks that lock the location."""
    with demo_hub(hub_dir, 'trusted_proxies = ["127.0.0.1"]\n') as (_proc, url):
        tablet = Guesser(url, forwarded_for="198.51.100.20")
        assert logged_in_as_location(tablet.login_pin(DEMO_PIN))
        tablet.post("/afmelden", form_page="/locaties/zonnebloem")

        guesses = [f"203.0.{net}.{host}" for net in range(1, 6) for host in (10, 11) for _ in range(5)]
        for address in guesses[:-1]:
            Guesser(url, forwarded_for=address).login_pin(WRONG)
        assert location_lock(hub_dir) is None, "49 wrong PINs do not lock the location"
        Guesser(url, forwarded_for=guesses[-1]).login_pin(WRONG)
        assert location_lock(hub_dir) is not None, "the 50th, from the 5th network, does"

        newcomer = Guesser(url, forwarded_for="192.0.2.150")
        refused = newcomer.login_pin(DEMO_PIN)
        assert not logged_in_as_location(refused)
        assert "deze opvanglocatie is vergrendeld tot" in refused.text
        assert "organisator kan ze ontgrendelen" in refused.text
        assert logged_in_as_location(tablet.login_pin(DEMO_PIN)), "a known device still gets in"

        mails = [
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((hub_dir / "mail").glob("*.eml"))
        ]
        assert [m["To"] for m in mails] == [DEMO_EMAIL]
        assert "vergrendeld" in mails[0]["Subject"]
        assert "/locaties/zonnebloem/pincode" in mails[0].get_content()

        organisator = Guesser(url, forwarded_for="198.51.100.30")
        organisator.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
        page = organisator.get("/locaties/zonnebloem/pincode").text
        assert "Ontgrendelen" in page
        done = organisator.post("/locaties/zonnebloem/ontgrendelen", form_page="/locaties/zonnebloem/pincode")
        assert "De opvanglocatie is ontgrendeld" in done.text
        assert logged_in_as_location(newcomer.login_pin(DEMO_PIN))
