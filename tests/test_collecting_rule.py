"""The collector-card pairing rule on its own (wire/collecting.py), through the table of cases the
browser scanner's collecting.js passes too (hub/browserscan/tests/test_browser_collecting_rule.py)."""

from __future__ import annotations

import pytest

from tests.support.collecting import CASES, expected
from wire.collecting import CollectorWindow


def run_case(case: dict, people: dict) -> list:
    """Each step's outcome, in the table's own terms."""
    window = CollectorWindow(case["window_s"])
    seen = []
    for step in case["steps"]:
        if "collector" in step:
            person = people[step["collector"]]
            late = window.collector_scanned(
                step["collector"],
                person["name"],
                frozenset(person["children"]),
                step["at"],
                frozenset(person["refused"]),
            )
            seen.append([{"event": i.scan.event_id, "code": i.scan.code, "allowed": i.allowed} for i in late])
        else:
            pairing = window.child_scanned(step["child"], step["at"])
            if pairing is None:
                window.child_recorded(step["child"], step["event"], step["at"])
                seen.append(None)
            else:
                seen.append({"collector": pairing.collector.code, "allowed": pairing.allowed})
    return seen


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_the_pairing_rule_follows_the_table_of_cases(case: dict) -> None:
    assert run_case(case, CASES["people"]) == expected(case)
