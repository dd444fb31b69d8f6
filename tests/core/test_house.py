"""The rules of the house: which area may import which (import-linter contracts in
pyproject.toml), modules that fit on a few screens, and areas wired only through init_app."""
import ast
import subprocess
import sys
from pathlib import Path

import vendorrisk
from vendorrisk import areas

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "vendorrisk"
MAX_LINES = 400


def test_import_contracts_are_kept():
    result = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                             "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout


def test_no_module_is_longer_than_a_few_screens():
    long = [f"{path.relative_to(ROOT)}: {count} lines"
            for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts
            and (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not long, "split these modules:\n" + "\n".join(long)


def test_every_area_is_a_package_with_init_app_and_listed_once():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")} - {"core", "migrations"}
    listed = [area.__name__.removeprefix("vendorrisk.") for area in areas.AREAS]
    assert sorted(listed) == sorted(packages) and len(set(listed)) == len(listed)
    assert all(callable(getattr(area, "init_app", None)) for area in areas.AREAS)


def test_nothing_registers_itself_at_import():
    """Registries live on the app: no module-level registry dicts or registering decorators."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Dict, ast.List)) and any(
                    isinstance(t, ast.Name) and t.id.endswith(("_SOURCES", "_CHECKERS", "_PANELS", "_FRAGMENTS"))
                    for t in node.targets):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
    assert not hasattr(vendorrisk.core.registry, "discover")


def test_today_comes_from_the_member_clock():
    """``date.today()`` is the host's day and ``utcnow().date()`` UTC's; the product's "today"
    is the member's (``core.clock.today()``, Asia/Tokyo), whatever the server's time zone."""
    offenders = [f"{path.relative_to(ROOT)}:{number}" for path in PACKAGE.rglob("*.py") if path.name != "clock.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "date.today()" in line or "utcnow().date()" in line or "utcnow():%Y" in line]
    assert not offenders, "use core.clock.today():\n" + "\n".join(offenders)
