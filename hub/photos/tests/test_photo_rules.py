"""Tags against consent, and re-encoding that keeps no metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hub.core.actors import Refused
from hub.photos.images import reencode
from hub.photos.rules import check_tags
from tests.support.files import GPS_MARK, jpeg_with_exif

CHILDREN = {1: ("Jules", False), 2: ("Lotte", False), 3: ("Noor", True)}


def test_a_child_without_photo_consent_cannot_be_tagged_and_is_named() -> None:
    assert check_tags([2, 1, 2], CHILDREN) == [2, 1]
    with pytest.raises(Refused, match="Geen foto's van Noor: de ouders gaven geen toestemming"):
        check_tags([1, 3], CHILDREN)


def test_a_photo_needs_a_child_of_this_location() -> None:
    with pytest.raises(Refused, match="minstens één kind"):
        check_tags([], CHILDREN)
    with pytest.raises(Refused, match="hoort niet bij deze opvanglocatie"):
        check_tags([99], CHILDREN)


def test_reencoding_drops_exif_and_gps_and_makes_a_thumbnail() -> None:
    original = jpeg_with_exif(3000, 2000)
    encoded = reencode(original)
    for data in (encoded.photo, encoded.thumb):
        assert GPS_MARK.encode() not in data and b"Exif" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and not image.getexif()
    assert (encoded.width, encoded.height) == (2048, 1365)
    assert max(Image.open(io.BytesIO(encoded.thumb)).size) == 400


def test_what_is_no_photo_is_refused() -> None:
    with pytest.raises(Refused, match="geen foto"):
        reencode(b"\xff\xd8\xff\xe0 not really")
    with pytest.raises(Refused, match="Enkel foto's als JPEG of PNG"):
        gif = io.BytesIO()
        Image.new("RGB", (4, 4)).save(gif, "GIF")
        reencode(gif.getvalue())
