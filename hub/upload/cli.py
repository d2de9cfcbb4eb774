"""``aanwezig-hub upload LOCATION YYYY-MM``: send a finished month on demand, from the command line."""

from __future__ import annotations

import re
import sys

from hub.accounts.actors import Refused
from hub.core.db import open_database
from hub.core.settings import HubSettings
from hub.upload.service import SendOutcome, outcome_nl, send_month


def run(settings: HubSettings, location_id: str, month: str) -> int:
    if not settings.upload.enabled:
        print("✗ geen [upload] endpoint ingesteld in de hub-instellingen", file=sys.stderr)
        return 2
    found = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not found or not 1 <= int(found[2]) <= 12:
        print(f"✗ maand als JJJJ-MM, bv. 2026-03, niet {month!r}", file=sys.stderr)
        return 2
    db = open_database(settings.database_path)
    try:
        result = send_month(
            db,
            settings.upload.to_endpoint(),
            location_id,
            int(found[1]),
            int(found[2]),
            requested_by="opdrachtregel",
        )
    except (Refused, LookupError) as exc:
        print(f"✗ {getattr(exc, 'reason', exc)}", file=sys.stderr)
        return 1
    finally:
        db.close()
    version = f"versie {result.version}, {result.records} record(s): " if result.version else ""
    detail = f" ({result.detail})" if result.detail else ""
    print(f"{location_id} {month}: {version}{outcome_nl(result.stored)}{detail}")
    return 0 if result.outcome in (SendOutcome.ANSWERED, SendOutcome.NOTHING) else 1
