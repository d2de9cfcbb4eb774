"""News, the team and information pages in the database, and who receives a newsletter."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from hub.core.actors import NoAccess, Refused

TITLE = 120
BODY = 20_000  # characters of Markdown: a house-rules page, a menu of the month
NAME = 100
ROLE = 100


@dataclass(frozen=True)
class NewsItem:
    id: int
    location_id: str
    title: str
    body: str
    newsletter: bool
    mailed: int
    made_by: str
    published_at: str


@dataclass(frozen=True)
class TeamMember:
    id: int
    location_id: str
    name: str
    role: str
    photo_as: str | None


@dataclass(frozen=True)
class InfoPage:
    id: int
    location_id: str
    title: str
    body: str
    updated_at: str
    updated_by: str


def _line(value: str, limit: int, what: str, required: bool = True) -> str:
    value = " ".join(value.split())
    if required and not value:
        raise Refused(f"Vul {what} in.")
    if len(value) > limit:
        raise Refused(f"{what[0].upper()}{what[1:]} mag hoogstens {limit} tekens lang zijn.")
    return value


def _body(value: str, what: str) -> str:
    value = value.replace("\r\n", "\n").strip()
    if not value:
        raise Refused(f"Schrijf {what}.")
    if len(value) > BODY:
        raise Refused(f"Hoogstens {BODY} tekens, a.u.b.")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise Refused("De tekst bevat tekens die er niet in horen.")
    return value


# --- news ------------------------------------------------------------------------------------------


def publish(
    db: sqlite_utils.Database,
    location_id: str,
    title: str,
    body: str,
    newsletter: bool,
    made_by: str,
    now: datetime,
) -> NewsItem:
    """Publish a news item (inside the caller's transaction); raises :class:`Refused`."""
    title, body = _line(title, TITLE, "een titel"), _body(body, "het nieuws")
    news_id = db.execute(
        """
        INSERT INTO news_items (location_id, title, body, newsletter, made_by, published_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        (location_id, title, body, int(newsletter), made_by, now.isoformat()),
    ).lastrowid
    return news_at(db, location_id, news_id)


def set_mailed(db: sqlite_utils.Database, news_id: int, count: int) -> None:
    db.execute("UPDATE news_items SET mailed = ? WHERE id = ?", (count, news_id))


_NEWS = "id, location_id, title, body, newsletter, mailed, made_by, published_at"


def news_at(db: sqlite_utils.Database, location_id: str, news_id: int) -> NewsItem:
    row = db.execute(
        f"SELECT {_NEWS} FROM news_items WHERE id = ? AND location_id = ?", (news_id, location_id)
    ).fetchone()
    if row is None:
        raise NoAccess(news_id)
    return NewsItem(*row)


def news_of(db: sqlite_utils.Database, location_ids: Sequence[str], limit: int = 30) -> list[NewsItem]:
    """The newest news of these locations (bounded)."""
    if not location_ids:
        return []
    marks = ",".join("?" * len(location_ids))
    return [
        NewsItem(*row)
        for row in db.execute(
            f"""
            SELECT {_NEWS} FROM news_items WHERE location_id IN ({marks})
            ORDER BY published_at DESC, id DESC LIMIT ?
            """,
            (*location_ids, limit),
        )
    ]


def remove_news(db: sqlite_utils.Database, item: NewsItem) -> None:
    db.execute("DELETE FROM news_items WHERE id = ?", (item.id,))


def newsletter_addresses(db: sqlite_utils.Database, location_id: str) -> list[str]:
    """Every parent of the location's current children, each address once."""
    seen: dict[str, str] = {}
    for (email,) in db.execute(
        """
        SELECT ct.email FROM contacts ct JOIN child_locations cl ON cl.child_id = ct.child_id
        JOIN children c ON c.id = ct.child_id
        WHERE cl.location_id = ?
            AND c.id NOT IN (SELECT child_id FROM children_left) AND ct.email IS NOT NULL AND ct.email != ''
        ORDER BY ct.id
        """,
        (location_id,),
    ):
        seen.setdefault(email.lower(), email)
    return list(seen.values())


# --- team ------------------------------------------------------------------------------------------

_TEAM = "id, location_id, name, role, photo_as"


def add_member(
    db: sqlite_utils.Database, location_id: str, name: str, role: str, photo_as: str | None
) -> int:
    name, role = _line(name, NAME, "een naam"), _line(role, ROLE, "een rol", required=False)
    (position,) = db.execute(
        "SELECT coalesce(max(position), 0) + 1 FROM team_members WHERE location_id = ?", (location_id,)
    ).fetchone()
    return db.execute(
        "INSERT INTO team_members (location_id, name, role, photo_as, position) VALUES (?, ?, ?, ?, ?)",
        (location_id, name, role, photo_as, position),
    ).lastrowid


def team_of(db: sqlite_utils.Database, location_id: str) -> list[TeamMember]:
    return [
        TeamMember(*row)
        for row in db.execute(
            f"SELECT {_TEAM} FROM team_members WHERE location_id = ? ORDER BY position, id", (location_id,)
        )
    ]


def member_at(db: sqlite_utils.Database, location_id: str, member_id: int) -> TeamMember:
    row = db.execute(
        f"SELECT {_TEAM} FROM team_members WHERE id = ? AND location_id = ?", (member_id, location_id)
    ).fetchone()
    if row is None:
        raise NoAccess(member_id)
    return TeamMember(*row)


def remove_member(db: sqlite_utils.Database, member: TeamMember) -> None:
    db.execute("DELETE FROM team_members WHERE id = ?", (member.id,))


# --- information pages -----------------------------------------------------------------------------

_PAGE = "id, location_id, title, body, updated_at, updated_by"


def save_page(
    db: sqlite_utils.Database,
    location_id: str,
    page_id: int | None,
    title: str,
    body: str,
    made_by: str,
    now: datetime,
) -> int:
    """Create (``page_id`` None) or change a page of the location; its id. Raises :class:`Refused`."""
    title, body = _line(title, TITLE, "een titel"), _body(body, "de tekst van de pagina")
    if page_id is None:
        return db.execute(
            "INSERT INTO info_pages (location_id, title, body, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?)",
            (location_id, title, body, now.isoformat(), made_by),
        ).lastrowid
    page = page_at(db, location_id, page_id)
    db.execute(
        "UPDATE info_pages SET title = ?, body = ?, updated_at = ?, updated_by = ? WHERE id = ?",
        (title, body, now.isoformat(), made_by, page.id),
    )
    return page.id


def page_at(db: sqlite_utils.Database, location_id: str, page_id: int) -> InfoPage:
    row = db.execute(
        f"SELECT {_PAGE} FROM info_pages WHERE id = ? AND location_id = ?", (page_id, location_id)
    ).fetchone()
    if row is None:
        raise NoAccess(page_id)
    return InfoPage(*row)


def pages_of(db: sqlite_utils.Database, location_id: str) -> list[InfoPage]:
    return [
        InfoPage(*row)
        for row in db.execute(
            f"SELECT {_PAGE} FROM info_pages WHERE location_id = ? ORDER BY title COLLATE NOCASE, id",
            (location_id,),
        )
    ]


def remove_page(db: sqlite_utils.Database, page: InfoPage) -> None:
    db.execute("DELETE FROM info_pages WHERE id = ?", (page.id,))
