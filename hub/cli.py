"""``aanwezig-hub``: run the hub, or the whole demo on embedded defaults."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from hub import __version__


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
    serve.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"), help="hub TOML settings")

    migrate = sub.add_parser("migrate", help="create or upgrade the database and exit")
    migrate.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))

    upload = sub.add_parser("upload", help="send a finished month to Kind en Gezin now (on demand)")
    upload.add_argument("location", help="location id")
    upload.add_argument("month", help="YYYY-MM")
    upload.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))
    invite = sub.add_parser("invite", help="register an organisator (if new) and mail the set-password link")
    invite.add_argument("email")
    invite.add_argument("--name", default="", help="the organisation's name (needed for a new organisator)")
    invite.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))

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
    location.add_argument("--config", default=os.environ.get("AANWEZIG_HUB_CONFIG"))

    demo = sub.add_parser("demo", help="hub + embedded broker + simulated scanner, with demo data")
    demo.add_argument("--data-dir", type=Path, default=Path("var/demo"))
    demo.add_argument("--port", type=int, default=8000, help="portal port (another free one if taken)")
    demo.add_argument("--broker-port", type=int, default=1883, help="embedded broker port (another if taken)")
    demo.add_argument("--every", type=float, default=4.0, help="seconds between two simulated scans")

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    if args.command == "demo":
        from hub import demo as demo_module

        return demo_module.run(
            args.data_dir, http_port=args.port, broker_port=args.broker_port, every_s=args.every
        )

    from hub.core.settings import load

    settings = load(args.config)
    if args.command == "migrate":
        from hub.core.db import connect, migrate

        settings.database_path.parent.mkdir(parents=True, exist_ok=True)
        applied = migrate(connect(settings.database_path))
        print(f"{settings.database_path}: applied {len(applied)} migration(s) {' '.join(applied)}".rstrip())
        return 0

    if args.command == "upload":
        from hub.upload import cli as upload_cli

        return upload_cli.run(settings, args.location, args.month)
    if args.command in ("invite", "add-location"):
        from hub.accounts import admin

        return admin.main(args, settings)

    from hub.service import Hub

    hub = Hub(settings)
    hub.start()
    logging.getLogger("hub").info("portal on %s", hub.portal_url())
    hub.serve_http()
    return 0
