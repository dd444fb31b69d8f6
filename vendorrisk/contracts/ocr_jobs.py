"""OCR of scanned contract versions, in the scheduler process (``vendorrisk scheduler``) or by
``vendorrisk contracts ocr``, never in a web request (seconds a page).

An upload of a scanned or partly scanned PDF, of a scanned image (PNG, JPEG, TIFF) or of a PDF
whose text layer is glyph numbers on all or some pages (fonts without a character map, which
draw fine: ``unreadable_text``, ``partly_unreadable``) stores the version as it reads without
OCR (every clause *needs review*, or the unread pages named) with ``ocr_state = queued``
(``unavailable`` when Tesseract is not installed: the version stays as it is, and says so). The
runner claims the oldest queued version atomically (``UPDATE ... WHERE ocr_state = 'queued'``:
two schedulers never read the same version), reads its unread pages (``checker.ocr``,
``checker.image``, outside any transaction), then checks the version again on the text read and
stores the results in one transaction as an upload does (the clause checks' automatic columns
replaced, a reviewer's verdict kept; the set's findings settled; the compliance matrix told), in
the audit trail under the uploader's name. A failure (too many pages, a page over its time,
Tesseract failing) leaves the version as it was, ``failed`` with the reason. A version deleted
(or its contract or arrangement) while its pages are read is logged and passed over, never
written again.
"""
import logging
import os
import socket
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from vendorrisk.contracts.models import ClauseCheck, Contract, ContractVersion
from vendorrisk.core import events, storage
from vendorrisk.core.db import engine_of, new_session, transaction
from vendorrisk.core.models import StoredFile, User, utcnow

log = logging.getLogger("vendorrisk.contracts.ocr")
V = ContractVersion.__table__
# how a PDF reads when some or all of its pages were not read: scanned, or glyph numbers
OCR_READS = ("scanned", "partly_scanned", "unreadable_text", "partly_unreadable")
PARTLY = ("partly_scanned", "partly_unreadable")
OCR_STATES = ("queued", "running", "done", "failed", "unavailable")


class VersionGone(Exception):
    """The version (or its contract or arrangement) was deleted while its OCR ran."""


def first_state(extraction_status: str) -> str:
    """The OCR state of a version just read: ``queued`` for a scan or a PDF of glyph numbers
    (``unavailable`` without Tesseract), "" for any other file."""
    if extraction_status not in OCR_READS:
        return ""
    from vendorrisk.contracts.checker import ocr
    return "queued" if ocr.available() else "unavailable"


def claim(session, runner: str, version_id: int | None = None) -> int | None:
    """Take the oldest queued version (or ``version_id`` when it is queued); None when none is."""
    while True:
        query = select(V.c.id).where(V.c.ocr_state == "queued").order_by(V.c.id).limit(1)
        if version_id is not None:
            query = query.where(V.c.id == version_id)
        found = session.execute(query).scalar()
        if found is None:
            return None
        taken = session.execute(update(V).where(V.c.id == found, V.c.ocr_state == "queued")
                                .values(ocr_state="running", ocr_claimed_at=utcnow())).rowcount
        if taken:
            log.info("contract version %s claimed for OCR by %s", found, runner)
            return found


def reap(session, stale: timedelta) -> int:
    """Mark failed the versions whose OCR runner stopped (crashed or killed) mid-way."""
    return session.execute(update(V).where(V.c.ocr_state == "running", V.c.ocr_claimed_at < utcnow() - stale)
                           .values(ocr_state="failed",
                                   ocr_reason="The OCR stopped (its runner crashed or was stopped).")).rowcount


def _pages_to_read(session, version: ContractVersion, data: bytes, limit: int) -> list[int]:
    from vendorrisk.contracts.checker import image, ocr
    from vendorrisk.contracts.checker.pdf import read_pdf
    if version is None:
        raise VersionGone
    if version.file_kind in image.KINDS:  # a scanned PNG, JPEG or (multi-page) TIFF
        pages = list(range(1, image.page_count(data) + 1))
    elif version.extraction_status in PARTLY:  # the pages not read alone
        read = read_pdf(data)
        pages = sorted({*read.scanned_pages, *read.unreadable_pages})
    else:
        pages = list(range(1, ocr.page_count(data) + 1))
    if len(pages) > limit:
        raise ocr.OcrFailed(f"The scan has {len(pages)} pages to read, more than the limit of {limit} "
                            "(CONTRACT_OCR_PAGE_LIMIT).")
    return pages


