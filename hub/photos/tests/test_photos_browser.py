"""Foto's in real Chromium: staff upload on the tablet (1024x768) and tag two children; each child's
parent sees it on a phone (390x844), a third parent does not; the served bytes carry no EXIF; a
"geen foto's" child is refused. Screenshots: test-artifacts/fotos-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import screenshot
from tests.support.files import GPS_MARK, jpeg_with_exif
from tests.support.parents import ANNE, BERT
from tests.support.talk import CARLA, TalkHub, chromium, parent_on_phone, staff_on_tablet, talk_hub


@pytest.fixture
def hub(hub_dir: Path) -> Iterator[TalkHub]:
    with talk_hub(hub_dir) as running:
        yield running


@pytest.fixture
def chrome() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def test_a_photo_of_two_children_is_seen_by_each_ones_parents_only_and_without_exif(
    hub: TalkHub, chrome: Browser, tmp_path: Path
) -> None:
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(jpeg_with_exif(1600, 1200))
    assert GPS_MARK.encode() in photo.read_bytes()
    tablet = staff_on_tablet(chrome, hub.url)
    tablet.goto(hub.url + "/locaties/zonnebloem")
    tablet.locator("nav.tabs a", has_text="Foto's").click()
    tablet.locator("#foto").set_input_files(str(photo))
    tablet.locator(f'input[data-child="{hub.families.jules}"]').check()
    tablet.locator(f'input[data-child="{hub.families.lotte}"]').check()
    tablet.get_by_label("Onderschrift").fill("Samen in de zandbak")
    tablet.get_by_role("button", name="Foto bewaren").click()
    expect(tablet.locator("#flash")).to_have_text("De foto is bewaard.")
    expect(tablet.locator(".photo-grid .photo")).to_have_count(1)
    screenshot(tablet, "fotos-locatie")

    for email, own in ((ANNE, "Jules"), (BERT, "Lotte")):
        phone = parent_on_phone(chrome, hub.url, email)
        phone.get_by_role("link", name="Foto's").click()
        card = phone.locator(".photo")
        expect(card).to_have_count(1)
        expect(card).to_contain_text(own)
        image = card.locator("img")
        expect(image).to_be_visible()
        phone.wait_for_function("document.querySelector('.photo img').complete")
        assert image.evaluate("img => img.naturalWidth") == 400  # the thumbnail
        for size in ("klein.jpg", "foto.jpg"):
            served = phone.request.get(hub.url + image.get_attribute("src").replace("klein.jpg", size))
            assert served.ok and served.headers["content-type"] == "image/jpeg"
            data = served.body()
            assert b"Exif" not in data and GPS_MARK.encode() not in data and b"Testcamera" not in data
        screenshot(phone, f"fotos-ouder-{own.lower()}")
    carla = parent_on_phone(chrome, hub.url, CARLA)
    carla.get_by_role("link", name="Foto's").click()
    expect(carla.locator("#geen-fotos")).to_be_visible()
    photo_id = tablet.locator(".photo-grid .photo").get_attribute("data-photo")
    assert carla.request.get(f"{hub.url}/ouders/fotos/{photo_id}/foto.jpg").status == 404


def test_a_child_marked_geen_fotos_is_refused_with_a_dutch_message(
    hub: TalkHub, chrome: Browser, tmp_path: Path
) -> None:
    photo = tmp_path / "groep.jpg"
    photo.write_bytes(jpeg_with_exif())
    tablet = staff_on_tablet(chrome, hub.url)
    tablet.goto(f"{hub.url}/locaties/zonnebloem/kinderen/{hub.families.noah}")
    tablet.get_by_label("Geen foto's: de ouders gaven geen toestemming").check()
    tablet.locator("#fotos").get_by_role("button", name="Bewaren").click()
    expect(tablet.locator("#flash")).to_contain_text("kan niet meer op een foto aangeduid worden")
    tablet.goto(f"{hub.url}/locaties/zonnebloem/fotos")
    noah = tablet.locator(f'input[data-child="{hub.families.noah}"]')
    expect(noah).to_be_disabled()
    # the hub refuses too, whatever the browser sends
    noah.evaluate("box => { box.disabled = false; box.checked = true }")
    tablet.locator(f'input[data-child="{hub.families.jules}"]').check()
    tablet.locator("#foto").set_input_files(str(photo))
    tablet.get_by_role("button", name="Foto bewaren").click()
    expect(tablet.locator("#error")).to_contain_text(
        "Geen foto's van Noah: de ouders gaven geen toestemming."
    )
    expect(tablet.locator(".photo-grid .photo")).to_have_count(0)
    screenshot(tablet, "fotos-geen-toestemming")
