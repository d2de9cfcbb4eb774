"""The hub's configuration: a TOML file, every key optional.

data_dir = "/var/lib/aanwezig-hub"
database = "postgresql://aanwezig@db.example.org/aanwezig"   # empty (default): SQLite in data_dir
broker = "mqtt://aanwezig-hub:secret@127.0.0.1:1883"   # empty: start an embedded broker
embedded_broker_port = 1883      # 0: any free port (also used when 1883 is taken)
http_host = "127.0.0.1"
http_port = 8000
public_url = "https://aanwezig.example.org"   # the portal's address in mailed links; default http://host:port
cookie_secure = true             # send the session cookie only over HTTPS (set behind a TLS proxy);
                                 # always on when public_url is https, which also sends HSTS
trusted_proxies = ["127.0.0.1"]  # peers whose X-Forwarded-For / Forwarded name the client (IPs or
                                 # networks); default none: the client is the peer, and such headers
                                 # from anyone else are ignored with a warning in the log
api_docs = false                 # /api/docs, /api/redoc, /api/openapi.json: off (default), or true:
                                 # on for a logged-in organisator (`make demo` turns them on)
session_idle_minutes = 120       # a session ends after this long without a request ...
session_hours = 12               # ... and this long after logging in, whatever happens
dead_letter_days = 30            # junk from units (rolled up per unit and reason) is forgotten after this
refused_per_unit_day = 2000      # refused check-ins kept per unit and day; past it the unit holds them

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

ingest_workers = 1               # MQTT ingest processes. 1: the hub ingests itself (MQTT 3.1.1, one
                                 # persistent session). N > 1: N worker processes share the events
                                 # through MQTT v5 shared subscriptions ($share/aanwezig-hub/...);
                                 # see docs/deployment.md
spawn_ingest_workers = true      # with N > 1: `serve` starts and restarts the workers itself; false:
                                 # they run elsewhere (systemd/aanwezig-hub-ingest@.service)
ingest_session_expiry_s = 3600   # how long the broker keeps a stopped worker's session and its events
job_lease_seconds = 30           # once-only jobs (notifier, mail, uploads, ...): a dead process's
                                 # jobs move to another hub process after this long (hub/core/leases.py)

backup_keep_daily = 7            # aanwezig-hub backup: keep the newest backup of each of the last 7 days ...
backup_keep_weekly = 8           # ... and of each of the last 8 weeks

[retention]                      # how long data is kept before the daily job erases it: see RetentionSettings
attendance_years = 5

[upload]                         # the monthly upload to Kind en Gezin: see hub/upload/settings.py
endpoint = "https://..."

[browser_scanner]                # a tablet or phone as scanner: see hub/browserscan/settings.py
repeat_window_s = 120            # the same card again within this is "Al geregistreerd"

A table such as ``[upload]`` belongs to a feature, which registers how to read it
(:func:`register_section`); core knows no feature. ``settings.upload`` is that feature's value.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from wire.broker_url import BrokerAddress


@dataclass(frozen=True)
class Section:
    """How a feature reads its own table of the settings file."""

    parse: Callable[[dict[str, Any], Path], Any]  # the table, and the folder of the settings file
    default: Callable[[], Any]  # the value when the file has no such table


_SECTIONS: dict[str, Section] = {}


def register_section(
    name: str, parse: Callable[[dict[str, Any], Path], Any], default: Callable[[], Any]
) -> None:
    """Let ``[name]`` tables of the settings file be read by ``parse`` (a feature calls this on import)."""
    _SECTIONS[name] = Section(parse, default)


def section_defaults() -> dict[str, Any]:
    """Every registered table (``[upload]``, ...) with its default value."""
    return {name: section.default() for name, section in _SECTIONS.items()}


@dataclass(frozen=True)
class HubSettings:
    data_dir: Path = Path("var/hub")
    database: str = ""  # issue 17: a postgresql:// URL; empty: <data_dir>/hub.sqlite3
    broker: str = ""
    embedded_broker_port: int = 1883
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    client_id: str = "aanwezig-hub"
    public_url: str = ""
    cookie_secure: bool = False
    trusted_proxies: tuple[str, ...] = ()  # issue 13a: proxies allowed to name the client
    api_docs: bool = False  # issue 13a: the OpenAPI pages, for a logged-in organisator only
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
    # hostile MQTT input (issue 13/14): how long junk is kept, how many refused check-ins per unit a day
    dead_letter_days: int = 30
    refused_per_unit_day: int = 2000
    # operations (issue 16): backup rotation; the retention periods are the [retention] table
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 8
    # the mail outbox (hub/mail/outbox.py): exponential back-off between tries, then give up
    mail_retry_seconds: float = 30.0
    mail_retry_max_seconds: float = 3600.0
    mail_give_up_hours: float = 72.0
    # several hub processes (issue 17): ingest workers on MQTT v5 shared subscriptions, job leases
    ingest_workers: int = 1
    spawn_ingest_workers: bool = True
    ingest_session_expiry_s: int = 3600
    job_lease_seconds: float = 30.0
    # The features' own tables ([upload], [retention], ...), as their registered sections read them.
    sections: Mapping[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Any:
        """A feature's settings: its table as read at load, or its default."""
        if name in self.sections:
            return self.sections[name]
        return _SECTIONS[name].default()

    def __getattr__(self, name: str) -> Any:
        # settings.upload and the like: a registered feature section reads as an attribute
        if not name.startswith("_") and name != "sections" and name in _SECTIONS:
            return self.section(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def database_path(self) -> Path | str:
        """What the database module opens: the PostgreSQL URL when set, else the SQLite file."""
        return self.database or self.data_dir / "hub.sqlite3"

    @property
    def mail_folder(self) -> Path:
        """Where the development mailer writes its .eml files."""
        return self.mail_dir if self.mail_dir is not None else self.data_dir / "mail"

    @property
    def portal_base_url(self) -> str:
        """The portal's address as links in mails use it, without a trailing slash."""
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    @property
    def https(self) -> bool:
        """Whether the portal is reached over HTTPS (``public_url``): Secure cookies and HSTS."""
        return self.public_url.lower().startswith("https://")

    @property
    def broker_address(self) -> BrokerAddress | None:
        """The configured external broker, or None for the embedded one."""
        return BrokerAddress.parse(self.broker) if self.broker else None


def load(path: str | Path | None) -> HubSettings:
    """Read a settings file; no path gives the defaults."""
    if path is None:
        return HubSettings()
    raw = tomllib.loads(Path(path).read_text())
    known = {f.name for f in fields(HubSettings)} - {"sections"}
    unknown = set(raw) - known - set(_SECTIONS)
    if unknown:
        raise ValueError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
    if "data_dir" in raw:
        raw["data_dir"] = (Path(path).parent / raw["data_dir"]).resolve()
    raw["sections"] = {
        name: _SECTIONS[name].parse(raw.pop(name), Path(path).parent) for name in set(raw) & set(_SECTIONS)
    }
    if raw.get("smtp_ca_file"):
        raw["smtp_ca_file"] = str((Path(path).parent / raw["smtp_ca_file"]).resolve())
    if "mail_dir" in raw:
        raw["mail_dir"] = (Path(path).parent / raw["mail_dir"]).resolve()
    if "trusted_proxies" in raw:
        raw["trusted_proxies"] = tuple(str(p) for p in raw["trusted_proxies"])
    if raw.get("database") and not str(raw["database"]).startswith(("postgresql://", "postgres://")):
        raise ValueError(f'{path}: database must be a "postgresql://..." URL (or left out for SQLite)')
    settings = HubSettings(**raw)
    if settings.ingest_workers < 1:
        raise ValueError(f"{path}: ingest_workers must be 1 or more, not {settings.ingest_workers}")
    if settings.ingest_workers > 1 and not settings.broker:
        raise ValueError(
            f'{path}: ingest_workers > 1 needs broker = "mqtt://...": the workers share one broker'
        )
    settings.broker_address  # noqa: B018 - fail at start-up on a malformed broker URL
    return settings
