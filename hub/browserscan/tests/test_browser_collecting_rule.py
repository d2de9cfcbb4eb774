"""The browser scanner's collector-card rule (static/collecting.js) in real Chromium, through the same
table of cases as the units' rule in wire/collecting.py (tests/test_collecting_rule.py): the two
doors pair a collector's card and a child's card alike, in either order."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import BrowserContext, Route

from tests.support.collecting import CASES, expected

STATIC = Path(__file__).resolve().parents[1] / "static"
ORIGIN = "http://scanner.test"  # served from the folder by the test itself: no server, no network

RUN_CASES = """
async (table) => {
  const { CollectorWindow } = await import("/collecting.js");
  return table.cases.map((c) => {
    const window = new CollectorWindow(c.window_s);
    return c.steps.map((step) => {
      if ("collector" in step) {
        const person = table.people[step.collector];
        const late = window.collectorScanned(
          step.collector, person.name, person.children, step.at, person.refused);
        return late.map((l) => ({ event: l.scan.eventId, code: l.scan.code, allowed: l.allowed }));
      }
      const pairing = window.childScanned(step.child, step.at);
      if (pairing === null) {
        window.childRecorded(step.child, step.event, step.at);
        return null;
      }
      return { collector: pairing.collector.code, allowed: pairing.allowed };
    });
  });
}
"""


def _serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/collecting.js":
        route.fulfill(body=(STATIC / "collecting.js").read_text(), content_type="text/javascript")
    else:
        route.fulfill(body="<!doctype html><title>regels</title>", content_type="text/html")


def test_the_browser_scanner_pairs_collector_cards_by_the_same_table_of_cases(
    browser: BrowserContext,
) -> None:
    page = browser.new_page()
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(f"{ORIGIN}/")
    seen = page.evaluate(RUN_CASES, CASES)
    for case, outcome in zip(CASES["cases"], seen, strict=True):
        assert outcome == json.loads(json.dumps(expected(case))), case["name"]
