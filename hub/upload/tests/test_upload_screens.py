"""The "Opgeladen" screens over HTTP: the overview, a location's month, "Nu versturen", confirming a
warning, the preview, the CSV, the school start on the child form; and who may see and do what,
proved by trying.

The month is two months back at the demo location (tests/support/upload_month.py): Jules has a
red cell (red clock), Noah no birth date and Mila is 3 years old (red cloud). The organisation's
second location "De Regenboog" has one complete day. The hub's upload endpoint is set, but no
upload thread runs here: "Nu versturen" only leaves a request (hub/upload/tests/test_upload_browser.py sends).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from hub.core.db import connect
from hub.core.localtime import fmt_date, today
from hub.core.settings import HubSettings
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN, seed
from hub.mail.folder import FolderMailer
from hub.prices.ko_toeslag import add_months
from hub.upload.sender import Endpoint
from hub.upload.service import run_requests, send_month
from hub.upload.settings import UploadSettings
from hub.web.app import create_app
from tests.support.attendance import ARRIVAL, Door, at, day_at_the_creche
from tests.support.hub_sql import sql_rows
from tests.support.kg_receiver import Receiver
from tests.support.portal import PortalClient, serve
from tests.support.portal_world import OTHER_DOSSIER, OTHER_EMAIL, OTHER_PASSWORD, OTHER_PIN, build_world
from tests.support.upload_month import MarkedMonth, month_with_both_markers, months_back, open_days

# These screens' queries on PostgreSQL too: the overview, a month's errors, "Nu versturen", the
# history of versions, confirming a warning and the CSV (the others read the same rows: SQLite only,
# to keep the suite's time)
on_both_databases = pytest.mark.both_databases

CLOCK = 'aria-label="rode klok'
CLOUD = 'aria-label="rode wolk'


@dataclass
class UploadPortal:
    url: str
    database: Path | str
    month: MarkedMonth
    other_child: int  # at the other organisator's location "klavertje"

    def client(self) -> PortalClient:
        return PortalClient(self.url)

    def organisator(self) -> PortalClient:
        client = self.client()
        client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
        return client

    def detail(self, location: str = "zonnebloem") -> str:
        return f"/locaties/{location}/opgeladen?maand={self.month.key}"

    def count(self, sql: str) -> int:
        db = connect(self.database)
        try:
            return db.execute(sql).fetchone()[0]
        finally:
            db.close()

    def execute(self, sql: str, params: tuple = ()) -> list[tuple]:
        """One statement on the portal's database, committed; its rows."""
        return sql_rows(self.database, sql, params)


def upload_portal(
    hub_dir: Path, database: Path | str, tmp_path: Path, upload: UploadSettings
) -> Iterator[UploadPortal]:
    database, other_child, _code = build_world(hub_dir, history_days=0, database=database)
    db = connect(database)
    marked = month_with_both_markers(db, seed(db), *months_back(2), elsewhere=True)
    db.close()
    settings = HubSettings(data_dir=hub_dir, sections={"upload": upload})
    app = create_app(database, mailer=FolderMailer(tmp_path / "mail"), settings=settings)
    with serve(app) as url:
        yield UploadPortal(url, database, marked, other_child)


@pytest.fixture
def portal(hub_dir: Path, hub_target: Path | str, tmp_path: Path) -> Iterator[UploadPortal]:
    # no upload thread runs here; the endpoint only has to be set for "Nu versturen" to be offered
    amounts = tmp_path / "bedragen.toml"
    amounts.write_text('[[ko_toeslag]]\nfrom = 2019-01-01\nwhole_day = "3.23"\n')
    upload = UploadSettings(endpoint="http://127.0.0.1:9/aanwezigheden", amounts_file=str(amounts))
    yield from upload_portal(hub_dir, hub_target, tmp_path, upload)


@pytest.fixture
def portal_without_endpoint(hub_dir: Path, hub_target: Path | str, tmp_path: Path) -> Iterator[UploadPortal]:
    yield from upload_portal(hub_dir, hub_target, tmp_path, UploadSettings())


def section(page: str, anchor: str) -> str:
    """The HTML of the <section id=anchor> of a page."""
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</section>", start)]


def overview_lines(page: str) -> dict[str, str]:
    """Each location line of the overview, by location name."""
    lines = {}
    for chunk in page.split('<li class="location-line')[1:]:
        name = re.search(r"<strong>([^<]+)</strong>", chunk)[1]
        lines[name] = chunk[: chunk.index("</li>")]
    return lines