def run(app: Flask, version_id: int) -> str:
    """OCR one claimed version and check it again on the text read; its new OCR state (``gone``
    when the version was deleted meanwhile: logged, nothing written)."""
    from vendorrisk.contracts import service
    from vendorrisk.contracts.checker import image, library, ocr

    engine = engine_of(app)
    with app.app_context():
        try:  # a stored file gone missing fails the version now, not when the claim goes stale
            with transaction(engine=engine) as session:
                version = session.get(ContractVersion, version_id)
                if version is None:
                    raise VersionGone
                data = storage.read(session.get(StoredFile, version.file_id))
                examples = service.reviewer_examples(session)
            if not ocr.available():
                raise ocr.OcrFailed("Tesseract is not installed.")
            with transaction(engine=engine) as session:
                numbers = _pages_to_read(session, session.get(ContractVersion, version_id), data,
                                         app.config["CONTRACT_OCR_PAGE_LIMIT"])
            read_pages = image.read_pages if version.file_kind in image.KINDS else ocr.read_pages
            pages = read_pages(data, numbers, app.config["CONTRACT_OCR_PAGE_SECONDS"])
            checked = service.checker.check(data, version.filename, library.library(), examples=examples,
                                            ocr_pages=pages)
        except VersionGone:
            log.warning("contract version %s was deleted while its OCR ran: passed over", version_id)
            return "gone"
        except Exception as exc:  # the version stays as it was; the next one is read
            log.exception("OCR of contract version %s failed", version_id)
            reason = str(exc) if isinstance(exc, ocr.OcrFailed) else f"{type(exc).__name__}: {exc}"
            state = "unavailable" if not ocr.available() else "failed"
            with transaction(engine=engine) as session:
                session.execute(update(V).where(V.c.id == version_id).values(ocr_state=state,
                                                                               ocr_reason=reason[:1000]))
            return state
        try:
            with transaction(actor_id=version.uploaded_by_id, engine=engine) as session:
                _store(session, version_id, checked, sum(1 for p in pages if p.readable))
        except VersionGone:  # rolled back: a deleted version is not written again
            log.warning("contract version %s was deleted while its OCR ran: its reading was dropped", version_id)
            return "gone"
        return "done"


def _store(session, version_id: int, checked, pages_read: int) -> None:
    """The version's new reading and results, as an upload stores them (audited by the flush);
    ``VersionGone`` when the version, its contract or its arrangement is no longer there."""
    from vendorrisk.contracts import service, set_findings
    from vendorrisk.core.errors import NotFound
    version = session.get(ContractVersion, version_id)
    contract = session.get(Contract, version.contract_id) if version is not None else None
    try:
        arrangement = service.get_arrangement(session, contract.arrangement_id) if contract is not None else None
    except NotFound:
        arrangement = None
    if arrangement is None:
        raise VersionGone
    user = session.get(User, version.uploaded_by_id) if version.uploaded_by_id else None
    session.info["actor"] = user.email if user else "system"
    if checked.status == "ocr":
        for name, value in service.read_fields(checked).items():
            setattr(version, name, value)
        version.ocr_reason = ""
    else:  # too little read (confidence too low on most pages): kept as a scan, said why
        version.ocr_reason = "The OCR text was too poor to check (low confidence on most pages)."
    version.ocr_state, version.ocr_pages = "done", pages_read
    session.add(version)
    if checked.status == "ocr":
        applicable = {clause.id for clause in service.applicable_clauses(arrangement)}
        existing = {c.clause_id: c for c in session.scalars(select(ClauseCheck).where(
            ClauseCheck.version_id == version_id))}
        for result in (r for r in checked.results if r.clause_id in applicable):
            check = existing.get(result.clause_id) or ClauseCheck(version_id=version_id, clause_id=result.clause_id)
            for name, value in service.result_fields(result).items():  # a reviewer's verdict stays
                setattr(check, name, value)
            session.add(check)
        session.flush()
        if user is not None:
            set_findings.settle(session, arrangement, user)
    events.publish(session, events.ContractChecked(arrangement.id, contract.id))


def run_pending(app: Flask, version_id: int | None = None, limit: int | None = None) -> int:
    """Reap stalled OCR, then read queued versions (only ``version_id`` when given) until none is
    left; how many were read."""
    runner = f"{socket.gethostname()}:{os.getpid()}"
    ran = 0
    with app.app_context():
        reader = new_session(engine_of(app))
        try:  # polled every few seconds: a read, no write lock taken when there is nothing to do
            if reader.execute(select(V.c.id).where(V.c.ocr_state.in_(("queued", "running"))).limit(1)).first() is None:
                return 0
        finally:
            reader.close()
        with transaction(engine=engine_of(app)) as session:
            reap(session, timedelta(minutes=app.config["CONTRACT_OCR_STALE_MINUTES"]))
        while limit is None or ran < limit:
            with transaction(engine=engine_of(app)) as session:
                claimed = claim(session, runner, version_id)
            if claimed is None:
                break
            log.info("OCR of contract version %s: %s", claimed, run(app, claimed))
            ran += 1
    return ran
