"""Contracts: upload a version, check it against the clause library, review the results.

A version's checks are kept for good; the next version is checked afresh and compared
with the previous one. A reviewer confirms or overrides each result with a comment
(every review is kept); a clause confirmed as missing that no document of the arrangement's
contract set covers raises a finding, closed once the set covers it (``set_findings``).
"""
from dataclasses import dataclass
from pathlib import PurePath

from flask_babel import gettext as _
from sqlmodel import Session, func, select

from vendorrisk.contracts import checker, ocr_jobs, reasons, set_findings
from vendorrisk.contracts.checker import library as contracts_library
from vendorrisk.contracts.documents import document_titled, start_document, title_taken
from vendorrisk.contracts.models import (
    DOCUMENT_KIND_NAMES,
    DOCUMENT_KINDS,
    ClauseCheck,
    ClauseExample,
    ClauseReview,
    Contract,
    ContractVersion,
)
from vendorrisk.core import events, locking, parse_budget, storage, uploads
from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.i18n import language
from vendorrisk.core.models import User, utcnow
from vendorrisk.vendors.arrangements import get_arrangement  # noqa: F401  (used here and by the contracts views)
from vendorrisk.vendors.models import Arrangement, Vendor, VendorOwner
from vendorrisk.vendors.need_to_know import may_read_files, require_file_access

ACCEPTED_KINDS = {"docx", "doc", "pdf", "txt", "md", "html", "rtf", "png", "jpeg", "tiff"}  # images: scans, read by OCR
REVIEW_STATUSES = ("found", "not_found")
EXTRACTED_TEXT_LIMIT = 2_000_000


def get_contract(session: Session, contract_id: int) -> Contract:
    """The contract, or ``NotFound``."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound(_("Contract %(id)s does not exist.", id=contract_id))
    return contract


def get_version(session: Session, version_id: int) -> ContractVersion:
    """The contract version, or ``NotFound``."""
    version = session.get(ContractVersion, version_id)
    if version is None:
        raise NotFound(_("Contract version %(id)s does not exist.", id=version_id))
    return version


def latest_version(session: Session, contract_id: int) -> ContractVersion:
    """The newest version of a contract, or ``NotFound``."""
    version = session.exec(select(ContractVersion).where(ContractVersion.contract_id == contract_id)
                           .order_by(ContractVersion.number.desc())).first()
    if version is None:
        contract = session.get(Contract, contract_id)
        raise NotFound(_("The contract “%(title)s” has no version yet.", title=contract.title) if contract
                       else _("Contract %(id)s does not exist.", id=contract_id))
    return version


def elsewhere(session: Session, user: User, contract: Contract, arrangement: Arrangement) -> str:
    """Why ``contract`` cannot take a version for ``arrangement``, naming it and its own
    arrangement to those who may read that vendor's files (the others learn no title)."""
    other = session.get(Arrangement, contract.arrangement_id)
    if other is not None and may_read_files(session, user, other.vendor_id):
        return _("The contract “%(contract)s” belongs to the arrangement “%(other)s”, not to “%(arrangement)s”.",
                 contract=contract.title, other=other.title, arrangement=arrangement.title)
    return _("The chosen contract is not a contract of the arrangement “%(arrangement)s”.", arrangement=arrangement.title)


def require_may_change(session: Session, user: User, vendor_id: int) -> None:
    """``Forbidden`` unless the user may change the contracts of the vendor (a vendor owner:
    only of the vendors they own)."""
    if user.role == "vendor_owner":
        owns = session.exec(select(VendorOwner.id).where(VendorOwner.vendor_id == vendor_id,
                                                         VendorOwner.user_id == user.id)).first()
        if owns is None:
            raise Forbidden(_("Vendor owners may only change contracts of the vendors they own."))


def require_document_kind(kind: str) -> None:
    """``ValidationFailed`` unless ``kind`` is a document kind of the set; the message names
    the kinds as the page does, in the reader's language."""
    if kind not in DOCUMENT_KINDS:
        lang = "ja" if language() == "ja" else "en"
        message = _("Choose the kind of document from the list: %(choices)s.",
                    choices=", ".join(DOCUMENT_KIND_NAMES[k][lang] for k in DOCUMENT_KINDS))
        raise ValidationFailed(message, [{"field": "document_kind", "message": message}])


def applicable_clauses(arrangement: Arrangement) -> list[contracts_library.Clause]:
    """The library clauses required for this arrangement (cloud, important, user data...)."""
    return [c for c in contracts_library.library() if c.applies_to(arrangement)]


def reviewer_examples(session: Session) -> list[checker.Example]:
    """This installation's reviewer examples, as the scorer reads them (one query)."""
    return [checker.example(e.clause_id, e.sentence, e.heading, e.label)
            for e in session.exec(select(ClauseExample).order_by(ClauseExample.id))]


