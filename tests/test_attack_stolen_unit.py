"""Attack: a scanner unit (or its SD card, or its bundle) is stolen.

The thief has everything on the unit: the bundle (unit.toml with the broker password, staff.key)
and the retained config the hub sends it over the broker. Before issue 13 that config carried the
argon2 hash of the location's *portal* PIN: a 4-digit PIN fell to an offline search in about 40
minutes on one core, and with it the portal (children, birth dates, contacts). On main this
module fails at its first assertion (the portal PIN's hash is in the stolen config).

Everything runs for real: Mosquitto with the password file and ACL the technician's tool wrote,
the hub process publishing the configs, units enrolled with ``python -m provisioning enrol``,
the organisator changing the codes through the portal over HTTP.
"""

from __future__ import annotations

import hmac
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from hub.core.db import open_database
from hub.demo import DEMO_EMAIL, DEMO_PASSWORD, DemoData
from tests.support.fleet import Client, ProvisionedHub, bundle_broker
from tests.support.portal import PortalClient
from tests.support.waiting import wait_for
from tests.test_provisioning_fleet import OTHER_LOCATION, enrol, hub_rows, make_site  # noqa: F401
from wire import Topic, TopicKind, UnitConfig, decode, staffcode

ZONNEBLOEM_SCANNER_CODE = "5803"
REGENBOOG_SCANNER_CODE = "417296"
REGENBOOG_PIN = "630518"
ARGON2 = re.compile(rb"\$argon2id?\$[A-Za-z0-9$=,+/.-]+")


def every_code() -> Iterator[str]:
    """Every code a unit's keypad takes: 4 to 6 digits, 1,110,000 of them."""
    for length in (4, 5, 6):
        for number in range(10**length):
            yield f"{number:0{length}d}"


@pytest.fixture
def site(make_site, demo: DemoData, hub_dir: Path) -> ProvisionedHub:  # noqa: F811
    db = open_database(hub_dir / "hub.sqlite3")
    with db.atomic():
        db.execute(
            "UPDATE locations SET scanner_code = ? WHERE id = ?", (ZONNEBLOEM_SCANNER_CODE, demo.location_id)
        )
        db.execute(
            "UPDATE locations SET scanner_code = ?, pin_hash = ? WHERE id = ?",
            (REGENBOOG_SCANNER_CODE, PasswordHasher().hash(REGENBOOG_PIN), OTHER_LOCATION),
        )
    db.close()
    site = make_site()
    site.start_hub()
    return site


def retained_config(bundle: Path, location: str, unit: str) -> bytes:
    """What the unit itself receives: its retained config, read with the bundle's credentials."""
    client = Client(bundle_broker(bundle), f"{unit}-thief").connect()
    try:
        client.subscribe(str(Topic(location, unit, TopicKind.CONFIG)))
        return wait_for(lambda: client.messages and client.messages[-1][1], what=f"{unit}'s retained config")
    finally:
        client.close()


