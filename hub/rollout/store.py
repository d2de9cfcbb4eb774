"""Rollouts in the hub database: starting one, reading it for the rules, keeping what they decide."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlite_utils

from hub.core.localtime import now_utc_iso
from hub.rollout.rules import ACTIVE, RolloutView, UnitView
from wire.ids import new_event_id
from wire.update_manifest import SIGNATURE_SUFFIX, BadManifest, UpdateManifest, wheel_name_and_version


class RolloutError(ValueError):
    """A rollout cannot be started or aborted as asked."""


@dataclass(frozen=True)
class Wheel:
    manifest: UpdateManifest
    signature: str


def read_wheel(wheel: Path) -> Wheel:
    """The signed manifest beside ``wheel``, checked against the file (the units check the signature)."""
    signature_file = wheel.with_name(wheel.name + SIGNATURE_SUFFIX)
    if not wheel.is_file() or not signature_file.is_file():
        raise RolloutError(f"{wheel}: the wheel and its {SIGNATURE_SUFFIX} file are needed (sign-update)")
    try:
        manifest, signature = UpdateManifest.from_json(signature_file.read_text())
        wheel_name_and_version(wheel.name)
    except BadManifest as exc:
        raise RolloutError(str(exc)) from None
    if manifest.file != wheel.name or hashlib.sha256(wheel.read_bytes()).hexdigest() != manifest.sha256:
        raise RolloutError(f"{wheel.name} is not the wheel its {SIGNATURE_SUFFIX} file was made for")
    return Wheel(manifest, signature)


def start(
    db: sqlite_utils.Database, wheel: Path, folder: Path, first: int, timeout_s: float, at: str | None = None
) -> str:
    """Start a rollout of ``wheel`` to every active unit that takes commands; returns its id.
    Call it in a write transaction."""
    signed = read_wheel(wheel)
    if first < 1:
        raise RolloutError("--first must be at least 1")
    if current(db) is not None:
        raise RolloutError(f"rollout {current(db)} is still running: wait for it or abort it")
    units = db.execute(
        "SELECT id, location_id FROM units WHERE state = 'active' AND offline_after_s IS NULL ORDER BY id"
    ).fetchall()
    if not units:
        raise RolloutError("no active units to update")
    folder.mkdir(parents=True, exist_ok=True)
    for source in (wheel, wheel.with_name(wheel.name + SIGNATURE_SUFFIX)):
        if (folder / source.name).resolve() != source.resolve():
            shutil.copyfile(source, folder / source.name)
    rollout_id, at = new_event_id(), at or now_utc_iso()
    m = signed.manifest
    db.execute(
        "INSERT INTO rollouts (id, file, name, version, sha256, signed_at, signature, first_count, "
        "timeout_s, state, started_at, stage_started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'stage1', ?, ?)",
        (rollout_id, m.file, m.name, m.version, m.sha256, m.signed_at, signed.signature, first, timeout_s,
         at, at),
    )  # fmt: skip
    for index, (unit_id, location_id) in enumerate(units):
        db.execute(
            "INSERT INTO rollout_units (rollout_id, unit_id, location_id, stage) VALUES (?, ?, ?, ?)",
            (rollout_id, unit_id, location_id, 1 if index < first else 2),
        )
    return rollout_id


def current(db: sqlite_utils.Database) -> str | None:
    """The id of the rollout in stage 1 or 2, if any."""
    row = db.execute(
        "SELECT id FROM rollouts WHERE state IN ('stage1', 'stage2') ORDER BY id DESC"
    ).fetchone()
    return row[0] if row else None


def latest(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT id FROM rollouts ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def rollout(db: sqlite_utils.Database, rollout_id: str) -> RolloutView | None:
    row = db.execute(
        "SELECT id, version, state, stage_started_at, timeout_s, reason FROM rollouts WHERE id = ?",
        (rollout_id,),
    ).fetchone()
    if row is None:
        return None
    return RolloutView(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4], row[5])


def units_of(db: sqlite_utils.Database, rollout_id: str) -> list[UnitView]:
    rows = db.execute(
        "SELECT r.unit_id, r.stage, r.command, u.version, u.update_rollout, u.update_outcome, "
        "u.update_detail FROM rollout_units r JOIN units u ON u.id = r.unit_id WHERE r.rollout_id = ? "
        "ORDER BY r.stage, r.unit_id",
        (rollout_id,),
    ).fetchall()
    return [UnitView(*row) for row in rows]


def needing_attention(db: sqlite_utils.Database) -> list[str]:
    """Rollouts the runner must look at: running, with a command not yet published, or stopped
    with units still to be told to roll back."""
    rows = db.execute(
        f"""
        SELECT id FROM rollouts r WHERE state IN {ACTIVE!r}
           OR EXISTS (SELECT 1 FROM rollout_units x WHERE x.rollout_id = r.id AND x.command IS NOT NULL
                      AND x.published = 0)
           OR (state IN ('stopped', 'aborted') AND EXISTS (
               SELECT 1 FROM rollout_units x WHERE x.rollout_id = r.id AND x.command = 'install'))
        ORDER BY id
        """
    ).fetchall()
    return [row[0] for row in rows]


def save(db: sqlite_utils.Database, view: RolloutView, commands: dict[str, str], at: str) -> None:
    """Keep the rules' decision: the state, and each command as not yet published."""
    ended = at if view.state not in ACTIVE else None
    db.execute(
        "UPDATE rollouts SET state = ?, reason = ?, stage_started_at = ?, ended_at = coalesce(ended_at, ?) "
        "WHERE id = ?",
        (view.state, view.reason, view.stage_started_at.isoformat(), ended, view.id),
    )
    for unit_id, command in commands.items():
        db.execute(
            "UPDATE rollout_units SET command = ?, published = 0 WHERE rollout_id = ? AND unit_id = ?",
            (command, view.id, unit_id),
        )


