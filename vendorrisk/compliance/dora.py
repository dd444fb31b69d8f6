"""The supply chain in the column layout of the DORA register of information (EBA ITS):
template B_05.01 (ICT third-party service providers) and B_05.02 (ICT service supply chains).

The column codes and their mapping to vendorrisk's data are documented in docs/compliance.md.
A provider is identified by its LEI when recorded, else by its Japanese corporate number
(a corporate registration number), else by vendorrisk's own id.
"""
from itertools import chain

from sqlalchemy import select
from sqlmodel import Session

from vendorrisk.compliance.whole_chains import hash_joins
from vendorrisk.core.xlsx import csv_bytes, csv_row
from vendorrisk.vendors.chain_reach import chain_nodes
from vendorrisk.vendors.models import Arrangement, Vendor

B0501_COLUMNS = (
    ("c0010", "Identification code of ICT third-party service provider"),
    ("c0020", "Type of code to identify the ICT third-party service provider"),
    ("c0030", "Additional identification code of ICT third-party service provider"),
    ("c0040", "Type of additional identification code of ICT third-party service provider"),
    ("c0050", "Legal name of the ICT third-party service provider"),
    ("c0060", "Name of the ICT third-party service provider in Latin alphabet"),
    ("c0070", "Type of person of the ICT third-party service provider"),
    ("c0080", "Country of the ICT third-party service provider's headquarters"),
    ("c0090", "Currency of the amount reported in B_05.01.0100"),
    ("c0100", "Total annual expense or estimated cost of the ICT third-party service provider"),
    ("c0110", "Identification code of the ICT third-party service provider's ultimate parent undertaking"),
    ("c0120", "Type of code to identify the ICT third-party service provider's ultimate parent undertaking"),
)
B0502_COLUMNS = (
    ("c0010", "Contractual arrangement reference number"),
    ("c0020", "Type of ICT services"),
    ("c0030", "Identification code of the ICT third-party service provider"),
    ("c0040", "Type of code to identify the ICT third-party service provider"),
    ("c0050", "Rank"),
    ("c0060", "Identification code of the recipient of sub-contracted ICT services"),
    ("c0070", "Type of code to identify the recipient of sub-contracted ICT services"),
)


def provider_code(vendor_id: int, lei: str | None, corporate_number: str | None, country: str) -> tuple[str, str]:
    """(code, type of code): LEI first, then the corporate registration number, then our id."""
    if lei:
        return lei, "LEI"
    if corporate_number:
        return f"{country}{corporate_number}", "CRN"
    return f"VR-{vendor_id}", "Other"


def _csv(columns, rows, out=None) -> bytes | None:
    """The column codes, their labels, then the rows (every cell neutralised), written line by
    line into ``out`` (a binary file; streamed) or returned as bytes."""
    lines = [[code for code, _label in columns], [label for _code, label in columns]]
    if out is None:
        return csv_bytes([*lines, *rows])
    out.write("\ufeff".encode("utf-8"))  # a BOM lets Excel read the Japanese names as UTF-8
    for row in chain(lines, rows):
        out.write(csv_row(row).encode("utf-8"))
    return None


def b0501_csv(session: Session, out=None) -> bytes | None:
    """B_05.01: one row per vendor that is in any chain (every tier); into ``out`` or returned."""
    nodes = chain_nodes()
    vendor = Vendor.__table__
    in_chain = select(nodes.c.vendor_id).distinct().subquery()

    def rows():
        for v in session.execute(select(vendor).where(vendor.c.id.in_(select(in_chain.c.vendor_id)))
                                 .order_by(vendor.c.id).execution_options(yield_per=2000)):
            code, kind = provider_code(v.id, v.lei, v.corporate_number, v.country)
            extra = (f"{v.country}{v.corporate_number}", "CRN") if v.lei and v.corporate_number else ("", "")
            yield (code, kind, *extra, v.name, v.name_en or v.name, "Legal person", v.country, "", "", "", "")
    return _csv(B0501_COLUMNS, rows(), out)


def b0502_csv(session: Session, out=None) -> bytes | None:
    """B_05.02: one row per chain node: contract, provider, rank (tier) and the recipient;
    into ``out`` (streamed) or returned."""
    nodes = chain_nodes()
    vendor = Vendor.__table__
    parent = Vendor.__table__.alias("parent")
    arrangement = Arrangement.__table__
    query = (select(arrangement.c.id.label("arrangement_id"), arrangement.c.service, nodes.c.tier,
                    vendor.c.id, vendor.c.lei, vendor.c.corporate_number, vendor.c.country,
                    parent.c.id.label("p_id"), parent.c.lei.label("p_lei"),
                    parent.c.corporate_number.label("p_number"), parent.c.country.label("p_country"))
             .select_from(nodes.join(arrangement, arrangement.c.id == nodes.c.arrangement_id)
                          .join(vendor, vendor.c.id == nodes.c.vendor_id)
                          .outerjoin(parent, parent.c.id == nodes.c.parent_vendor_id))
             .order_by(arrangement.c.id, nodes.c.tier, vendor.c.id))

    def rows():
        # every chain, as the register reads them: hash joins on PostgreSQL (``whole_chains``)
        with hash_joins(session.connection()) as connection:
            for r in connection.execute(query.execution_options(yield_per=2000)):
                code, kind = provider_code(r.id, r.lei, r.corporate_number, r.country)
                recipient, recipient_kind = ("", "") if r.p_id is None else provider_code(r.p_id, r.p_lei, r.p_number,
                                                                                          r.p_country)
                yield (f"VR-ARR-{r.arrangement_id}", r.service, code, kind, r.tier, recipient, recipient_kind)
    return _csv(B0502_COLUMNS, rows(), out)


TEMPLATES = {"b0501": b0501_csv, "b0502": b0502_csv}
