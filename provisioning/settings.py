"""Where the provisioning tools find the hub, the broker's files and the defaults for new units.

``/etc/aanwezig/provision.toml`` (or ``--config``, or ``$AANWEZIG_PROVISION_CONFIG``); only
``unit_broker`` is required, relative paths are taken from the file's folder::

    unit_broker = "mqtts://mqtt.example.org:8883"  # the address units connect to
    hub_config = "/etc/aanwezig/hub.toml"           # the hub's settings: its database and broker account
    hub_broker = "mqtt://127.0.0.1:1883"            # the address the hub connects to (init writes it)
    broker_dir = "/etc/mosquitto/aanwezig"          # passwd, acl, accounts.json, tls/
    broker_group = "mosquitto"                       # may read passwd and acl (Mosquitto reloads as it)
    ca_file = "auto"                                 # CA shipped to units: auto = broker_dir/tls/ca.crt if
                                                     # it exists; "" = the system's CAs; or a path
    reload = ["systemctl", "reload", "mosquitto"]    # how to make Mosquitto re-read its files
    mosquitto_pid_file = ""                          # or: send SIGHUP to the pid in this file

    [unit]                                           # every new unit's unit.toml starts from these
    config_dir = "/etc/aanwezig"                     # where the unit installs its bundle
    data_dir = "/var/lib/aanwezig"
    [unit.camera]                                    # copied as [camera]; likewise [unit.scan],
                                                     # [unit.keypad], [unit.feedback] (device/config.py)
    source = "auto"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provisioning.errors import ProvisionError
from wire.broker_url import BrokerAddress

DEFAULT_PATH = Path("/etc/aanwezig/provision.toml")
ENVIRONMENT = "AANWEZIG_PROVISION_CONFIG"

# GPIO pins (BCM numbers) of the standard unit, in the unit's own [keypad] and [feedback] tables:
# a 4x4 matrix keypad, a green and a red LED, a buzzer. The wiring table is in
# docs/technician.md; a unit built differently overrides them.
DEFAULT_UNIT_SECTIONS: dict[str, dict[str, Any]] = {
    "camera": {"source": "auto"},
    "scan": {"mode": "auto"},
    "keypad": {"rows": [5, 6, 13, 19], "columns": [12, 16, 20, 21]},
    "feedback": {"green": 17, "red": 27, "buzzer": 22},
}


class SettingsError(ProvisionError):
    """provision.toml is missing, unreadable or has a wrong value."""


@dataclass(frozen=True)
class UnitDefaults:
    config_dir: Path = Path("/etc/aanwezig")
    data_dir: Path = Path("/var/lib/aanwezig")
    sections: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(DEFAULT_UNIT_SECTIONS))


@dataclass(frozen=True)
class ProvisionSettings:
    unit_broker: BrokerAddress
    hub_config: Path = Path("/etc/aanwezig/hub.toml")
    hub_broker: BrokerAddress = field(default_factory=lambda: BrokerAddress("127.0.0.1", 1883))
    hub_user: str = "aanwezig-hub"
    broker_dir: Path = Path("/etc/mosquitto/aanwezig")
    broker_group: str = "mosquitto"
    ca_file: str = "auto"
    reload: tuple[str, ...] = ("systemctl", "reload", "mosquitto")
    mosquitto_pid_file: Path | None = None
    unit: UnitDefaults = field(default_factory=UnitDefaults)
    # the organisation's update signing key (provisioning/updates.py); its public half goes in every bundle
    update_key_dir: Path = Path("/etc/aanwezig/update-key")

    @property
    def password_file(self) -> Path:
        return self.broker_dir / "passwd"

    @property
    def acl_file(self) -> Path:
        return self.broker_dir / "acl"

    @property
    def accounts_file(self) -> Path:
        return self.broker_dir / "accounts.json"

    @property
    def tls_dir(self) -> Path:
        return self.broker_dir / "tls"

    @property
    def unit_ca_file(self) -> Path | None:
        """The CA certificate a unit gets in its bundle, or None when it trusts the system's CAs."""
        if not self.unit_broker.tls or not self.ca_file:
            return None
        if self.ca_file == "auto":
            ca = self.tls_dir / "ca.crt"
            return ca if ca.exists() else None
        return Path(self.ca_file)

    def database_path(self) -> Path:
        """The hub's database, as the hub's own settings file says."""
        from hub.units.service import load_settings

        try:
            return load_settings(self.hub_config).database_path
        except FileNotFoundError:
            raise SettingsError(f"de hubinstellingen {self.hub_config} bestaan niet") from None


def settings_path(given: str | Path | None) -> Path:
    return Path(given or os.environ.get(ENVIRONMENT) or DEFAULT_PATH)


def load(path: str | Path) -> ProvisionSettings:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise SettingsError(
            f"geen provisioning-instellingen in {path} (zie docs/technician.md, of gebruik --config)"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    return from_dict(raw, base=path.parent)


def from_dict(raw: dict[str, Any], base: Path) -> ProvisionSettings:
    raw = dict(raw)
    known = set(ProvisionSettings.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise SettingsError(f"onbekende instelling(en): {', '.join(sorted(unknown))}")
    if not raw.get("unit_broker"):
        raise SettingsError("'unit_broker' ontbreekt: het adres waarop de units de broker bereiken")

    def broker(key: str) -> BrokerAddress:
        try:
            address = BrokerAddress.parse(raw[key])
        except ValueError as exc:
            raise SettingsError(f"{key}: {exc}") from None
        if address.username or address.password:
            raise SettingsError(f"{key}: zonder gebruiker en wachtwoord; die maakt aanwezig-provision")
        return address

    values: dict[str, Any] = {"unit_broker": broker("unit_broker")}
    if "hub_broker" in raw:
        values["hub_broker"] = broker("hub_broker")
    for key in ("hub_config", "broker_dir", "update_key_dir"):
        if key in raw:
            values[key] = (base / raw[key]).resolve()
    if raw.get("mosquitto_pid_file"):
        values["mosquitto_pid_file"] = (base / raw["mosquitto_pid_file"]).resolve()
    if "reload" in raw:
        if not isinstance(raw["reload"], list) or not all(isinstance(a, str) for a in raw["reload"]):
            raise SettingsError('reload: een lijst van woorden, bv. ["systemctl", "reload", "mosquitto"]')
        values["reload"] = tuple(raw["reload"])
    for key in ("hub_user", "broker_group"):
        if key in raw:
            values[key] = str(raw[key])
    if "ca_file" in raw:
        ca = str(raw["ca_file"])
        values["ca_file"] = ca if ca in ("auto", "") else str((base / ca).resolve())
    if "unit" in raw:
        values["unit"] = _unit_defaults(raw["unit"])
    return ProvisionSettings(**values)


def _unit_defaults(raw: dict[str, Any]) -> UnitDefaults:
    raw = dict(raw)
    sections = {name: dict(values) for name, values in DEFAULT_UNIT_SECTIONS.items()}
    for name in [key for key, value in raw.items() if isinstance(value, dict)]:
        sections[name] = {**sections.get(name, {}), **raw.pop(name)}
    unknown = set(raw) - {"config_dir", "data_dir"}
    if unknown:
        raise SettingsError(f"onbekende instelling(en) in [unit]: {', '.join(sorted(unknown))}")
    paths = {key: Path(raw[key]) for key in ("config_dir", "data_dir") if key in raw}
    for key, value in paths.items():
        if not value.is_absolute():
            raise SettingsError(f"[unit] {key} is een pad op de unit en moet absoluut zijn: {value}")
    return UnitDefaults(**paths, sections=sections)