@dataclass(frozen=True)
class PreparedVersion:
    """A contract file read and checked against the whole clause library, before any
    database work: what ``upload_version`` stores."""

    upload: uploads.Upload
    checked: checker.CheckResult  # one result for every clause of the library


def prepare_version(data: bytes, filename: str, examples=()) -> PreparedVersion:
    """Inspect, read and check a contract file: the slow part of an upload, bounded in size
    (``uploads``) and time (``parse_budget``), touching no database (``examples``: this
    installation's reviewer examples, ``reviewer_examples``, read before). Views call it
    before their write transaction begins, so that on SQLite no other writer waits for it."""
    upload = uploads.inspect_upload(data, filename, ACCEPTED_KINDS)
    with parse_budget.budget():
        parse_budget.check()  # a budget already spent (the set's, ``set_service``) refuses before reading
        try:
            checked = checker.check(upload.data, upload.filename, contracts_library.library(), examples=examples)
        except checker.UnreadableContract as exc:
            message = reasons.unreadable(exc)
            raise ValidationFailed(message, [{"field": "file", "message": message}]) from exc
    return PreparedVersion(upload, checked)


def read_fields(checked: checker.CheckResult) -> dict:
    """A version's columns that say how its file was read (its text, status, note, structure)."""
    return {"extracted_text": checked.extracted.text[:EXTRACTED_TEXT_LIMIT], "extraction_status": checked.status,
            "extraction_note": checked.note[:1000], "structure_style": checked.structure.style,
            "library_version": contracts_library.library_version()}


def result_fields(result) -> dict:
    """A clause check's automatic columns from the checker's result for that clause."""
    return {"auto_status": result.status, "confidence": result.confidence, "reason": result.reason[:1000],
            "reason_key": result.reason_key, "reason_params": result.reason_params, "evidence": result.evidence,
            "evidence_sentence": result.sentence, "evidence_heading": result.heading[:300],
            "location": result.location[:120], "article": result.article[:60]}


def upload_version(session: Session, *, arrangement_id: int, data: bytes = b"", filename: str = "",
                   user: User, contract_id: int | None = None, title: str = "",
                   prepared: PreparedVersion | None = None, document_kind: str = "",
                   settle: bool = True) -> ContractVersion:
    """Store a new contract version and check it; a new contract is started when the
    arrangement has none (or ``contract_id`` is not given and ``title`` is: a title a document
    of the set already has is refused). A new contract is a document of the arrangement's
    contract set (``document_kind``: master agreement, DPA, SLA, security exhibit, memorandum...).

    Bad files (corrupt, encrypted, wrong type, too large, ZIP bombs) raise
    ``ValidationFailed`` before anything is stored. ``prepared`` (``prepare_version``) is
    the file already read; without it ``data`` is read here. The set's missing-clause
    findings are settled (``set_findings``) unless ``settle`` is false (a set's upload
    settles them once, after its last file)."""
    arrangement = get_arrangement(session, arrangement_id)
    require_may_change(session, user, arrangement.vendor_id)
    if document_kind:
        require_document_kind(document_kind)
    prepared = prepared or prepare_version(data, filename, reviewer_examples(session))
    upload, checked = prepared.upload, prepared.checked
    if contract_id is not None:
        contract = get_contract(session, contract_id)
        if contract.arrangement_id != arrangement.id:
            raise Conflict(elsewhere(session, user, contract, arrangement))
    elif title.strip():
        contract = start_document(session, arrangement, title=title, document_kind=document_kind, user=user)
        if contract is None:
            raise title_taken(document_titled(session, arrangement.id, title))
    else:
        contract = session.exec(select(Contract).where(Contract.arrangement_id == arrangement.id)
                                .order_by(Contract.id.desc())).first()
        if contract is None:  # the arrangement's first document, titled by the file's name
            name = PurePath(upload.filename).stem.strip() or "Contract"
            # started a moment ago by another upload: this file is its next version, as it
            # would have been had it come second
            contract = (start_document(session, arrangement, title=name, document_kind=document_kind, user=user)
                        or document_titled(session, arrangement.id, name))
    # versions of one document are numbered one after the other, also when uploads of it
    # arrive at once (on PostgreSQL each would otherwise read the same last number)
    locking.lock(session, contract)
    with storage.removed_if_refused():  # a flush refused after the file was written removes it again
        stored, _duplicate = storage.store(session, upload, user.id)
        number = (session.exec(select(func.max(ContractVersion.number))
                               .where(ContractVersion.contract_id == contract.id)).one() or 0) + 1
        version = ContractVersion(contract_id=contract.id, number=number, file_id=stored.id,
                                  filename=upload.filename, file_kind=upload.kind, uploaded_by_id=user.id,
                                  ocr_state=ocr_jobs.first_state(checked.status), **read_fields(checked))
        session.add(version)
        session.flush()
        applicable = {clause.id for clause in applicable_clauses(arrangement)}
        for result in (r for r in checked.results if r.clause_id in applicable):
            session.add(ClauseCheck(version_id=version.id, clause_id=result.clause_id, **result_fields(result)))
        session.flush()
        if settle:  # a document that covers a clause closes its finding
            set_findings.settle(session, arrangement, user)
        events.publish(session, events.ContractChecked(arrangement.id, contract.id))
        return version


