"""Checks before a month is sent, in the two kinds the screens show apart. No I/O.

Time errors (red clock) are the red cells of the month: the cell rules of
:mod:`hub.attendance.cells` judge every day (an open interval, a departure without arrival,
overlapping stays, here or with a stay elsewhere, an arrival after the departure), and each finding
of a red cell becomes one time error, linked to that cell. Times outside the opening hours, late
pickups and attendance on a closing day are kept as they happened: marks, never time errors.

Data errors (red cloud) are about the child sent:
    no birth date, no sex          error: the record waits until it is filled in
    the same child twice           error: another child of the organisation has the same name
                                   and birth date (Kind en Gezin would find two children)
    older than 2.5 years           warning: the subsidy normally ends at 2.5 years, unless the
                                   child goes to school later; recording the school start date
                                   settles it, or a person confirms the warning
    a card scanned for two         warning: one card's scans this month went to two children (it
    children                       was linked again); someone checks the hours and confirms

An error holds that child's record back (the rest of the month goes); a warning does not, and
shows its marker until a person confirms it. Only warnings can be confirmed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from hub.attendance.cells import Cell, CellState, Finding
from hub.children.records import Child
from hub.core.localtime import fmt_date
from hub.prices.ko_toeslag import subsidy_age_day
from wire.cardcode import pretty


class Marker(StrEnum):
    CLOCK = "clock"  # a time error: the registered times
    CLOUD = "cloud"  # a data error: the data sent


class Severity(StrEnum):
    ERROR = "error"  # the child's record waits until it is fixed
    WARNING = "warning"  # sent; shown until a person confirms it


class DataRule(StrEnum):
    NO_BIRTH_DATE = "no_birth_date"
    NO_SEX = "no_sex"
    DUPLICATE_CHILD = "duplicate_child"
    SUBSIDY_AGE = "subsidy_age"
    CARD_OF_TWO_CHILDREN = "card_of_two_children"


CONFIRMABLE = frozenset({DataRule.SUBSIDY_AGE, DataRule.CARD_OF_TWO_CHILDREN})


@dataclass(frozen=True)
class Confirmation:
    by: str  # as the screen shows it
    at: str  # UTC ISO
    note: str = ""


@dataclass(frozen=True)
class Issue:
    marker: Marker
    severity: Severity
    rule: str  # a hub.attendance.cells.Problem (time) or a DataRule
    child_id: int
    child_name: str
    day: date | None  # the cell to look at or fix
    text: str  # Dutch, for the screen
    confirmed: Confirmation | None = None

    @property
    def holds_back(self) -> bool:
        """True when the child's record may not be sent while this stands."""
        return self.severity is Severity.ERROR

    @property
    def open(self) -> bool:
        """True while the issue shows its marker: not fixed, not confirmed."""
        return self.confirmed is None


def time_issues(
    rows: Iterable[tuple[int, str, Sequence[Cell]]], describe: Callable[[Finding], str]
) -> list[Issue]:
    """One time error per finding of every red cell; ``rows`` are (child id, name, the month's cells).

    ``describe`` words a finding for the screen (the screens' wording, not the rules', holds the Dutch).
    """
    return [
        Issue(
            Marker.CLOCK, Severity.ERROR, finding.problem.value, child_id, name, cell.day, describe(finding)
        )
        for child_id, name, cells in rows
        for cell in cells
        if cell.state is CellState.ERROR
        for finding in cell.findings
    ]


def data_issues(
    children: Sequence[Child],
    days_present: Mapping[int, Sequence[date]],
    organisation: Sequence[tuple[Child, str]] = (),
    card_uses: Mapping[str, Sequence[tuple[int, str]]] | None = None,
    confirmations: Mapping[tuple[int, str], Confirmation] | None = None,
) -> list[Issue]:
    """The data errors and warnings of the children with attendance in a month.

    ``days_present`` gives each child's days with registrations here; ``organisation`` the other
    children of the organisation with where they go, for duplicates; ``card_uses`` per card code the
    children (id, name) its scans went to this month; ``confirmations`` the warnings a person
    confirmed, by (child id, rule).
    """
    issues: list[Issue] = []
    for child in children:
        issues += _child_issues(child, days_present.get(child.id, ()))
    issues += _duplicates(children, organisation)
    issues += _shared_cards(children, card_uses or {})
    confirmed = confirmations or {}
    return [
        replace(issue, confirmed=confirmed.get((issue.child_id, issue.rule)))
        if issue.rule in CONFIRMABLE
        else issue
        for issue in issues
    ]


