"""Bulk onboarding from an Excel workbook: sheets ``vendors``, ``arrangements``, ``links``.

The layout is the one ``register_export`` writes, its sheets and columns named in English or
in Japanese (``register_layout``). Vendors are referred to by the ``ref``
of the vendors sheet, or by the corporate number or exact name of a vendor already
registered; arrangements by the ``ref`` of the arrangements sheet. Links may come in any
order: each is added once its parent is in the chain. Every row goes through the same
services as the pages, so the same rules hold; every problem is reported with its sheet,
row and column, and the caller stores all or nothing (a dry run stores nothing).
"""
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlmodel import Session, select

from vendorrisk.core import parse_budget
from vendorrisk.core.errors import DomainError, ValidationFailed
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.core.xlsx import FORMULA_TRIGGERS
from vendorrisk.vendors.identifiers import normalise_corporate_number
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.register_layout import (
    ARRANGEMENT_STATUS_WORDS,
    STATUS_WORDS,
    TIER_WORDS,
    UNAPPROVED,
    column_key,
    sheet_key,
    vendor_code,
)

MAX_ROWS = 20000
TRUE = {"yes", "y", "true", "1", "はい", "○", "〇", "有", "あり"}
FALSE = {"no", "n", "false", "0", "いいえ", "×", "無", "なし"}
# The vendors sheet's text columns, as the vendor form takes them (フリガナ normalised there).
VENDOR_TEXT_COLUMNS = ("name", "name_kana", "name_en", "country", "address", "representative", "notes")
REQUIRED = {"vendors": ("name",), "arrangements": ("vendor", "title"),
            "links": ("arrangement", "parent_vendor", "vendor")}


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    vendors: int = 0
    arrangements: int = 0
    links: int = 0
    locations: int = 0
    errors: list[dict] = field(default_factory=list)


class _Problem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


class NamesRefusedRow(Exception):
    """A row names a row of an earlier sheet that was refused: it cannot be stored, and its
    only problem is that row's, already reported there (not "no vendor ..." of its own)."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        text = text[1:]  # undo the export's neutralisation
    return text


def flag(row: dict, column: str, default: bool = False) -> bool:
    """A yes/no cell of ``row`` (``default`` when blank); any other text is refused."""
    text = row.get(column, "").lower()
    if not text:
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise _Problem(column, _("Write yes or no, not %(value)s.", value=repr(text)))


def _sheets(workbook) -> dict[str, str]:
    """The workbook's sheets by key (``vendors`` ...), named in English or in Japanese."""
    found: dict[str, str] = {}
    for title in workbook.sheetnames:
        found.setdefault(sheet_key(title), title)
    return found


def _rows(workbook, sheet: str, errors: list[dict], titles: dict[str, str]):
    """Yield (row number, {column: text}) for the non-empty rows of a sheet; columns by key,
    whichever language the header is in."""
    if sheet not in titles:
        return
    rows = workbook[titles[sheet]].iter_rows(values_only=True)
    header = [column_key(sheet, _text(h)) if _text(h) else "" for h in next(rows, ())]
    for column in REQUIRED[sheet]:
        if column not in header:
            errors.append({"sheet": sheet, "row": 1, "column": column, "message": _("This column is missing.")})
            return
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            errors.append({"sheet": sheet, "row": number, "column": "",
                           "message": _("More than %(limit)s rows.", limit=MAX_ROWS)})
            return
        row = {name: _text(v) for name, v in zip(header, values) if name}
        if any(row.values()):
            yield number, row


def refuse_status_decision(row: dict) -> None:
    """A vendor is imported as prospect: any other status is a decision, refused here."""
    status = row.get("status", "")
    if status and vendor_code(STATUS_WORDS, status) != "prospect":  # the code, or the word an export writes
        raise _Problem("status", _(
            "Vendors are imported as prospect only, so %(status)s cannot be imported: approval and the "
            "other statuses are decisions recorded in vendorrisk, with mutual checks (Art. 8(5)). "
            "Clear the cell or write prospect, then record the decision in vendorrisk (approval: through "
            "a selection assessment).",
            status=repr(status)))


# The exit columns the export shows on the arrangements sheet (``register_export``): read-only,
# an arrangement's end is recorded on its exit page (``vendors.exits``), never imported.
EXIT_COLUMNS = ("terminated_on", "data_disposition", "data_disposition_confirmed_on", "exit_note")


def refuse_arrangement_end(row: dict) -> None:
    """An arrangement is imported in force: a row that says it ended (status terminated, the
    word an export writes in either language, or its exit filled in) is refused, so that an
    exported register imported again does not put an ended arrangement back in force, and no
    arrangement ends without its exit record (Art. 27(3))."""
    status = row.get("status", "")
    code = vendor_code(ARRANGEMENT_STATUS_WORDS, status) if status else "active"
    if code == "terminated":
        raise _Problem("status", _(
            "This row is a terminated arrangement (%(status)s): arrangements are imported in force only, so "
            "importing it would put it back in force. An arrangement's end is not imported: remove the row (an "
            "ended arrangement stays in the register as it ended); to end an arrangement, record the end on the "
            "arrangement's exit page, with the date and what became of the data (Art. 27(3)).",
            status=repr(status)))
    if code != "active":
        raise _Problem("status", _("Arrangements are imported in force only: write active or clear the cell, not "
                                   "%(status)s.", status=repr(status)))
    for column in EXIT_COLUMNS:
        if row.get(column):
            raise _Problem(column, _(
                "The exit columns are read-only: an arrangement's end (termination date, what became of the data, "
                "its confirmation, the note) is recorded on the arrangement's exit page, not imported. Clear the "
                "cell, or remove the row if the arrangement ended."))


