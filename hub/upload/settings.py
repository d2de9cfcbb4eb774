"""The ``[upload]`` table of the hub's settings: where the months go, when, and how patiently.

[upload]
endpoint = "https://kind-en-gezin.example/aanwezigheden"   # empty: months are checked, not sent
token = ""                 # sent as "Authorization: Bearer ..." when set
day = 7                    # of the month after (1-28)
check_every_s = 900        # how often the hub looks for due months and changes
attempts = 5               # tries per check before it waits for the next check
first_pause_s = 30         # pause after the first failed try; doubles each time ...
longest_pause_s = 600      # ... up to this
timeout_s = 20             # per try
amounts_file = ""          # dated amounts: KO-toeslag, [[billing]] (hub/prices/amounts.py); empty: days only
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from hub.core.settings import register_section
from hub.upload.sender import Endpoint
from hub.upload.timing import DEFAULT_UPLOAD_DAY, check_upload_day


@dataclass(frozen=True)
class UploadSettings:
    endpoint: str = ""
    token: str = ""
    day: int = DEFAULT_UPLOAD_DAY
    check_every_s: float = 900.0
    attempts: int = 5
    first_pause_s: float = 30.0
    longest_pause_s: float = 600.0
    timeout_s: float = 20.0
    amounts_file: str = ""

    def __post_init__(self) -> None:
        check_upload_day(self.day)
        if self.attempts < 1 or self.check_every_s <= 0 or self.first_pause_s < 0 or self.timeout_s <= 0:
            raise ValueError("upload: attempts >= 1, and check_every_s and timeout_s > 0, please")
        if self.endpoint and not self.endpoint.startswith(("http://", "https://")):
            raise ValueError(f"upload: endpoint must be an http(s) URL, not {self.endpoint!r}")

    @property
    def enabled(self) -> bool:
        return bool(self.endpoint)

    def to_endpoint(self) -> Endpoint:
        return Endpoint(
            self.endpoint, self.token, self.timeout_s, self.attempts, self.first_pause_s, self.longest_pause_s
        )

    @classmethod
    def from_table(cls, raw: dict[str, Any], base: Path) -> UploadSettings:
        """From the ``[upload]`` table of a settings file in folder ``base``."""
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown upload setting(s): {', '.join(sorted(unknown))}")
        if raw.get("amounts_file"):
            raw = {**raw, "amounts_file": str((base / raw["amounts_file"]).resolve())}
        return cls(**raw)


register_section("upload", UploadSettings.from_table, UploadSettings)
