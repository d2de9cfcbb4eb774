"""Generate the JSON Schemas and the description of the monthly batch from :mod:`hub.upload.batch`.

    python -m hub.upload.schema docs/

writes ``docs/upload-batch-schema.json`` (what the hub sends), ``docs/upload-answer-schema.json``
(what the receiver answers) and ``docs/upload.md``. A test checks that the committed files match
what this module generates, so the documents cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any

from hub.upload import batch as fmt
from hub.upload.csv_export import COLUMNS

SCHEMA_BASE = "https://aanwezig.example/upload"
_SCALARS: dict[type, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    bool: {"type": "boolean"},
    date: {"type": "string", "format": "date"},
    datetime: {"type": "string", "format": "date-time"},
    time: {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
}


def _split_optional(hint: Any) -> tuple[Any, bool]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def _type_schema(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if typing.get_origin(hint) is tuple:
        return {"type": "array", "items": _type_schema(typing.get_args(hint)[0], defs)}
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return {"enum": [member.value for member in hint]}
    if dataclasses.is_dataclass(hint):
        defs[hint.__name__] = object_schema(hint, defs)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    return dict(_SCALARS[hint])


def object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one dataclass of the format; nested classes go to ``defs``."""
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        base, optional = _split_optional(hints[f.name])
        prop = _type_schema(base, defs)
        extra = {k: v for k, v in f.metadata.items() if k not in ("doc", "not_null")}
        if "const" in extra:
            prop = {}
        prop.update(extra)
        if optional and not f.metadata.get("not_null"):
            prop = {"anyOf": [prop, {"type": "null"}]}
        properties[f.name] = {"description": f.metadata["doc"], **prop}
    return {
        "title": cls.__name__,
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "type": "object",
        "properties": properties,
        "required": [f.name for f in dataclasses.fields(cls)],
        "additionalProperties": False,
    }


def document_schema(cls: type, name: str) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    top = object_schema(cls, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}/{name}/v{fmt.FORMAT_VERSION}.json",
        **top,
        "$defs": dict(sorted(defs.items())),
    }


def batch_schema() -> dict[str, Any]:
    """The schema of a monthly batch, as the hub POSTs it."""
    return document_schema(fmt.MonthBatch, "batch")


def answer_schema() -> dict[str, Any]:
    """The schema of the receiver's answer (HTTP 200)."""
    schema = document_schema(fmt.Answer, "answer")
    # optional keys may be left out of an answer; only record and status are needed
    schema["$defs"]["RecordAnswer"]["required"] = ["record", "status"]
    return schema


def _kind(hint: Any) -> str:
    base, optional = _split_optional(hint)
    if typing.get_origin(base) is tuple:
        text = f"list of {_kind(typing.get_args(base)[0])}"
    elif isinstance(base, type) and issubclass(base, StrEnum):
        text = " \\| ".join(f"`{m.value}`" for m in base)
    elif dataclasses.is_dataclass(base):
        text = f"[{base.__name__}](#{base.__name__.lower()})"
    else:
        text = {date: "date", datetime: "date-time", time: "HH:MM"}.get(base, _SCALARS[base]["type"])
    return f"{text} or null" if optional else text


def _table(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    lines = [
        f"### {cls.__name__}",
        "",
        (cls.__doc__ or "").strip(),
        "",
        "| field | type | meaning |",
        "|---|---|---|",
    ]
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if f.metadata.get("not_null"):
            hint = _split_optional(hint)[0]
        lines.append(f"| `{f.name}` | {_kind(hint)} | {f.metadata['doc']} |")
    return [*lines, ""]


def upload_markdown() -> str:
    """The batch, the answer and the CSV as Markdown, for whoever builds or runs the receiver."""
    lines = [
        f"# Monthly upload to Kind en Gezin, format {fmt.FORMAT} version {fmt.FORMAT_VERSION}",
        "",
        "Generated by `python -m hub.upload.schema docs/` from `hub/upload/batch.py`; do not edit by hand.",
        "",
        (fmt.__doc__ or "").split("\n\n", 1)[1].strip(),
        "",
        "## Sending",
        "",
        "The hub POSTs the batch as `application/json` to the configured endpoint, with the header",
        "`Idempotency-Key: <submission>` (and `Authorization: Bearer <token>` when a token is",
        "configured). The same submission may arrive more than once (a retry after a lost answer);",
        "the receiver answers it again and stores it once. Answers:",
        "",
        "| HTTP status | the hub |",
        "|---|---|",
        "| 200 with an [Answer](#answer) | records the word on each record; done |",
        "| 408, 429, 5xx, no answer, an unreadable 200 | tries again later, waiting twice as long "
        "each time (bounded); honours `Retry-After` |",
        "| any other 4xx | the batch is refused as a whole; nothing is retried until it changes |",
        "",
        "Schemas (JSON Schema 2020-12): `docs/upload-batch-schema.json`, `docs/upload-answer-schema.json`.",
        "",
        "## The batch",
        "",
    ]
    for cls in (
        fmt.MonthBatch,
        fmt.Location,
        fmt.CalendarDay,
        fmt.ChildRecord,
        fmt.Child,
        fmt.DayPresence,
        fmt.Stay,
    ):
        lines += _table(cls)
    lines += ["## The answer", ""]
    for cls in (fmt.Answer, fmt.RecordAnswer):
        lines += _table(cls)
    lines += [
        "## The CSV",
        "",
        "The same month for people: UTF-8 with a byte order mark, `;` between fields, dates DD/MM/YYYY,",
        "decimal commas; one row per child per day present, and one per closing day of a weekday with",
        "opening hours. The download for the organisation's own administration adds two columns: `Fouten`",
        "(what still has to be fixed or confirmed) and, by the location's price model, `KO-toeslag`",
        "(hele dag, halve dag, geen) or `Inkomenstarief` (the percentage of the day price). Columns:",
        "",
        "| column | meaning |",
        "|---|---|",
        *[f"| {name} | {meaning} |" for name, meaning in COLUMNS],
        "",
    ]
    return "\n".join(lines)


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in (
        ("upload-batch-schema.json", batch_schema()),
        ("upload-answer-schema.json", answer_schema()),
    ):
        path = folder / name
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    doc = folder / "upload.md"
    doc.write_text(upload_markdown())
    return [*written, doc]


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
