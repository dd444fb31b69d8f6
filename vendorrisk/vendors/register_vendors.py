"""The vendors sheet of a register import, registered together rather than row by row.

Each row is validated as ``vendor_service.create_vendor`` validates it, and refused for the
same duplicates: those already registered (``RegisteredVendors``: looked up once for the
whole sheet, not once per row) and those of earlier rows of the sheet (``EarlierRows``, kept
in memory); the dry run's check refuses them with the same two (``refuse_duplicates``). The
vendors are then inserted in one flush, inside one savepoint: should a concurrent
registration have taken a corporate number meanwhile, that savepoint is rolled back and
the rows are inserted one by one (``insert_once``), so the refusal names its row.
"""
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from vendorrisk.core.errors import Conflict, DomainError
from vendorrisk.core.locking import insert_once, is_unique_violation
from vendorrisk.core.validation import parse
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.changes import vendor_changed
from vendorrisk.vendors.identifiers import normalise_corporate_number
from vendorrisk.vendors.kana import reading_key
from vendorrisk.vendors.models import Vendor

CHUNK = 500  # values per IN list


class EarlierRows:
    """Corporate numbers and normalised names of the sheet's earlier rows."""

    def __init__(self):
        self.numbers: dict[str, int] = {}  # corporate number -> row that registers it
        self.normalised: dict[str, tuple[int, str]] = {}  # normalised name -> (row, name)

    def refuse(self, payload) -> None:
        """Raise the ``Conflict`` an earlier row of the sheet makes for ``payload``."""
        number = payload.corporate_number
        if number and number in self.numbers:
            raise Conflict(_("Row %(row)s of the vendors sheet already has corporate number %(number)s.",
                             row=self.numbers[number], number=number),
                           [{"field": "corporate_number", "message": _("Already registered.")}])
        earlier = self.normalised.get(vendor_service.normalise_name(payload.name))
        if earlier and not payload.confirm_duplicate:
            raise Conflict(_("Row %(row)s of the vendors sheet (%(name)s) has the same name once normalised.",
                             row=earlier[0], name=earlier[1]),
                           [{"field": "name", "message": _("Possible duplicate.")}])

    def keep(self, number: int, payload) -> None:
        """Note the row ``number`` that registers ``payload``."""
        if payload.corporate_number:
            self.numbers[payload.corporate_number] = number
        self.normalised.setdefault(vendor_service.normalise_name(payload.name), (number, payload.name))


class RegisteredVendors:
    """The registered vendors that a vendors sheet's names and corporate numbers may
    duplicate, read at once (one query per ``CHUNK`` values of each)."""

    def __init__(self, session: Session, rows: list):
        self.session = session
        names = {vendor_service.normalise_name(row.get("name", "")) for _number, row in rows} - {""}
        numbers = {normalise_corporate_number(row["corporate_number"]) for _number, row in rows
                   if row.get("corporate_number")} - {""}
        self.names, self.numbers = names, numbers
        self.vendors: list[Vendor] = []
        for column, values in ((Vendor.name_normalized, sorted(names)), (Vendor.corporate_number, sorted(numbers))):
            for start in range(0, len(values), CHUNK):
                self.vendors.extend(session.exec(select(Vendor).where(column.in_(values[start:start + CHUNK]))))

    def duplicates(self, name: str, number: str | None) -> list[Vendor]:
        """``find_duplicates``' answer for a vendor named ``name`` (as typed), from the vendors
        read at the start when they hold its keys; else asked of the database."""
        normalised = vendor_service.normalise_name(name)
        if normalised not in self.names or (number and number not in self.numbers):
            return vendor_service.find_duplicates(self.session, name=name, corporate_number=number)
        found = {v.id: v for v in self.vendors
                 if (normalised and v.name_normalized == normalised) or (number and v.corporate_number == number)}
        return [found[key] for key in sorted(found)]


def refuse_duplicates(registered: RegisteredVendors, earlier: EarlierRows, payload) -> None:
    """Raise the ``Conflict`` that a registered vendor (first, as ``create_vendor``) or an
    earlier row of the sheet makes for a row's ``payload``."""
    vendor_service.refuse_duplicates_among(registered.duplicates(payload.name, payload.corporate_number),
                                           payload.corporate_number, payload.confirm_duplicate)
    earlier.refuse(payload)


class VendorBatch:
    """New vendors validated row by row (``add``) and inserted together (``store``)."""

    def __init__(self, session: Session, rows: list):
        self.session = session
        self.registered = RegisteredVendors(session, rows)
        self.earlier = EarlierRows()
        self.pending: list[tuple[int, Vendor]] = []

    def add(self, number: int, data: dict) -> Vendor:
        """Validate a row (``create_vendor``'s rules) and keep its vendor for ``store``."""
        payload = parse(vendor_service.VendorCreate, vendor_service.refuse_risk_tier(data))
        refuse_duplicates(self.registered, self.earlier, payload)
        self.earlier.keep(number, payload)
        vendor = Vendor(**payload.model_dump(exclude={"confirm_duplicate"}),
                        name_normalized=vendor_service.normalise_name(payload.name),
                        kana_key=reading_key(payload.name_kana, vendor_service.normalise_name(payload.name)))
        self.pending.append((number, vendor))
        return vendor

    def store(self) -> list[tuple[int, DomainError]]:
        """Insert the vendors; return the rows refused because a concurrent registration took
        their corporate number (their vendors are not inserted)."""
        session, refused = self.session, []
        session.flush()  # earlier pending rows stay outside the savepoint that may be rolled back
        try:
            with session.begin_nested():
                session.add_all([vendor for _number, vendor in self.pending])
                session.flush()
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            refused = self._one_by_one()
        refused_rows = {number for number, _error in refused}
        for number, vendor in self.pending:
            if number not in refused_rows:
                vendor_changed(session, vendor.id)  # its tier is computed (once, with the others)
        return refused

    def _one_by_one(self) -> list[tuple[int, DomainError]]:
        refused = []
        for number, vendor in self.pending:
            if insert_once(self.session, vendor) is None:
                try:
                    vendor_service._refuse_duplicates(self.session, "", vendor.corporate_number, True)
                    raise Conflict(_("A vendor with the same unique data was registered at the same moment; "
                                     "reload and check."))
                except DomainError as error:
                    refused.append((number, error))
        return refused
