"""The README documents every setting and command, and the two commands come first."""
import re
from pathlib import Path

from vendorrisk.core.config import SETTINGS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_in_the_readme_table():
    documented = set(re.findall(r"^\| `VENDORRISK_([A-Z0-9_]+)` \|", README, flags=re.M))
    names = {s.name for s in SETTINGS}
    assert names - documented == set(), f"settings missing from README: {sorted(names - documented)}"
    assert documented - names == set(), f"README documents unknown settings: {sorted(documented - names)}"


def test_every_setting_has_help():
    assert all(s.help.strip() for s in SETTINGS)


def test_the_two_commands_come_first():
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_every_core_command_is_documented(app):
    for name in app.cli.list_commands(None):
        if name in ("routes", "run", "shell"):
            continue
        assert f"vendorrisk {name}" in README, f"command {name!r} is not in the README"
