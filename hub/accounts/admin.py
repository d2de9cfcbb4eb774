"""Registering organisators and locations from the command line (Kind en Gezin's side in AARON).

``aanwezig-hub invite EMAIL --name NAME`` registers an organisator (if new) and mails the link to
set the password; ``aanwezig-hub add-location ID --organisator EMAIL --dossier N --name NAME``
registers a location, open Monday to Friday 07:00-18:00 unless ``--hours`` says otherwise
(``--hours "ma-vr 07:00-18:00; wo 07:00-12:00,13:00-18:00"``). Messages to the person at the
keyboard are in Dutch.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from hub.accounts.actors import Refused
from hub.accounts.service import invite, organisator_by_email
from hub.core.db import open_database
from hub.core.settings import HubSettings
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import DEFAULT_WEEK, parse_week, week_text
from hub.mail import MailError, mailer_for
from wire.topics import is_valid_id


def main(args: argparse.Namespace, settings: HubSettings) -> int:
    db = open_database(settings.database_path)
    try:
        if args.command == "invite":
            return _invite(db, args, settings)
        return _add_location(db, args)
    finally:
        db.close()


def _invite(db, args: argparse.Namespace, settings: HubSettings) -> int:
    try:
        found = invite(
            db, mailer_for(settings), settings.portal_base_url, args.email, args.name, datetime.now(UTC)
        )
    except Refused as refused:
        print(refused.reason, file=sys.stderr)
        return 2
    except MailError as exc:
        print(f"De uitnodiging kon niet verstuurd worden: {exc}", file=sys.stderr)
        return 1
    where = settings.smtp_host or settings.mail_folder
    print(f"Uitnodiging voor {found.name} <{found.email}> verstuurd (via {where}).")
    return 0


def _add_location(db, args: argparse.Namespace) -> int:
    organisator = organisator_by_email(db, args.organisator)
    if organisator is None:
        print(f"Onbekende organisator {args.organisator}: nodig hem eerst uit (invite).", file=sys.stderr)
        return 2
    if not is_valid_id(args.location_id):
        print("Een locatie-id bestaat uit letters, cijfers, - en _ (hoogstens 64 tekens).", file=sys.stderr)
        return 2
    try:
        week = parse_week(getattr(args, "hours", None) or DEFAULT_WEEK)
    except ValueError as exc:
        print(f"Openingsuren: {exc}", file=sys.stderr)
        return 2
    dossier = "".join(ch for ch in args.dossier if ch.isalnum())  # as typed: "912.345.678"
    if not dossier:
        print("Het dossiernummer is leeg.", file=sys.stderr)
        return 2
    places = getattr(args, "places", None)
    with db.atomic():
        db["locations"].insert(
            {
                "id": args.location_id,
                "organisator_id": organisator.id,
                "dossier_number": dossier,
                "name": args.name.strip(),
                "address": args.address.strip(),
                "places": places,
            }
        )
        set_opening_hours(db, args.location_id, week)
    print(f"Locatie {args.name} ({args.location_id}) geregistreerd voor {organisator.name}.")
    print(f"Openingsuren: {week_text(week) or 'elke dag gesloten'} (te wijzigen op het portaal).")
    return 0
