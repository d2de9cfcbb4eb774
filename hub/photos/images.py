"""The image work: decode an upload, turn it upright, re-encode it without any metadata, thumbnail.

Re-encoding from the pixels drops EXIF (camera, time, GPS position), XMP, ICC comments and
anything hidden after the image data: only what a browser draws is kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from hub.core.actors import Refused
from hub.photos.rules import LONGEST_SIDE, PHOTO_BYTES, THUMB_SIDE

Image.MAX_IMAGE_PIXELS = 60_000_000  # a phone photo is ~12-50 MP; a decompression bomb is refused
_ACCEPTED = {"JPEG", "PNG"}


@dataclass(frozen=True)
class Encoded:
    photo: bytes  # JPEG, no metadata
    thumb: bytes  # JPEG, no metadata
    width: int
    height: int


def _jpeg(image: Image.Image, side: int) -> tuple[bytes, tuple[int, int]]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True)  # no exif=, no icc_profile=: nothing carried over
    return out.getvalue(), copy.size


def reencode(data: bytes) -> Encoded:
    """The upload as a clean JPEG and thumbnail; raises :class:`Refused` for what is no photo."""
    if not data:
        raise Refused("Kies een foto.")
    if len(data) > PHOTO_BYTES:
        raise Refused(f"De foto is te groot: hoogstens {PHOTO_BYTES // (1024 * 1024)} MB.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in _ACCEPTED:
                raise Refused("Enkel foto's als JPEG of PNG.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image)  # the orientation tag goes, its rotation stays
            pixels = upright.convert("RGB")
    except Refused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Refused("Dit bestand is geen foto (JPEG of PNG).") from None
    photo, size = _jpeg(pixels, LONGEST_SIDE)
    thumb, _ = _jpeg(pixels, THUMB_SIDE)
    return Encoded(photo, thumb, size[0], size[1])
