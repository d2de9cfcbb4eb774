"""``aanwezig-hub rollout start|status|abort``: the technician's side of a staged rollout.

``start`` registers the rollout in the database; the running hub's rollout thread sends the
commands and moves it on (hub/rollout/runner.py), so the hub must be running for it to proceed.
"""

from __future__ import annotations

import argparse
import sys

from hub.core.db import open_database, write_transaction
from hub.core.localtime import now_utc_iso
from hub.core.settings import HubSettings
from hub.rollout import rules, store

UPDATES_FOLDER = "updates"


def run(args: argparse.Namespace, settings: HubSettings) -> int:
    db = open_database(settings.database_path)
    try:
        if args.rollout_command == "start":
            try:
                with write_transaction(db):
                    rollout_id = store.start(
                        db, args.wheel, settings.data_dir / UPDATES_FOLDER, args.first, args.timeout
                    )
            except store.RolloutError as exc:
                print(f"aanwezig-hub rollout: {exc}", file=sys.stderr)
                return 2
            print(f"rollout {rollout_id} started: {args.wheel.name} to {args.first} unit(s) first")
            return 0
        if args.rollout_command == "abort":
            running = store.current(db)
            if running is None:
                print("aanwezig-hub rollout: no rollout is running", file=sys.stderr)
                return 1
            with write_transaction(db):
                view = store.rollout(db, running)
                store.save(db, rules.abort(view), {}, now_utc_iso())
            print(f"rollout {running} aborted: the units already sent it roll back")
            return 0
        latest = store.latest(db)
        found = store.summary(db, latest) if latest else None
        if found is None:
            print("no rollouts yet")
            return 0
        print(f"rollout {found.id}: {found.file} (version {found.version}), {found.state}")
        if found.reason:
            print(f"  reason: {found.reason}")
        for unit in found.units:
            outcome = f", update {unit.update_outcome}" if unit.update_rollout == found.id else ""
            runs, sent = unit.version or "?", unit.command or "-"
            print(f"  stage {unit.stage} {unit.unit}: runs {runs}, sent {sent}{outcome}")
        return 0
    finally:
        db.close()
