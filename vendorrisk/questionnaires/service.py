"""Importing questionnaire responses: native or foreign workbook in, answers, score,
flags, findings and subcontractor proposals out — all or nothing.

The caller has passed the upload through ``uploads.inspect_upload`` (size, type and
decompression gate) and commits; on any problem this raises ``ValidationFailed`` with one
``{"sheet", "cell", "message"}`` per problem and adds nothing to the session.
"""
import hashlib
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlmodel import Session, select

from vendorrisk.core import audit, parse_budget, storage
from vendorrisk.core.errors import NotFound, ValidationFailed
from vendorrisk.core.uploads import Upload
from vendorrisk.questionnaires import reader_foreign as foreign
from vendorrisk.questionnaires.models import QuestionnaireAnswer, QuestionnaireResponse, SubcontractorProposal
from vendorrisk.questionnaires.native import ParsedAnswer, ParsedWorkbook, read_native
from vendorrisk.questionnaires.reader import WorkbookReader
from vendorrisk.questionnaires.scoring import evaluate, read_answer, read_yes_no_na, total_score
from vendorrisk.questionnaires.template_files import Mapping, canonical, catalogue
from vendorrisk.questionnaires.workbook import FORMAT_MARKER
from vendorrisk.vendors.findings import FindingSpec, raise_findings
from vendorrisk.vendors.models import Vendor, VendorOwner

MAX_DETAILS = 500
INSERT_BATCH = 500


@dataclass
class ImportResult:
    """The outcome of an import or dry run."""

    format: str
    template_id: str | None
    template_version: int | None
    mapping_id: str | None
    layout: dict
    questions: int
    answered: int
    score: float | None
    flags: int
    subcontractors: int
    dry_run: bool = False
    duplicate: bool = False
    response: QuestionnaireResponse | None = None
    findings_created: int = 0
    flagged: list[dict] = field(default_factory=list)
    parsed: ParsedWorkbook | None = field(default=None, repr=False, compare=False)  # reused by the import


def _mapping_for(layout: foreign.Layout, mapping_id: str | None) -> Mapping | None:
    mappings = catalogue().mappings
    if mapping_id == "none":
        return None
    if mapping_id:
        mapping = mappings.get(mapping_id)
        if mapping is None:
            raise ValidationFailed(_("There is no mapping %(mapping)s.", mapping=repr(mapping_id)),
                                   [{"sheet": "", "cell": "", "message": _(
                                       "Unknown mapping %(mapping)s; expected one of %(choices)s", mapping=repr(mapping_id),
                                       choices=", ".join(sorted(mappings)) or _("(none)"))}])
        return mapping
    return next((m for _id, m in sorted(mappings.items()) if m.format == layout.format), None)


def read_foreign(reader: WorkbookReader, params: dict | None, mapping_id: str | None) -> ParsedWorkbook:
    """Read a vendor-format workbook by its detected (or user-corrected) layout."""
    detected = foreign.detect_layout(reader)
    if params and any(params.get(k) for k in ("sheet", "header_row", *(f"{r}_column" for r in foreign.ROLES))):
        layout = foreign.layout_from_params(reader, params, detected)
    elif detected is None:
        message = _("No questionnaire found: neither our hidden identification nor a header row with "
                     "question and answer columns (e.g. 'Question'/'質問' and 'Answer'/'回答')")
        raise ValidationFailed(message, [{"sheet": "", "cell": "", "message": message}])
    else:
        layout = detected
    mapping = _mapping_for(layout, mapping_id)
    template = catalogue().versions.get(sorted(
        (k for k in catalogue().versions if k[0] == mapping.template_id))[-1]) if mapping else None
    parsed = ParsedWorkbook(format=layout.format, template=template, mapping_id=mapping.id if mapping else None,
                            layout=layout.as_dict())
    seen: dict[str, int] = {}
    for position, row in enumerate(foreign.read_rows(reader, layout)):
        key = canonical(row.source_id)
        if key in seen:
            parsed.error(layout.sheet, f"A{row.row}", _("Question id %(id)s repeats row %(row)s; expected each id once",
                                                       id=repr(row.source_id), row=seen[key]))
        seen[key] = row.row
        question_id = mapping.questions.get(key) if mapping else None
        question = template.question(question_id) if template and question_id else None
        if question is not None:
            reading = read_answer(question, row.answer)
        elif layout.format == "caiq":
            reading = read_yes_no_na(row.answer)
        else:
            reading = read_answer(_FREE_TEXT, row.answer)
        if reading.problem:
            parsed.error(layout.sheet, row.answer_cell, reading.problem)
        comment = row.comment + (f"\n[SSRM: {row.ownership}]" if row.ownership else "")
        parsed.answers.append(ParsedAnswer(position, question.id if question else None, row.source_id[:100],
                                           layout.sheet[:100], row.answer_cell, row.question, reading.value,
                                           reading.raw, comment.strip(),
                                           evaluate(question, reading.value) if question else None))
    if not parsed.answers:
        parsed.error(layout.sheet, "", _("No question rows below header row %(row)s; "
                                         "expected one question per row", row=layout.header_row))
    return parsed


