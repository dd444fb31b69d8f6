"""Proof links looked up when a verdict is read (``registry.link_to``).

A verdict may link to a record that comes and goes while the verdict stays: 26-1 links to
the vendor's open review, which the review plan creates and drops for hundreds of vendors at
once. Such a link is kept as ``@name`` in the stored (and the live) verdict, and every reader
of verdicts — the pages, the API, the exports, the evidence pack — asks the area's
``link_targets[name]`` where it points for the vendors it shows, in one query per batch; a
vendor with no answer shows the cell without that link. So planning reviews writes no verdict.
"""
import json
from dataclasses import replace
from typing import Iterable

from sqlmodel import Session

from vendorrisk.core import registry

MARK = json.dumps(registry.LINK_TARGET)[:2]  # '"@': how such an href starts in the JSON text


class Targets:
    """Where the looked-up links of some vendors point, read once for a batch of verdicts."""

    def __init__(self, session: Session, vendor_ids: Iterable[int]):
        ids = sorted(set(vendor_ids))
        self.hrefs: dict[str, dict[int, str]] = {}
        for name, resolve in registry.current().link_targets.items() if ids else ():
            self.hrefs[registry.link_to(name)] = resolve(session, ids)

    def text(self, vendor_id: int, text: str | None) -> str | None:
        """A verdict's stored links (JSON text of ``[[label, href], ...]``) with its looked-up
        links pointing where they point now for this vendor, or left out. Only the href of a
        link entry is read and replaced: a label that happens to hold the same words is text."""
        if text is None or MARK not in text:
            return text  # the common case: no looked-up link, nothing parsed
        stored = json.loads(text)
        if not isinstance(stored, list):
            return text
        shown = self.entries(vendor_id, stored)
        return json.dumps(shown, ensure_ascii=False) if shown is not stored else text

    def entries(self, vendor_id: int, stored: list) -> list:
        """The same for stored links already decoded: ``stored`` itself when none is looked
        up, else a new list."""
        shown, moved = [], False
        for entry in stored:
            href = entry[1] if isinstance(entry, list) and len(entry) == 2 else None
            if not isinstance(href, str) or href not in self.hrefs:
                shown.append(entry)
                continue
            moved = True
            found = self.hrefs[href].get(vendor_id)
            if found is not None:
                shown.append([entry[0], found])
        return shown if moved else stored

    def links(self, vendor_id: int, links: list) -> list:
        """The same for links as a rule answers them, ``[(label, href), ...]``."""
        if not any(href in self.hrefs for _label, href in links):
            return links
        return [(label, self.hrefs[href][vendor_id] if href in self.hrefs else href) for label, href in links
                if href not in self.hrefs or vendor_id in self.hrefs[href]]


def wanted(rows: Iterable[tuple[int, str | None]]) -> list[int]:
    """The vendors among ``(vendor_id, links text)`` whose links are looked up when read."""
    return [vendor_id for vendor_id, text in rows if text is not None and MARK in text]


def resolved(session: Session, verdicts: dict[int, dict[str, registry.Verdict]]) -> dict:
    """Live verdicts (``matrix.evaluate``) with their looked-up links as a reader shows them."""
    marked = {vid for vid, cells in verdicts.items()
              if any(isinstance(href, str) and href.startswith(registry.LINK_TARGET)
                     for v in cells.values() for _label, href in v.links)}
    if not marked:
        return verdicts
    targets = Targets(session, marked)
    return {vid: {ob: replace(v, links=targets.links(vid, v.links)) if vid in marked else v
                  for ob, v in cells.items()} for vid, cells in verdicts.items()}
