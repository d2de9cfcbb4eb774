"""The operations commands of ``aanwezig-hub``: backup, restore, retention."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from hub.core.settings import HubSettings
from hub.operations.backup import BackupError, backup, restore
from hub.operations.lock import HubIsRunning


def run(args: argparse.Namespace, settings: HubSettings) -> int:
    try:
        if args.command == "backup":
            done = backup(settings, args.dir)
            counts = done.manifest["tables"]
            print(
                f"{done.path}: {done.manifest['bytes']} bytes, sha256 {done.manifest['sha256']}, "
                f"{counts.get('events', 0)} events; {len(done.manifest['files'])} data files "
                f"({done.manifest['files_bytes']} bytes); rotation removed {len(done.removed)}"
            )
            if done.manifest["not_in_backup"]:
                print(f"not in the backup: {', '.join(done.manifest['not_in_backup'])}", file=sys.stderr)
            return 0
        if args.command == "restore":
            aside = restore(settings, args.file)
            print(
                f"restored {args.file} (with its data files, if it has them) into {settings.data_dir}; "
                f"the replaced database is {aside}"
            )
            return 0
        if args.command == "retention":
            from hub.operations.retention import run_retention

            if args.dry_run:
                print(run_retention(settings, dry_run=True).summary())
                return 0
            # once a day for the whole hub, also when each of several hub machines has the timer
            from hub.core.db import connect, migrate
            from hub.core.leases import held, holder_name

            db = connect(settings.database_path)
            try:
                migrate(db)  # the lease's table comes with the hub's migrations
                with held(db, "retention", holder_name(f"{settings.client_id}-retention"), 3600) as mine:
                    if not mine:
                        print("retention: another hub process is erasing now; nothing done here")
                        return 0
                    report = run_retention(settings)
            finally:
                db.close()
            print(report.summary())
            return 0
        if args.command == "child-left":
            return _child_left(settings, args.child_id, args.day)
    except (BackupError, HubIsRunning) as exc:
        print(f"aanwezig-hub {args.command}: {exc}", file=sys.stderr)
        return 1
    raise AssertionError(args.command)


def _child_left(settings: HubSettings, child_id: int, day: str) -> int:
    from hub.core.db import open_database

    left_on = None
    if day.lower() != "none":
        try:
            left_on = datetime.strptime(day, "%d/%m/%Y").date().isoformat()
        except ValueError:
            print(f"aanwezig-hub child-left: {day!r} is not a date DD/MM/YYYY", file=sys.stderr)
            return 1
    db = open_database(settings.database_path)
    try:
        if db.execute("SELECT 1 FROM children WHERE id = ?", (child_id,)).fetchone() is None:
            print(f"aanwezig-hub child-left: no child with id {child_id}", file=sys.stderr)
            return 1
        with db.conn:  # the last day at each of the child's locations: the portal's "Laatste opvangdag"
            db.conn.execute(
                """
                INSERT INTO child_stays (child_id, location_id, last_day)
                SELECT child_id, location_id, ? FROM child_locations WHERE child_id = ?
                ON CONFLICT (child_id, location_id) DO UPDATE SET last_day = excluded.last_day
                """,
                (left_on, child_id),
            )
    finally:
        db.close()
    print(f"child {child_id}: left on {day}" if left_on else f"child {child_id}: still here")
    return 0