def unpublished(db: sqlite_utils.Database, rollout_id: str) -> list[tuple[str, str, str]]:
    """(unit, location, command) of the commands the broker has not taken yet."""
    return db.execute(
        "SELECT unit_id, location_id, command FROM rollout_units WHERE rollout_id = ? "
        "AND command IS NOT NULL AND published = 0 ORDER BY unit_id",
        (rollout_id,),
    ).fetchall()


def mark_published(db: sqlite_utils.Database, rollout_id: str, unit_id: str, command: str) -> None:
    db.execute(
        "UPDATE rollout_units SET published = 1 WHERE rollout_id = ? AND unit_id = ? AND command = ?",
        (rollout_id, unit_id, command),
    )


def republish_all(db: sqlite_utils.Database) -> None:
    """After the hub's broker connection came back: publish the last rollout's commands again (not
    an older rollout's: a unit would act on it before the newer one replaced it)."""
    db.execute(
        "UPDATE rollout_units SET published = 0 WHERE command IS NOT NULL "
        "AND rollout_id = (SELECT max(id) FROM rollouts)"
    )


def command_fields(db: sqlite_utils.Database, rollout_id: str) -> dict[str, str]:
    """The manifest of the rollout's wheel, as the update command carries it."""
    row = db.execute(
        "SELECT file, name, version, sha256, signed_at, signature FROM rollouts WHERE id = ?", (rollout_id,)
    ).fetchone()
    return dict(zip(("file", "name", "version", "sha256", "signed_at", "signature"), row, strict=True))


def is_rollout_file(db: sqlite_utils.Database, file: str) -> bool:
    return db.execute("SELECT 1 FROM rollouts WHERE file = ?", (file,)).fetchone() is not None


@dataclass(frozen=True)
class Summary:
    id: str
    file: str
    version: str
    state: str
    reason: str | None
    started_at: str
    units: list[UnitView]


def summary(db: sqlite_utils.Database, rollout_id: str) -> Summary | None:
    row = db.execute(
        "SELECT id, file, version, state, reason, started_at FROM rollouts WHERE id = ?", (rollout_id,)
    ).fetchone()
    return Summary(*row, units_of(db, rollout_id)) if row else None


@dataclass(frozen=True)
class ScannerLine:
    """One scanner of a location as the organisator's page shows it."""

    unit: str
    online: bool
    version: str | None
    last_seen: str | None
    progress: str  # Dutch: where this scanner is in the last rollout ("" when not in it)


def scanners_of(db: sqlite_utils.Database, location_id: str) -> tuple[Summary | None, list[ScannerLine]]:
    """The last rollout and the location's active scanners with their place in it."""
    latest_id = latest(db)
    found = summary(db, latest_id) if latest_id else None
    in_rollout = {u.unit: u for u in found.units} if found else {}
    rows = db.execute(
        "SELECT id, online, version, last_seen FROM units WHERE location_id = ? AND state = 'active' "
        "AND offline_after_s IS NULL ORDER BY id",
        (location_id,),
    ).fetchall()
    lines = []
    for unit_id, online, version, last_seen in rows:
        view = in_rollout.get(unit_id)
        lines.append(ScannerLine(unit_id, bool(online), version, last_seen, _progress(found, view)))
    return found, lines


def _progress(found: Summary | None, unit: UnitView | None) -> str:
    if found is None or unit is None:
        return ""
    ours = unit.update_rollout == found.id
    if unit.command is None:
        return "wacht op de tweede fase" if found.state in ACTIVE else "niet bijgewerkt"
    if unit.command == "rollback":
        return "teruggezet naar de vorige versie" if unit.version != found.version else "wordt teruggezet"
    if ours and unit.update_outcome == "refused":
        return "geweigerd: het bestand of de handtekening klopt niet"
    if ours and unit.update_outcome == "failed":
        return "mislukt: de vorige versie is teruggezet"
    return "bijgewerkt" if unit.version == found.version else "wordt bijgewerkt"
