"""The previous release's wire contract, read from git, and the messages its units send.

``PREVIOUS_COMMIT`` is the first wave's contract (version 1). :func:`previous_messages` builds one
message of every kind a unit sends with that contract's own classes and encoder, so the fixture files
in ``tests/wire_previous/`` are exactly what a unit of that release puts on the wire.
"""

from __future__ import annotations

import subprocess
import sys
import types

from tests.support.processes import ROOT

PREVIOUS_COMMIT = "a0b8a41"
FIXTURES = ROOT / "tests" / "wire_previous"


def previous_contract() -> types.ModuleType:
    """The previous contract module, executed from its source in git (raises when git cannot show it)."""
    source = subprocess.run(
        ["git", "show", f"{PREVIOUS_COMMIT}:wire/contract.py"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    module = types.ModuleType("previous_wire_contract")
    sys.modules[module.__name__] = module  # dataclasses resolve annotations through sys.modules
    try:
        exec(compile(source, f"{PREVIOUS_COMMIT}:wire/contract.py", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return module


def previous_messages(contract: types.ModuleType) -> dict[str, bytes]:
    """File name -> the bytes a previous-release unit sends, made with that release's encoder."""
    c = contract
    common = dict(unit="unit-zonnebloem-in", location="zonnebloem")
    return {
        "checkin_qr_synced.json": c.encode(
            c.CheckIn(
                id="01JD3Y5B8K2M4N6P8R0T2V4W6X", seq=1, direction=c.Direction.ARRIVAL, code="9230544883",
                source=c.Source.QR, wall_time="2026-11-23T08:12:03.120+01:00", clock_synced=True,
                boot_id="0f4c2a6e-5a7d-4e4b-9d2e-7a0b6c1d2e3f", monotonic=1234.5, **common,
            )
        ),
        "checkin_keypad_unsynced.json": c.encode(
            c.CheckIn(
                id="01JD3Y5B8K2M4N6P8R0T2V4W6Y", seq=2, direction=c.Direction.DEPARTURE, code="4305271510",
                source=c.Source.KEYPAD, wall_time="1970-01-01T00:05:00.000+00:00", clock_synced=False,
                boot_id="0f4c2a6e-5a7d-4e4b-9d2e-7a0b6c1d2e3f", monotonic=300.25, **common,
            )
        ),
        "status_online.json": c.encode(
            c.Status(
                online=True, version="0.1.0", backlog=2, sent_at="2026-11-23T08:12:04.000+01:00",
                last_scan="2026-11-23T08:12:03.120+01:00", **common,
            )
        ),
        "status_last_will.json": c.encode(
            c.Status(
                online=False, version="0.1.0", backlog=0, sent_at="2026-11-23T08:00:00.000+01:00", **common
            )
        ),
        "card_read.json": c.encode(
            c.CardRead(
                request="01JD3Y5B8K2M4N6P8R0T2V4W70", code="8532073490", source=c.Source.QR,
                wall_time="2026-11-23T08:15:00.000+01:00", **common,
            )
        ),
    }  # fmt: skip