@on_both_databases
def test_the_organisator_sees_its_locations_with_a_red_clock_and_a_red_cloud_where_there_are_errors(
    portal: UploadPortal,
) -> None:
    client = portal.organisator()
    page = client.get(f"/opgeladen?maand={portal.month.key}").text
    lines = overview_lines(page)
    assert set(lines) == {"Kinderdagverblijf De Zonnebloem", "De Regenboog"}
    zonnebloem, regenboog = lines["Kinderdagverblijf De Zonnebloem"], lines["De Regenboog"]
    assert CLOCK in zonnebloem and CLOUD in zonnebloem
    assert '<span class="status errors">fouten</span>' in zonnebloem
    assert "1 tijdsfout" in zonnebloem and "2 gegevensfouten" in zonnebloem
    # two months back is among the months the hub sends by itself: what may go, goes at the next check
    assert "Volgende verzending: vandaag" in zonnebloem
    assert CLOCK not in regenboog and CLOUD not in regenboog
    assert '<span class="status waiting">wachtend</span>' in regenboog
    assert "Volgende verzending: vandaag" in regenboog
    assert f'href="/locaties/zonnebloem/opgeladen?maand={portal.month.key}"' in zonnebloem
    # the locations list leads there; by default the overview shows last month
    assert 'href="/opgeladen"' in client.get("/locaties").text
    last = months_back(1)
    assert f"?maand={last[0]:04d}-{last[1]:02d}" in client.get("/opgeladen").text


@on_both_databases
def test_a_locations_month_lists_time_and_data_errors_apart_each_with_a_link_to_fix_it(
    portal: UploadPortal,
) -> None:
    client = portal.organisator()
    page = client.get(portal.detail()).text
    marked = portal.month
    red_day = marked.days[0]
    assert '<span class="status errors" id="status-text">fouten</span>' in page
    assert 'href="/locaties/zonnebloem/opgeladen"' in page, "the tab in the location's navigation"

    clock = section(page, "tijdsfouten")
    assert f"Jules Peeters</strong>, {fmt_date(red_day)}: Vertrek ontbreekt na aankomst om 08:05" in clock
    cell = f"/locaties/zonnebloem/cel/{marked.red_child}/{red_day.isoformat()}"
    assert f'href="{cell}">Aanpassen</a>' in clock
    assert "Noah" not in clock and "Mila" not in clock

    cloud = section(page, "gegevensfouten")
    assert "Noah Maes</strong>: De geboortedatum ontbreekt." in cloud
    assert f'href="/locaties/zonnebloem/kinderen/{marked.undated_child}/wijzigen">Gegevens aanpassen' in cloud
    warnings = cloud[cloud.index("Waarschuwingen") :]
    assert "Mila Jacobs</strong>: Mila is 2,5 jaar sinds" in warnings and "Bevestigen" in warnings
    assert f"/kinderen/{marked.older_child}/wijzigen#school_start" in warnings
    assert "Noah" not in warnings and "Jules" not in cloud

    assert "Klaar om te versturen" in page and "Wacht op aanpassing" in page
    assert "Nu versturen" in page

    # the link leads to the cell, which says what is wrong
    correction = client.get(cell)
    assert correction.status_code == 200 and "Vertrek ontbreekt na aankomst om 08:05" in correction.text


def test_the_preview_gives_the_ko_toeslag_days_per_child(portal: UploadPortal) -> None:
    page = portal.organisator().get(portal.detail()).text
    preview = section(page, "voorbeeld")
    assert "Voorbeeld KO-toeslag" in preview
    lotte = preview[preview.index("Lotte Janssens") :]
    lotte = lotte[: lotte.index("</tr>\n")]
    # two days of 8u30: two whole days at 3,23 euro, until 2.5 years (no school start known)
    stops = fmt_date(add_months(date(portal.month.year, portal.month.month, 1), -12 + 30))
    cells = "<td>2</td><td>2</td><td>0</td><td>0</td><td>2</td><td>€ 6,46</td>"
    assert re.search(rf"</details></th>\s*{cells}<td>{stops}</td>", lotte), lotte
    mila = preview[preview.index("Mila Jacobs") :]
    assert "geen (2,5 jaar)" in mila[: mila.index("</tr>\n")]
    assert (
        "(wacht op aanpassing)"
        in preview[preview.index("Noah Maes") - 300 : preview.index("Noah Maes") + 200]
    )


