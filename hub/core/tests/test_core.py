"""The hub's core on its own: the database and its migrations, the settings file, Brussels time."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hub.core import settings as settings_module
from hub.core.actors import Actor, Role
from hub.core.db import connect, migrate, migrations, open_database, write_transaction
from hub.core.localtime import day_bounds_utc, fmt_date, fmt_duration, fmt_month, fmt_time, utc_iso
from hub.core.settings import HubSettings, load, register_section

# -- the database --------------------------------------------------------------------------------


def test_migrations_apply_once_in_name_order_and_are_recorded_by_name(tmp_path: Path) -> None:
    db = connect(tmp_path / "hub.sqlite3")
    names = [name for name, _sql in migrations()]
    assert names == sorted(names) and names[0].startswith("0001_")
    assert migrate(db) == names
    assert migrate(db) == [], "a second start applies nothing"
    recorded = [row[0] for row in db.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert recorded == names
    db.close()


def test_the_database_keeps_foreign_keys_and_a_durable_journal(tmp_path: Path) -> None:
    db = open_database(tmp_path / "nested" / "hub.sqlite3")  # the folder is made
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: an ack survives a power cut
    db.close()


def test_a_write_transaction_that_fails_halfway_leaves_nothing_behind(tmp_path: Path) -> None:
    db = connect(tmp_path / "t.sqlite3")
    db.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError), write_transaction(db):
        db.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("halfway")
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    with write_transaction(db):
        db.execute("INSERT INTO t VALUES (2)")
    other = sqlite3.connect(tmp_path / "t.sqlite3")
    assert other.execute("SELECT x FROM t").fetchall() == [(2,)], "committed for every reader"
    other.close()
    db.close()


# -- the settings file ---------------------------------------------------------------------------


def test_no_settings_file_gives_the_defaults_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    assert load(None) == HubSettings()
    config = tmp_path / "etc" / "hub.toml"
    config.parent.mkdir()
    config.write_text('data_dir = "../data"\nmail_dir = "post"\nhttp_port = 8080\n')
    settings = load(config)
    assert settings.database_path == tmp_path / "data" / "hub.sqlite3"
    assert settings.mail_folder == tmp_path / "etc" / "post"
    assert settings.portal_base_url == "http://127.0.0.1:8080"


def test_a_misspelt_setting_or_a_malformed_broker_url_stops_the_start(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text("htp_port = 8080\n")
    with pytest.raises(ValueError, match="htp_port"):
        load(config)
    config.write_text('broker = "not a url"\n')
    with pytest.raises(ValueError):
        load(config)


def test_a_feature_reads_its_own_table_and_core_knows_no_feature(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(settings_module, "_SECTIONS", dict(settings_module._SECTIONS))  # leave no trace
    register_section("example", lambda table, base: {**table, "base": base}, lambda: {"colour": "none"})
    assert HubSettings().example == {"colour": "none"}, "the feature's default without a table"
    config = tmp_path / "hub.toml"
    config.write_text('[example]\ncolour = "green"\n')
    assert load(config).example == {"colour": "green", "base": tmp_path}
    assert load(config).section("example") == load(config).example
    with pytest.raises(AttributeError):
        HubSettings().no_such_section  # noqa: B018
    config.write_text('[exampel]\ncolour = "green"\n')
    with pytest.raises(ValueError, match="exampel"):
        load(config)


# -- Brussels time and the Dutch formats ---------------------------------------------------------


def test_a_local_day_is_23_or_25_hours_on_dst_nights() -> None:
    start, end = day_bounds_utc(date(2026, 3, 29))  # summer time starts
    assert (start, end) == ("2026-03-28T23:00:00.000+00:00", "2026-03-29T22:00:00.000+00:00")
    start, end = day_bounds_utc(date(2026, 10, 25))  # winter time starts
    assert (start, end) == ("2026-10-24T22:00:00.000+00:00", "2026-10-25T23:00:00.000+00:00")


def test_screens_show_dd_mm_yyyy_brussels_24h_months_in_dutch_and_8u05() -> None:
    assert fmt_date(date(2026, 3, 9)) == "09/03/2026"
    assert fmt_time(utc_iso(datetime(2026, 7, 1, 15, 4, tzinfo=UTC))) == "17:04"
    assert fmt_time("2026-01-01T15:04:00+00:00") == "16:04"
    assert fmt_month(2026, 3) == "maart 2026"
    assert fmt_duration(485) == "8u05"


def test_an_actor_is_a_location_or_an_organisator_by_id_as_text() -> None:
    zonnebloem = Actor(Role.LOCATION, "zonnebloem", "De Zonnebloem")
    assert Actor.location("zonnebloem", "De Zonnebloem") == zonnebloem
    assert Actor.organisator(7, "An Peeters").id == "7"
