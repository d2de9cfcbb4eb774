"""The unit's update service: carries out the hub's update command (wire ``UpdateCommand``).

The command arrives retained on the unit's command topic, so a unit that was offline gets it when
it connects, and again after every reconnect: handling it is idempotent. ``install``: a unit that
already runs the version does nothing but report; otherwise it fetches the wheel from the hub over
HTTP(S) (HTTP Basic: its unit id and ``download_token``, made with its staff key, which the hub
also holds), writes the signed manifest beside it and hands it to :mod:`device.update`, which
verifies the organisation's signature before pip runs. A wheel that does not verify is refused and
nothing is installed; an install that fails puts the previous version back. After an install or a
rollback the unit restarts (systemd starts it again; tests pass a hook) and its status reports the
version it runs and the outcome (``update_rollout``, ``update_outcome``, ``update_detail``), kept
in the store's ``report.json`` so that it survives the restart. A rollout that ended in refused or
failed is not tried again on the next delivery of the same command.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from device import update
from wire import UpdateAction, UpdateCommand, UpdateOutcome
from wire.update_manifest import SIGNATURE_SUFFIX, UpdateManifest, download_token

log = logging.getLogger(__name__)

REPORT_NAME = "report.json"
PENDING_NAME = "pending.json"  # an installed update whose new version has not connected yet
BOOT_TRIES = 3  # starts of a new version that does not connect before the previous one comes back
MAX_WHEEL_BYTES = 200 * 2**20  # a wheel of the unit's software is a few MB; more is not ours
DETAIL_CHARS = 400  # the status must stay well under the wire's payload limit


@dataclass(frozen=True)
class Report:
    rollout: str | None = None
    outcome: UpdateOutcome | None = None
    detail: str | None = None


class Updater:
    """Runs update commands one at a time in its own thread (pip must not block the MQTT loop)."""

    def __init__(
        self,
        unit: str,
        public_key: Path,
        venv: Path,
        store: Path,
        staff_key: bytes | None,
        restart: Callable[[], None],
        reported: Callable[[], None],
        expect_name: str = update.DISTRIBUTION,
    ) -> None:
        self.unit = unit
        self.public_key = public_key
        self.venv = venv
        self.store = store
        self.staff_key = staff_key
        self.restart = restart
        self.reported = reported  # publish the status again: the report changed
        self.expect_name = expect_name
        self._lock = threading.Lock()
        self._busy: tuple[str, str] | None = None
        self._one_at_a_time = threading.Lock()  # a rollback waits for the install it undoes

    @property
    def report(self) -> Report:
        path = self.store / REPORT_NAME
        try:
            raw = json.loads(path.read_text())
            return Report(raw.get("rollout"), UpdateOutcome(raw["outcome"]), raw.get("detail"))
        except (OSError, ValueError, KeyError):
            return Report()

    def handle(self, command: UpdateCommand) -> None:
        """Start carrying out ``command`` unless the same one is already running."""
        key = (command.rollout, str(command.action))
        with self._lock:
            if self._busy == key:
                return
            self._busy = key
        threading.Thread(target=self._run, args=(command,), name="update", daemon=True).start()

    def _run(self, command: UpdateCommand) -> None:
        with self._one_at_a_time:
            self._carry_out(command)

    def _carry_out(self, command: UpdateCommand) -> None:
        try:
            if command.action is UpdateAction.INSTALL:
                self._install(command)
            else:
                self._rollback(command)
        except Exception as exc:  # the unit keeps scanning whatever happens here
            log.exception("update %s failed", command.rollout)
            self._record(command.rollout, UpdateOutcome.FAILED, f"unexpected: {exc}")
        finally:
            with self._lock:
                self._busy = None

    def _install(self, command: UpdateCommand) -> None:
        done = self.report
        if done.rollout == command.rollout and done.outcome in (UpdateOutcome.REFUSED, UpdateOutcome.FAILED):
            return  # already tried and reported; a redelivery must not loop
        if update.installed_version(self.venv, self.expect_name) == command.version:
            log.info("update %s: already running version %s", command.rollout, command.version)
            if done.rollout != command.rollout or done.outcome is not UpdateOutcome.INSTALLED:
                self._record(command.rollout, UpdateOutcome.INSTALLED, None)
            return
        log.info("update %s: fetching %s %s", command.rollout, command.file, command.version)
        try:
            wheel = self._fetch(command)
            update.verify(wheel, self.public_key.read_bytes(), self.expect_name)
        except (update.UpdateRefused, OSError, ValueError) as exc:
            log.error("update %s refused: %s", command.rollout, exc)
            self._record(command.rollout, UpdateOutcome.REFUSED, str(exc))
            return
        try:
            installed = update.install(
                wheel, self.public_key.read_bytes(), self.venv, self.store, self.expect_name
            )
        except (update.UpdateRefused, OSError) as exc:
            log.error("update %s failed, going back: %s", command.rollout, exc)
            self._back_after_failure()
            self._record(command.rollout, UpdateOutcome.FAILED, str(exc))
            return
        log.info("update %s: installed version %s, restarting", command.rollout, installed.version)
        self._record(command.rollout, UpdateOutcome.INSTALLED, None, publish=False)
        mark_pending(self.store, command.rollout, installed.version)
        self.restart()
        self.reported()

    def _rollback(self, command: UpdateCommand) -> None:
        if update.installed_version(self.venv, self.expect_name) != command.version:
            done = self.report
            if done.rollout == command.rollout and done.outcome is UpdateOutcome.INSTALLED:
                self._record(command.rollout, UpdateOutcome.ROLLED_BACK, None)  # not on it (any more)
            return
        try:
            back = update.rollback(self.public_key.read_bytes(), self.venv, self.store, self.expect_name)
        except (update.UpdateRefused, OSError) as exc:
            log.error("rollback of %s failed: %s", command.rollout, exc)
            self._record(command.rollout, UpdateOutcome.FAILED, f"rollback: {exc}")
            return
        log.info("update %s rolled back to version %s, restarting", command.rollout, back.version)
        self._record(command.rollout, UpdateOutcome.ROLLED_BACK, None, publish=False)
        self.restart()
        self.reported()

    def _back_after_failure(self) -> None:
        try:
            update.rollback(self.public_key.read_bytes(), self.venv, self.store, self.expect_name)
        except (update.UpdateRefused, OSError) as exc:
            log.error("could not go back to the previous version: %s", exc)

    def _fetch(self, command: UpdateCommand) -> Path:
        """Download the wheel into the store's incoming folder, its signed manifest beside it."""
        if not command.file.endswith(".whl") or "/" in command.file or command.file.startswith("."):
            raise update.UpdateRefused(f"{command.file!r} is not a wheel's file name; refused")
        if self.staff_key is None:
            raise update.UpdateRefused("this unit has no staff key to authenticate the download with")
        incoming = self.store / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        wheel = incoming / command.file
        credentials = base64.b64encode(f"{self.unit}:{download_token(self.staff_key, command.file)}".encode())
        request = urllib.request.Request(
            command.url, headers={"Authorization": f"Basic {credentials.decode()}"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer, wheel.open("wb") as out:
            total = 0
            while block := answer.read(1 << 16):
                total += len(block)
                if total > MAX_WHEEL_BYTES:
                    raise update.UpdateRefused(
                        f"{command.file}: larger than {MAX_WHEEL_BYTES} bytes; refused"
                    )
                out.write(block)
        manifest = UpdateManifest(
            file=command.file,
            name=command.name,
            version=command.version,
            sha256=command.sha256,
            signed_at=command.signed_at,
        )
        wheel.with_name(wheel.name + SIGNATURE_SUFFIX).write_text(manifest.to_json(command.signature))
        return wheel

    def confirm(self) -> None:
        """The unit is connected: the version it runs came up, so no start-up check rolls it back."""
        try:
            (self.store / PENDING_NAME).unlink(missing_ok=True)
        except OSError as exc:  # the connection must go on whatever the store's disk says
            log.warning("could not confirm the running version: %s", exc)

    def _record(self, rollout: str, outcome: UpdateOutcome, detail: str | None, publish: bool = True) -> None:
        write_report(self.store, rollout, outcome, detail)
        if publish:
            self.reported()


def write_report(store: Path, rollout: str | None, outcome: UpdateOutcome, detail: str | None) -> None:
    """Keep what became of an update for the unit's status (also across a restart)."""
    store.mkdir(parents=True, exist_ok=True)
    body = {"rollout": rollout, "outcome": str(outcome), "detail": detail[:DETAIL_CHARS] if detail else None}
    _write_json(store / REPORT_NAME, body)


def mark_pending(store: Path, rollout: str, version: str) -> None:
    """A new version is installed and must still prove that it starts and connects."""
    _write_json(store / PENDING_NAME, {"rollout": rollout, "version": version, "boots": 0})


def boot_check(public_key: Path, venv: Path, store: Path, tries: int = BOOT_TRIES) -> bool:
    """Before the unit starts (systemd's ExecStartPre): count the starts of a new version that has
    not connected yet; past ``tries``, put the previous version back and report the update failed
    (a version that crashes at start could never take the hub's rollback command). True: rolled back."""
    path = store / PENDING_NAME
    try:
        pending = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    boots = int(pending.get("boots", 0)) + 1
    if boots <= tries:
        _write_json(path, {**pending, "boots": boots})
        return False
    back = update.rollback(public_key.read_bytes(), venv, store)
    path.unlink(missing_ok=True)
    detail = f"version {pending.get('version')} did not connect in {tries} starts; back on {back.version}"
    write_report(store, pending.get("rollout"), UpdateOutcome.FAILED, detail)
    log.error("%s", detail)
    return True


def _write_json(path: Path, body: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(body) + "\n")
    tmp.rename(path)


def main(argv: list[str] | None = None) -> int:
    """``python -m device.updater boot-check --config unit.toml`` (systemd runs it before the unit)."""
    import argparse

    from device.config import ConfigError, load

    parser = argparse.ArgumentParser(prog="python -m device.updater")
    parser.add_argument("command", choices=["boot-check"])
    parser.add_argument("--config", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="aanwezig-update: %(message)s")
    try:
        paths = load(args.config).update
        boot_check(Path(paths.key), Path(paths.venv), Path(paths.store))
    except (ConfigError, update.UpdateRefused, OSError) as exc:
        print(f"aanwezig-update: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
