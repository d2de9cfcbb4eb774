"""``aanwezig-provision``: the technician's command line."""

from __future__ import annotations

import argparse

from provisioning import __version__
from wire import cardcode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aanwezig-provision", description="Aanwezig provisioning")
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    codes = sub.add_parser("codes", help="print new random card codes (with check digit)")
    codes.add_argument("count", type=int)
    args = parser.parse_args(argv)

    if args.command == "codes":
        for _ in range(args.count):
            code = cardcode.new_code()
            print(f"{code}\t{cardcode.pretty(code)}")
    return 0
