"""The overview's late-pickup list: children still present at closing time, with their contacts'
phone numbers (the house rules' procedure), read with the hub's clock passed in."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from hub.attendance.after_closing import StillHere, still_here_after_closing
from hub.children.queries import Contact, add_contact, get_child
from hub.core.db import open_database
from hub.core.localtime import BRUSSELS
from hub.demo import DemoData, _record
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import weekdays
from hub.web.web import TEMPLATES
from tests.support.parents import last_open_day
from wire import Direction


def test_a_child_not_collected_by_closing_time_is_listed_with_the_phone_numbers_of_its_contacts(
    hub_dir: Path, demo: DemoData
) -> None:
    database = hub_dir / "hub.sqlite3"
    db = open_database(database)
    set_opening_hours(db, demo.location_id, weekdays("07:00", "18:00", range(1, 8)))
    db.close()
    day = last_open_day(database, demo.location_id)  # a day gone by: the clock is passed in

    def at(hh: int, mm: int = 0) -> datetime:
        return datetime.combine(day, time(hh, mm), BRUSSELS)

    db = open_database(database)
    ids = dict(db.execute("SELECT first_name, id FROM children"))
    add_contact(db, ids["Jules"], "Anne Peeters", "anne@gezin.example", "moeder", "0470 11 22 33")
    add_contact(db, ids["Jules"], "Oma Rita", None, "grootmoeder", "")
    received = (at(9) + timedelta(seconds=1)).isoformat()
    with db.atomic():
        _record(
            db, demo.unit_id, demo.cards["Jules"], at(9), Direction.ARRIVAL, demo.cards["Jules"], received
        )
        _record(
            db, demo.unit_id, demo.cards["Lotte"], at(9), Direction.ARRIVAL, demo.cards["Lotte"], received
        )
        _record(
            db, demo.unit_id, demo.cards["Lotte"], at(16), Direction.DEPARTURE, demo.cards["Lotte"], received
        )
    assert still_here_after_closing(db, demo.location_id, at(17, 59)) == []  # not closing time yet
    (late,) = still_here_after_closing(db, demo.location_id, at(18, 5))
    db.close()
    assert late.child.first_name == "Jules"
    assert late.since == at(9)
    assert [(c.name, c.phone) for c in late.contacts] == [
        ("Anne Peeters", "0470 11 22 33"),
        ("Oma Rita", ""),
    ]


def test_the_overview_shows_the_late_pickup_list_with_phone_links(hub_dir: Path, demo: DemoData) -> None:
    db = open_database(hub_dir / "hub.sqlite3")
    jules = get_child(db, dict(db.execute("SELECT first_name, id FROM children"))["Jules"])
    db.close()
    since = datetime.combine(last_open_day(hub_dir / "hub.sqlite3"), time(9), BRUSSELS)
    contacts = (Contact(1, jules.id, "Anne Peeters", None, "moeder", "0470 11 22 33"),)
    html = TEMPLATES.env.get_template("grid/_after_closing.html").render(
        after_closing=[StillHere(jules, since, contacts)]
    )
    assert "Nog aanwezig na sluitingstijd" in html
    assert "(sinds 09:00)" in html
    assert '<a href="tel:0470112233">0470 11 22 33</a>' in html
