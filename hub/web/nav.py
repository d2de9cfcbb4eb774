"""The navigation bar of a location's pages: one list of entries, so later features add theirs.

Another feature adds a tab with one line where the app is built, for example::

    portal.nav.append(NavEntry("opgeladen", "Opgeladen", "/locaties/{location}/opgeladen"))

and marks its page's tab by passing ``active="opgeladen"`` to :func:`hub.web.web.render`'s
template context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hub.core.actors import Actor, Role, StaffRole


class PageLocation(Protocol):
    """What the layout needs of a location (the locations feature's Location has it)."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


BOTH = frozenset({Role.LOCATION, Role.ORGANISATOR, Role.STAFF})  # everyone who may open the location


@dataclass(frozen=True)
class NavEntry:
    key: str  # the page marks its own tab with this key (context "active")
    label: str  # Dutch, as shown
    path: str  # with "{location}" for the location's id
    roles: frozenset[Role] = BOTH
    staff_roles: frozenset[StaffRole] | None = None  # for Role.STAFF: only these (None: every staff role)


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    href: str


DEFAULT_NAV = (
    NavEntry("registraties", "Registraties", "/locaties/{location}"),
    NavEntry("kinderen", "Kinderen", "/locaties/{location}/kinderen"),
    NavEntry("pincode", "Pincode", "/locaties/{location}/pincode", frozenset({Role.ORGANISATOR})),
    NavEntry("openingsuren", "Openingsuren", "/locaties/{location}/openingsuren"),
)


def nav_for(entries: list[NavEntry], actor: Actor, location: PageLocation) -> list[NavLink]:
    return [
        NavLink(entry.key, entry.label, entry.path.format(location=location.id))
        for entry in entries
        if actor.role in entry.roles
        and (
            entry.staff_roles is None or actor.role is not Role.STAFF or actor.staff_role in entry.staff_roles
        )
    ]
