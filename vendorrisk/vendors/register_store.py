"""Storing a register workbook (``apply_register``): the rows ``register_reader`` read, each
checked again by the services' rules under the write lock, stored sheet by sheet in
batches rather than row by row.

A row costs no query of its own: the vendors already registered that a sheet's names and
corporate numbers may duplicate are read once (``register_vendors``); the import's
arrangements are new, so their chains are built in memory and each link refused for what
``chains.add_link`` refuses (``register_chains``). Each sheet's rows are then inserted in one
flush, and the other areas are told once at the end (one ``VendorChanged``, one
``ChainChanged``), so that risk tiers, review plans, maintained verdicts and counts are
worked out once for the whole import. Every problem is still reported with its sheet, row
and column, and nothing is stored unless every row is valid (the caller commits).
"""
from sqlmodel import Session

from vendorrisk.core.errors import DomainError
from vendorrisk.core.models import User
from vendorrisk.core.validation import parse
from vendorrisk.vendors import arrangements as arrangement_service
from vendorrisk.vendors import chains as chain_service
from vendorrisk.vendors.changes import vendor_changes_once
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor
from vendorrisk.vendors.register_chains import Chain
from vendorrisk.vendors.register_reader import (
    ImportReport,
    NamesRefusedRow,
    RegisterSheets,
    RowWalk,
    arrangement_data,
    flag,
    new_ref,
    read_register,
    refuse_arrangement_end,
    refuse_if_errors,
    refuse_link_decision,
    refuse_status_decision,
    vendor_data,
)
from vendorrisk.vendors.register_vendors import VendorBatch


def _raise(_number: int, _row: dict, error: Exception) -> None:
    raise error


class _Importer(RowWalk):
    def __init__(self, session: Session, user: User | None):
        super().__init__(session)
        self.user = user
        self.vendor_refs: dict = {}  # ref -> vendor id (its Vendor while the sheet is read)
        # refs of refused vendor rows: rows naming them are left out, not reported as naming
        # a vendor the sheet does not have (the check, run first, reports their own problems)
        self.refused_refs: set[str] = set()
        self.chains: dict[str, tuple[Arrangement, Chain]] = {}  # arrangement ref -> arrangement, chain
        self.located: list[tuple[dict, Arrangement | None, OutsourcingLink | None]] = []

    def vendor_of(self, ref: str, column: str) -> int:
        if ref in self.refused_refs:
            raise NamesRefusedRow(ref)
        return self.vendor_refs[ref] if ref in self.vendor_refs else self.registered(ref, column)[0]

    def in_chain(self, chain: tuple[Arrangement, Chain], parent_id: int) -> bool:
        return chain[1].contains(parent_id)

    def _name(self, vendor_id: int) -> str:
        vendor = self.session.get(Vendor, vendor_id)
        return vendor.name if vendor else str(vendor_id)

    def vendor_row(self, number: int, row: dict) -> None:
        data = vendor_data(row)
        ref = new_ref(row.get("ref") or row["name"], self.vendor_refs)
        try:
            self.vendor_refs[ref] = self.batch.add(number, data)  # status prospect, as on the form
        except DomainError:
            self.refused_refs.add(ref)
            raise
        refuse_status_decision(row)  # after the ref is known, so later rows are still checked
        self.report.vendors += 1

    def vendors(self, rows) -> None:
        """The vendors sheet: every row checked, then the vendors inserted together."""
        self.batch = VendorBatch(self.session, rows)
        self.run_sheet("vendors", rows, self.vendor_row)
        refused = dict(self.batch.store())
        for number, error in refused.items():
            self.run_sheet("vendors", [(number, {})], _raise, error)
        self.refused_refs |= {ref for ref, vendor in self.vendor_refs.items() if vendor.id is None}
        self.vendor_refs = {ref: vendor.id for ref, vendor in self.vendor_refs.items() if vendor.id is not None}
        self.report.vendors -= len(refused)

    def locate(self, row: dict, arrangement: Arrangement | None = None, link: OutsourcingLink | None = None):
        """Check the row's data locations now; they are stored with the others at the end."""
        self.locations(row.get("data_locations", ""), "data_locations", lambda loc: self.located.append(
            (parse(arrangement_service.LocationCreate, loc).model_dump(), arrangement, link)))

    def arrangement_row(self, _number: int, row: dict) -> None:
        data = arrangement_data(row, self.vendor_of(row["vendor"], "vendor"))
        ref = new_ref(row.get("ref") or row["title"], self.chains)
        arrangement = arrangement_service.new_arrangement(self.session, data)
        self.session.add(arrangement)
        self.locate(row, arrangement=arrangement)
        self.chains[ref] = (arrangement, Chain(tier1=arrangement.vendor_id))
        refuse_arrangement_end(row)  # after the chain is known, so that its links are still checked
        self.report.arrangements += 1

    def arrangements(self, rows) -> None:
        """The arrangements sheet: every row checked, then the arrangements inserted together."""
        self.run_sheet("arrangements", rows, self.arrangement_row)
        self.session.flush()
        for arrangement, _chain in self.chains.values():
            chain_service.chain_changed(self.session, arrangement.id)

    def link_row(self, _number: int, row: dict, chain: tuple[Arrangement, Chain], parent_id: int,
                 child_id: int) -> None:
        arrangement, nodes = chain
        payload = parse(chain_service.LinkCreate, {  # unapproved; recorded by the importer
            "parent_vendor_id": parent_id, "vendor_id": child_id, "service": row.get("service", ""),
            "touches_user_data": flag(row, "touches_user_data")})
        nodes.refuse(parent_id, child_id, self._name)
        nodes.add(parent_id, child_id)
        link = OutsourcingLink(arrangement_id=arrangement.id, recorded_by_id=self.session.info.get("actor_id"),
                               **payload.model_dump())
        self.session.add(link)
        self.locate(row, link=link)
        self.report.links += 1
        refuse_link_decision(row)  # after the link is in, so that links below it are still checked

    def store_locations(self) -> None:
        """Insert the links and then every data location, each set in one flush."""
        self.session.flush()
        self.session.add_all([DataLocation(arrangement_id=arrangement.id if arrangement else None,
                                           link_id=link.id if link else None, **data)
                              for data, arrangement, link in self.located])
        self.session.flush()


def apply_register(session: Session, sheets: RegisterSheets, user: User | None = None) -> ImportReport:
    """Store the rows, checking every rule again (under the write lock); raise
    ``ValidationFailed`` listing every problem. The caller commits."""
    importer = _Importer(session, user)
    importer.report.errors.extend(sheets.errors)
    # the other areas are told once at the end (vendors, then chains), not after every row;
    # nothing is flushed by a query while rows are being checked
    with chain_service.chain_changes_once(session), vendor_changes_once(session), session.no_autoflush:
        importer.vendors(sheets.vendors)
        importer.arrangements(sheets.arrangements)
        importer.links(sheets.links)
        importer.store_locations()
        refuse_if_errors(importer.report.errors)
    session.flush()
    return importer.report


def import_register(session: Session, data: bytes, filename: str, user: User | None = None) -> ImportReport:
    """Read a register workbook into the session; raise ``ValidationFailed`` listing every
    problem (sheet, row, column). The caller commits, or rolls back for a dry run.

    Views split this up so that SQLite's write lock is held only while storing:
    ``register_reader.read_register`` (no database), ``register_check.check_register`` in a
    read phase (``db_phases.reading``; a dry run stops there), then ``apply_register``."""
    return apply_register(session, read_register(data, filename), user)
