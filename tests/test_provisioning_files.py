"""What the provisioning tool writes, on its own: password hashes, ACL lines, the unit's bundle."""

from __future__ import annotations

import dataclasses
import stat
import tomllib
from pathlib import Path

import pytest
import tomlkit

from device import bundle as device_bundle
from device.config import from_dict, load
from hub.core.settings import load as load_hub_settings
from hub.core.settings import section_defaults
from provisioning.bundle import UnitIdentity, unit_toml, write_bundle
from provisioning.fleet import set_hub_broker
from provisioning.mosquitto import acl_file, hash_password, verify_password
from provisioning.settings import SettingsError
from provisioning.settings import from_dict as settings_from_dict
from wire.broker_url import BrokerAddress

IDENTITY = UnitIdentity("unit-3fa9c1", "zonnebloem", "Kinderdagverblijf De Zonnebloem", "s3cret-_pw")


def settings(**raw):
    return settings_from_dict(
        {"unit_broker": "mqtts://mqtt.example.org:8883", **raw}, base=Path("/etc/aanwezig")
    )


def test_a_password_hash_is_mosquittos_pbkdf2_format_and_checks_only_the_right_password() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$7$101$")
    assert verify_password("correct horse", hashed)
    assert not verify_password("correct hors", hashed)
    assert hash_password("correct horse") != hashed, "a fresh salt every time"


def test_the_acl_names_each_units_own_topics_in_full_and_gives_units_no_wildcards() -> None:
    text = acl_file("aanwezig-hub", [IDENTITY])
    unit_part = text.split("user unit-3fa9c1\n", 1)[1]
    assert "topic write aanwezig/v1/loc/zonnebloem/unit/unit-3fa9c1/event" in unit_part
    assert "topic read aanwezig/v1/loc/zonnebloem/unit/unit-3fa9c1/config" in unit_part
    assert "+" not in unit_part and "#" not in unit_part
    assert "topic read aanwezig/v1/loc/+/unit/+/event" in text.split("user unit-3fa9c1", 1)[0]


def test_the_bundle_is_a_unit_toml_the_units_own_reader_accepts_with_pins_and_the_ca(tmp_path: Path) -> None:
    s = settings(unit={"feedback": {"buzzer": 23}})
    text = unit_toml(
        IDENTITY,
        s.unit_broker,
        s.unit,
        ca_installed=Path("/etc/aanwezig/ca.crt"),
        overrides={"scan": {"mode": "departure"}},
    )
    unit = from_dict(tomllib.loads(text))
    assert (unit.unit, unit.location, unit.data_dir) == (
        "unit-3fa9c1",
        "zonnebloem",
        Path("/var/lib/aanwezig"),
    )
    assert unit.broker == BrokerAddress(
        "mqtt.example.org", 8883, "unit-3fa9c1", "s3cret-_pw", tls=True, ca_file="/etc/aanwezig/ca.crt"
    )
    assert unit.scan.mode == "departure" and unit.camera.source == "auto"
    # the wiring reaches the unit's own settings, the override merged into the defaults
    assert (unit.feedback.green, unit.feedback.red, unit.feedback.buzzer) == (17, 27, 23)
    assert tuple(unit.keypad.rows) == (5, 6, 13, 19) and tuple(unit.keypad.columns) == (12, 16, 20, 21)

    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    written = write_bundle(tmp_path / "boot" / "aanwezig", text, ca)
    assert [p.name for p in written] == ["unit.toml", "ca.crt"]
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600


