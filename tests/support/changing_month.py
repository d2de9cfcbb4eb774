"""The organisation of the marked month (tests/support/upload_month.py) as a world that changes:
scans, corrections, settings and the upload's own steps, drawn at random by hypothesis.

The property tests of the kept "Opgeladen" summaries (hub/upload/tests/test_upload_summaries.py)
and of the kept month grid (hub/attendance/tests/test_kept_grid.py) apply the same ``steps``.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from hypothesis import strategies as st

from hub.accounts.actors import Actor, Refused
from hub.attendance.corrections import apply_correction
from hub.attendance.windows import shift_month
from hub.children.queries import Stay, set_stay
from hub.core.db import connect, open_database
from hub.core.localtime import fmt_month
from hub.demo import DemoData, seed
from hub.locations.queries import add_closing_day, remove_closing_day, set_opening_hours
from hub.locations.schedule import weekdays
from hub.upload.confirmations import confirm_warning
from hub.upload.summary import fresh_summary, month_summaries
from hub.upload.validation import DataRule
from hub.upload.views import visible_locations
from tests.support.attendance import ARRIVAL, DEPARTURE, Door, at, child_id, organisator_actor
from tests.support.upload_month import MarkedMonth, month_with_both_markers, months_back, open_days

UPLOAD_DAY = 7


def kept(db, actor: Actor, year: int, month: int, now=None):
    return month_summaries(db, actor, year, month, UPLOAD_DAY, True, now)


def fresh(db, actor: Actor, year: int, month: int, now=None):
    now = now or datetime.now(UTC)
    return [
        fresh_summary(db, actor, loc, year, month, UPLOAD_DAY, True, now)[0]
        for loc in visible_locations(db, actor)
    ]


class World:
    """The demo organisation with its marked month two months back and a second location."""

    def __init__(self, db, demo: DemoData, marked: MarkedMonth) -> None:
        self.db, self.demo, self.marked = db, demo, marked
        self.actor = organisator_actor(db)
        self.door = Door(db, demo)
        self.regenboog = Door(db, DemoData("regenboog", "unit-regenboog", demo.cards))

    @property
    def ym(self) -> tuple[int, int]:
        return self.marked.year, self.marked.month

    def check(self, *months: tuple[int, int]) -> None:
        """The kept overview equals a fresh preparation, for each month."""
        for year, month in months or (self.ym,):
            assert kept(self.db, self.actor, year, month) == fresh(self.db, self.actor, year, month), (
                fmt_month(year, month)
            )


def build(database: Path | str) -> Path | str:
    """The demo seeded into ``database`` with the marked month two months back (and elsewhere)."""
    db = open_database(database)
    demo = seed(db)
    month_with_both_markers(db, demo, *months_back(2), elsewhere=True)
    db.close()
    return database


@contextlib.contextmanager
def copied_world(template: Path, tmp_path: Path) -> Iterator[tuple[World, list[tuple[int, int]], list[date]]]:
    """A copy of the ``build`` template for one hypothesis example: the world, its marked month and
    the month after, and the open days (three of each) that the changes pick from."""
    database = Path(tempfile.mkdtemp(dir=tmp_path)) / "hub.sqlite3"
    shutil.copy(template, database)
    db = connect(database)
    try:
        demo = DemoData(*demo_ids(db))
        w = World(db, demo, marked_month(db, demo))
        months = [w.ym, shift_month(*w.ym, 1)]
        yield w, months, [d for ym in months for d in open_days(db, "zonnebloem", *ym)[:3]]
    finally:
        db.close()


def demo_ids(db) -> tuple[str, str, dict[str, str]]:
    """The demo location, its first unit and the children's active cards, as DemoData takes them."""
    cards = {
        name: code
        for name, code in db.execute(
            "SELECT ch.first_name, c.code FROM cards c JOIN children ch ON ch.id = c.child_id "
            "WHERE c.state = 'active'"
        )
    }
    (unit,) = db.execute("SELECT id FROM units WHERE location_id = 'zonnebloem' ORDER BY id").fetchone()
    return "zonnebloem", unit, cards


def marked_month(db, demo: DemoData) -> MarkedMonth:
    year, month = months_back(2)
    first, second = open_days(db, demo.location_id, year, month)[:2]
    return MarkedMonth(
        year, month, (first, second), child_id(db, "Jules"), child_id(db, "Noah"), child_id(db, "Mila")
    )


NAMES = ("Jules", "Lotte", "Noah", "Mila", "Olivia", "Louis")
steps = st.one_of(  # one change of a month, as apply_change takes it
    st.tuples(st.just("scan"), st.sampled_from(NAMES), st.integers(0, 5),
              st.sampled_from((ARRIVAL, DEPARTURE)), st.integers(6 * 60, 20 * 60), st.booleans()),
    st.tuples(st.just("correct"), st.sampled_from(NAMES[:4]), st.integers(0, 5),
              st.integers(7 * 60, 12 * 60), st.integers(0, 8 * 60)),
    st.tuples(st.just("hours"), st.integers(6, 9), st.integers(15, 19)),
    st.tuples(st.just("closing"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("birth"), st.sampled_from(NAMES), st.integers(100, 1500)),
    st.tuples(st.just("stay"), st.sampled_from(NAMES), st.integers(0, 5)),
    st.tuples(st.just("confirm"),),
)  # fmt: skip


def apply_change(w: World, step: tuple, days: list[date]) -> None:
    """One of ``steps`` applied to the world; ``days`` are the open days its day numbers pick from."""
    kind = step[0]
    if kind == "scan":
        _, who, n, direction, minute, there = step
        door = w.regenboog if there and who == "Olivia" else w.door
        door.scan(who, at(days[n].isoformat(), f"{minute // 60:02d}:{minute % 60:02d}"), direction)
    elif kind == "correct":
        _, who, n, start, length = step
        end = min(start + length, 23 * 60)
        times = [(time(start // 60, start % 60), time(end // 60, end % 60))] if length else []
        with contextlib.suppress(Refused):  # a refused correction changes nothing
            apply_correction(w.db, w.actor, "zonnebloem", child_id(w.db, who), days[n], times)
    elif kind == "hours":
        set_opening_hours(w.db, "zonnebloem", weekdays(f"{step[1]:02d}:00", f"{step[2]:02d}:00"))
    elif kind == "closing":
        _, n, add = step
        if add:
            add_closing_day(w.db, "zonnebloem", days[n], "studiedag")
        else:
            remove_closing_day(w.db, "zonnebloem", days[n])
    elif kind == "birth":
        _, who, age = step
        born = days[0] - timedelta(days=age)
        w.db.execute(
            "UPDATE children SET birth_date = ? WHERE id = ?", (born.isoformat(), child_id(w.db, who))
        )
        w.db.conn.commit()
    elif kind == "stay":
        _, who, n = step
        set_stay(w.db, child_id(w.db, who), "zonnebloem", Stay(days[n], None))
        w.db.conn.commit()
    elif kind == "confirm":
        mila = child_id(w.db, "Mila")
        confirm_warning(w.db, w.actor, "zonnebloem", *w.ym, mila, DataRule.SUBSIDY_AGE.value)
