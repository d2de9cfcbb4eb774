"""Reading the dated amounts file (the hub setting ``upload.amounts_file``); the rules are in
:mod:`hub.prices.amounts`.
"""

from __future__ import annotations

from pathlib import Path

from hub.prices.amounts import AmountTable, parse_amounts


def load_amounts(path: str | Path | None) -> AmountTable:
    """The table in ``path``; an empty table when no file is configured."""
    if not path:
        return AmountTable()
    return parse_amounts(Path(path).read_text(), str(path))
