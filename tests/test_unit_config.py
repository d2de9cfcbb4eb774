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
