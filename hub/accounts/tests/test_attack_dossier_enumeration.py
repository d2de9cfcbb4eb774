"""Attack: listing the locations by trying dossier numbers on the login screen.

A known dossier number shows the location's name and address, and it is what a PIN guesser
needs. On main any client could look up numbers without limit (this test fails at the eleventh
unknown number). Now ten unknown numbers within 15 minutes make that client wait 15 minutes, for
every look-up, on the search form and on the PIN form alike; other clients are not affected.

Against the hub as a process, over HTTP, behind a trusted proxy so that two clients differ.
"""

from __future__ import annotations

from pathlib import Path

from hub.accounts.tests.guessing import Guesser, demo_hub
from hub.demo import DEMO_DOSSIER


def test_a_client_looking_up_unknown_dossier_numbers_is_made_to_wait(hub_dir: Path) -> None:
    with demo_hub(hub_dir, 'trusted_proxies = ["127.0.0.1"]\n') as (_proc, url):
        scraper = Guesser(url, forwarded_for="203.0.113.77")
        for number in range(10):
            answer = scraper.look_up(f"90000000{number}")
            assert "Er is geen opvanglocatie met dossiernummer" in answer.text
        blocked = scraper.look_up(DEMO_DOSSIER)
        assert "Te veel onbekende dossiernummers opgezocht" in blocked.text
        assert "Kerkstraat" not in blocked.text, "not even a real number answers now"
        pin_form = scraper.get(f"/aanmelden/opvanglocatie/pincode?dossier={DEMO_DOSSIER}")
        assert pin_form.url.path == "/aanmelden/opvanglocatie", "the PIN form's look-up waits too"

        parent = Guesser(url, forwarded_for="198.51.100.8")
        assert "Kerkstraat 12, 2000 Antwerpen" in parent.look_up(DEMO_DOSSIER).text
