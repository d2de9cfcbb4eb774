"""A unit's config bundle: the folder the technician puts on the SD card's boot partition.

    aanwezig/
      unit.toml   what device/config.py reads: unit id, location, broker URL with the unit's
                  own password, data folder, [camera], [scan], [keypad] and [feedback]
      ca.crt      the CA of the broker's certificate, when units connect over TLS with a private CA
      staff.key   the unit's own key for the staff code (wire/staffcode.py): the hub sends the
                  unit a hash of the location's scanner code keyed with it. A file of its own,
                  not a key in unit.toml, so the previous unit software (which refuses unknown
                  keys in unit.toml, and installs every file of the bundle) still takes the bundle

On first boot the unit installs it to /etc/aanwezig (``python -m device.bundle install``, run by
``aanwezig-install-bundle.service``) and removes it from the boot partition.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provisioning.broker import write_atomically
from provisioning.settings import UnitDefaults
from wire.broker_url import BrokerAddress
from wire.staffcode import KEY_FILE

CONFIG_NAME = "unit.toml"
CA_NAME = "ca.crt"


@dataclass(frozen=True)
class UnitIdentity:
    unit: str
    location: str
    location_name: str
    password: str
    staff_key: str | None = None  # hex; None only for identities made before staff keys existed


def broker_url(broker: BrokerAddress, unit: str, password: str, ca_file: Path | None) -> str:
    """The unit's broker URL, its credentials in it (unit ids and our passwords are URL-safe)."""
    url = f"{'mqtts' if broker.tls else 'mqtt'}://{unit}:{password}@{broker.host}:{broker.port}"
    return f"{url}?cafile={ca_file}" if ca_file else url


def unit_toml(
    identity: UnitIdentity,
    broker: BrokerAddress,
    defaults: UnitDefaults,
    ca_installed: Path | None,
    overrides: dict[str, dict[str, Any]] | None = None,
    written_at: str = "",
) -> str:
    """The unit's configuration file, exactly as ``device.config.load`` reads it."""
    lines = [
        f"# Aanwezig scanner unit {identity.unit} for {' '.join(identity.location_name.split())}"
        f" ({identity.location}).",
        f"# Written by aanwezig-provision{f' on {written_at}' if written_at else ''}.",
        "# Holds the unit's broker password: keep it private; the unit removes it from the SD card",
        "# once installed.",
        f"unit = {toml_value(identity.unit)}",
        f"location = {toml_value(identity.location)}",
        f"broker = {toml_value(broker_url(broker, identity.unit, identity.password, ca_installed))}",
        f"data_dir = {toml_value(str(defaults.data_dir))}",
    ]
    sections = {name: dict(values) for name, values in defaults.sections.items()}
    for name, values in (overrides or {}).items():
        sections.setdefault(name, {}).update(values)
    for name, values in sections.items():
        lines += ["", f"[{name}]"] + [f"{key} = {toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def write_bundle(
    out: Path,
    config_text: str,
    ca_file: Path | None,
    staff_key: str | None = None,
    update_key: Path | None = None,
) -> list[Path]:
    """Write the bundle into ``out``; returns the files written. ``staff_key``: the unit's own key for
    its staff code; ``update_key``: the organisation's public update key, installed on the unit as
    /etc/aanwezig/update-key.pub."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / CONFIG_NAME]
    write_atomically(out / CONFIG_NAME, config_text, mode=0o600)
    if staff_key is not None:
        write_atomically(out / KEY_FILE, staff_key + "\n", mode=0o600)
        written.append(out / KEY_FILE)
    if ca_file is not None:
        shutil.copyfile(ca_file, out / CA_NAME)
        written.append(out / CA_NAME)
    if update_key is not None:
        shutil.copyfile(update_key, out / update_key.name)
        written.append(out / update_key.name)
    return written


def toml_value(value: Any) -> str:
    """A TOML value for the plain types a unit's settings use."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # JSON's string escapes are TOML's too
