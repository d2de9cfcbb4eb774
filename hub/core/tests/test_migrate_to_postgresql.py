"""`aanwezig-hub migrate-to-postgresql`: a SQLite hub's data moves to PostgreSQL, verified, and the
hub goes on there as before (the event log immutable, new ids after the copied ones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.cli import main
from hub.core.db import IntegrityError, connect, open_database, write_transaction
from hub.core.to_postgresql import MigrationRefused, migrate_to_postgresql
from hub.demo import seed


@pytest.fixture
def demo_hub(tmp_path: Path) -> Path:
    """A demo-sized hub: the demo location, children, cards and units with two weeks of scans."""
    path = tmp_path / "hub" / "hub.sqlite3"
    db = open_database(path)
    seed(db, unit_ids=("unit-zonnebloem-in", "unit-zonnebloem-uit"), history_days=14)
    db.close()
    return path


def test_a_sqlite_hub_moves_to_postgresql_with_every_row_verified(
    demo_hub: Path, postgres_url: str, capsys
) -> None:
    assert main(["migrate-to-postgresql", str(demo_hub), postgres_url]) == 0
    printed = capsys.readouterr().out
    assert "all verified" in printed and "events" in printed
    lite, pg = connect(demo_hub), connect(postgres_url)
    try:
        for table in (
            "events",
            "children",
            "cards",
            "units",
            "locations",
            "corrections",
            "upload_summary_changes",
        ):
            count = lite.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert pg.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count, table
        assert pg.execute("SELECT count(*) FROM events").fetchone()[0] > 50, "a demo-sized log was copied"
        assert (
            pg.execute("SELECT secret FROM portal_keys").fetchone()
            == lite.execute("SELECT secret FROM portal_keys").fetchone()
        ), "sessions stay valid: the same cookie key"
        with pytest.raises(IntegrityError, match="immutable"), write_transaction(pg):
            pg.execute("DELETE FROM events")
        highest = lite.execute("SELECT max(id) FROM children").fetchone()[0]
        with write_transaction(pg):
            pg.execute("INSERT INTO children (first_name, last_name) VALUES ('Nieuw', 'Kind')")
        assert pg.execute("SELECT max(id) FROM children").fetchone()[0] == highest + 1
    finally:
        lite.close()
        pg.close()


def test_the_copy_goes_only_to_an_empty_postgresql_hub(demo_hub: Path, postgres_url: str) -> None:
    migrate_to_postgresql(demo_hub, postgres_url, say=lambda _text: None)
    with pytest.raises(MigrationRefused, match="already holds data"):
        migrate_to_postgresql(demo_hub, postgres_url, say=lambda _text: None)
    assert main(["migrate-to-postgresql", str(demo_hub.parent / "missing.sqlite3"), postgres_url]) == 1
