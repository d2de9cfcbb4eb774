"""Registering organisators from the command line (Kind en Gezin's side in AARON).

``aanwezig-hub invite EMAIL --name NAME`` registers an organisator (if new) and mails the link to
set the password (locations: :mod:`hub.locations.admin`). Messages to the person at the keyboard
are in Dutch.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from hub.accounts.actors import Refused
from hub.accounts.service import invite
from hub.core import bounds
from hub.core.settings import HubSettings
from hub.mail import MailError
from hub.mail.outbox import Outbox, pending, worker_for
from hub.units import service


def main(args: argparse.Namespace, settings: HubSettings) -> int:
    with service.database(settings.database_path) as db:
        return _invite(db, args, settings)


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
