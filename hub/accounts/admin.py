"""Registering organisators and locations from the command line (Kind en Gezin's side in AARON).

``aanwezig-hub invite EMAIL --name NAME`` registers an organisator (if new) and mails the link to
set the password; ``aanwezig-hub add-location ID --organisator EMAIL --dossier N --name NAME``
registers a location. Messages to the person at the keyboard are in Dutch.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from hub.accounts.actors import Refused
from hub.accounts.service import invite, organisator_by_email
from hub.core import bounds
from hub.core.settings import HubSettings
from hub.mail import MailError
from hub.mail.outbox import Outbox, pending, worker_for
from hub.units import service
from wire.topics import is_valid_id


def main(args: argparse.Namespace, settings: HubSettings) -> int:
    with service.database(settings.database_path) as db:
        if args.command == "invite":
            return _invite(db, args, settings)
        return _add_location(db, args)


def _invite(db, args: argparse.Namespace, settings: HubSettings) -> int:
    problem = bounds.too_long(args.email.strip(), bounds.EMAIL, "Het e-mailadres") or bounds.name_problem(
        (args.name or "").strip(), "De naam"
    )
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        found = invite(
            db,
            Outbox(settings.database_path),
            settings.portal_base_url,
            args.email,
            args.name,
            datetime.now(UTC),
        )
    except Refused as refused:
        print(refused.reason, file=sys.stderr)
        return 2
    except MailError as exc:
        print(f"De uitnodiging kon niet verstuurd worden: {exc}", file=sys.stderr)
        return 1
    # try once now, so the person at the keyboard knows; the hub's mail thread retries what is left
    worker_for(settings).deliver_due(db)
    where = settings.smtp_host or settings.mail_folder
    if pending(db, found.email):
        print(
            f"Uitnodiging voor {found.name} <{found.email}> staat klaar, maar kon nog niet verstuurd worden "
            f"(via {where}); de hub probeert opnieuw zodra de mailserver bereikbaar is."
        )
        return 0
    print(f"Uitnodiging voor {found.name} <{found.email}> verstuurd (via {where}).")
    return 0


def _add_location(db, args: argparse.Namespace) -> int:
    organisator = organisator_by_email(db, args.organisator)
    if organisator is None:
        print(f"Onbekende organisator {args.organisator}: nodig hem eerst uit (invite).", file=sys.stderr)
        return 2
    problem = (
        bounds.name_problem(args.name.strip(), "De naam")
        or bounds.name_problem(args.address.strip(), "Het adres", bounds.ADDRESS)
        or bounds.too_long(args.dossier.strip(), bounds.CODE, "Het dossiernummer")
    )
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if not is_valid_id(args.location_id):
        print("Een locatie-id bestaat uit letters, cijfers, - en _ (hoogstens 64 tekens).", file=sys.stderr)
        return 2
    with db.atomic():
        db["locations"].insert(
            {
                "id": args.location_id,
                "organisator_id": organisator.id,
                "dossier_number": args.dossier.strip(),
                "name": args.name.strip(),
                "address": args.address.strip(),
            }
        )
    print(f"Locatie {args.name} ({args.location_id}) geregistreerd voor {organisator.name}.")
    return 0
