"""The table of collector-card cases (collecting_cases.json) that the units' rule (wire/collecting.py)
and the browser scanner's (hub/browserscan/static/collecting.js) both pass."""

from __future__ import annotations

import json
from pathlib import Path

CASES = json.loads((Path(__file__).parent / "collecting_cases.json").read_text())


def expected(case: dict) -> list:
    """Each step's outcome as the table gives it: a collector step's late collections, a child
    step's pairing (None: an ordinary scan)."""
    return [step["late"] if "collector" in step else step["pairing"] for step in case["steps"]]
