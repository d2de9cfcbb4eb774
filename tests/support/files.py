"""Small real files for upload tests: a PDF, PNG and JPEG (with EXIF and GPS when asked)."""

from __future__ import annotations

import io

from PIL import Image

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
GPS_MARK = "Kinderdagverblijf-GPS-51.05N"  # written into the EXIF, looked for in served bytes


def png(width: int = 40, height: int = 30, colour: tuple[int, int, int] = (40, 160, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_exif(
    width: int = 640, height: int = 480, colour: tuple[int, int, int] = (200, 120, 40)
) -> bytes:
    """A JPEG whose EXIF names a camera, a description and a GPS position (tags a photo must lose)."""
    image = Image.new("RGB", (width, height), colour)
    exif = Image.Exif()
    exif[0x010F] = "Aanwezig-Testcamera"  # Make
    exif[0x010E] = GPS_MARK  # ImageDescription
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 3.0, 0.0)
    gps[3] = "E"
    gps[4] = (3.0, 43.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()
