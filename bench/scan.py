"""Scan benchmark: the QR decoders on generated door scenes, and scan -> feedback latency.

1. Decoders. Every engine in ``device.decoder.ENGINES`` (the unit's stack ``zxing``, zxing-cpp
   with its defaults on the full frame, pyzbar, OpenCV) reads the same seeded set of generated
   frames (``device.frames.synthetic.scene_set``: 640x480 and 1280x720; plain, small, large,
   rotated, perspective, blur, motion blur, noise, low contrast, glare, a phone screen with
   moiré, an inverted phone code, and empty frames). Per engine: codes read / codes shown, wrong
   reads (a phantom or wrong code), median and p95 milliseconds per frame, median on empty frames.
2. Scan -> feedback. The unit's own path from a frame's arrival to the feedback call: the
   scanner decodes a 1280x720 frame with the unit's stack, the desk writes the event to a real
   outbox on disk (SQLite WAL, synchronous=FULL: the commit waits for the flush) and signals.

Run with ``make bench-scan``; figures go to ``bench/results/scan.json``.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from bench.common import percentile, print_table, write_results
from device.checkin import CheckInDesk, Roster
from device.clock import SystemClock
from device.decoder import ENGINES, open_decoder
from device.feedback import Signal
from device.frames.synthetic import scene, scene_set
from device.outbox import Outbox
from device.scanner import Scanner
from wire import Source, UnitConfig, cardcode

SEED = 2026
PER_KIND = 6  # frames per scene kind and size: 13 kinds x 2 sizes x 6 = 156 frames
SCANS = 200
LATENCY_KINDS = ("plain", "rotated", "perspective", "glare", "phone")


def seeded_codes(count: int, seed: int) -> list[str]:
    """Valid card codes, the same for every run (what a QR holds changes its pattern)."""
    rng = random.Random(seed)
    digits = cardcode.CODE_LENGTH - 1
    bodies = ["".join(rng.choice("0123456789") for _ in range(digits)) for _ in range(count)]
    return [body + cardcode.check_digit(body) for body in bodies]


def measure_decoders(figures: dict[str, float]) -> list[tuple[str, object]]:
    codes = seeded_codes(64, SEED)
    samples = list(scene_set(codes, seed=SEED, per_kind=PER_KIND))
    shown = sum(1 for s in samples if s.code)
    rows: list[tuple[str, object]] = [("frames (of which empty)", f"{len(samples)} ({len(samples) - shown})")]
    for engine, _module, _factory in ENGINES:
        decoder = open_decoder(engine)
        decoder.decode(samples[0].frame)  # warm up (imports, first allocations)
        times, empty_times, read, wrong = [], [], 0, 0
        for sample in samples:
            start = time.perf_counter()
            texts = decoder.decode(sample.frame)
            elapsed = (time.perf_counter() - start) * 1000
            times.append(elapsed)
            if sample.code is None:
                empty_times.append(elapsed)
                wrong += bool(texts)
            elif texts == [sample.code]:
                read += 1
            elif texts:
                wrong += 1
        key = engine.replace("-", "_")
        figures |= {
            f"{key}_decoded": read,
            f"{key}_total": shown,
            f"{key}_wrong": wrong,
            f"{key}_median_ms": round(statistics.median(times), 2),
            f"{key}_p95_ms": round(percentile(times, 95), 2),
            f"{key}_empty_median_ms": round(statistics.median(empty_times), 2),
        }
        if engine == open_decoder().name:
            engine = f"{engine} (the unit's stack)"
        rows += [
            (f"{engine}: decoded", f"{read}/{shown}" + (f" ({wrong} wrong)" if wrong else "")),
            (f"{engine}: median / p95 ms", f"{statistics.median(times):.1f} / {percentile(times, 95):.1f}"),
            (f"{engine}: empty frame median ms", round(statistics.median(empty_times), 2)),
        ]
    return rows


class ListFrames:
    """A camera that delivers prepared frames as fast as they are asked for."""

    name = "bench"

    def __init__(self, frames: list[np.ndarray]) -> None:
        self._frames = iter(frames)

    def read(self) -> np.ndarray | None:
        return next(self._frames, None)

    def close(self) -> None:
        pass


class TimedFeedback:
    """Notes when each signal was given, on the clock the scanner stamps frame arrival with."""

    def __init__(self) -> None:
        self.signals: list[tuple[float, Signal]] = []

    def signal(self, kind: Signal, message: str) -> None:
        self.signals.append((time.monotonic(), kind))

    def show_mode(self, text: str) -> None:
        pass

    def prompt(self, text: str | None) -> None:
        pass

    def close(self) -> None:
        pass


def measure_scan_to_feedback(figures: dict[str, float], folder: Path) -> list[tuple[str, object]]:
    rng = np.random.default_rng(SEED)
    codes = seeded_codes(SCANS, SEED + 1)
    frames = [
        scene(LATENCY_KINDS[i % len(LATENCY_KINDS)], code, 1280, 720, rng) for i, code in enumerate(codes)
    ]
    outbox = Outbox(folder / "outbox.sqlite3")
    roster = Roster(outbox)
    roster.update(
        UnitConfig(
            unit="bench",
            location="bench",
            location_name="Bench",
            roster={code: f"Kind {i}" for i, code in enumerate(codes)},
            issued_at=datetime.now().astimezone().isoformat(),
        )
    )
    feedback = TimedFeedback()
    desk = CheckInDesk("bench", "bench", outbox, roster, feedback, SystemClock(), is_online=lambda: True)
    arrivals: list[float] = []

    def card_seen(code: str, arrived: float) -> None:
        arrivals.append(arrived)
        desk.register(code, Source.QR)

    scanner = Scanner(ListFrames(frames), open_decoder(), card_seen)
    for _ in frames:
        scanner.step()
    outbox.close()
    latencies = [
        (at - arrived) * 1000 for (at, _kind), arrived in zip(feedback.signals, arrivals, strict=True)
    ]
    ok = sum(1 for _at, kind in feedback.signals if kind is Signal.OK)
    figures |= {
        "scans": len(frames),
        "scans_registered": ok,
        "scan_to_feedback_p50_ms": round(percentile(latencies, 50), 2),
        "scan_to_feedback_p95_ms": round(percentile(latencies, 95), 2),
        "scan_to_feedback_max_ms": round(max(latencies), 2),
    }
    return [
        ("scans (1280x720, outbox fsync each)", f"{ok}/{len(frames)} registered"),
        ("scan -> feedback p50 ms", round(percentile(latencies, 50), 2)),
        ("scan -> feedback p95 ms", round(percentile(latencies, 95), 2)),
        ("scan -> feedback max ms", round(max(latencies), 2)),
    ]


def main() -> None:
    figures: dict[str, float] = {}
    decoder_rows = measure_decoders(figures)
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parents[1]) as folder:
        latency_rows = measure_scan_to_feedback(figures, Path(folder))
    print_table("QR decoders on generated door scenes", decoder_rows)
    print_table("Scan -> feedback (frame arrival to the feedback call, outbox flush included)", latency_rows)
    print(f"written to {write_results('scan', figures)}")


if __name__ == "__main__":
    main()
