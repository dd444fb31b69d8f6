"""An arrangement's contract set on the pages: several files uploaded as one set (stored all
or none), the set's combined result per clause with the document and place that cover it,
the kind of each document, and the set's Word checklist.

A file of the set whose name (without its extension) is the title of a document of the set,
or the file name of its latest version, is that document's next version; any other file
starts a new document, titled by its file name, its kind recognised from the file name and
the document's first lines (a reviewer corrects it on the page). Titles are compared as
``models.title_key`` does, and one title names one document (``documents``). A set too large
for one request is sent in several: each later part joins the same set.
"""
import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from vendorrisk.contracts import documents, reasons, service, set_findings, sets
from vendorrisk.contracts.checker import library as contracts_library
from vendorrisk.contracts.models import Contract, ContractVersion, title_key
from vendorrisk.core import audit, locking, parse_budget, storage, uploads
from vendorrisk.core.db_phases import reading
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import User
from vendorrisk.vendors.models import Arrangement, Vendor
from vendorrisk.vendors.need_to_know import require_file_access

MAX_SET_FILES = 10
# what to do with a set too large for one upload (too many files, or more than one request
# carries): the form, the 413 answers of the page and the API and the refusal all say it
SEVERAL_UPLOADS = _l("A contract set can be sent in several uploads: the files of each later upload join the same "
                     "set, and its combined result covers them all.")
TITLE_CHARS = 120  # a document titled by its first line (its file name was blank) keeps this much of it
TITLE_LINES = 3  # the lines at the top of a document that name it (業務委託基本契約書, Data Processing Agreement)

def _words(*words: str, acronyms: tuple[str, ...] = ()) -> re.Pattern:
    """Any of ``words`` (case ignored), or an acronym standing alone (SLA, not TESLA)."""
    return re.compile("|".join([*(rf"(?<![A-Za-z]){a}(?![A-Za-z])" for a in acronyms), *words]), re.I)


# The words that say which document of the set a file is, tried in this order (a 覚書 about
# personal data is the DPA; a master agreement is recognised last, by its generic words).
KIND_WORDS = (
    ("dpa", _words("data processing", "data protection", "個人情報の取扱", "個人データの取扱", "データ処理",
                   "データ保護", acronyms=("DPA",))),
    ("sla", _words("service level", "サービスレベル", "サービス水準", "品質保証", acronyms=("SLA",))),
    ("security", _words("security", "セキュリティ", "情報管理", "安全管理")),
    ("memorandum", _words("memorandum", "addendum", "amendment", "覚書", "変更契約", "念書", acronyms=("MOU",))),
    ("order", _words("order form", "statement of work", "purchase order", "個別契約", "注文書", "発注書",
                     acronyms=("SOW",))),
    ("master", _words("master", "framework", "outsourcing", "services agreement", "基本契約", "業務委託契約",
                      "委託契約", "利用契約")),
)


def guess_kind(filename: str, text: str = "") -> str:
    """Which document of the set a file is, from its name, else from its first lines
    (``other`` when neither says)."""
    head = "\n".join([line for line in (text or "").splitlines() if line.strip()][:TITLE_LINES])
    for source in (PurePath(filename).stem, head):
        for kind, words in KIND_WORDS:
            if words.search(source):
                return kind
    return "other"


def _refuse(message: str, problems: list[dict] | None = None):
    raise ValidationFailed(message, problems or [{"field": "files", "message": message}])


def require_may_upload(session: Session, arrangement_id: int, user: User) -> Arrangement:
    """The arrangement, once the user may change its vendor's contracts (``NotFound``,
    ``Forbidden``): views call it before ``prepare_set``, so that a refused user does not
    make the server read the files first."""
    arrangement = service.get_arrangement(session, arrangement_id)
    service.require_may_change(session, user, arrangement.vendor_id)
    return arrangement


def prepare_set(files: list[tuple[bytes, str]], examples=()) -> list[service.PreparedVersion]:
    """Inspect, read and check every file of a set before any database work; one bad file
    (wrong type, too large, empty, unreadable) refuses the whole set, naming each bad file
    and why (``details``: one per file, with its ``file`` name). The whole set shares one
    parse budget (``PARSE_TIMEOUT_SECONDS``): once it is spent, each file left is refused
    without being read."""
    if not files:
        _refuse(_("Choose the contract files of the set."))
    if len(files) > MAX_SET_FILES:
        _refuse(_("One upload takes at most %(limit)s files; %(count)s were chosen.", limit=MAX_SET_FILES,
                  count=len(files)) + " " + str(SEVERAL_UPLOADS))
    prepared, problems, seen = [], [], {}
    with parse_budget.budget():  # one budget for the set; each file's own budget keeps this deadline
        _prepare_each(files, examples, prepared, problems, seen)
    if problems:
        _refuse(_("Nothing was stored: %(bad)s of the %(total)s files cannot be accepted.", bad=len(problems),
                  total=len(files)), problems)
    return prepared


