"""Attack: a guesser invents a new X-Forwarded-For for every try, to get a fresh counter each time.

uvicorn trusts proxy headers from 127.0.0.1 by default, so on main each made-up address was a
new client (and this test fails there: the sixth guess is answered as a first one). Now the hub
starts uvicorn without proxy headers and reads them itself, only from the proxies named in
hub.toml (none by default), and logs a warning when an untrusted peer sends them.

Against the hub as a process, over HTTP from 127.0.0.1 (the peer a local reverse proxy would be).
"""

from __future__ import annotations

from pathlib import Path

from hub.accounts.tests.guessing import Guesser, demo_hub, logged_in_as_location
from hub.demo import DEMO_PIN
from tests.support.waiting import wait_for

WRONG = "9157"


def test_made_up_forwarded_addresses_from_an_untrusted_peer_all_count_as_that_peer(hub_dir: Path) -> None:
    with demo_hub(hub_dir) as (proc, url):
        guesser = Guesser(url)
        for number in range(5):
            guesser.login_pin(WRONG, forwarded_for=f"198.18.{number}.{number + 1}")
        sixth = Guesser(url).login_pin(DEMO_PIN, forwarded_for="198.18.99.99")
        assert "vanaf dit toestel" in sixth.text and not logged_in_as_location(sixth)
        also = Guesser(url)
        forwarded = also.http.get("/aanmelden", headers={"Forwarded": 'for="[2001:db8::7]"'})
        assert forwarded.status_code == 200
        wait_for(
            lambda: "not in trusted_proxies" in proc.log(), what="the warning about untrusted proxy headers"
        )


def test_a_trusted_proxy_names_the_client_and_its_own_hops_are_skipped(hub_dir: Path) -> None:
    settings = 'trusted_proxies = ["127.0.0.1", "10.9.0.0/16"]\n'
    with demo_hub(hub_dir, settings) as (_proc, url):
        for _ in range(5):  # one client behind two of our proxies; what it put in front is ignored
            Guesser(url).login_pin(WRONG, forwarded_for="6.6.6.6, 203.0.113.5, 10.9.1.1")
        refused = Guesser(url).login_pin(DEMO_PIN, forwarded_for="1.2.3.4, 203.0.113.5, 10.9.1.1")
        assert "vanaf dit toestel" in refused.text
        other = Guesser(url).login_pin(DEMO_PIN, forwarded_for="203.0.113.6, 10.9.1.1")
        assert logged_in_as_location(other), "another client behind the same proxy is not locked"