def test_an_inkomenstarief_location_previews_the_shares_of_the_day_price(portal: UploadPortal) -> None:
    portal.execute("UPDATE locations SET price_model = 'inkomenstarief' WHERE id = 'zonnebloem'")
    preview = section(portal.organisator().get(portal.detail()).text, "voorbeeld")
    assert "Voorbeeld inkomenstarief" in preview and "KO-toeslag" not in preview
    assert "100 % (5–11 u)" in preview and "<td>100 %</td>" in preview


@on_both_databases
def test_nu_versturen_asks_the_upload_thread_and_the_page_waits_for_it_without_blocking(
    portal: UploadPortal,
) -> None:
    client = portal.organisator()
    done = client.post(
        "/locaties/zonnebloem/opgeladen/versturen", {"maand": portal.month.key}, portal.detail()
    )
    assert "wordt verstuurd naar Kind en Gezin" in done.text
    assert re.search(r"Versturen aangevraagd door Kinderopvang De Zonnebloem vzw om \d\d:\d\d", done.text)
    assert '<meta http-equiv="refresh" content="3">' in done.text, "the page looks again by itself"
    assert "vandaag, binnen enkele ogenblikken" in done.text
    assert portal.count("SELECT count(*) FROM upload_requests WHERE handled_at IS NULL") == 1
    # this month is not over: it cannot go yet
    this_month = f"{today():%Y-%m}"
    refused = client.post("/locaties/zonnebloem/opgeladen/versturen", {"maand": this_month}, portal.detail())
    assert "is nog niet voorbij" in refused.text
    assert portal.count("SELECT count(*) FROM upload_requests") == 1


@on_both_databases
def test_a_version_that_did_not_arrive_shows_its_attempts_and_who_sends_it_again(
    portal: UploadPortal,
) -> None:
    db = connect(portal.database)
    older = months_back(5)  # not among the months the planning sends (and retries) by itself
    day_at_the_creche(Door(db, seed(db)), "Lotte", open_days(db, "zonnebloem", *older)[0].isoformat())
    receiver = Receiver(fail_next=4).start()
    try:
        endpoint = Endpoint(receiver.url, attempts=2, first_pause_s=0, longest_pause_s=0, timeout_s=5)
        for year, month in ((portal.month.year, portal.month.month), older):
            result = send_month(db, endpoint, "zonnebloem", year, month, pause=lambda _s: False)
            assert result.outcome == "failed"
    finally:
        receiver.stop()
        db.close()
    client = portal.organisator()
    recent = client.get(portal.detail()).text
    assert '<span class="status waiting" id="status-text">' not in recent, "the errors still stand"
    assert (
        "Versie 1 is nog niet aangekomen (HTTP 503 Service Unavailable); het systeem probeert opnieuw."
        in recent
    )
    history = section(recent, "verzendingen")
    assert history.count("mislukt (HTTP 503 Service Unavailable)") == 2 and "onderweg" in history
    old = client.get(f"/locaties/zonnebloem/opgeladen?maand={older[0]:04d}-{older[1]:02d}").text
    assert '<span class="status waiting" id="status-text">wachtend</span>' in old
    assert (
        "nog niet aangekomen (HTTP 503 Service Unavailable); verstuur de maand opnieuw met ‘Nu versturen’"
        in old
    )


def test_a_month_whose_children_are_all_held_back_says_nothing_was_sent_and_links_to_the_errors(
    portal: UploadPortal,
) -> None:
    db = connect(portal.database)
    older = months_back(5)
    day = open_days(db, "zonnebloem", *older)[0].isoformat()
    door = Door(db, seed(db))
    door.scan("Jules", at(day, "08:05"), ARRIVAL)  # no departure: a time error
    day_at_the_creche(door, "Noah", day)  # no birth date: a data error
    key = f"{older[0]:04d}-{older[1]:02d}"
    client = portal.organisator()
    page = f"/locaties/zonnebloem/opgeladen?maand={key}"
    client.post("/locaties/zonnebloem/opgeladen/versturen", {"maand": key}, page)
    receiver = Receiver().start()
    try:  # what the hub's upload thread does with the request
        endpoint = Endpoint(receiver.url, attempts=1, first_pause_s=0, longest_pause_s=0, timeout_s=5)
        (result,) = run_requests(db, endpoint, pause=lambda _s: False)
    finally:
        receiver.stop()
        db.close()
    assert result.outcome == "held_back" and not receiver.submissions

    text = client.get(page).text
    history = section(text, "verzendingen")
    assert "niets verstuurd: 2 kinderen tegengehouden door fouten" in history
    assert '<a class="fix" href="#fouten">Fouten bekijken</a>' in history
    assert "Kind en Gezin heeft alles al" not in history
    assert "werd nog niet verstuurd" in history, "and the versions agree: nothing went"
    errors = text[text.index('id="fouten"') :]
    assert "Jules Peeters" in section(errors, "tijdsfouten")
    assert "Noah Maes" in section(errors, "gegevensfouten")


