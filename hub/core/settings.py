"""The hub's configuration: a TOML file, every key optional.

data_dir = "/var/lib/aanwezig-hub"
broker = "mqtt://aanwezig-hub:secret@127.0.0.1:1883"   # empty: start an embedded broker
embedded_broker_port = 1883      # 0: any free port (also used when 1883 is taken)
http_host = "127.0.0.1"
http_port = 8000
public_url = "https://aanwezig.example.org"   # the portal's address in mailed links; default http://host:port
cookie_secure = true             # send the session cookie only over HTTPS (set behind a TLS proxy)
session_idle_minutes = 120       # a session ends after this long without a request ...
session_hours = 12               # ... and this long after logging in, whatever happens

smtp_host = "smtp.example.org"   # empty: mails are written as .eml files to mail_dir
smtp_port = 587
smtp_security = "starttls"       # "starttls", "implicit" (TLS from the start, port 465; "ssl" too) or "none"
smtp_ca_file = ""                # PEM file of the CA(s) to trust for the SMTP server; default: the system's
smtp_username = "aanwezig"
smtp_password = "secret"
mail_from = "Aanwezig <noreply@example.org>"
mail_dir = "mail"                # default: <data_dir>/mail
mail_retry_seconds = 30          # the outbox's first retry after a failed send; doubles each time ...
mail_retry_max_seconds = 3600    # ... up to this
mail_give_up_hours = 72          # a mail still not sent after this long is marked failed (kept, logged)

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
    public_url: str = ""
    cookie_secure: bool = False
    session_idle_minutes: int = 120
    session_hours: int = 12
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_ca_file: str = ""  # the CA to trust for the SMTP server's certificate; empty: the system's
    smtp_username: str = ""
    smtp_password: str = ""
    mail_from: str = "Aanwezig <noreply@aanwezig.example>"
    mail_dir: Path | None = None
    # the mail outbox (hub/mail/outbox.py): exponential back-off between tries, then give up
    mail_retry_seconds: float = 30.0
    mail_retry_max_seconds: float = 3600.0
    mail_give_up_hours: float = 72.0

    @property
    def database_path(self) -> Path:
        return self.data_dir / "hub.sqlite3"

    @property
    def mail_folder(self) -> Path:
        """Where the development mailer writes its .eml files."""
        return self.mail_dir if self.mail_dir is not None else self.data_dir / "mail"

    @property
    def portal_base_url(self) -> str:
        """The portal's address as links in mails use it, without a trailing slash."""
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

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
    if raw.get("smtp_ca_file"):
        raw["smtp_ca_file"] = str((Path(path).parent / raw["smtp_ca_file"]).resolve())
    if "mail_dir" in raw:
        raw["mail_dir"] = (Path(path).parent / raw["mail_dir"]).resolve()
    settings = HubSettings(**raw)
    settings.broker_address  # noqa: B018 - fail at start-up on a malformed broker URL
    return settings
