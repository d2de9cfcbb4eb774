"""'Scan aan de deur' end to end: the portal asks, the hub sends link_card through Mosquitto, a
real unit process reads the next card from its camera, and its card_read links the card."""

from __future__ import annotations

from pathlib import Path

from hub.demo import DEMO_DOSSIER, DEMO_PIN, DemoData
from provisioning.mosquitto import UnitAccount
from tests.support.fixtures import write_card_image
from tests.support.portal import PortalClient
from tests.support.processes import start_hub, start_unit, unit_config
from tests.support.waiting import wait_for
from wire import cardcode


def test_the_next_card_shown_at_the_chosen_unit_is_linked_and_the_unit_learns_its_name(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto
) -> None:
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, url = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    unit_dir, frames = tmp_path / "unit", tmp_path / "camera"
    config = unit_config(
        unit_dir,
        demo.unit_id,
        demo.location_id,
        mosquitto.unit_url(demo.unit_id),
        camera={"source": "files", "folder": str(frames)},
    )
    unit = start_unit(unit_dir, config)
    staff = PortalClient(url)
    try:
        wait_for(lambda: "config from the hub: 6 card(s)" in unit.log(), what="the unit's first config")
        staff.login_location(DEMO_DOSSIER, DEMO_PIN)
        form = "/locaties/zonnebloem/kinderen/nieuw"
        paulien = {"first_name": "Paulien", "last_name": "Claes", "birth_date": "02/02/2025", "sex": "v"}
        child = staff.post(form, paulien, form)
        child_path = child.url.path
        asked = staff.post(child_path + "/kaart/scan", {"unit": demo.unit_id}, child_path)
        assert "Houd nu de kaart voor de scanner" in asked.text
        request_id = asked.url.path.rsplit("/", 1)[1]
        status = f"/locaties/zonnebloem/kaart-aanvragen/{request_id}"
        wait_for(lambda: "next card is for Paulien" in unit.log(), what="the link request at the unit")

        code = cardcode.new_code()
        write_card_image(frames, code)
        answer = wait_for(lambda: (body := staff.get(status).json())["state"] != "open" and body)
        assert (answer["state"], answer["code"]) == ("linked", code)
        assert answer["text"] == f"Kaart {cardcode.pretty(code)} is gekoppeld."
        assert cardcode.pretty(code) in staff.get(child_path).text
        # the roster goes out again: the unit now greets Paulien by name
        wait_for(lambda: "config from the hub: 7 card(s)" in unit.log(), what="the new roster at the unit")
    finally:
        staff.close()
        unit.stop()
        hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]
    assert "Traceback" not in unit.log(), unit.log()[-3000:]
