"""Parent accounts, links and sessions on a real database, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.children.queries import add_child, add_contact
from hub.core.db import open_database, write_transaction
from hub.parents import accounts

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
IDLE = timedelta(hours=2)

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _db(hub_target: Path | str):
    db = open_database(hub_target)
    with write_transaction(db):
        db.execute("INSERT INTO organisators (id, name, email) VALUES (1, 'Org', 'org@x.example')")
        db.execute(
            "INSERT INTO locations (id, organisator_id, dossier_number, name)"
            " VALUES ('l', 1, '900000001', 'L')"
        )
    child = add_child(db, "l", "Jules", "Peeters", None, "m")
    add_contact(db, child, "Anne", "Anne@Gezin.example", "moeder")
    return db


def test_one_account_per_address_whatever_its_case_and_a_new_password_ends_the_sessions(
    hub_target: Path | str,
) -> None:
    db = _db(hub_target)
    with write_transaction(db):
        first = accounts.make_account(db, "anne@gezin.example", "eerste-wachtwoord", T0)
        accounts.start_session(db, first.id, "cookie-1", "127.0.0.1", T0, timedelta(hours=12))
        second = accounts.make_account(db, "ANNE@GEZIN.EXAMPLE", "tweede-wachtwoord", T0)
    assert first.id == second.id
    assert accounts.session_account(db, "cookie-1", T0, IDLE) is None
    assert accounts.check_password(db, "anne@gezin.example", "tweede-wachtwoord", "c", T0)[0].id == first.id


def test_the_live_stream_does_not_keep_an_idle_session_alive(hub_target: Path | str) -> None:
    db = _db(hub_target)
    with write_transaction(db):
        account = accounts.make_account(db, "anne@gezin.example", None, T0)
        accounts.start_session(db, account.id, "cookie", "127.0.0.1", T0, timedelta(hours=12))
    for minutes in range(0, 120, 10):
        assert accounts.session_account(db, "cookie", T0 + timedelta(minutes=minutes), IDLE, touch=False)
    assert accounts.session_account(db, "cookie", T0 + IDLE, IDLE, touch=False) is None


def test_a_link_works_once_and_not_after_it_expires(hub_target: Path | str) -> None:
    db = _db(hub_target)
    with write_transaction(db):
        token = accounts.issue_token(db, "anne@gezin.example", "login", T0)
        late = accounts.issue_token(db, "anne@gezin.example", "account", T0)
    assert accounts.token_email(db, token, "account", T0) is None  # a login link makes no account
    assert accounts.token_email(db, token, "login", T0 + timedelta(minutes=29)) == "anne@gezin.example"
    assert accounts.token_email(db, late, "account", T0 + timedelta(days=7)) is None
    with write_transaction(db):
        assert accounts.use_token(db, token, T0)
        assert not accounts.use_token(db, token, T0)
    assert accounts.token_email(db, token, "login", T0) is None
