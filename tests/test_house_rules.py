"""The house's import rules, read from the source with the AST so they stay true as the code grows.

- wire/ imports nothing of the project (units in the field and the hub both depend on it alone);
- device/ and hub/ never import each other;
- provisioning/ reaches the hub only through the modules listed in PROVISIONING_MAY_IMPORT;
- hub/web/ (layout, auth dependencies, shared templates) imports no feature, only hub/core/: features
  build on it, and only the app (the composition root) plugs features in;
- no two hub folders import each other (a two-way tie), apart from the known debts in KNOWN_TIES;
- rule files (pure domain rules) import no database, HTTP, MQTT, file or process module, call no
  ``open()``/``read_text()``, and import of the project only other rule files, localtime and wire.

Tests (``*/tests/``) are not checked: they may reach across to build their worlds. The allow-lists
below are today's debts, named so the next change removes them; they never grow.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("wire", "device", "hub", "provisioning", "tests", "bench")

# Provisioning speaks to the hub through ONE service module (settings, database, units, card codes),
# which the hub's own command line uses too.
PROVISIONING_MAY_IMPORT = frozenset({"hub.units.service"})

# Known debts: two-way ties between hub folders that exist today. Each pair is one to cut. (None left:
# the nine of the move were cut in issue 11; a new one is a design question, not an entry here.)
KNOWN_TIES: frozenset[frozenset[str]] = frozenset()

# Composition roots import every folder by design; their edges do not make ties.
COMPOSITION_ROOTS = frozenset({"hub.web.app", "hub.service", "hub.cli", "hub.demo", "hub.__main__"})

RULE_FILES = (
    "hub/core/actors.py",  # who acts (Role, Actor) and the refusals: values every rule may take
    "hub/children/records.py",  # the Child value the upload's checks take
    "hub/attendance/pairing.py",
    "hub/attendance/cells.py",
    "hub/attendance/windows.py",
    "hub/attendance/clock_repair.py",
    "hub/attendance/presence_rules.py",
    "hub/locations/schedule.py",
    "hub/locations/pin_rules.py",
    "hub/prices/amounts.py",
    "hub/prices/income_tariff.py",
    "hub/prices/ko_toeslag.py",
    "hub/upload/timing.py",
    "hub/upload/batch.py",
    "hub/upload/validation.py",
    "hub/ingest/admission.py",
    "hub/operations/rotation.py",
    "hub/operations/retention_rules.py",
    "hub/parents/rules.py",
    "hub/messages/rules.py",
    "hub/diary/rules.py",
    "hub/photos/rules.py",
    "hub/billing/policy.py",
    "hub/billing/bands.py",
    "hub/billing/absences.py",
    "hub/billing/fees.py",
    "hub/careplan/rules.py",
    "hub/billing/invoice_rules.py",
    "hub/billing/fiscal.py",
)
# Project modules a rule file may import besides other rule files: pure helpers.
PURE_HELPERS = ("hub.core.localtime", "wire")
IO_MODULES = (
    "sqlite3", "sqlite_utils", "fastapi", "starlette", "jinja2", "paho", "amqtt", "socket", "subprocess",
    "pathlib", "shutil", "io", "os", "urllib", "http", "smtplib", "httpx", "aiosmtpd",
)  # fmt: skip
IO_CALLS = frozenset({"open", "read_text", "write_text", "read_bytes", "write_bytes"})

# Known debts in rule files (file -> what it may still use). The next engineer removes them.
KNOWN_IMPURE: dict[str, set[str]] = {}


@dataclass(frozen=True)
class House:
    """What the checker enforces; the real tree's values are the module constants above."""

    provisioning_may_import: frozenset[str] = PROVISIONING_MAY_IMPORT
    known_ties: frozenset[frozenset[str]] = KNOWN_TIES
    composition_roots: frozenset[str] = COMPOSITION_ROOTS
    rule_files: tuple[str, ...] = RULE_FILES
    known_impure: dict[str, set[str]] = field(default_factory=lambda: dict(KNOWN_IMPURE))


