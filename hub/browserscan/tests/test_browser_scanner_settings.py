"""The ``[browser_scanner]`` table of hub.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.browserscan.settings import BrowserScanSettings
from hub.core.settings import load


def test_the_repeat_window_is_read_from_hub_toml_and_defaults_to_two_minutes(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n')
    assert load(config).browser_scanner.repeat_window_s == 120
    config.write_text(f'data_dir = "{tmp_path}"\n[browser_scanner]\nrepeat_window_s = 30\n')
    assert load(config).browser_scanner == BrowserScanSettings(30)


@pytest.mark.parametrize("table", [{"repeat_window_s": 0}, {"repeat_window_s": 7200}, {"repeat_s": 5}])
def test_a_repeat_window_out_of_bounds_or_an_unknown_key_is_refused(table: dict) -> None:
    with pytest.raises(ValueError):
        BrowserScanSettings.from_table(table)