def refuse_link_decision(row: dict) -> None:
    """A link is imported unapproved: its approval (status, basis, date) is refused here."""
    status = row.get("approval_status", "")
    if status and status.lower() not in UNAPPROVED:  # the code, or the word an export writes
        raise _Problem("approval_status", _(
            "Sub-outsourcing is imported as unapproved only, so %(status)s cannot be imported: compliance "
            "records the approval in vendorrisk, and not the person who recorded the link (Art. 8(5)). "
            "Clear the cell or write unapproved.", status=repr(status)))
    for column in ("approval_basis", "approved_on"):
        if row.get(column):
            raise _Problem(column, _(
                "The basis and date of an approval are recorded with the approval in vendorrisk, not "
                "imported. Clear the cell."))


def _locations(text: str) -> list[dict]:
    result = []
    for part in re.split(r"[;；\n]", text or ""):
        part = part.strip()
        if part:
            country, _sep, region = part.partition(":")
            result.append({"country": country.strip(), "region": region.strip()})
    return result


_COLUMN_OF = {"vendor_id": "vendor", "parent_vendor_id": "parent_vendor"}  # service field -> sheet column


def _problems(exc: DomainError) -> list[tuple[str, str]]:
    """A refused row's problems as (column, message): for invalid input, one per field the
    service named, each under its own column; otherwise the refusal's message under the first
    field it names."""
    details = [d for d in exc.details if isinstance(d, dict) and d.get("message")] \
        if isinstance(exc.details, list) else []
    fields = [(_COLUMN_OF.get(str(d.get("field") or ""), str(d.get("field") or "")), str(d["message"]))
              for d in details]
    if fields and exc.message == _("The input is invalid."):
        return fields
    return [(next((column for column, _text in fields if column), ""), exc.message)]


def _message(exc: DomainError) -> str:
    parts = [d.get("message") for d in exc.details if isinstance(d, dict) and d.get("message")] \
        if isinstance(exc.details, list) else []
    return exc.message + (" " + " ".join(parts) if parts and exc.message == _("The input is invalid.") else "")


def vendor_data(row: dict) -> dict:
    """A vendors-sheet row as the vendor form gives it (``VendorCreate``'s fields)."""
    data = {k: row.get(k, "") for k in VENDOR_TEXT_COLUMNS if k in row}
    for k in ("corporate_number", "lei", "risk_tier"):
        data[k] = row.get(k) or None
    if data["risk_tier"]:  # the word an export writes (高, high), read as the code
        data["risk_tier"] = vendor_code(TIER_WORDS, data["risk_tier"])
    data["country"] = data.get("country") or "JP"
    data["is_system_subsidiary"] = flag(row, "is_system_subsidiary")
    data["is_cloud"] = flag(row, "is_cloud")
    return data


def arrangement_data(row: dict, vendor_id: int) -> dict:
    """An arrangements-sheet row as the arrangement form gives it (``ArrangementCreate``)."""
    data = {k: row[k] for k in ("title", "service", "business_function", "exit_plan",
                                "user_data_categories") if k in row}
    for k in ("start_date", "end_date", "notice_period_days"):
        data[k] = row.get(k) or None
    for k in ("is_important", "is_cloud", "handles_user_data"):
        data[k] = flag(row, k)
    data["subcontracting_allowed"] = flag(row, "subcontracting_allowed", True)
    data["vendor_id"] = vendor_id
    return data


def find_vendor(session: Session, ref: str, column: str) -> tuple[int, str]:
    """(id, name) of the registered vendor a cell names by corporate number or exact name."""
    number = normalise_corporate_number(ref)
    query = select(Vendor.id, Vendor.name).where(Vendor.corporate_number == number) if number.isdigit() \
        else select(Vendor.id, Vendor.name).where(Vendor.name == ref)
    found = session.exec(query.limit(2)).all()
    if len(found) != 1:
        raise _Problem(column, _("No vendor %(ref)s in the vendors sheet or the register: add a row for it to the vendors "
                                 "sheet, or correct the name (a registered vendor's exact name or its corporate "
                                 "number).", ref=repr(ref))
                       if not found else
                       _("Several vendors are named %(ref)s; use the corporate number.", ref=repr(ref)))
    return found[0]


def new_ref(ref: str, seen) -> str:
    """A sheet's ``ref``, refused if an earlier row of the sheet used it."""
    if ref in seen:
        raise _Problem("ref", _("The reference %(ref)s is used twice.", ref=repr(ref)))
    return ref