@dataclass(frozen=True)
class Import:
    source: str  # module doing the import, e.g. "hub.cards.links"
    target: str  # module imported, resolved to a submodule where one exists
    line: int


def module_of(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path) -> list[Path]:
    """Every project module outside tests, in the four shipped packages."""
    files = []
    for top in ("wire", "device", "hub", "provisioning"):
        for path in sorted((root / top).rglob("*.py")):
            if "tests" not in path.relative_to(root).parts[1:]:
                files.append(path)
    return files


def imports_in(root: Path, path: Path) -> tuple[list[Import], list[tuple[str, int]]]:
    """All imports of a file (also those inside functions) and its I/O-style calls."""
    tree = ast.parse(path.read_text(), str(path))
    source = module_of(root, path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[Import] = []
    calls: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(source, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                as_module = (
                    root.joinpath(*sub.split(".")).with_suffix(".py").exists()
                    or (root.joinpath(*sub.split(".")) / "__init__.py").exists()
                )
                found.append(Import(source, sub if as_module else base, node.lineno))
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in IO_CALLS:
                calls.append((name, node.lineno))
    return found, calls


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def hub_folder(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "hub" else None


def violations(root: Path, house: House = House()) -> list[str]:
    """Every break of the house's import rules under ``root``, as readable lines (empty: all well)."""
    problems: list[str] = []
    edges: dict[tuple[str, str], Import] = {}
    rule_modules = {module_of(root, root / f) for f in house.rule_files}
    for path in source_files(root):
        rel = path.relative_to(root).as_posix()
        found, calls = imports_in(root, path)
        for imp in found:
            where = f"{rel}:{imp.line} imports {imp.target}"
            top = imp.target.split(".")[0]
            if rel.startswith("wire/") and top in PROJECT and top != "wire":
                problems.append(f"{where}: wire/ imports nothing of the project")
            if rel.startswith("device/") and top == "hub":
                problems.append(f"{where}: device/ never imports hub/")
            if rel.startswith("hub/") and top == "device":
                problems.append(f"{where}: hub/ never imports device/")
            if (
                rel.startswith("provisioning/")
                and top == "hub"
                and not any(within(imp.target, m) for m in house.provisioning_may_import)
            ):
                problems.append(f"{where}: provisioning/ reaches the hub only through its service module")
            a, b = hub_folder(imp.source), hub_folder(imp.target)
            if a == "web" and b not in (None, "core", "web") and imp.source not in house.composition_roots:
                problems.append(f"{where}: hub/web/ imports no feature (only the app plugs them in)")
            if a and b and a != b and imp.source not in house.composition_roots:
                edges.setdefault((a, b), imp)
        if rel in house.rule_files:
            allowed = house.known_impure.get(rel, set())
            for imp in found:
                target = imp.target
                bad_io = any(within(target, m) for m in IO_MODULES)
                impure_project = target.split(".")[0] in PROJECT and not (
                    target in rule_modules or any(within(target, m) for m in PURE_HELPERS)
                )
                if (bad_io or impure_project) and not any(within(target, m) for m in allowed):
                    problems.append(f"{rel}:{imp.line} imports {target}: a rule file does no I/O")
            problems += [
                f"{rel}:{line} calls {name}(): a rule file does no I/O"
                for name, line in calls
                if name not in allowed
            ]
    ties: dict[frozenset[str], list[Import]] = defaultdict(list)
    for (a, b), imp in edges.items():
        if (b, a) in edges:
            ties[frozenset({a, b})].append(imp)
    for pair, imps in sorted(ties.items(), key=lambda item: sorted(item[0])):
        if pair not in house.known_ties:
            shown = "; ".join(f"{i.source} -> {i.target}" for i in imps)
            problems.append(f"two-way tie hub/{' <-> hub/'.join(sorted(pair))}: {shown}")
    return problems


def known_ties_in_use(root: Path) -> set[frozenset[str]]:
    """The allow-listed ties that still exist, so a cut tie leaves the list too."""
    everything = House(known_ties=frozenset())
    found = set()
    for line in violations(root, everything):
        if line.startswith("two-way tie "):
            pair = line.split(":")[0].removeprefix("two-way tie ").split(" <-> ")
            found.add(frozenset(part.removeprefix("hub/") for part in pair))
    return found


def test_the_house_keeps_its_import_rules() -> None:
    assert violations(ROOT) == []


def test_every_allow_listed_debt_still_exists_so_paid_debts_leave_the_list() -> None:
    assert known_ties_in_use(ROOT) == set(KNOWN_TIES)
    for rel in KNOWN_IMPURE:
        assert (ROOT / rel).exists(), rel
    assert all((ROOT / rel).exists() for rel in RULE_FILES)


def plant(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checker_fails_on_planted_violations(tmp_path: Path) -> None:
    plant(
        tmp_path,
        {
            "wire/__init__.py": "from hub.core import db\n",
            "device/__init__.py": "",
            "device/service.py": "def later():\n    import hub.a.x\n",
            "hub/__init__.py": "",
            "hub/core/__init__.py": "",
            "hub/core/db.py": "",
            "hub/a/__init__.py": "",
            "hub/a/x.py": "from hub.b import y\nfrom device import service\n",
            "hub/a/rules.py": "import sqlite3\nfrom hub.a import x\n\ndef f(p):\n    return open(p).read()\n",
            "hub/b/__init__.py": "",
            "hub/b/y.py": "from ..a.x import thing\n",
            "hub/web/__init__.py": "",
            "hub/web/layout.py": "from hub.core import db\nfrom hub.b.y import thing\n",
            "hub/units/__init__.py": "",
            "hub/units/service.py": "",
            "hub/units/registry.py": "",
            "provisioning/__init__.py": "",
            "provisioning/cli.py": "from hub.units import service, registry\n",
            "hub/a/tests/__init__.py": "",
            "hub/a/tests/test_x.py": "import device\nimport sqlite3\n",
        },
    )
    house = House(
        provisioning_may_import=frozenset({"hub.units.service"}),
        known_ties=frozenset(),
        composition_roots=frozenset(),
        rule_files=("hub/a/rules.py",),
        known_impure={},
    )
    problems = violations(tmp_path, house)
    expected = [
        "wire/__init__.py:1 imports hub.core.db: wire/ imports nothing of the project",
        "device/service.py:2 imports hub.a.x: device/ never imports hub/",
        "hub/a/x.py:2 imports device.service: hub/ never imports device/",
        "hub/web/layout.py:2 imports hub.b.y: hub/web/ imports no feature (only the app plugs them in)",
        "hub/a/rules.py:1 imports sqlite3: a rule file does no I/O",
        "hub/a/rules.py:2 imports hub.a.x: a rule file does no I/O",
        "hub/a/rules.py:5 calls open(): a rule file does no I/O",
        "provisioning/cli.py:1 imports hub.units.registry: provisioning/ reaches the hub only through its"
        " service module",
        "two-way tie hub/a <-> hub/b: hub.a.x -> hub.b.y; hub.b.y -> hub.a.x",
    ]
    assert sorted(problems) == sorted(expected)
    # The same tree with those debts allow-listed passes: the allow-lists are what let today's tree pass.
    lenient = House(
        provisioning_may_import=frozenset({"hub.units"}),
        known_ties=frozenset({frozenset({"a", "b"})}),
        composition_roots=frozenset(),
        rule_files=("hub/a/rules.py",),
        known_impure={"hub/a/rules.py": {"sqlite3", "hub.a.x", "open"}},
    )
    assert sorted(violations(tmp_path, lenient)) == sorted(expected[:4])
