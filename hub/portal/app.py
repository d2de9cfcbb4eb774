"""The FastAPI application: one place that builds it and mounts the pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlite_utils
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from hub import __version__
from hub.attendance.events import checkins_on
from hub.db import connect
from hub.localtime import fmt_date, fmt_time, today
from wire import cardcode

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
DIRECTION_NL = {"arrival": "aankomst", "departure": "vertrek"}


def create_app(database: str | Path) -> FastAPI:
    app = FastAPI(title="Aanwezig", version=__version__, docs_url="/api/docs", redoc_url=None)

    def get_db() -> Iterator[sqlite_utils.Database]:
        db = connect(database)
        try:
            yield db
        finally:
            db.close()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    def today_page(request: Request, db: sqlite_utils.Database = Depends(get_db)) -> HTMLResponse:
        day = today()
        return TEMPLATES.TemplateResponse(
            request, "today.html", {"day": fmt_date(day), "locations": _today(db, day)}
        )

    @app.get("/api/today")
    def today_api(db: sqlite_utils.Database = Depends(get_db)) -> dict:
        day = today()
        return {"date": day.isoformat(), "locations": _today(db, day)}

    return app


def _today(db: sqlite_utils.Database, day) -> list[dict]:
    locations = db.execute("SELECT id, name FROM locations ORDER BY name").fetchall()
    return [
        {
            "id": location_id,
            "name": name,
            "checkins": [
                {
                    "time": fmt_time(row.occurred_at),
                    "child": row.child_name or f"Onbekende kaart {cardcode.pretty(row.code)}",
                    "known": row.child_id is not None,
                    "direction": DIRECTION_NL[row.direction],
                    "source": row.source,
                }
                for row in checkins_on(db, location_id, day)
            ],
        }
        for location_id, name in locations
    ]