def _free_text_question():
    from vendorrisk.questionnaires.template_files import Question
    return Question("free", "", "", "", "", "text", (), False, (), 0.0)


_FREE_TEXT = _free_text_question()


def parse_workbook(session: Session, vendor: Vendor, upload: Upload, key: bytes,
                   layout_params: dict | None = None, mapping_id: str | None = None) -> ParsedWorkbook:
    """Open an inspected upload and read it as our workbook or a foreign one."""
    reader = WorkbookReader(upload.data)
    try:
        meta = reader.metadata()
        if meta and meta.get("format") == FORMAT_MARKER:
            return read_native(reader, meta, vendor, key)
        return read_foreign(reader, layout_params, mapping_id)
    finally:
        reader.close()


def _refuse(parsed: ParsedWorkbook) -> None:
    count = len(parsed.errors)
    details = parsed.errors[:MAX_DETAILS]
    if count > MAX_DETAILS:
        details.append({"sheet": "", "cell": "", "message": _("... and %(count)s more problems",
                                                                count=count - MAX_DETAILS)})
    message = (_("The workbook has %(count)s problem; nothing was imported.", count=count) if count == 1
               else _("The workbook has %(count)s problems; nothing was imported.", count=count))
    raise ValidationFailed(message, details)


def import_response(session: Session, *, vendor_id: int, upload: Upload, key: bytes, user_id: int | None = None,
                    dry_run: bool = False, layout_params: dict | None = None,
                    mapping_id: str | None = None, parsed: ParsedWorkbook | None = None) -> ImportResult:
    """Validate a workbook and, unless ``dry_run``, store the response with everything it raises.

    A dry run only reads (views run it in a read phase, ``db_phases.reading``); its result
    carries the parsed workbook, which the import then takes as ``parsed`` instead of
    reading the file again while it holds the write lock."""
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("There is no vendor %(id)s.", id=vendor_id))
    sha256 = hashlib.sha256(upload.data).hexdigest()
    existing = session.exec(select(QuestionnaireResponse).where(
        QuestionnaireResponse.vendor_id == vendor_id, QuestionnaireResponse.file_sha256 == sha256)).first()
    if existing is not None:
        return ImportResult(existing.format, existing.template_id, existing.template_version, existing.mapping_id,
                            dict(existing.layout), existing.questions, existing.answered, existing.score,
                            existing.flags, 0, dry_run, True, existing)
    if parsed is None:
        with parse_budget.budget():
            parsed = parse_workbook(session, vendor, upload, key, layout_params, mapping_id)
    if parsed.errors:
        _refuse(parsed)
    evaluations = [a.evaluation for a in parsed.answers if a.evaluation is not None]
    flagged = [a for a in parsed.answers if a.evaluation is not None and a.evaluation.flagged]
    result = ImportResult(parsed.format, parsed.template.id if parsed.template else None,
                          parsed.template.version if parsed.template else None, parsed.mapping_id, parsed.layout,
                          len(parsed.answers), sum(1 for a in parsed.answers if a.value),
                          total_score(evaluations) if parsed.template else None, len(flagged),
                          len(parsed.proposals), dry_run,
                          flagged=[{"question_id": a.question_id, "answer": a.value, "severity": a.evaluation.severity,
                                    "cell": a.cell} for a in flagged], parsed=parsed)
    if dry_run:
        return result
    _store(session, vendor, upload, sha256, parsed, result, user_id)
    return result


