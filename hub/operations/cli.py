"""The operations commands of ``aanwezig-hub``: backup, restore, retention."""

from __future__ import annotations

import argparse
import sys

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
                f"{counts.get('events', 0)} events; rotation removed {len(done.removed)}"
            )
            return 0
        if args.command == "restore":
            aside = restore(settings, args.file)
            print(f"restored {args.file} into {settings.database_path}; the replaced database is {aside}")
            return 0
        if args.command == "retention":
            from hub.operations.retention import run_retention

            report = run_retention(settings, dry_run=args.dry_run)
            print(report.summary())
            return 0
    except (BackupError, HubIsRunning) as exc:
        print(f"aanwezig-hub {args.command}: {exc}", file=sys.stderr)
        return 1
    raise AssertionError(args.command)
