"""Chains for tests: a deep straight chain and a chain where one vendor has two parents."""
from tests import factories


def deep_chain(db, tiers: int = 6, **arrangement_fields):
    """An arrangement whose chain is a line of ``tiers`` vendors; returns (arrangement, vendors)."""
    vendors = [factories.gen_vendor(db) for _ in range(tiers)]
    arrangement = factories.gen_arrangement(db, vendors[0], **arrangement_fields)
    for parent, child in zip(vendors, vendors[1:]):
        factories.gen_link(db, arrangement, parent, child, service=f"tier {len(vendors)}")
    return arrangement, vendors


def dag_chain(db, **arrangement_fields):
    """A chain where the shared cloud ``d`` sits under both ``b`` (tier 2) and ``c`` (tier 3):

        a -> b -> d -> e
        a -> x -> c -> d
    Returns (arrangement, {"a": ..., "b": ..., "c": ..., "d": ..., "e": ..., "x": ...}).
    """
    v = {key: factories.gen_vendor(db, name_en=f"Vendor {key}") for key in "abcdex"}
    arrangement = factories.gen_arrangement(db, v["a"], **arrangement_fields)
    for parent, child in ("ab", "bd", "de", "ax", "xc", "cd"):
        factories.gen_link(db, arrangement, v[parent], v[child])
    return arrangement, v
