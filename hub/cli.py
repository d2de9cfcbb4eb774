"""``aanwezig-hub``: run the hub, or the whole demo on embedded defaults.

Every command but ``demo`` works on the hub of a settings file: ``--config``, else
``$AANWEZIG_HUB_CONFIG``, else ``/etc/aanwezig/hub.toml``. Without one it refuses to run: a command
that guessed would make a new, empty database under the current folder and report success.
``demo`` runs on embedded defaults; only with its own ``--config`` does it take the database that
file names (a ``postgresql://`` one, to show the hub on PostgreSQL).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from hub import __version__

DEFAULT_CONFIG = Path("/etc/aanwezig/hub.toml")
CONFIG_ENV = "AANWEZIG_HUB_CONFIG"
CONFIG_HELP = f"hub TOML settings (default: ${CONFIG_ENV}, else {DEFAULT_CONFIG})"


class NoSettingsFile(Exception):
    """No hub settings file to work on: the command stops with exit code 2 and says why."""


def settings_file(given: str | None, environ: dict[str, str] | None = None) -> Path:
    """The settings file a command works on: ``--config``, ``$AANWEZIG_HUB_CONFIG``, or the default."""
    environ = os.environ if environ is None else environ
    if given:
        path, how = Path(given), "--config"
    elif environ.get(CONFIG_ENV):
        path, how = Path(environ[CONFIG_ENV]), f"${CONFIG_ENV}"
    else:
        path, how = DEFAULT_CONFIG, "the default"
    if not path.is_file():
        raise NoSettingsFile(
            f"aanwezig-hub: no hub settings file at {path} ({how}). Give one with --config FILE or "
            f"${CONFIG_ENV}; nothing was done (no database was created)."
        )
    return path


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl+C is how the README says to stop the hub and the demo
        return 0


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="aanwezig-hub", description="Aanwezig hub")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--log-level", default="INFO")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the hub: MQTT ingest and web portal")
    serve.add_argument("--config", help=CONFIG_HELP)

    worker = sub.add_parser(
        "ingest-worker",
        help="one of the ingest workers of a hub with ingest_workers > 1 (see docs/deployment.md)",
    )
    worker.add_argument("--index", type=int, required=True, help="the worker's number, 1 to ingest_workers")
    worker.add_argument("--config", help=CONFIG_HELP)
    worker.add_argument(
        "--exit-with-parent", action="store_true", help="leave when the hub that started it ends"
    )

    migrate = sub.add_parser("migrate", help="create or upgrade the database and exit")
    migrate.add_argument("--config", help=CONFIG_HELP)

    upload = sub.add_parser("upload", help="send a finished month to Kind en Gezin now (on demand)")
    upload.add_argument("location", help="location id")
    upload.add_argument("month", help="YYYY-MM")
    upload.add_argument("--config", help=CONFIG_HELP)
    invite = sub.add_parser("invite", help="register an organisator (if new) and mail the set-password link")
    invite.add_argument("email")
    invite.add_argument("--name", default="", help="the organisation's name (needed for a new organisator)")
    invite.add_argument("--config", help=CONFIG_HELP)

    location = sub.add_parser("add-location", help="register a location of an organisator")
    location.add_argument("location_id", help="id on the wire and in topics: letters, digits, - and _")
    location.add_argument("--organisator", required=True, help="the organisator's e-mail address")
    location.add_argument("--dossier", required=True, help="dossier number from Kind en Gezin")
    location.add_argument("--name", required=True)
    location.add_argument("--address", default="")
    location.add_argument(
        "--hours",
        default="ma-vr 07:00-18:00",
        help='opening hours, e.g. "ma-vr 07:00-18:00; wo 07:00-12:00,13:00-18:00; vr gesloten" '
        "(default: Monday to Friday 07:00-18:00; changed later on the portal)",
    )
    location.add_argument("--places", type=int, default=None, help="number of places (optional)")
    location.add_argument("--config", help=CONFIG_HELP)

    backup = sub.add_parser("backup", help="online backup of the database into DIR (checksum, manifest)")
    backup.add_argument("dir", type=Path)
    backup.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))
    restore = sub.add_parser("restore", help="put a backup back in place (the hub must be stopped)")
    restore.add_argument("file", type=Path)
    restore.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))
    retention = sub.add_parser("retention", help="erase what has passed its retention period (daily)")
    retention.add_argument("--dry-run", action="store_true", help="count what would go, erase nothing")
    retention.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))
    left = sub.add_parser("child-left", help="record the day a child left (retention counts from it)")
    left.add_argument("child_id", type=int)
    left.add_argument("day", help="DD/MM/YYYY; 'none' clears it")
    left.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))
    fiscal = sub.add_parser(
        "fiscal-attests", help="mail each debtor the year's fiscal attest, once (each spring, by a timer)"
    )
    fiscal.add_argument("year", type=int, nargs="?", help="the calendar year paid; last year by default")
    fiscal.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))

    rollout = sub.add_parser("rollout", help="update the units' software: a few units first, then the rest")
    rollout_sub = rollout.add_subparsers(dest="rollout_command", required=True)
    start = rollout_sub.add_parser("start", help="start a rollout of a signed wheel (WHEEL.sig beside it)")
    start.add_argument("wheel", type=Path)
    start.add_argument("--first", type=int, default=1, help="units in the first stage")
    start.add_argument(
        "--timeout", type=float, default=900.0, help="seconds a stage's units have to report the new version"
    )
    rollout_sub.add_parser("status", help="the last rollout and each unit's version")
    rollout_sub.add_parser("abort", help="stop the running rollout; the units already updated roll back")
    for parsed in rollout_sub.choices.values():
        parsed.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))

    to_pg = sub.add_parser(
        "migrate-to-postgresql",
        help="copy a SQLite hub's data to an empty PostgreSQL database and verify counts and checksums",
    )
    to_pg.add_argument("sqlite_path", type=Path, help="the SQLite hub database (hub.sqlite3), up to date")
    to_pg.add_argument("url", help="postgresql://user@host/database (its schema is created)")

    demo = sub.add_parser("demo", help="hub + embedded broker + simulated scanner, with demo data")
    demo.add_argument("--data-dir", type=Path, default=Path("var/demo"))
    demo.add_argument("--port", type=int, default=8000, help="portal port (another free one if taken)")
    demo.add_argument("--broker-port", type=int, default=1883, help="embedded broker port (another if taken)")
    demo.add_argument("--every", type=float, default=4.0, help="seconds between two simulated scans")
    demo.add_argument(
        "--config",
        help="hub TOML settings whose database the demo seeds and runs on (only its database is used; "
        "without it: SQLite in the data folder)",
    )

    args = parser.parse_args(argv)
    who = f" [ingest-{args.index}]" if args.command == "ingest-worker" else ""  # several in one journal
    logging.basicConfig(
        level=args.log_level.upper(), format=f"%(asctime)s %(levelname)s{who} %(name)s: %(message)s"
    )

    if args.command == "migrate-to-postgresql":
        from hub.core.to_postgresql import MigrationRefused, migrate_to_postgresql

        try:
            migrate_to_postgresql(args.sqlite_path, args.url)
        except MigrationRefused as refused:
            print(f"migrate-to-postgresql: {refused}", file=sys.stderr)
            return 1
        print(f'done: set database = "{args.url}" in hub.toml and restart the hub')
        return 0

    if args.command == "demo":
        from hub import demo as demo_module

        database = ""
        if args.config:
            from hub.core.settings import load

            try:
                database = load(settings_file(args.config)).database
            except NoSettingsFile as missing:
                print(missing, file=sys.stderr)
                return 2
        return demo_module.run(
            args.data_dir,
            http_port=args.port,
            broker_port=args.broker_port,
            every_s=args.every,
            database=database,
        )

    from hub.units import service

    try:
        config_path = settings_file(args.config)
        settings = service.load_settings(config_path)
    except NoSettingsFile as missing:
        print(missing, file=sys.stderr)
        return 2
    if args.command == "ingest-worker":
        from hub.ingest.workers import run_worker

        return run_worker(settings, args.index, exit_with_parent=args.exit_with_parent)
    if args.command == "migrate":
        from hub.core.db import make_private

        make_private(settings.database_path)
        applied = service.migrate_database(settings.database_path)
        print(f"{settings.database_path}: applied {len(applied)} migration(s) {' '.join(applied)}".rstrip())
        return 0

    if args.command == "upload":
        from hub.upload import cli as upload_cli

        return upload_cli.run(settings, args.location, args.month)
    if args.command in ("backup", "restore", "retention", "child-left"):
        from hub.operations import cli as operations_cli

        return operations_cli.run(args, settings)
    if args.command == "fiscal-attests":
        from hub.billing.fiscal_mails import run_command

        return run_command(settings, args.year)
    if args.command == "rollout":
        from hub.rollout import cli as rollout_cli

        return rollout_cli.run(args, settings)
    if args.command == "invite":
        from hub.accounts import admin

        return admin.main(args, settings)
    if args.command == "add-location":
        from hub.locations import admin as location_admin

        return location_admin.main(args, settings)

    from hub.operations.lock import HubIsRunning
    from hub.service import Hub

    hub = Hub(settings, config_path=config_path)
    try:
        hub.start()
    except HubIsRunning as exc:
        print(f"aanwezig-hub serve: {exc}", file=sys.stderr)
        return 1
    logging.getLogger("hub").info("portal on %s", hub.portal_url())
    hub.serve_http()
    return 0
