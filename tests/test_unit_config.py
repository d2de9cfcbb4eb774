"""The unit's configuration file: what a technician types is either used or refused, never ignored."""

from __future__ import annotations

import pytest

from device.config import ConfigError, from_dict

MINIMAL = {"unit": "unit-1", "location": "zonnebloem", "broker": "mqtt://unit-1:pw@127.0.0.1:1883"}


def test_a_minimal_configuration_gets_the_standard_wiring() -> None:
    settings = from_dict(MINIMAL)
    assert (settings.feedback.green, settings.feedback.red, settings.feedback.buzzer) == (17, 27, 22)
    assert tuple(settings.keypad.rows) == (5, 6, 13, 19)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"pins": {"buzzer": 23}}, "pins"),  # a table the unit does not know
        ({"feedback": {"buzer": 23}}, "buzer"),  # a misspelt key in a known table
        ({"scan": {"mode": "sideways"}}, "sideways"),
    ],
)
def test_an_unknown_or_wrong_setting_is_refused_with_its_name(extra: dict, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        from_dict({**MINIMAL, **extra})


@pytest.mark.parametrize("missing", ["unit", "location", "broker"])
def test_the_identity_and_broker_are_required(missing: str) -> None:
    with pytest.raises(ConfigError, match=missing):
        from_dict({k: v for k, v in MINIMAL.items() if k != missing})


def test_the_staff_key_comes_from_staff_key_beside_unit_toml_and_a_damaged_one_is_refused(tmp_path) -> None:
    from device.config import load
    from wire import staffcode

    config = tmp_path / "unit.toml"
    config.write_text('unit = "u1"\nlocation = "l1"\nbroker = "mqtt://u1:pw@127.0.0.1:1883"\n')
    assert load(config).staff_key is None, "a unit enrolled before staff keys: no key"
    key = staffcode.new_key()
    (tmp_path / staffcode.KEY_FILE).write_text(key + "\n")
    assert load(config).staff_key == bytes.fromhex(key)
    (tmp_path / staffcode.KEY_FILE).write_text("not a key\n")
    with pytest.raises(ConfigError, match=r"staff\.key"):
        load(config)
