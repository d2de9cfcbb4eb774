"""The unit's configuration: one TOML file, written by the provisioning CLI.

unit = "unit-7f3a"
location = "kdv-zonnebloem"
broker = "mqtt://unit-7f3a:secret@hub.local:1883"
data_dir = "/var/lib/aanwezig"

[camera]
source = "auto"          # auto (picamera2, then a USB camera, then files/generated) | picamera2
                         # | opencv | files | generated
device = 0               # for "opencv": /dev/video<N>
width = 1280             # for the real cameras
height = 720
fps = 10.0
folder = "/tmp/frames"   # for "files"
hold_s = 0.6             # for "files": seconds each image is "held" to the camera
codes = []               # for "generated": card codes to show in turn
every_s = 4.0            # for "generated": seconds between two cards
start_s = 2.0            # for "generated": seconds before the first card
# picamera2 only (Camera Module 3 at the door, cards shown at 10-40 cm):
af_mode = "continuous"   # continuous | auto (focus once at start) | manual (lens_position, fixed)
af_range = "macro"       # macro (close: 10 cm up to about a metre) | normal | full
lens_position = 4.0      # manual focus in dioptres (1 / metres): 4.0 = 25 cm, sharp from ~17 to 50 cm
exposure_mode = "short"  # short (auto exposure, the tuning file's short-exposure profile: less
                         # motion blur, more gain) | normal | manual (exposure_us and gain, fixed)
exposure_us = 8000       # manual: exposure time; <= 10 ms keeps a moving card readable
gain = 6.0               # manual: analogue gain (noise grows with it)
crop = [0.0, 0.0, 1.0, 1.0]  # the region of the sensor to read, x y width height as fractions:
                         # e.g. [0.2, 0.1, 0.6, 0.8] where cards are shown (more pixels per module)

[scan]
repeat_window_s = 120    # same card again within this window: "al geregistreerd"
mode = "auto"            # auto (by departure_from) | arrival | departure (a unit at an exit)
departure_from = "12:00" # auto mode: arrival before, departure from this time
mode_key_hold_s = 30     # key A (aankomst) / B (vertrek) holds that mode this long after the last use
collector_window_s = 20  # a collector card ("ophaalkaart"), then a child's card within this: a departure
clock_synced = "auto"    # auto | true | false (override for tests and odd systems)

[keypad]
source = "auto"          # auto (a USB keypad, then the GPIO matrix) | usb | matrix | none
rows = [5, 6, 13, 19]    # matrix: GPIO numbers of the rows (keys 1 2 3 A on the first row)
columns = [12, 16, 20, 21]
drive = "rows"           # matrix: which lines the scan drives (the others are read, pulled up)
usb_device = ""          # usb: /dev/input/eventN; empty: the first device with keypad keys

[feedback]
display = "auto"         # auto (the I2C LCD, then the console) | lcd | console
lights = "auto"          # auto (GPIO LEDs and buzzer when the pins can be opened) | gpio | none
lcd_bus = 1              # /dev/i2c-1
lcd_address = 0x27       # 0x3F for a PCF8574A backpack
green = 17               # GPIO numbers of the green LED, the red LED and the (active) buzzer
red = 27
buzzer = 22
message_s = 4.0          # a message stays this long, then the mode text returns

[delivery]
ack_timeout_s = 5.0      # no ack from the hub this long after publishing: publish again
window = 100             # events published and not yet acknowledged, at most
outbox_capacity = 200000 # events kept while the hub is unreachable; then scans are refused
outbox_warn_ratio = 0.5  # warn staff (display, lights) from this fill level on
disk_warn_mb = 50.0      # warn staff too when the outbox's disk has less than this free
disk_reserve_mb = 5.0    # refuse new scans below this much free: the rest is for removing acked events
status_every_s = 30.0    # retained status at least this often (and on every backlog change)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from wire import staffcode
from wire.broker_url import BrokerAddress
from wire.topics import is_valid_id


class ConfigError(ValueError):
    """The unit's configuration file is missing something or has a wrong value."""


@dataclass(frozen=True)
class CameraConfig:
    source: str = "auto"
    folder: str | None = None
    device: int = 0
    codes: tuple[str, ...] = ()
    every_s: float = 4.0
    start_s: float = 2.0
    fps: float = 10.0
    width: int = 1280
    height: int = 720
    hold_s: float = 0.6
    af_mode: str = "continuous"
    af_range: str = "macro"
    lens_position: float = 4.0
    exposure_mode: str = "short"
    exposure_us: int = 8000
    gain: float = 6.0
    crop: tuple[float, ...] = (0.0, 0.0, 1.0, 1.0)


@dataclass(frozen=True)
class ScanConfig:
    repeat_window_s: float = 120.0
    mode: str = "auto"
    departure_from: str = "12:00"
    presence_gap_s: float = 1.5  # a card out of view this long, then back, is a new presentation
    mode_key_hold_s: float = 30.0
    collector_window_s: float = 20.0
    clock_synced: str | bool = "auto"


@dataclass(frozen=True)
class KeypadConfig:
    source: str = "auto"
    rows: tuple[int | str, ...] = (5, 6, 13, 19)
    columns: tuple[int | str, ...] = (12, 16, 20, 21)
    drive: str = "rows"
    usb_device: str = ""


