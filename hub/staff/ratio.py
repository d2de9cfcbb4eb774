"""Children per staff member against the location's norm. No I/O.

Kind en Gezin's licence for group care sets a maximum number of children per childcare worker
present ("kinderbegeleider"); 8 is the common figure for group care (the documents in
/work/shared/domain give none, so it is a per-location setting with this default).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_CHILDREN_PER_STAFF = 8


@dataclass(frozen=True)
class Ratio:
    children: int
    staff: int
    norm: int  # at most this many children per staff member

    @property
    def exceeded(self) -> bool:
        """More children than the staff present may look after (any child with no staff at all)."""
        return self.children > self.staff * self.norm

    @property
    def staff_needed(self) -> int:
        return -(-self.children // self.norm)  # ceiling

    @property
    def text(self) -> str:
        """The overview's line, in Dutch."""
        staff = "1 medewerker" if self.staff == 1 else f"{self.staff} medewerkers"
        children = "1 kind" if self.children == 1 else f"{self.children} kinderen"
        return f"{children} en {staff} aanwezig (norm: hoogstens {self.norm} kinderen per medewerker)"

    @property
    def warning(self) -> str | None:
        """Why the norm is exceeded (Dutch), or None."""
        if not self.exceeded:
            return None
        short = self.staff_needed - self.staff
        return (
            f"Te weinig begeleiding: {self.children} kinderen voor {self.staff} aanwezige "
            f"{'medewerker' if self.staff == 1 else 'medewerkers'}; de norm vraagt er minstens "
            f"{self.staff_needed} ({short} te weinig)."
        )


def ratio_of(children: int, staff: int, norm: int | None) -> Ratio:
    return Ratio(children, staff, norm or DEFAULT_MAX_CHILDREN_PER_STAFF)


def direction_for(explicit: str | None, present: bool) -> str:
    """A staff scan's direction: the one chosen at the door with a key or a fixed exit, else the
    opposite of the person's presence (a staff card is not in the unit's presence of older hubs)."""
    if explicit is not None:
        return explicit
    return "departure" if present else "arrival"