def checks_of(session: Session, version_id: int) -> list[ClauseCheck]:
    """The checks of a version, in the library's order."""
    order = {c.id: i for i, c in enumerate(contracts_library.library())}
    checks = session.exec(select(ClauseCheck).where(ClauseCheck.version_id == version_id)).all()
    return sorted(checks, key=lambda c: (order.get(c.clause_id, 999), c.clause_id))


def review_check(session: Session, *, check_id: int, status: str, comment: str, user: User) -> ClauseCheck:
    """Confirm or override one result; an override needs a comment. A clause confirmed
    as missing raises a finding for the vendor when no document of the arrangement's set
    covers it (once per arrangement and clause); one the set covers closes it (``set_findings``)."""
    check = session.get(ClauseCheck, check_id)
    if check is None:
        raise NotFound(_("Clause check %(id)s does not exist.", id=check_id))
    comment = (comment or "").strip()
    if status not in REVIEW_STATUSES:
        raise ValidationFailed(_("Choose found or not found."), [{"field": "status", "message": _(
            "The result must be one of %(choices)s.", choices=", ".join(REVIEW_STATUSES))}])
    if status != check.auto_status and not comment:
        raise ValidationFailed(_("Explain the override in a comment."),
                               [{"field": "comment",
                                 "message": _("A comment is required to override the automatic result.")}])
    version = session.get(ContractVersion, check.version_id)
    contract = session.get(Contract, version.contract_id)
    arrangement = session.get(Arrangement, contract.arrangement_id)
    require_may_change(session, user, arrangement.vendor_id)
    session.add(ClauseReview(check_id=check.id, status=status, previous_status=check.status,
                             comment=comment, reviewer_id=user.id))
    check.reviewer_status, check.reviewer_comment = status, comment
    check.reviewed_by_id, check.reviewed_at = user.id, utcnow()
    session.add(check)
    _keep_example(session, check, status == "found", user)
    session.flush()
    # the set, not this document alone, lacks or covers the clause (``set_findings``)
    set_findings.settle(session, arrangement, user, clause_ids=[check.clause_id], reviewed=check, comment=comment)
    session.flush()
    events.publish(session, events.ContractChecked(arrangement.id, contract.id))
    return check


def _keep_example(session: Session, check: ClauseCheck, label: bool, user: User) -> None:
    """Keep the judged sentence of a reviewed check as an example (the latest verdict
    counts): confirmed as found -> it carries the clause; not found -> it does not. A sentence
    that only refers to another document (reason ``referenced``) is kept as no example: the
    verdict is on the document it points to, not on its words — kept as "not found", its words
    (サービスレベル…) lowered the clause's real sentences in every later contract (round 14)."""
    if not check.evidence_sentence:
        return
    example = session.exec(select(ClauseExample).where(ClauseExample.check_id == check.id)).first()
    if check.reason_key == "referenced":
        if example is not None:
            session.delete(example)
        return
    if example is None:
        example = ClauseExample(check_id=check.id, clause_id=check.clause_id, sentence=check.evidence_sentence,
                                heading=check.evidence_heading, label=label, created_by_id=user.id)
    example.label = label
    session.add(example)


def reviews_of(session: Session, check_ids: list[int]) -> dict[int, list[ClauseReview]]:
    """The review history of several checks, oldest first, in one query."""
    history: dict[int, list[ClauseReview]] = {i: [] for i in check_ids}
    if check_ids:
        for review in session.exec(select(ClauseReview).where(ClauseReview.check_id.in_(check_ids))
                                   .order_by(ClauseReview.at, ClauseReview.id)):
            history[review.check_id].append(review)
    return history


@dataclass(frozen=True)
class Change:
    """How one clause's result moved from the previous version to this one."""

    clause_id: str
    previous: str | None
    current: str | None
    evidence_changed: bool

    @property
    def changed(self) -> bool:
        """Whether the result or its evidence differs."""
        return self.previous != self.current or self.evidence_changed