def test_a_damaged_bundle_never_replaces_a_working_configuration(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    working = 'unit = "unit-1"\nlocation = "zonnebloem"\nbroker = "mqtt://unit-1:pw@hub:1883"\n'
    (etc / "unit.toml").write_text(working)
    boot = tmp_path / "boot"
    boot.mkdir()
    (boot / "unit.toml").write_text('unit = "unit-2"\nbroker = "mqtt://unit-2:pw@hub:1883"\n')  # no location

    with pytest.raises(device_bundle.BundleError, match="'location' is required"):
        device_bundle.install(boot, etc, owner=None)
    assert (etc / "unit.toml").read_text() == working
    assert (boot / "unit.toml").exists(), "left for the technician to look at"


def test_an_installed_bundle_is_private_to_the_unit_and_gone_from_the_boot_partition(tmp_path: Path) -> None:
    boot = tmp_path / "boot" / "aanwezig"
    write_bundle(boot, unit_toml(IDENTITY, BrokerAddress("hub.local", 1883), settings().unit, None), None)
    unit = device_bundle.install(boot, tmp_path / "etc", owner=None)
    assert unit.unit == "unit-3fa9c1"
    assert load(tmp_path / "etc" / "unit.toml").broker.password == "s3cret-_pw"
    assert stat.S_IMODE((tmp_path / "etc" / "unit.toml").stat().st_mode) == 0o600
    assert not boot.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mqtts://h:8883?cafile=/x&insecure=1", "unknown broker URL option"),
        ("mqtt://h:1883?cafile=/x", "cafile is for TLS"),
    ],
)
def test_a_broker_url_with_a_wrong_option_is_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BrokerAddress.parse(url)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"unit_broker": ""}, "'unit_broker' ontbreekt"),
        ({"unit_broker": "mqtt://u:p@h:1883"}, "zonder gebruiker en wachtwoord"),
        ({"unit_brokr": "x"}, "onbekende instelling"),
        ({"unit": {"data_dir": "data"}}, "absoluut"),
        ({"reload": "systemctl reload mosquitto"}, "een lijst van woorden"),
    ],
)
def test_provision_settings_with_a_mistake_are_refused_with_a_clear_message(raw: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        settings(**raw)


def test_init_puts_the_hubs_broker_url_in_its_settings_keeping_the_rest(tmp_path: Path) -> None:
    hub_toml = tmp_path / "hub.toml"
    hub_toml.write_text('data_dir = "/var/lib/aanwezig-hub"\nbroker = ""\nhttp_port = 8000\n')
    hub_toml.chmod(0o644)
    set_hub_broker(hub_toml, "mqtt://aanwezig-hub:pw@127.0.0.1:1883")
    assert hub_toml.read_text() == (
        'data_dir = "/var/lib/aanwezig-hub"\n'
        'broker = "mqtt://aanwezig-hub:pw@127.0.0.1:1883"\n'
        "http_port = 8000\n"
    )
    assert stat.S_IMODE(hub_toml.stat().st_mode) == 0o640, "a password inside: nothing for others"


def _hub_tables() -> dict[str, object]:
    """Every table the hub's settings know (``[upload]``, ...), each with its defaults."""
    return section_defaults()


@pytest.mark.parametrize("table", sorted(_hub_tables()))
def test_init_puts_the_broker_url_before_the_tables_when_hub_toml_ends_with_one(
    tmp_path: Path, table: str
) -> None:
    defaults = _hub_tables()[table]
    first = dataclasses.fields(defaults)[0]
    value = getattr(defaults, first.name)
    head = '# Aanwezig hub\ndata_dir = "/var/lib/aanwezig-hub"  # the database\nhttp_port = 8000\n'
    table_text = (
        f"# the {table} table, as the administrator wrote it\n"
        f"[{table}]  # keep this comment\n"
        f"{first.name} = {tomlkit.item(value).as_string()}\n"
    )
    hub_toml = tmp_path / "hub.toml"
    hub_toml.write_text(f"{head}\n{table_text}")
    set_hub_broker(hub_toml, "mqtt://aanwezig-hub:pw@127.0.0.1:1883")

    text = hub_toml.read_text()
    settings = load_hub_settings(hub_toml)  # the hub's own loader: it starts with this file
    assert settings.broker == "mqtt://aanwezig-hub:pw@127.0.0.1:1883"
    assert getattr(settings, table) == defaults
    assert text.startswith(head), "the top-level keys and their comments stay as they were"
    assert text.rstrip().endswith(table_text.rstrip()), "the table and its comments stay as they were"
    assert "broker" not in tomllib.loads(text)[table]
