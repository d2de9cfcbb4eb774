"""The hub's configuration: a TOML file, every key optional.

data_dir = "/var/lib/aanwezig-hub"
broker = "mqtt://aanwezig-hub:secret@127.0.0.1:1883"   # empty: start an embedded broker
embedded_broker_port = 1883      # 0: any free port (also used when 1883 is taken)
http_host = "127.0.0.1"
http_port = 8000

[upload]                         # the monthly upload to Kind en Gezin: see hub/upload/settings.py
endpoint = "https://..."
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from hub.upload.settings import UploadSettings
from wire.broker_url import BrokerAddress


@dataclass(frozen=True)
class HubSettings:
    data_dir: Path = Path("var/hub")
    broker: str = ""
    embedded_broker_port: int = 1883
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    client_id: str = "aanwezig-hub"
    upload: UploadSettings = field(default_factory=UploadSettings)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "hub.sqlite3"

    @property
    def broker_address(self) -> BrokerAddress | None:
        """The configured external broker, or None for the embedded one."""
        return BrokerAddress.parse(self.broker) if self.broker else None

    def with_(self, **changes: Any) -> HubSettings:
        return replace(self, **changes)


def load(path: str | Path | None) -> HubSettings:
    """Read a settings file; no path gives the defaults."""
    if path is None:
        return HubSettings()
    raw = tomllib.loads(Path(path).read_text())
    known = {f.name for f in fields(HubSettings)}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
    if "data_dir" in raw:
        raw["data_dir"] = (Path(path).parent / raw["data_dir"]).resolve()
    if "upload" in raw:
        raw["upload"] = UploadSettings.from_table(raw["upload"], Path(path).parent)
    settings = HubSettings(**raw)
    settings.broker_address  # noqa: B018 - fail at start-up on a malformed broker URL
    return settings