def compare_with_previous(session: Session, version: ContractVersion) -> tuple[ContractVersion | None, list[Change]]:
    """The previous version of the same contract and the per-clause changes since it."""
    previous = session.exec(select(ContractVersion).where(
        ContractVersion.contract_id == version.contract_id, ContractVersion.number < version.number)
        .order_by(ContractVersion.number.desc())).first()
    if previous is None:
        return None, []
    before = {c.clause_id: c for c in checks_of(session, previous.id)}
    after = {c.clause_id: c for c in checks_of(session, version.id)}
    order = [c.id for c in contracts_library.library()]
    ids = sorted(set(before) | set(after), key=lambda i: order.index(i) if i in order else 999)
    changes = []
    for clause_id in ids:
        old, new = before.get(clause_id), after.get(clause_id)
        changes.append(Change(clause_id, old.status if old else None, new.status if new else None,
                              bool(old and new and old.evidence != new.evidence)))
    return previous, changes


def contracts_of_arrangement(session: Session, arrangement_id: int) -> list[tuple[Contract, list[ContractVersion]]]:
    """The contracts of an arrangement, each with its versions newest first (two queries)."""
    contracts = session.exec(select(Contract).where(Contract.arrangement_id == arrangement_id)
                             .order_by(Contract.id)).all()
    versions = session.exec(select(ContractVersion).where(
        ContractVersion.contract_id.in_([c.id for c in contracts] or [0]))
        .order_by(ContractVersion.number.desc())).all()
    return [(c, [v for v in versions if v.contract_id == c.id]) for c in contracts]


def status_counts(session: Session, version_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per version, how many checks are found / not found / need review (reviewed results count)."""
    counts = {v: {"found": 0, "not_found": 0, "needs_review": 0, "reviewed": 0, "total": 0} for v in version_ids}
    if version_ids:
        for check in session.exec(select(ClauseCheck).where(ClauseCheck.version_id.in_(version_ids))):
            row = counts[check.version_id]
            row[check.status] += 1
            row["total"] += 1
            row["reviewed"] += 1 if check.reviewer_status else 0
    return counts


def vendor_of_version(session: Session, version_id: int) -> int:
    """The vendor whose contract this version is (``NotFound`` for an unknown version)."""
    version = get_version(session, version_id)
    return session.scalar(select(Arrangement.vendor_id).join(Contract, Contract.arrangement_id == Arrangement.id)
                          .where(Contract.id == version.contract_id))


def version_context(session: Session, version_id: int) -> dict:
    """Everything shown about a version: contract, arrangement, vendor, checks, reviews."""
    version = get_version(session, version_id)
    contract = session.get(Contract, version.contract_id)
    arrangement = session.get(Arrangement, contract.arrangement_id)
    vendor = session.get(Vendor, arrangement.vendor_id)
    checks = checks_of(session, version.id)
    return {"version": version, "contract": contract, "arrangement": arrangement, "vendor": vendor,
            "checks": checks, "reviews": reviews_of(session, [c.id for c in checks]),
            "clauses": contracts_library.clauses_by_id()}


def reviewer_names(session: Session, checks) -> str:
    """Who reviewed the given clause checks, as the checklist's cover names them ("" when
    nobody did: the checklist then shows a dash, never the person downloading it)."""
    reviewer_ids = {c.reviewed_by_id for c in checks if c is not None and c.reviewed_by_id}
    if not reviewer_ids:
        return ""
    return ", ".join(u.display_name or u.email for u in session.exec(
        select(User).where(User.id.in_(reviewer_ids)).order_by(User.display_name)))


def checklist_document(session: Session, version_id: int, lang: str, user: User | None) -> tuple[str, bytes]:
    """The Word checklist of a version: ``(filename, bytes)``; the export is audited."""
    from vendorrisk.contracts.checklist_docx import build_checklist
    from vendorrisk.core import audit

    context = version_context(session, version_id)
    if user is not None:
        require_file_access(session, user, context["vendor"].id)
    from vendorrisk.contracts import sets
    arrangement_id = context["contract"].arrangement_id
    members = sets.latest_versions_by_arrangement(session, [arrangement_id]).get(arrangement_id, [])
    data = build_checklist(vendor=context["vendor"], arrangement=context["arrangement"],
                           contract=context["contract"], version=context["version"],
                           checks=context["checks"], clauses=context["clauses"], lang=lang,
                           reviewer=reviewer_names(session, context["checks"]),  # not who downloads
                           set_checks=sets.set_checks(session, arrangement_id), set_documents=len(members),
                           note=reasons.extraction_note(context["version"], lang))
    version = context["version"]
    audit.add_event(session, action="export", entity="contract_version", entity_id=version.id,
                    after={"checklist": True, "lang": lang})
    stem = PurePath(context["contract"].title).stem or "contract"
    return f"checklist_{stem}_v{version.number}.docx", data


def checklist_for_contract(session: Session, contract_id: int, lang: str, user: User) -> tuple[str, bytes]:
    """The Word checklist of a contract's latest version."""
    get_contract(session, contract_id)
    return checklist_document(session, latest_version(session, contract_id).id, lang, user)
