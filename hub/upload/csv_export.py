"""The month as CSV for people: what the batch carries, one row per child per day present.

For the organisation's own administration, and readable as it is by a spreadsheet set to Dutch
(Belgium): UTF-8 with a byte order mark, ``;`` between fields, DD/MM/YYYY, decimal commas. Days
the location was closed though the weekday has opening hours (closing days, a closed month) get a
row of their own without a child. Extra columns (the status of a record, what a day gives under
the location's price model) come after the fixed ones.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from hub.core.localtime import fmt_date, fmt_time
from hub.upload.batch import CalendarDay, ChildRecord, DayPresence, Location, Sex

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Dossiernummer", "Kind en Gezin's dossier number of the location"),
    ("Locatie", "the location's name"),
    ("Datum", "the day, DD/MM/YYYY"),
    ("Kind", "the hub's id of the child (empty on a row for a closed day)"),
    ("Voornaam", "first name"),
    ("Achternaam", "last name"),
    ("Geboortedatum", "DD/MM/YYYY"),
    ("Geslacht", "jongen, meisje or x"),
    ("Geen KO-toeslag", "ja when the child gets no childcare subsidy"),
    ("Start school", "DD/MM/YYYY, when recorded"),
    ("Aanwezig", "the stays, 08:12–12:00, 13:00–17:03; on a closed day why it was closed"),
    ("Minuten", "minutes present that day"),
    ("Uren", "the same in hours, two decimals"),
)
SEX_NL = {Sex.BOY: "jongen", Sex.GIRL: "meisje", Sex.OTHER: "x"}

# An extra column: its header and the value of one child's day
Extra = tuple[str, Callable[[ChildRecord, DayPresence], str]]

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value`` as text a spreadsheet shows and never evaluates: a leading quote before a formula start."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def month_csv(
    location: Location,
    calendar: Sequence[CalendarDay],
    records: Sequence[ChildRecord],
    extra: Sequence[Extra] = (),
) -> str:
    """The CSV text of a month: closed days and the children's days, by date, then by child."""
    out = io.StringIO()
    out.write("\ufeff")  # so a spreadsheet reads the accents right
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _ in COLUMNS] + [name for name, _ in extra])
    rows: list[tuple[tuple, list[str]]] = []
    for day in calendar:
        if not day.open and day.opens is not None:
            rows.append(
                ((day.date, 0, ""), [location.dossier_number, location.name, fmt_date(day.date)]
                 + [""] * 7 + [f"gesloten: {day.closed}", "", ""] + [""] * len(extra))
            )  # fmt: skip
    for record in records:
        child = record.child
        for presence in record.days:
            cells = [
                location.dossier_number,
                location.name,
                fmt_date(presence.date),
                child.ref,
                child.first_name,
                child.last_name,
                fmt_date(child.birth_date) if child.birth_date else "",
                SEX_NL.get(child.sex, "") if child.sex else "",
                "ja" if child.no_subsidy else "nee",
                fmt_date(child.school_start) if child.school_start else "",
                ", ".join(f"{fmt_time(s.arrival)}–{fmt_time(s.departure)}" for s in presence.stays),
                str(presence.minutes),
                f"{presence.minutes / 60:.2f}".replace(".", ","),
                *[value(record, presence) for _, value in extra],
            ]
            rows.append(((presence.date, 1, child.last_name.casefold(), child.first_name.casefold()), cells))
    # every cell, not only the names: a location name, a reason or an extra column can carry one too
    writer.writerows([safe_cell(cell) for cell in cells] for _, cells in sorted(rows, key=lambda row: row[0]))
    return out.getvalue()
