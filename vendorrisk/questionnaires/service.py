"""Importing questionnaire responses: our own workbook or a vendor's own questionnaire
(.xlsx or CSV) in; answers, scores per article, flags, findings and subcontractor
proposals out — all or nothing.

The caller has passed the upload through ``inspect_upload`` (size, type and decompression
gate, which lets Shift_JIS and UTF-16 CSV files through as their UTF-8 equivalents) and
commits; on any problem this raises ``ValidationFailed`` with one ``{"sheet", "cell",
"message"}`` per problem and adds nothing to the session. A foreign layout that was not
recognised raises ``foreign.LayoutUnconfirmed`` (a ``ValidationFailed``) until the user
confirms or corrects it.
"""
import hashlib
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlmodel import Session, select

from vendorrisk.core import audit, parse_budget
from vendorrisk.core.errors import NotFound, ValidationFailed
from vendorrisk.core.uploads import Upload, inspect_upload
from vendorrisk.questionnaires import campaigns, foreign, storing
from vendorrisk.questionnaires.models import QuestionnaireResponse
from vendorrisk.questionnaires.native import ParsedWorkbook, read_native
from vendorrisk.questionnaires.reader import WorkbookReader
from vendorrisk.questionnaires.scoring import article_scores, total_score
from vendorrisk.questionnaires.workbook import FORMAT_MARKER
from vendorrisk.vendors.models import Vendor, VendorOwner

MAX_DETAILS = 500
MAX_LISTED = 500
KINDS = {"xlsx", "csv"}


@dataclass
class ImportResult:
    """The outcome of an import or dry run."""

    format: str
    template_id: str | None
    template_version: int | None
    profile_id: str | None
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
    confidence: float | None = None
    article_scores: dict = field(default_factory=dict)
    unanswered: list[dict] = field(default_factory=list)
    parsed: ParsedWorkbook | None = field(default=None, repr=False, compare=False)  # reused by the import


def inspect_questionnaire(data: bytes, filename: str) -> Upload:
    """``inspect_upload`` for a questionnaire: an .xlsx or a CSV file (a CSV saved by Excel in
    Japan, Shift_JIS, or as Unicode text, UTF-16, passes as its UTF-8 equivalent does and is
    kept as it came)."""
    return inspect_upload(data, filename, KINDS)


def parse_workbook(vendor: Vendor, upload: Upload, key: bytes, layout_params: dict | None = None) -> ParsedWorkbook:
    """Read an inspected upload as our workbook (its hidden identification) or a foreign one."""
    if upload.kind == "csv":
        return foreign.read_foreign(upload.data, layout_params, csv=True)
    reader = WorkbookReader(upload.data)
    try:
        meta = reader.metadata()
        if meta and meta.get("format") == FORMAT_MARKER:
            return read_native(reader, meta, vendor, key)
    finally:
        reader.close()
    return foreign.read_foreign(upload.data, layout_params)


@dataclass
class Outcome:
    """What a parsed workbook scores: overall, per article, the flags, our questions answered."""

    score: float | None = None
    article_scores: dict = field(default_factory=dict)
    flagged: list[dict] = field(default_factory=list)
    mapped: list[dict] = field(default_factory=list)


def outcome_of(parsed: ParsedWorkbook) -> Outcome:
    """Score our own workbook by its template, a foreign one by the answers mapped onto ours."""
    if parsed.template is not None:
        evaluated = [(a, parsed.template.question(a.question_id)) for a in parsed.answers if a.evaluation]
        return Outcome(
            total_score(a.evaluation for a, _q in evaluated),
            article_scores((q.article, a.evaluation.points, a.evaluation.max_points, a.value) for a, q in evaluated),
            [{"question_id": a.question_id, "answer": a.value, "severity": a.evaluation.severity, "cell": a.cell}
             for a, _q in evaluated if a.evaluation.flagged])
    if parsed.mapped is None:
        return Outcome()
    mapped = [{"template_id": a.template_id, "question_id": a.question_id, "article": a.article, "value": a.value,
               "sources": [list(s) for s in a.sources], "points": a.points, "max_points": a.max_points,
               "flagged": a.flagged, "severity": a.severity} for a in parsed.mapped.answers]
    return Outcome(parsed.mapped.score,
                   article_scores((a.article, a.points, a.max_points, a.value) for a in parsed.mapped.answers),
                   [{"question_id": m["question_id"], "template_id": m["template_id"], "answer": m["value"],
                     "severity": m["severity"], "sources": m["sources"]} for m in mapped if m["flagged"]], mapped)


def _refuse(parsed: ParsedWorkbook) -> None:
    count = len(parsed.errors)
    details = parsed.errors[:MAX_DETAILS]
    if count > MAX_DETAILS:
        details.append({"sheet": "", "cell": "", "message": _("... and %(count)s more problems",
                                                                count=count - MAX_DETAILS)})
    message = (_("The workbook has %(count)s problem; nothing was imported.", count=count) if count == 1
               else _("The workbook has %(count)s problems; nothing was imported.", count=count))
    raise ValidationFailed(message, details)


