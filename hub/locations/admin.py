"""Registering a location from the command line (Kind en Gezin's side in AARON).

``aanwezig-hub add-location ID --organisator EMAIL --dossier N --name NAME`` registers a location,
open Monday to Friday 07:00-18:00 unless ``--hours`` says otherwise (``--hours "ma-vr 07:00-18:00;
wo 07:00-12:00,13:00-18:00"``). Messages to the person at the keyboard are in Dutch.
"""

from __future__ import annotations

import argparse
import sys

from hub.accounts.service import organisator_by_email
from hub.core import bounds
from hub.core.settings import HubSettings
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import DEFAULT_WEEK, parse_week, week_text
from hub.units import service
from wire.topics import is_valid_id


def main(args: argparse.Namespace, settings: HubSettings) -> int:
    with service.database(settings.database_path) as db:
        return _add_location(db, args)


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
