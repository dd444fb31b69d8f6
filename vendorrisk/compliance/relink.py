"""Verdicts relinked from the stored rows (``Obligation.relink``): after events that move only
a verdict's links — reviews planned or dropped move 26-1's link to the open review — the
maintained matrix asks the obligation for the links of the stored statuses instead of
evaluating its rule, and writes those that differ.

The first monitoring sweep relinks every vendor it plans (991 in ``bench/monitoring_sweep.py
--small``), so the links are compared and written as the JSON text the column keeps: the
stored links are not decoded, the new ones are encoded once (each distinct label once), and the
text is written as it is.
"""
import json
from json.encoder import encode_basestring_ascii

from sqlalchemy import Text, bindparam, cast, select, update
from sqlmodel import Session

from vendorrisk.compliance.models import ComplianceVerdict
from vendorrisk.core import registry
from vendorrisk.core.counters import chunks
from vendorrisk.core.messages import to_json
from vendorrisk.core.models import JSONText

V = ComplianceVerdict.__table__
BATCH = 2000


class LinksText:
    """A verdict's links as the text the JSON column stores: ``json.dumps`` of
    ``[[to_json(label), href], ...]``, with each distinct label encoded once."""

    def __init__(self):
        self.labels: dict = {}

    def label(self, label) -> str:
        """The JSON text of one label."""
        try:
            return self.labels[label]
        except KeyError:
            found = self.labels[label] = json.dumps(to_json(label))
            return found
        except TypeError:  # a parameter that cannot be a key (a list): encoded each time
            return json.dumps(to_json(label))

    def __call__(self, links) -> str:
        """The JSON text of ``[(label, href), ...]``, exactly as ``json.dumps`` writes it."""
        return "[" + ", ".join(f"[{self.label(label)}, {_href(href)}]" for label, href in links) + "]"


def _href(href) -> str:
    return encode_basestring_ascii(href) if isinstance(href, str) else json.dumps(href)


def relink(session: Session, ob: registry.Obligation, vendor_ids) -> tuple[int, list[int]]:
    """Write the links ``ob.relink`` answers for these vendors' stored verdicts (their status
    and reason stay, and so do the counts); returns the rows written and the vendors that have
    no verdict stored yet (the caller evaluates them)."""
    connection = session.connection()
    text = LinksText()
    moved, missing = [], []
    for chunk in chunks(vendor_ids, BATCH):
        stored = {vid: (status, links) for vid, status, links in connection.execute(
            select(V.c.vendor_id, V.c.status, cast(V.c.links, Text))
            .where(V.c.obligation == ob.id, V.c.vendor_id.in_(chunk)))}
        missing += [vid for vid in chunk if vid not in stored]
        answered = ob.relink(session, {vid: status for vid, (status, _links) in stored.items()})
        for vid, links in answered.items():
            wanted = text(links)
            if wanted != stored[vid][1]:  # the same text: the same links
                moved.append({"vid": vid, "li": wanted})
    if moved:
        connection.execute(update(V).where(V.c.vendor_id == bindparam("vid"), V.c.obligation == ob.id)
                           .values(links=bindparam("li", type_=JSONText())), moved)
    return len(moved), missing
