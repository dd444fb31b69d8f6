"""Every runtime dependency carries a licence that lets operators run and redistribute the
app without opening their own code: permissive licences only, and the LGPL for the
PostgreSQL driver (used as a library, unmodified). A GPL package (pykakasi is GPL-3.0) would
fail here."""
import re
import tomllib
from importlib import metadata
from pathlib import Path

PERMISSIVE = re.compile(r"\b(MIT|BSD|Apache|PSF|Python Software Foundation|ZPL|Zope Public|ISC)\b", re.I)
LIBRARY_COPYLEFT = {"psycopg": "LGPL"}  # dynamically linked driver; LGPL allows that use


def _licence(name: str) -> str:
    meta = metadata.metadata(name)
    parts = [meta.get("License-Expression") or "", (meta.get("License") or "").splitlines()[0] if meta.get("License")
             else ""]
    parts += [c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return " | ".join(p for p in parts if p)


def _runtime_dependencies() -> list[str]:
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    return [re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0] for spec in project["dependencies"]]


def test_every_runtime_dependency_has_a_permissive_licence():
    refused = {}
    for name in _runtime_dependencies():
        licence = _licence(name)
        allowed = LIBRARY_COPYLEFT.get(name)
        if re.search(r"(?<!L)GPL", licence) or not (PERMISSIVE.search(licence) or (allowed and allowed in licence)):
            refused[name] = licence or "no licence declared"
    assert not refused, refused


def test_the_check_refuses_a_gpl_package():
    assert re.search(r"(?<!L)GPL", "GPL-3.0-or-later") and not re.search(r"(?<!L)GPL", "LGPL-3.0-only")
    assert not PERMISSIVE.search("GNU General Public License v3 (GPLv3)")