def test_a_stolen_unit_and_its_bundle_give_neither_the_portal_pin_nor_another_units_code(
    site: ProvisionedHub, demo: DemoData, hub_dir: Path, tmp_path: Path
) -> None:
    """Tries every 4- to 6-digit code against what one stolen unit holds.

    What this proves, and how: argon2 at the product's parameters costs tens of milliseconds a
    try, so a million tries would take hours; instead the test works on argon2's *inputs*. argon2
    is a deterministic function of (input, salt, parameters), so a candidate can match a hash only
    if it is the very input the hub hashed (a 256-bit collision aside). The test forms every input
    the thief can make from the stolen material for every code (the code itself, and HMAC under
    the stolen staff key), takes the true inputs from the hub database (which the thief does not
    have), and shows:
    - the portal PIN's hash is nowhere in the config or the bundle (nothing to search against);
    - no thief's input equals the input of another unit's hash, at this location or another:
      without that unit's key no candidate matches its hash;
    - with this unit's key exactly one code matches this unit's hash: its own scanner code, which
      argon2 itself then confirms (and refuses for the portal PIN).
    What it does not claim: a thief who finds this unit's code knows the code of the other units
    of the *same* location, because the scanner code is one per location (by design; it opens only
    the staff menu: status, mode, linking a card, never the portal).
    """
    stolen = enrol(site, demo.location_id, "unit-a", tmp_path)
    enrol(site, demo.location_id, "unit-b", tmp_path)
    enrol(site, OTHER_LOCATION, "unit-c", tmp_path)
    config_bytes = retained_config(stolen, demo.location_id, "unit-a")
    material = config_bytes + b"".join(p.read_bytes() for p in stolen.iterdir())

    truth = dict(hub_rows(hub_dir, "SELECT id, staff_key FROM units"))
    portal_pins = [h for (h,) in hub_rows(hub_dir, "SELECT pin_hash FROM locations WHERE pin_hash > ''")]
    assert len(portal_pins) == 2
    for portal_hash in portal_pins:
        assert portal_hash.encode() not in material, "the portal PIN's hash left the hub"
        assert portal_hash.split("$")[-2].encode() not in material, "not even its salt"

    config: UnitConfig = decode(config_bytes, UnitConfig)
    assert config.pin_hash is None and config.staff_code_hash
    assert ARGON2.findall(material) == [config.staff_code_hash.encode()], "one hash only: the unit's own"
    key = staffcode.parse_key((stolen / staffcode.KEY_FILE).read_text())
    assert key.hex() == truth["unit-a"]

    # The input behind each unit's hash, as the hub made it (the thief does not know these).
    codes = {
        "unit-a": ZONNEBLOEM_SCANNER_CODE,
        "unit-b": ZONNEBLOEM_SCANNER_CODE,
        "unit-c": REGENBOOG_SCANNER_CODE,
    }
    true_input = {u: staffcode.keyed(bytes.fromhex(truth[u]), c).encode() for u, c in codes.items()}

    started = time.monotonic()
    matches_own: list[str] = []
    others = {true_input["unit-b"], true_input["unit-c"]}
    for code in every_code():
        raw = code.encode()
        keyed = hmac.new(key, b"aanwezig-staff-code:" + raw, "sha256").hexdigest().encode()
        assert raw not in others and keyed not in others, f"{code} would open another unit's hash"
        if keyed == true_input["unit-a"]:
            matches_own.append(code)
    searched_s = time.monotonic() - started
    assert matches_own == [ZONNEBLOEM_SCANNER_CODE]
    assert (
        staffcode.keyed(key, "1234").encode()
        == hmac.new(key, b"aanwezig-staff-code:1234", "sha256").hexdigest().encode()
    ), "the search used the unit's own construction"

    hasher = PasswordHasher()
    assert hasher.verify(config.staff_code_hash, staffcode.keyed(key, ZONNEBLOEM_SCANNER_CODE))
    for wrong in ("4826", ZONNEBLOEM_SCANNER_CODE):  # the demo's portal PIN; the right code unkeyed
        with pytest.raises(VerifyMismatchError):
            hasher.verify(config.staff_code_hash, wrong)
    print(f"searched 1,110,000 codes x 2 inputs in {searched_s:.1f} s")


def test_changing_the_scanner_code_or_the_pin_republishes_the_units_configs_at_once(
    site: ProvisionedHub, demo: DemoData, tmp_path: Path
) -> None:
    stolen = enrol(site, demo.location_id, "unit-a", tmp_path)
    unit = Client(bundle_broker(stolen), "unit-a-listener").connect()
    unit.subscribe(str(Topic(demo.location_id, "unit-a", TopicKind.CONFIG)))
    wait_for(lambda: unit.messages, what="the first config")
    key = staffcode.parse_key((stolen / staffcode.KEY_FILE).read_text())

    organisator = PortalClient(f"http://127.0.0.1:{site.http_port}")
    organisator.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    page = f"/locaties/{demo.location_id}/pincode"
    before = len(unit.messages)
    answer = organisator.post(
        f"/locaties/{demo.location_id}/scannercode", {"code": "9052", "repeated": "9052"}, form_page=page
    )
    assert "De scannercode is ingesteld" in answer.text
    wait_for(lambda: len(unit.messages) > before, what="the config after the new scanner code")
    newest = decode(unit.messages[-1][1], UnitConfig)
    assert PasswordHasher().verify(newest.staff_code_hash, staffcode.keyed(key, "9052"))

    refused = organisator.post(
        f"/locaties/{demo.location_id}/scannercode", {"code": "4826", "repeated": "4826"}, form_page=page
    )
    assert "verschilt van de pincode" in refused.text, "the scanners must not learn the portal PIN"

    before = len(unit.messages)
    answer = organisator.post(page, {"pin": "7315", "repeated": "7315"}, form_page=page)
    assert "De pincode is ingesteld" in answer.text
    wait_for(lambda: len(unit.messages) > before, what="the config after the new PIN")
    republished = unit.messages[-1][1]
    assert ARGON2.findall(republished) == [json.loads(republished)["staff_code_hash"].encode()]
    organisator.close()
    unit.close()
