"""``aanwezig-unit``: run the scanner unit, decode image files with the unit's own decoder, or check
the camera (frame rate, exposure, focus, decodes)."""

from __future__ import annotations

import argparse
import logging
import sys

from device import __version__

RESTART_EXIT = 75  # after an update: systemd (Restart=always) starts the unit again, new version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aanwezig-unit", description="Aanwezig scanner unit")
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the scanner unit (camera, outbox, MQTT)")
    run.add_argument("--config", required=True, help="the unit's TOML configuration file")
    run.add_argument("--log-level", default="INFO")

    dec = sub.add_parser("decode", help="print what the unit's decoder reads in image files: path<TAB>text")
    dec.add_argument("files", nargs="+", metavar="FILE")
    dec.add_argument(
        "--engine", default="auto", help="auto (the unit's own stack), zxing, zxing-full, pyzbar or opencv"
    )

    check = sub.add_parser(
        "camera-check", help="read the camera for a while: frame rate, exposure, focus, cards decoded"
    )
    check.add_argument("--config", required=True, help="the unit's TOML configuration file")
    check.add_argument("--seconds", type=float, default=10.0)

    args = parser.parse_args(argv)
    if args.command == "decode":
        return _decode(args.files, args.engine)
    if args.command == "camera-check":
        return _camera_check(args.config, args.seconds)
    return _run(args.config, args.log_level)


def _run(config_path: str, log_level: str) -> int:
    from device.config import ConfigError, load
    from device.service import UnitService

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load(config_path)
    except ConfigError as exc:
        print(f"aanwezig-unit: {exc}", file=sys.stderr)
        return 2
    service = UnitService(settings)
    service.run()
    return RESTART_EXIT if service.restart_requested else 0


def _camera_check(config_path: str, seconds: float) -> int:
    from device.camera_check import camera_check
    from device.config import ConfigError, load
    from device.decoder import open_decoder
    from device.exc import NoCamera
    from device.frames import open_frame_source

    logging.basicConfig(level=logging.WARNING, format="aanwezig-unit: %(message)s")
    try:
        settings = load(config_path)
        frames = open_frame_source(settings.camera)
    except (ConfigError, NoCamera) as exc:
        print(f"aanwezig-unit: {exc}", file=sys.stderr)
        return 2
    print(
        f"camera check: {seconds:.0f} s; hold a card in front of the camera at 10, 25 and 40 cm", flush=True
    )
    try:
        report = camera_check(frames, open_decoder(), seconds)
    finally:
        frames.close()
    for line in report.lines():
        print(line, flush=True)
    return 0


def _decode(files: list[str], engine: str) -> int:
    from device.decoder import DecoderUnavailable, decode_file, open_decoder

    # an engine's error on one file is a warning on stderr (once per kind), never the end
    logging.basicConfig(level=logging.WARNING, format="aanwezig-unit: %(message)s")
    try:
        decoder = open_decoder(engine)
    except DecoderUnavailable as exc:
        print(f"aanwezig-unit: {exc}", file=sys.stderr)
        return 2
    status = 0
    for path in files:
        try:
            texts = decode_file(decoder, path)
        except ValueError as exc:
            print(f"aanwezig-unit: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{path}\t{texts[0] if texts else ''}", flush=True)
    return status
