"""Motion deblurring for the decoder's fallbacks: the blur's direction from the crop's structure
tensor, a line spread function of a few lengths, Wiener deconvolution.

A card moved while the shutter was open is smeared along one direction: the image's gradients
are weak along it and strong across it, and its spectrum has regular zeros along it, one per
1/length (the cepstrum dips at the length). The estimates and a few neighbours make the
candidates; each is undone in the frequency domain.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["blur_direction", "blur_length", "deblurred"]

# (angle offset in degrees, length offset in pixels, noise ratio) around the estimates, most
# likely first: the direction estimate is good to about 10°, the length to about a pixel
CANDIDATES = (
    (0, 0, 0.01),
    (-7, 0, 0.01),
    (7, 0, 0.01),
    (0, 1, 0.01),
    (0, -1, 0.01),
    (0, 0, 0.003),
    (-4, 0, 0.01),
    (4, 0, 0.01),
)
LENGTHS = range(3, 17)  # smears the length estimate considers, pixels


def blur_direction(gray: np.ndarray) -> tuple[float, float]:
    """(angle in degrees, anisotropy): the direction along which the gradients are weakest, in
    the convention of :func:`line_psf`, and 1 - (weakest / strongest) gradient energy (0 for a
    sharp or evenly blurred code, towards 1 for a smear)."""
    import cv2

    g = gray.astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1)
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    strongest = 0.5 * np.arctan2(2 * jxy, jxx - jyy)  # image axes, y down
    spread = np.hypot(jxx - jyy, 2 * jxy)
    high, low = (jxx + jyy + spread) / 2, (jxx + jyy - spread) / 2
    # the smear runs across the strongest gradient; line_psf turns counter-clockwise on screen
    angle = (-np.degrees(strongest) + 90) % 180
    return float(angle), float(1 - low / high) if high > 0 else 0.0


def line_psf(length: int, angle: float, shape: tuple[int, ...]) -> np.ndarray:
    """A straight smear of ``length`` pixels at ``angle`` degrees, centred at the origin of an
    array of ``shape`` (wrapped around, for the FFT)."""
    import cv2

    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1
    rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    kernel /= max(float(kernel.sum()), 1e-6)
    big = np.zeros(shape[:2], np.float32)
    big[:length, :length] = kernel
    return np.roll(big, (-(length // 2), -(length // 2)), (0, 1))


def blur_length(gray: np.ndarray, angle: float) -> int:
    """The smear's length along ``angle``: where the cepstrum (the spectrum of the log spectrum)
    dips deepest along that direction (a line blur puts regular zeros in the spectrum)."""
    g = gray.astype(np.float32)
    g -= g.mean()
    window = np.outer(np.hanning(g.shape[0]), np.hanning(g.shape[1])).astype(np.float32)
    cepstrum = np.real(np.fft.ifft2(np.log(np.abs(np.fft.fft2(g * window)) + 1e-3)))
    a = np.radians(angle)
    depth = {
        n: float(cepstrum[round(-n * np.sin(a)) % g.shape[0], round(n * np.cos(a)) % g.shape[1]])
        for n in LENGTHS
    }
    return min(depth, key=depth.__getitem__)


def deblurred(gray: np.ndarray) -> Iterator[np.ndarray]:
    """The crop with each candidate smear undone (Wiener deconvolution), most likely first."""
    angle, _anisotropy = blur_direction(gray)
    length = blur_length(gray, angle)
    spectrum = np.fft.rfft2(gray.astype(np.float32))
    for turn, longer, noise_ratio in CANDIDATES:
        h = np.fft.rfft2(line_psf(max(2, length + longer), angle + turn, gray.shape))
        restored = np.fft.irfft2(spectrum * np.conj(h) / (np.abs(h) ** 2 + noise_ratio), s=gray.shape[:2])
        yield np.clip(restored, 0, 255).astype(np.uint8)