def _child_issues(child: Child, days: Sequence[date]) -> list[Issue]:
    def issue(rule: DataRule, severity: Severity, text: str, day: date | None = None) -> Issue:
        return Issue(Marker.CLOUD, severity, rule.value, child.id, child.name, day, text)

    found = []
    if child.birth_date is None:
        found.append(issue(DataRule.NO_BIRTH_DATE, Severity.ERROR, "De geboortedatum ontbreekt."))
    if child.sex is None:
        found.append(issue(DataRule.NO_SEX, Severity.ERROR, "Het geslacht ontbreekt."))
    if child.birth_date is not None and child.school_start is None and not child.no_subsidy:
        age_day = subsidy_age_day(child.birth_date)
        later = sorted(day for day in days if day >= age_day)
        if later:
            found.append(
                issue(
                    DataRule.SUBSIDY_AGE,
                    Severity.WARNING,
                    f"{child.first_name} is 2,5 jaar sinds {fmt_date(age_day)}: de KO-toeslag stopt dan, "
                    "tenzij het kind later naar school gaat. Vul de startdatum school in, of bevestig.",
                    later[0],
                )
            )
    return found


def _duplicates(children: Sequence[Child], organisation: Sequence[tuple[Child, str]]) -> list[Issue]:
    def key(child: Child) -> tuple[str, str, date | None]:
        return (child.first_name.strip().casefold(), child.last_name.strip().casefold(), child.birth_date)

    places: dict[int, set[str]] = defaultdict(set)
    known: dict[int, Child] = {}
    for child, place in organisation:
        places[child.id].add(place)
        known[child.id] = child
    for child in children:
        known.setdefault(child.id, child)
    by_key: dict[tuple, list[Child]] = defaultdict(list)
    for child in known.values():
        if child.birth_date is not None:
            by_key[key(child)].append(child)
    issues = []
    for child in children:
        others = [other for other in by_key.get(key(child), ()) if other.id != child.id]
        if child.birth_date is None or not others:
            continue
        others_text = "; ".join(
            f"{other.name} (nr. {other.id}"
            + (f", {', '.join(sorted(places[other.id]))}" if places[other.id] else "")
            + ")"
            for other in sorted(others, key=lambda c: c.id)
        )
        issues.append(
            Issue(
                Marker.CLOUD,
                Severity.ERROR,
                DataRule.DUPLICATE_CHILD.value,
                child.id,
                child.name,
                None,
                f"Zelfde naam en geboortedatum ({fmt_date(child.birth_date)}) als {others_text}: is dit "
                "hetzelfde kind? Kind en Gezin zou twee kinderen vinden.",
            )
        )
    return issues


def _shared_cards(
    children: Sequence[Child], card_uses: Mapping[str, Sequence[tuple[int, str]]]
) -> list[Issue]:
    ids = {child.id: child for child in children}
    issues = []
    for code, users in sorted(card_uses.items()):
        if len({child_id for child_id, _ in users}) < 2:
            continue
        names = " en ".join(name for _, name in sorted(users, key=lambda u: u[1]))
        for child_id, _ in users:
            if child_id in ids:
                issues.append(
                    Issue(
                        Marker.CLOUD,
                        Severity.WARNING,
                        DataRule.CARD_OF_TWO_CHILDREN.value,
                        child_id,
                        ids[child_id].name,
                        None,
                        f"Kaart {pretty(code)} werd deze maand gescand voor {names}: kijk na of de uren "
                        "bij het juiste kind staan, en bevestig.",
                    )
                )
    return issues


def markers(issues: Iterable[Issue]) -> frozenset[Marker]:
    """The markers a month shows: those of its open issues."""
    return frozenset(issue.marker for issue in issues if issue.open)


def held_back(issues: Iterable[Issue]) -> frozenset[int]:
    """The children whose record may not be sent now."""
    return frozenset(issue.child_id for issue in issues if issue.holds_back)