def test_a_hub_without_an_endpoint_checks_the_month_but_offers_no_sending(
    portal_without_endpoint: UploadPortal,
) -> None:
    portal = portal_without_endpoint
    client = portal.organisator()
    page = client.get(portal.detail()).text
    assert "Versturen naar Kind en Gezin is niet ingesteld op deze hub." in page
    assert "Nu versturen" not in page and CLOCK in page
    assert '<dd id="next-sending">niet ingesteld op deze hub</dd>' in page
    preview = section(page, "voorbeeld")
    assert "<th>Bedrag</th>" not in preview and "er is geen tabel met bedragen ingesteld" in preview
    refused = client.post(
        "/locaties/zonnebloem/opgeladen/versturen", {"maand": portal.month.key}, portal.detail()
    )
    assert "niet ingesteld" in refused.text
    assert portal.count("SELECT count(*) FROM upload_requests") == 0


@on_both_databases
def test_a_warning_is_confirmed_once_looked_at_but_an_error_can_only_be_fixed(portal: UploadPortal) -> None:
    client = portal.organisator()
    marked = portal.month

    def confirm(child: int, rule: str, note: str = "") -> str:
        form = {"maand": marked.key, "child_id": str(child), "rule": rule, "note": note}
        return client.post("/locaties/zonnebloem/opgeladen/bevestigen", form, portal.detail()).text

    refused = confirm(marked.undated_child, "no_birth_date")
    assert "Een fout kan je niet bevestigen; pas ze aan." in refused
    assert "staat niet (meer) open" in confirm(portal.other_child, "subsidy_age")
    page = confirm(marked.older_child, "subsidy_age", "gaat pas in september naar school")
    assert "De waarschuwing over Mila Jacobs is bevestigd." in page
    warnings = section(page, "gegevensfouten")
    assert "Bevestigd door" in warnings and "gaat pas in september naar school" in warnings
    assert "staat niet (meer) open" in confirm(marked.older_child, "subsidy_age")
    assert portal.count("SELECT count(*) FROM upload_confirmations") == 1


