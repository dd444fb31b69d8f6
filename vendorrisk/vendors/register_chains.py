"""An arrangement's chain as a register import builds it, in memory: the import's
arrangements are new, so their chains hold only the links of the file, and each link is
refused for the reasons ``chains.add_link`` refuses it (a self-link, a parent outside the
chain, a cycle, a duplicate), with the same messages, without a query per row."""
from dataclasses import dataclass, field
from typing import Callable

from flask_babel import gettext as _

from vendorrisk.core.errors import Conflict, ValidationFailed


@dataclass
class Chain:
    """The nodes and links of one arrangement's chain; a node is any hashable key."""

    tier1: object
    parents: dict = field(default_factory=dict)  # vendor key -> set of parent keys
    links: set = field(default_factory=set)  # (parent key, child key)

    def contains(self, key) -> bool:
        """Whether ``key`` is a node of the chain (tier 1 or a link's vendor)."""
        return key == self.tier1 or key in self.parents

    def reaches(self, start, target) -> bool:
        """Whether ``target`` lies below ``start`` (following links downwards)."""
        children: dict = {}
        for parent, child in self.links:
            children.setdefault(parent, set()).add(child)
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            for child in children.get(node, ()):
                if child == target:
                    return True
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return False

    def add(self, parent, child) -> None:
        """Record the link parent → child."""
        self.links.add((parent, child))
        self.parents.setdefault(child, set()).add(parent)

    def refuse(self, parent, child, name: Callable[[object], str]) -> None:
        """Raise what ``chains.add_link`` raises for this link (``name``: a node's name)."""
        if parent == child:
            raise Conflict(_("%(name)s cannot sub-outsource to itself.", name=name(child)),
                           [{"field": "vendor_id", "message": _("A vendor cannot be its own subcontractor.")}])
        if not self.contains(parent):
            raise ValidationFailed(
                _("%(name)s is not in this arrangement's chain; add the link that brings it in first.",
                  name=name(parent)),
                [{"field": "parent_vendor_id", "message": _("Not in this arrangement's chain.")}])
        if child == self.tier1 or self.reaches(child, parent):
            raise Conflict(
                _("%(name)s is already above %(parent)s in this chain; the link would create a cycle.",
                  name=name(child), parent=name(parent)),
                [{"field": "vendor_id", "message": _("Would create a cycle.")}])
        if (parent, child) in self.links:
            raise Conflict(_("This sub-outsourcing is already recorded in the chain."),
                           [{"field": "vendor_id", "message": _("Already recorded.")}])