def _prepare_each(files, examples, prepared: list, problems: list, seen: dict) -> None:
    for data, filename in files:
        name = uploads.safe_filename(filename)
        stem = title_key(PurePath(name).stem)  # a name of blanks only names no document (_document_title)
        if stem and stem in seen:
            problems.append({"field": "files", "file": name, "message": _(
                "%(file)s: the file %(other)s of this set has the same name; give each document its own name.",
                file=name, other=seen[stem])})
            continue
        seen[stem] = name
        try:
            prepared.append(service.prepare_version(data, filename, examples))
        except ValidationFailed as exc:
            problems.append({"field": "files", "file": name,
                             "message": _("%(file)s: %(problem)s", file=name, problem=exc.message)})


def _document_title(item: service.PreparedVersion) -> tuple[str, bool]:
    """The title a file of the set gives its document, and whether that title comes from the
    file name (and so may name a document already in the set): the name without its extension;
    for a name of blanks only (``　.txt``), the document's first line (else the file name),
    always a new document, never the latest one by accident."""
    stem = PurePath(item.upload.filename).stem.strip()
    if stem:
        return stem, True
    first = next((line.strip() for line in item.checked.extracted.text.splitlines() if line.strip()), "")
    return first[:TITLE_CHARS] or item.upload.filename.strip(), False


def receive_set(session: Session, arrangement_id: int, files, user: User) -> list[ContractVersion]:
    """A set as the page and the API receive it (``files``: uploads with ``read()`` and
    ``filename``), in the upload's three phases: the permission and the installation's reviewer
    examples in a read transaction (404 / 403 before any file is read), every file read and
    checked outside any transaction (``prepare_set``), then stored (``upload_set``); the
    caller commits all or nothing."""
    with reading(session):  # no write lock while reading
        require_may_upload(session, arrangement_id, user)
        examples = service.reviewer_examples(session)
    prepared = prepare_set([(f.read(), f.filename) for f in files], examples)
    return upload_set(session, arrangement_id=arrangement_id, prepared=prepared, user=user)


def upload_set(session: Session, *, arrangement_id: int, prepared: list[service.PreparedVersion],
               user: User) -> list[ContractVersion]:
    """Store the files of a set (``prepare_set``) as documents of the arrangement's contract
    set, each checked; adds and flushes, the caller commits all or nothing."""
    arrangement = service.get_arrangement(session, arrangement_id)
    service.require_may_change(session, user, arrangement.vendor_id)  # before any document is started
    by_name = {}
    for contract, versions in service.contracts_of_arrangement(session, arrangement.id):
        by_name[contract.title_key] = contract
        if versions:
            by_name.setdefault(title_key(PurePath(versions[0].filename).stem), contract)
    targets = [(item, *_document_title(item)) for item in prepared]
    named: dict[int, str] = {}
    for item, title, by_file in targets:
        contract = by_name.get(title_key(title)) if by_file else None
        if contract is not None and contract.id in named:
            _refuse(_("Nothing was stored: %(file)s and %(other)s would both be the next version of %(title)s; "
                      "upload them separately.", file=item.upload.filename, other=named[contract.id],
                      title=contract.title))
        if contract is not None:
            named[contract.id] = item.upload.filename
    with storage.removed_if_refused():  # a set refused part-way leaves no file behind
        return _store_each(session, arrangement, targets, by_name, user)


def _store_each(session: Session, arrangement: Arrangement, targets, by_name: dict,
                user: User) -> list[ContractVersion]:
    """Store each file as its document's next version, in the order of the files; the set's
    findings are settled once, last (``set_findings``). The documents' titles are locked first,
    in their sorted order (``locking.lock_names``): two uploads that start or add to the same
    documents in opposite orders then queue at the first title they share, instead of each
    starting (or locking) one the other needs — on PostgreSQL a deadlock, one upload aborted."""
    keys = []
    for _item, title, by_file in targets:
        contract = by_name.get(title_key(title)) if by_file else None
        keys.append(contract.title_key if contract is not None else title_key(title))
    locking.lock_names(session, "contract_title", [f"{arrangement.id}:{key}" for key in keys])
    stored = []
    for item, title, by_file in targets:
        contract = by_name.get(title_key(title)) if by_file else None
        if contract is None:
            contract = _start_document(session, arrangement, item, title, by_file, user)
        stored.append(service.upload_version(session, arrangement_id=arrangement.id, prepared=item, user=user,
                                             contract_id=contract.id, settle=False))
    set_findings.settle(session, arrangement, user)
    return stored