@on_both_databases
def test_the_month_downloads_as_csv_with_a_dutch_file_name(portal: UploadPortal) -> None:
    client = portal.organisator()
    response = client.get(f"/locaties/zonnebloem/opgeladen/csv?maand={portal.month.key}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="aanwezigheden-kinderdagverblijf-de-zonnebloem-{portal.month.key}.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffDossiernummer;Locatie;Datum;Kind;")
    header, *rows = text.splitlines()
    assert header.endswith(";Fouten;KO-toeslag")
    lotte = [row for row in rows if ";Lotte;" in row]
    assert len(lotte) == 2 and all(row.endswith(";;hele dag") for row in lotte)
    (noah,) = [row for row in rows if ";Noah;" in row]
    assert "De geboortedatum ontbreekt." in noah
    assert "Regenboog" not in text and "Klavertje" not in text


def test_the_school_start_date_on_the_child_form_settles_the_age_warning(portal: UploadPortal) -> None:
    client = portal.organisator()
    mila = portal.month.older_child
    form = f"/locaties/zonnebloem/kinderen/{mila}/wijzigen"
    edit = client.get(form).text
    assert 'name="school_start"' in edit and 'id="school_start"' in edit
    fields = {"first_name": "Mila", "last_name": "Jacobs", "sex": "v"}
    [(born,)] = portal.execute("SELECT birth_date FROM children WHERE id = ?", (mila,))
    fields["birth_date"] = fmt_date(date.fromisoformat(born))
    wrong = client.post(form, {**fields, "school_start": "1 september"}, form)
    assert "Geef de startdatum school als DD/MM/JJJJ" in wrong.text
    before_birth = client.post(form, {**fields, "school_start": "01/01/2000"}, form)
    assert "De startdatum school ligt voor de geboortedatum." in before_birth.text
    later = date(portal.month.year + 1, 9, 1)
    saved = client.post(form, {**fields, "school_start": fmt_date(later)}, form)
    assert "De gegevens zijn bewaard." in saved.text
    assert f"<dt>Start school</dt><dd>{fmt_date(later)}</dd>" in saved.text
    page = client.get(portal.detail()).text
    assert "Mila" not in section(page, "gegevensfouten"), "school starts later: no warning"
    assert fmt_date(later) in client.get(form).text
    # emptied again, the warning is back
    client.post(form, {**fields, "school_start": ""}, form)
    assert "Mila is 2,5 jaar sinds" in client.get(portal.detail()).text


def test_a_new_child_can_be_registered_with_its_school_start(portal: UploadPortal) -> None:
    client = portal.organisator()
    form = "/locaties/zonnebloem/kinderen/nieuw"
    saved = client.post(
        form,
        {
            "first_name": "Fien",
            "last_name": "Wouters",
            "birth_date": "01/02/2024",
            "sex": "v",
            "school_start": "01/09/2026",
        },
        form,
    )
    assert "Fien is geregistreerd" in saved.text and "<dt>Start school</dt><dd>01/09/2026</dd>" in saved.text


# -- who sees what ---------------------------------------------------------------------------------


def test_the_screens_need_a_login(portal: UploadPortal) -> None:
    client = portal.client()
    for path in (
        "/opgeladen",
        portal.detail(),
        f"/locaties/zonnebloem/opgeladen/csv?maand={portal.month.key}",
    ):
        assert client.get(path).url.path == "/aanmelden", path


def test_a_location_sees_only_its_own_month_even_beside_a_location_of_its_own_organisator(
    portal: UploadPortal,
) -> None:
    client = portal.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    assert client.get("/opgeladen").url.path == "/locaties/zonnebloem/opgeladen"
    own = client.get(portal.detail())
    assert own.status_code == 200 and CLOCK in own.text
    assert "alle locaties" not in own.text and "Regenboog" not in own.text
    for location in ("regenboog", "klavertje", "nergens"):
        for path in (
            portal.detail(location),
            f"/locaties/{location}/opgeladen/csv?maand={portal.month.key}",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            assert "Olivia" not in response.text and "Geheim" not in response.text, path
        for path, data in (
            (f"/locaties/{location}/opgeladen/versturen", {"maand": portal.month.key}),
            (
                f"/locaties/{location}/opgeladen/bevestigen",
                {"maand": portal.month.key, "child_id": str(portal.month.older_child), "rule": "subsidy_age"},
            ),
        ):
            assert client.post(path, data, portal.detail()).status_code == 404, path
    assert portal.count("SELECT count(*) FROM upload_requests") == 0
    assert portal.count("SELECT count(*) FROM upload_confirmations") == 0


def test_another_organisator_gets_404_for_the_month_of_a_location_not_its_own(portal: UploadPortal) -> None:
    client = portal.client()
    client.login_organisator(OTHER_EMAIL, OTHER_PASSWORD)
    overview = client.get(f"/opgeladen?maand={portal.month.key}").text
    assert list(overview_lines(overview)) == ["Kinderopvang Klavertje"]
    for path in (portal.detail(), f"/locaties/zonnebloem/opgeladen/csv?maand={portal.month.key}"):
        response = client.get(path)
        assert response.status_code == 404 and "Jules" not in response.text, path
    sent = client.post(
        "/locaties/zonnebloem/opgeladen/versturen",
        {"maand": portal.month.key},
        "/locaties/klavertje/opgeladen",
    )
    assert sent.status_code == 404
    klavertje = client.get("/locaties/klavertje/opgeladen").text
    assert "Klavertje" in klavertje and "Jules" not in klavertje
    # the location Klavertje itself, by PIN, likewise
    location = portal.client()
    location.login_location(OTHER_DOSSIER, OTHER_PIN)
    assert location.get(portal.detail()).status_code == 404
    assert portal.count("SELECT count(*) FROM upload_requests") == 0


def test_the_screens_posts_need_the_csrf_token_of_this_browser(portal: UploadPortal) -> None:
    client = portal.organisator()
    other_browser = portal.client().csrf()
    for path, data in (
        ("/locaties/zonnebloem/opgeladen/versturen", {"maand": portal.month.key}),
        (
            "/locaties/zonnebloem/opgeladen/bevestigen",
            {"maand": portal.month.key, "child_id": str(portal.month.older_child), "rule": "subsidy_age"},
        ),
    ):
        assert client.http.post(path, data=data).status_code == 403, path
        assert client.http.post(path, data={**data, "csrf": other_browser}).status_code == 403, path
    assert portal.count("SELECT count(*) FROM upload_requests") == 0
    assert portal.count("SELECT count(*) FROM upload_confirmations") == 0