class RowWalk:
    """Going through a register's rows, as storing them (``_Importer``) and as checking them
    (``register_check._Checker``) both do: every problem recorded with its sheet, row and
    column; the links taken in the order a chain is built. Subclasses say what a vendor and
    a chain are (``vendor_of``, ``chain_of``, ``in_chain``) and what a row does."""

    budgeted = False  # True: each row spends from the reading budget (the check runs in one)

    def __init__(self, session: Session):
        self.session = session
        self.report = ImportReport()
        self.found: dict[str, tuple[int, str]] = {}  # cell -> registered vendor it names

    def registered(self, ref: str, column: str) -> tuple[int, str]:
        """``find_vendor``, once per cell text (links often name the same registered vendor)."""
        if ref not in self.found:
            self.found[ref] = find_vendor(self.session, ref, column)
        return self.found[ref]

    def error(self, sheet, row, column, message):
        self.report.errors.append({"sheet": sheet, "row": row, "column": column, "message": message})

    def own_problem(self, sheet: str, number: int, check, row: dict) -> bool:
        """Run a check that reads only ``row``; record its refusal (True) rather than raise it,
        so that the row's other problems are found too."""
        try:
            check(row)
        except _Problem as problem:
            self.error(sheet, number, problem.column, problem.message)
            return True
        return False

    def pace(self) -> None:
        if self.budgeted:
            parse_budget.check()

    def run_sheet(self, sheet, rows, handler, *args):
        """``handler(number, row, *args)`` for each row; its refusal is recorded, not raised."""
        for number, row in rows:
            self.pace()
            try:
                handler(number, row, *args)
            except _Problem as problem:
                self.error(sheet, number, problem.column, problem.message)
            except NamesRefusedRow:
                pass
            except DomainError as exc:
                for column, message in _problems(exc):
                    self.error(sheet, number, column, message)

    def locations(self, text: str, column: str, keep) -> None:
        """``keep(location)`` for each ``COUNTRY:region`` of a cell; a refused one names the cell."""
        for loc in _locations(text):
            try:
                keep(loc)
            except ValidationFailed as exc:
                raise _Problem(column, f"{loc['country']}:{loc['region']}: {_message(exc)}")
            self.report.locations += 1

    def links(self, rows) -> None:
        """Each link once its parent is in its arrangement's chain (rows may come in any
        order); those whose parent never comes in last, so that their problem is reported."""
        pending = []
        for number, row in rows:
            self.pace()
            try:
                pending.append((number, row, self.chain_of(row["arrangement"]),
                                self.vendor_of(row["parent_vendor"], "parent_vendor"),
                                self.vendor_of(row["vendor"], "vendor")))
            except _Problem as problem:
                self.error("links", number, problem.column, problem.message)
            except NamesRefusedRow:
                pass
        progress = True
        while pending and progress:
            progress, waiting = False, []
            for item in pending:
                number, row, chain, parent, child = item
                if not self.in_chain(chain, parent):
                    waiting.append(item)
                    continue
                progress = True
                self.run_sheet("links", [(number, row)], self.link_row, chain, parent, child)
            pending = waiting
        for number, row, chain, parent, child in pending:
            self.run_sheet("links", [(number, row)], self.link_row, chain, parent, child)

    def chain_of(self, ref: str):
        """The arrangement (or its chain) a links-sheet cell names."""
        found = self.chains.get(ref)
        if found is None:
            raise _Problem("arrangement", _("No arrangement %(ref)s in the arrangements sheet.", ref=repr(ref)))
        return found


@dataclass
class RegisterSheets:
    """The rows of a register workbook, read and closed: ``(row number, {column: text})``
    per sheet, and the problems of the workbook's shape (missing sheets or columns)."""

    vendors: list = field(default_factory=list)
    arrangements: list = field(default_factory=list)
    links: list = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def read_register(data: bytes, filename: str) -> RegisterSheets:
    """Inspect and read a register workbook into rows: no database work, bounded in size
    (``uploads``) and time (``parse_budget``); call it before the write transaction."""
    upload = inspect_upload(data, filename, {"xlsx"})
    sheets = RegisterSheets()
    with parse_budget.budget():
        try:
            workbook = load_workbook(io.BytesIO(upload.data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types on damaged files
            raise ValidationFailed(_("The workbook cannot be read."), [{"sheet": "", "row": 0, "column": "",
                                                                        "message": _("Unreadable workbook: %(error)s",
                                                                                     error=exc)}])
        try:
            titles = _sheets(workbook)
            if not set(REQUIRED) & set(titles):
                sheets.errors.append({"sheet": "", "row": 0, "column": "", "message": _(
                    "The workbook has none of the sheets vendors, arrangements, links.")})
            for name in REQUIRED:
                rows = getattr(sheets, name)
                for item in _rows(workbook, name, sheets.errors, titles):
                    parse_budget.check()
                    rows.append(item)
        finally:
            workbook.close()
    return sheets


def refuse_if_errors(errors: list[dict]) -> None:
    """Raise the import's ``ValidationFailed`` listing every problem, if there is any."""
    if errors:
        raise ValidationFailed(_("The workbook has %(count)s problem(s); nothing was stored.",
                                 count=len(errors)), errors)