def _store(session: Session, vendor: Vendor, upload: Upload, sha256: str, parsed: ParsedWorkbook,
           result: ImportResult, user_id: int | None) -> None:
    stored, _duplicate = storage.store(session, upload, user_id)
    response = QuestionnaireResponse(
        vendor_id=vendor.id, template_id=result.template_id, template_version=result.template_version,
        format=result.format, mapping_id=result.mapping_id, layout=parsed.layout, file_id=stored.id,
        file_sha256=sha256, filename=upload.filename[:300], questions=result.questions, answered=result.answered,
        score=result.score, flags=result.flags, imported_by_id=user_id)
    session.add(response)
    session.flush()
    # Thousands of answers go in a few executemany batches (bounded memory); the import
    # itself is audited below.
    insert = QuestionnaireAnswer.__table__.insert()
    connection = session.connection()
    for start in range(0, len(parsed.answers), INSERT_BATCH):
        connection.execute(insert, [
            {"response_id": response.id, "position": a.position, "question_id": a.question_id,
             "source_id": a.source_id, "sheet": a.sheet, "cell": a.cell, "question_text": a.question_text,
             "value": a.value, "raw": a.raw, "comment": a.comment,
             "points": a.evaluation.points if a.evaluation else None,
             "max_points": a.evaluation.max_points if a.evaluation else None,
             "flagged": bool(a.evaluation and a.evaluation.flagged),
             "severity": a.evaluation.severity if a.evaluation else None}
            for a in parsed.answers[start:start + INSERT_BATCH]])
    for proposal in parsed.proposals:
        session.add(SubcontractorProposal(response_id=response.id, vendor_id=vendor.id, **proposal))
    result.findings_created = _raise_findings(session, vendor, response, parsed, user_id)
    audit.add_event(session, action="import", entity="questionnaire_response", entity_id=response.id,
                    after={"vendor_id": vendor.id, "sha256": sha256, "format": result.format,
                           "template": result.template_id, "answers": len(parsed.answers), "score": result.score,
                           "flags": result.flags})
    session.flush()
    result.response = response


def _raise_findings(session: Session, vendor: Vendor, response: QuestionnaireResponse, parsed: ParsedWorkbook,
                    user_id: int | None) -> int:
    """One finding per flagged answer, raised in bulk; returns how many were created."""
    template = parsed.template
    specs = []
    for answer in parsed.answers:
        if answer.evaluation is None or not answer.evaluation.flagged:
            continue
        question = template.question(answer.question_id)
        specs.append(FindingSpec(
            vendor_id=vendor.id, source="questionnaire", severity=answer.evaluation.severity,
            source_ref=f"questionnaire_response:{response.id}:{answer.question_id}",
            # Stored text, read by staff of either language: both, Japanese first.
            title=(f"質問票 {answer.question_id}：回答「{answer.raw}」 — {question.text_ja} / "
                   f"Questionnaire {answer.question_id}: answered '{answer.raw}' — {question.text_en}"),
            description=(f"{template.title_en} v{template.version}, {question.citation('en')} / "
                         f"{question.citation('ja')}\n{question.text_ja}\n回答 / Answer: {answer.raw}\n"
                         f"{answer.comment}").strip()))
    return len(raise_findings(session, specs, raised_by_id=user_id))


def signing_key(secret_key: str) -> bytes:
    """The key that signs workbook metadata, derived from the app's secret key."""
    import hmac
    return hmac.new(secret_key.encode(), b"vendorrisk questionnaire workbook", hashlib.sha256).digest()


def workbook_for(session: Session, template_id: str, vendor_id: int, key: bytes) -> tuple[bytes, str]:
    """The workbook of the latest version of a template for a vendor, and its file name."""
    from vendorrisk.questionnaires.template_files import get_template
    from vendorrisk.questionnaires.workbook import questionnaire_workbook

    template = get_template(template_id)
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("There is no vendor %(id)s.", id=vendor_id))
    data = questionnaire_workbook(template, vendor.id, vendor.name, key)
    audit.add_event(session, action="export", entity="questionnaire_workbook", entity_id=f"{template.id}:{vendor.id}",
                    after={"template": template.id, "version": template.version, "vendor_id": vendor.id})
    return data, f"{template.id}-v{template.version}-{vendor.name}.xlsx"


def may_import(session: Session, user, vendor_id: int) -> bool:
    """Compliance staff and admins import for any vendor; a vendor owner only for their own."""
    if user.role in ("admin", "compliance"):
        return True
    if user.role != "vendor_owner":
        return False
    return session.exec(select(VendorOwner.id).where(VendorOwner.vendor_id == vendor_id,
                                                     VendorOwner.user_id == user.id)).first() is not None