@dataclass(frozen=True)
class FeedbackConfig:
    display: str = "auto"
    lights: str = "auto"
    lcd_bus: int = 1
    lcd_address: int = 0x27
    green: int | str = 17
    red: int | str = 27
    buzzer: int | str = 22
    message_s: float = 4.0


@dataclass(frozen=True)
class DeliveryConfig:
    ack_timeout_s: float = 5.0  # no hub ack this long after publishing: publish again
    window: int = 100  # events published and not yet acked, at most
    outbox_capacity: int = 200_000
    outbox_warn_ratio: float = 0.5
    disk_warn_mb: float = 50.0
    disk_reserve_mb: float = 5.0
    status_every_s: float = 30.0


@dataclass(frozen=True)
class UpdateConfig:
    """Where the update service installs (device/updater.py); paths relative to unit.toml's folder."""

    venv: str = "/opt/aanwezig/.venv"
    store: str = "/var/lib/aanwezig/updates"
    key: str = "update-key.pub"  # the organisation's public update key, from the unit's bundle


@dataclass(frozen=True)
class UnitSettings:
    unit: str
    location: str
    broker: BrokerAddress
    data_dir: Path
    camera: CameraConfig = field(default_factory=CameraConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    keypad: KeypadConfig = field(default_factory=KeypadConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    update: UpdateConfig = field(default_factory=UpdateConfig)
    # The unit's own key for the staff code, from staff.key beside unit.toml (wire/staffcode.py);
    # None for a unit enrolled before keys existed: it checks the hub's unkeyed pin_hash.
    staff_key: bytes | None = field(default=None, repr=False)

    @property
    def outbox_path(self) -> Path:
        return self.data_dir / "outbox.sqlite3"


def load(path: str | Path) -> UnitSettings:
    """Read and check a unit configuration file."""
    try:
        raw = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"no unit configuration at {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    settings = from_dict(raw, base=Path(path).parent)
    key_file = Path(path).parent / staffcode.KEY_FILE
    if not key_file.exists():
        return settings
    try:
        return replace(settings, staff_key=staffcode.parse_key(key_file.read_text()))
    except ValueError as exc:
        raise ConfigError(f"{key_file}: {exc}") from None


_TOP_LEVEL = {
    "unit", "location", "broker", "data_dir", "camera", "scan", "delivery", "keypad", "feedback", "update",
}  # fmt: skip


def from_dict(raw: dict[str, Any], base: Path = Path(".")) -> UnitSettings:
    unknown = set(raw) - _TOP_LEVEL
    if unknown:  # a misspelt table would otherwise be ignored, and its wiring with it
        raise ConfigError(f"unknown setting(s) or table(s): {', '.join(sorted(unknown))}")
    for key in ("unit", "location", "broker"):
        if not raw.get(key):
            raise ConfigError(f"'{key}' is required")
    for key in ("unit", "location"):
        if not is_valid_id(raw[key]):
            raise ConfigError(f"'{key}' must be letters, digits, '-' or '_': {raw[key]!r}")
    try:
        broker = BrokerAddress.parse(raw["broker"])
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return UnitSettings(
        unit=raw["unit"],
        location=raw["location"],
        broker=broker,
        data_dir=(base / raw.get("data_dir", "data")).resolve(),
        camera=_section(CameraConfig, raw.get("camera", {})),
        scan=_section(ScanConfig, raw.get("scan", {})),
        delivery=_section(DeliveryConfig, raw.get("delivery", {})),
        keypad=_section(KeypadConfig, raw.get("keypad", {})),
        feedback=_section(FeedbackConfig, raw.get("feedback", {})),
        update=_update_section(raw.get("update", {}), base),
    )


def _update_section(values: dict[str, Any], base: Path) -> UpdateConfig:
    given = _section(UpdateConfig, values)
    return UpdateConfig(*(str((base / getattr(given, f.name)).resolve()) for f in fields(UpdateConfig)))


CAMERA_CHOICES = {
    "af_mode": ("continuous", "auto", "manual"),
    "af_range": ("macro", "normal", "full"),
    "exposure_mode": ("short", "normal", "manual"),
}


def _valid_crop(crop: Any) -> bool:
    try:
        x, y, w, h = (float(v) for v in crop)
    except (TypeError, ValueError):
        return False
    return 0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x + 1e-9 and 0 < h <= 1 - y + 1e-9


def _section(cls: type, values: dict[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) in [{cls.__name__}]: {', '.join(sorted(unknown))}")
    if values.get("mode", "auto") not in ("auto", "arrival", "departure"):
        raise ConfigError(f"scan.mode must be auto, arrival or departure, not {values['mode']!r}")
    if values.get("drive", "rows") not in ("rows", "columns"):
        raise ConfigError(f"keypad.drive must be rows or columns, not {values['drive']!r}")
    for key, allowed in CAMERA_CHOICES.items():
        if cls is CameraConfig and values.get(key, allowed[0]) not in allowed:
            raise ConfigError(f"camera.{key} must be one of {', '.join(allowed)}, not {values[key]!r}")
    crop = values.get("crop", (0.0, 0.0, 1.0, 1.0)) if cls is CameraConfig else None
    if crop is not None and not _valid_crop(crop):
        raise ConfigError(f"camera.crop must be [x, y, width, height], fractions of the sensor: {crop!r}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls(**values)