def _start_document(session: Session, arrangement: Arrangement, item: service.PreparedVersion, title: str,
                    by_file: bool, user: User) -> Contract:
    """The new document a file of the set starts. Another upload may have started a document
    of the same title after this one read the set (PostgreSQL lets both read before either
    writes): the file is then that document's next version, as it would have been had it come
    second. A document titled by its first line is always new: numbered when its title is taken."""
    kind = guess_kind(item.upload.filename, item.checked.extracted.text)
    if not by_file:
        return documents.start_numbered_document(session, arrangement, title=title, document_kind=kind, user=user)
    return (documents.start_document(session, arrangement, title=title, document_kind=kind, user=user)
            or documents.document_titled(session, arrangement.id, title))


def set_document_kind(session: Session, *, contract_id: int, kind: str, user: User) -> Contract:
    """Say which document of the set a contract is (master agreement, DPA, SLA...); the
    change is in the audit trail like every row change."""
    contract = service.get_contract(session, contract_id)
    arrangement = session.get(Arrangement, contract.arrangement_id)
    service.require_may_change(session, user, arrangement.vendor_id)
    service.require_document_kind(kind)
    contract.document_kind = kind
    session.add(contract)
    session.flush()  # no event: no rule reads the kind, so no verdict moves
    return contract


@dataclass(frozen=True)
class SetRow:
    """One required clause of the arrangement and the set's result for it (``result`` is
    ``None`` when no document of the set was checked for it)."""

    clause: contracts_library.Clause
    result: sets.SetCheck | None

    @property
    def status(self) -> str:
        """The set's result, ``not_found`` when nothing was checked."""
        return self.result.status if self.result else "not_found"


@dataclass(frozen=True)
class SetOverview:
    """The contract set of an arrangement as the page and the checklist show it."""

    documents: list[tuple[Contract, ContractVersion]]
    rows: list[SetRow]

    def count(self, status: str) -> int:
        """How many required clauses have the set's result ``status``."""
        return sum(1 for row in self.rows if row.status == status)


def overview(session: Session, arrangement: Arrangement) -> SetOverview:
    """The documents of the set (latest version of each) and, per required clause, the
    combined result with the document and place that cover it."""
    documents = sets.latest_versions_by_arrangement(session, [arrangement.id]).get(arrangement.id, [])
    combined = {s.clause_id: s for s in sets.set_checks(session, arrangement.id)} if documents else {}
    rows = [SetRow(clause, combined.get(clause.id)) for clause in service.applicable_clauses(arrangement)]
    return SetOverview(documents, rows if documents else [])


def checklist_document(session: Session, arrangement_id: int, lang: str, user: User | None,
                       today: date | None = None) -> tuple[str, bytes]:
    """The Word checklist of the arrangement's contract set: ``(filename, bytes)``; the
    export is audited."""
    from vendorrisk.contracts.checklist_docx import build_set_checklist

    arrangement = service.get_arrangement(session, arrangement_id)
    vendor = session.get(Vendor, arrangement.vendor_id)
    if user is not None:
        require_file_access(session, user, vendor.id)
    summary = overview(session, arrangement)
    if not summary.documents:  # nothing to list yet: no field of the request is wrong, so no details
        raise ValidationFailed(_("The arrangement has no contract yet: upload its documents first."))
    notes = {version.id: reasons.extraction_note(version, lang) for _c, version in summary.documents
             if version.extraction_note}
    data = build_set_checklist(vendor=vendor, arrangement=arrangement, overview=summary, lang=lang, notes=notes,
                               reviewer=service.reviewer_names(session, [row.result.check for row in summary.rows if row.result]),
                               today=today)
    audit.add_event(session, action="export", entity="arrangement", entity_id=arrangement.id,
                    after={"set_checklist": True, "lang": lang, "documents": len(summary.documents)})
    return f"checklist_set_{arrangement.id}.docx", data