def _existing(existing: QuestionnaireResponse, dry_run: bool) -> ImportResult:
    return ImportResult(existing.format, existing.template_id, existing.template_version, existing.profile_id,
                        dict(existing.layout), existing.questions, existing.answered, existing.score, existing.flags,
                        0, dry_run, True, existing, confidence=existing.confidence,
                        article_scores=dict(existing.article_scores))


def import_response(session: Session, *, vendor_id: int, upload: Upload, key: bytes, user_id: int | None = None,
                    dry_run: bool = False, layout_params: dict | None = None,
                    parsed: ParsedWorkbook | None = None, campaign_id: int | None = None) -> ImportResult:
    """Validate a workbook and, unless ``dry_run``, store the response with everything it raises.

    ``layout_params`` correct a foreign layout (``foreign.layout_choice``: sheets, header_row,
    ``<role>_column``, profile, confirmed). A dry run only reads (views run it in a read
    phase, ``db_phases.reading``, within the time budget of ``parse_budget``); its result
    carries the parsed workbook, which the import then takes as ``parsed`` instead of
    reading the file again while it holds the write lock. A workbook sent in a campaign (or
    a file imported against ``campaign_id``) is noted as the vendor's return."""
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("There is no vendor %(id)s.", id=vendor_id))
    sha256 = hashlib.sha256(upload.data).hexdigest()
    existing = session.exec(select(QuestionnaireResponse).where(
        QuestionnaireResponse.vendor_id == vendor_id, QuestionnaireResponse.file_sha256 == sha256)).first()
    if existing is not None:
        if not dry_run:
            campaigns.record_return(session, campaign_id, vendor_id, existing.id)
        return _existing(existing, dry_run)
    if parsed is None:
        with parse_budget.budget():
            parsed = parse_workbook(vendor, upload, key, layout_params)
    if parsed.errors:
        _refuse(parsed)
    if campaign_id is not None and parsed.campaign_id not in (None, campaign_id):
        message = _("This workbook was sent in another campaign; import it there.")
        raise ValidationFailed(message, [{"sheet": "", "cell": "", "message": message}])
    outcome = outcome_of(parsed)
    result = ImportResult(parsed.format, parsed.template.id if parsed.template else None,
                          parsed.template.version if parsed.template else None, parsed.profile_id, parsed.layout,
                          len(parsed.answers), sum(1 for a in parsed.answers if a.raw or a.value), outcome.score,
                          len(outcome.flagged), len(parsed.proposals), dry_run, flagged=outcome.flagged,
                          confidence=parsed.confidence, article_scores=outcome.article_scores,
                          unanswered=[{"id": a.source_id, "sheet": a.sheet, "cell": a.cell, "question": a.question_text}
                                      for a in parsed.answers if not (a.raw or a.value)], parsed=parsed)
    if dry_run:
        return result
    result.response, result.findings_created = storing.store_response(
        session, vendor, upload, sha256, parsed, result, outcome.mapped, user_id)
    campaigns.record_return(session, campaign_id or parsed.campaign_id, vendor_id, result.response.id)
    return result


@dataclass
class Named:
    """Whom an upload is for: the vendor (and campaign) our workbook names, else the vendor
    chosen on the form; ``from_workbook`` says which."""

    vendor_id: int
    campaign_id: int | None = None
    from_workbook: bool = False


def _vendor_problem(message: str) -> ValidationFailed:
    """A refusal about whose answers a file holds: one row-level detail for the vendor field."""
    return ValidationFailed(message, [{"sheet": "", "cell": "", "field": "vendor_id", "message": message}])


def vendor_of_upload(session: Session, upload: Upload, chosen_vendor_id: int | None) -> Named:
    """The vendor an upload is imported for. Our workbook names its vendor (and campaign):
    that one is taken, and a different vendor chosen on the form is refused — nothing is read
    further or stored. Any other file (a vendor's own questionnaire, a CSV) needs the vendor
    chosen. Reads only the workbook's identification; the import checks its signature."""
    campaign_id, named, _template = campaigns.identify(upload)
    if named is None:
        if chosen_vendor_id is None:
            raise _vendor_problem(_("This file does not name its vendor (it is not a workbook generated by "
                                    "vendorrisk): choose the vendor it comes from."))
        return Named(chosen_vendor_id)
    vendor = session.get(Vendor, named)
    if vendor is None:
        raise _vendor_problem(_("The workbook was generated for a vendor that is no longer registered "
                                "(%(id)s); send the vendor a new workbook.", id=named))
    if chosen_vendor_id is not None and chosen_vendor_id != named:
        chosen = session.get(Vendor, chosen_vendor_id)
        raise _vendor_problem(_("You chose %(chosen)s, but this workbook was generated for %(named)s. Choose "
                                "%(named)s, or leave the vendor empty: the workbook names it. Nothing was "
                                "imported.", chosen=chosen.name if chosen else chosen_vendor_id, named=vendor.name))
    return Named(named, campaign_id, True)


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
