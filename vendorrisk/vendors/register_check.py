"""Checking a register workbook without writing: the dry run, and the check before storing.

``check_register`` applies, row by row, the rules the services apply when the rows are
stored (``register_store.apply_register``): the same models validate each row, duplicates are
looked for in the register (once for the whole vendors sheet, as storing does:
``register_vendors.RegisteredVendors``) and earlier in the file, and each arrangement's chain is built
in memory to refuse self-links, cycles, duplicates and parents outside the chain. It only
reads, so it runs in a read phase (``db_phases.reading``): on SQLite a dry run takes no
write lock at all, and a real import holds the lock only while it stores rows already
checked. Storing checks every rule again under the lock, so what changed in between
(someone registering the same corporate number meanwhile) is still refused.
"""
from sqlmodel import Session

from vendorrisk.core import parse_budget
from vendorrisk.core.validation import parse
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.arrangements import ArrangementCreate, LocationCreate
from vendorrisk.vendors.chains import LinkCreate
from vendorrisk.vendors.register_chains import Chain
from vendorrisk.vendors.register_reader import (
    ImportReport,
    RegisterSheets,
    RowWalk,
    arrangement_data,
    flag,
    new_ref,
    refuse_arrangement_end,
    refuse_if_errors,
    refuse_link_decision,
    refuse_status_decision,
    vendor_data,
)
from vendorrisk.vendors.register_vendors import EarlierRows, RegisteredVendors, refuse_duplicates


class _Checker(RowWalk):
    budgeted = True

    def __init__(self, session: Session, vendor_rows: list):
        super().__init__(session)
        self.known = RegisteredVendors(session, vendor_rows)
        self.vendor_refs: dict[str, tuple] = {}  # ref -> ("row", ref) for new, ("id", id) for registered
        self.names: dict[tuple, str] = {}
        self.earlier = EarlierRows()
        self.chains: dict[str, Chain] = {}

    def vendor_of(self, ref: str, column: str) -> tuple:
        """The vendor a cell names: a ref of the vendors sheet, or a registered vendor."""
        if ref in self.vendor_refs:
            return self.vendor_refs[ref]
        vendor_id, name = self.registered(ref, column)
        key = ("id", vendor_id)
        self.names[key] = name
        return key

    def in_chain(self, chain: Chain, parent: tuple) -> bool:
        return chain.contains(parent)

    def check_locations(self, text: str, column: str) -> None:
        self.locations(text, column, lambda loc: parse(LocationCreate, loc))

    def vendor_row(self, number: int, row: dict) -> None:
        ref = new_ref(row.get("ref") or row["name"], self.vendor_refs)
        # A refused row still names its vendor: the rows that refer to it are checked on
        # their own merits, not reported as naming a vendor the sheet does not have.
        key = ("row", ref)
        self.vendor_refs[ref] = key
        self.names[key] = row.get("name") or ref
        # a status the import does not take is said beside the row's other problems, not
        # only once those are fixed
        status_refused = self.own_problem("vendors", number, refuse_status_decision, row)
        data = vendor_data(row)
        payload = parse(vendor_service.VendorCreate, vendor_service.refuse_risk_tier(data))
        refuse_duplicates(self.known, self.earlier, payload)
        self.earlier.keep(number, payload)
        if not status_refused:
            self.report.vendors += 1

    def arrangement_row(self, number: int, row: dict) -> None:
        ref = new_ref(row.get("ref") or row["title"], self.chains)
        # as for vendors: the links under a refused arrangement are still checked
        chain = self.chains[ref] = Chain(tier1=("refused", row.get("vendor")))
        # an end the import does not take is said beside the row's other problems (as for vendors)
        end_refused = self.own_problem("arrangements", number, refuse_arrangement_end, row)
        chain.tier1 = self.vendor_of(row["vendor"], "vendor")
        data = arrangement_data(row, 0)  # the vendor_id's shape; the vendor was resolved above
        parse(ArrangementCreate, data)
        self.check_locations(row.get("data_locations", ""), "data_locations")
        if not end_refused:
            self.report.arrangements += 1

    def link_row(self, number: int, row: dict, chain: Chain, parent: tuple, child: tuple) -> None:
        decision_refused = self.own_problem("links", number, refuse_link_decision, row)  # as for vendors
        parse(LinkCreate, {"parent_vendor_id": 0, "vendor_id": 0, "service": row.get("service", ""),
                           "touches_user_data": flag(row, "touches_user_data")})
        chain.refuse(parent, child, lambda key: self.names.get(key, "?"))
        chain.add(parent, child)
        self.check_locations(row.get("data_locations", ""), "data_locations")
        if not decision_refused:
            self.report.links += 1


def check_register(session: Session, sheets: RegisterSheets) -> ImportReport:
    """Check every row as storing would, reading only; raise ``ValidationFailed`` listing
    every problem (sheet, row, column), or return what an import would store."""
    with parse_budget.budget():
        checker = _Checker(session, sheets.vendors)
        checker.report.errors.extend(sheets.errors)
        checker.run_sheet("vendors", sheets.vendors, checker.vendor_row)
        checker.run_sheet("arrangements", sheets.arrangements, checker.arrangement_row)
        checker.links(sheets.links)
    refuse_if_errors(checker.report.errors)
    return checker.report
