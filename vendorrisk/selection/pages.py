"""Selection pages: criteria sets, assessments (score, submit, approve, reject), records."""
import re
from types import SimpleNamespace

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from vendorrisk.core import conflicts
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import DOCX, send_download, send_stored
from vendorrisk.core.errors import Conflict, DomainError, NotFound, ValidationFailed, wants_json
from vendorrisk.core.i18n import format_local, language
from vendorrisk.core.models import StoredFile, User
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.selection import criteria as criteria_content
from vendorrisk.selection import risk_tier
from vendorrisk.selection import service as selection
from vendorrisk.selection.models import ASSESSMENT_STATUSES, AssessmentEvidence, SelectionAssessment
from vendorrisk.selection.records import record_context
from vendorrisk.vendors.models import READING_ORDER, Vendor
from vendorrisk.vendors.need_to_know import require_file_access
from vendorrisk.vendors.service import get_vendor

bp = Blueprint("selection", __name__, template_folder="templates", url_prefix="/selection")
NAV = [NavItem("selection.index", _l("Selection"), 20)]
PREPARERS = ("compliance", "procurement")
APPROVERS = ("compliance",)
DUE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*[:：]\s*(.+)$")


def _assessment(assessment_id: int) -> SelectionAssessment:
    return selection.get_assessment(get_session(), assessment_id)


def _users(ids) -> dict[int, User]:
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}
    return {u.id: u for u in get_session().exec(select(User).where(User.id.in_(ids)))}


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Assessments, newest first, filtered by status."""
    status = request.args.get("status", "")
    query = (select(SelectionAssessment, Vendor).join(Vendor, Vendor.id == SelectionAssessment.vendor_id)
             .order_by(SelectionAssessment.id.desc()))
    if status in ASSESSMENT_STATUSES:
        query = query.where(SelectionAssessment.status == status)
    page = paginate(get_session(), query, request.args.get("page", 1, type=int), 50, scalars=False)
    people = _users(a.prepared_by_id for a, _v in page.items)
    return render_template("selection/index.html", page=page, status=status,
                           statuses=ASSESSMENT_STATUSES, people=people)


@bp.get("/new")
@allow(*PREPARERS)
def new(chosen: int | None = None, conflict=None, status: int = 200):
    """Choose the vendor to assess; after a refused start (an assessment of the vendor is
    still open), the vendor stays chosen and the open assessment is named with its link."""
    vendors = get_session().exec(select(Vendor).order_by(*READING_ORDER).limit(1000)).all()
    return render_template("selection/new.html", vendors=vendors, conflict=conflict,
                           chosen=chosen if chosen is not None else request.args.get("vendor_id", type=int)), status


@bp.post("/new")
@allow(*PREPARERS)
def create():
    """Start a draft assessment of the chosen vendor."""
    db = get_session()
    vendor_id = request.form.get("vendor_id", type=int)
    if vendor_id is None:
        raise ValidationFailed(_("Choose a vendor."), [{"field": "vendor_id", "message": _("Choose a vendor.")}])
    try:
        assessment = selection.create_assessment(db, vendor_id=vendor_id, user=g.user)
    except Conflict as exc:
        conflicts.for_page(exc)
        db.rollback()
        return new(vendor_id, _open_assessment_notice(exc), 409)
    db.commit()
    flash(_("Draft assessment created."), "success")
    return redirect(url_for("selection.show", assessment_id=assessment.id))


def _open_assessment_notice(exc: Conflict) -> conflicts.ConflictNotice:
    """The words for "an assessment of this vendor is still open": which one, in what state,
    who prepared it and since when, with its link."""
    open_one = _assessment(exc.details["assessment_id"])
    vendor = get_session().get(Vendor, open_one.vendor_id)
    preparer = _users([open_one.prepared_by_id]).get(open_one.prepared_by_id)
    message = _("%(vendor)s already has an open assessment (no. %(id)s, %(status)s), started by %(name)s on "
                "%(date)s; a vendor has one open assessment at a time.", vendor=vendor.name, id=open_one.id,
                status=_(open_one.status), name=conflicts.person(preparer),
                date=format_local(open_one.created_at, with_time=False))
    advice = (_("Finish it (submit it, then have it approved or rejected) before starting another; "
                "to change its scores, open it.") if open_one.status == "draft" else
              _("It waits for a decision; once it is approved or rejected, a new assessment can be started."))
    return conflicts.ConflictNotice(message, advice=advice,
                                    link=(_("Open assessment %(id)s", id=open_one.id),
                                          url_for("selection.show", assessment_id=open_one.id)))


@bp.get("/<int:assessment_id>")
@allow(*ALL_ROLES)
def show(assessment_id, conflict=None, status: int = 200, typed: dict | None = None,
         refusal: DomainError | None = None, errors=(), note: str = ""):
    """The assessment: the scoring form while a draft, the record with decisions after.
    After a form refused because the assessment moved on meanwhile, ``conflict`` says how and
    keeps what was typed (409); after a refused save or submission (``refusal``): 422, the
    reason, and the form as typed (``typed``); after a refused decision (422), the note typed
    and ``errors`` next to their fields."""
    db = get_session()
    assessment = _assessment(assessment_id)
    vendor = db.get(Vendor, assessment.vendor_id)
    people = _users([assessment.prepared_by_id, assessment.decided_by_id])
    can_edit = assessment.status == "draft" and g.user.id == assessment.prepared_by_id
    can_decide = (assessment.status == "submitted" and g.user.id != assessment.prepared_by_id
                  and g.user.role in ("admin",) + APPROVERS)
    scores = selection.scores_of(db, assessment.id)
    conditions_text = "\n".join((f"{c['due_date']}: " if c.get("due_date") else "") + c["text"]
                                 for c in assessment.conditions)
    summary_text = assessment.summary
    if typed is not None:
        scores = typed["scores"]
        conditions_text, summary_text = typed["conditions"], typed["summary"]
    errors = list(errors) or ([d for d in refusal.details if isinstance(d, dict)] if refusal else [])
    return render_template("selection/show.html", a=assessment, vendor=vendor, people=people,
                           criteria=selection.criteria_of(assessment), scores=scores,
                           evidence=selection.evidence_of(db, assessment.id),
                           can_edit=can_edit, can_decide=can_decide,
                           blockers=selection.approval_blockers(db, assessment) if can_decide else [],
                           conditions_text=conditions_text, summary_text=summary_text,
                           refusal=refusal, errors=errors, conflict=conflict, note=note), \
        refusal.status if refusal else status


def _conditions_from_form(text: str) -> list[dict]:
    items = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = DUE_PREFIX.match(line)
        items.append({"text": match[2], "due_date": match[1]} if match else {"text": line})
    return items


@bp.post("/<int:assessment_id>/scores")
@allow(*PREPARERS)
def save(assessment_id):
    """Save the scores, comments, summary and conditions of a draft; if it was submitted or
    decided meanwhile (another tab, another person), the page says so and keeps the input."""
    db = get_session()
    assessment = _assessment(assessment_id)
    criteria = selection.criteria_of(assessment)
    entries = [{"criterion_id": c["id"], "score": request.form.get(f"score-{c['id']}", ""),
                "comment": request.form.get(f"comment-{c['id']}", "")} for c in criteria]
    try:
        selection.save_scores(db, assessment, user=g.user, scores=entries,
                              summary=request.form.get("summary", ""),
                              conditions=_conditions_from_form(request.form.get("conditions", "")))
    except Conflict as exc:
        conflicts.for_page(exc)
        db.rollback()
        kept = [(_("Scores"), "\n".join(f"{e['criterion_id']}: {e['score']}" for e in entries if e["score"] != ""))]
        kept += [(_("Comment on %(id)s", id=e["criterion_id"]), e["comment"]) for e in entries]
        kept += [(_("Overall assessment"), request.form.get("summary", "")),
                 (_("Conditions of approval"), request.form.get("conditions", ""))]
        return _moved_on(assessment_id, exc, kept, _(
            "Your scores were not saved. If the evaluation must change, ask the approver to reject the "
            "assessment, then start a new one and copy what you typed below."))
    except ValidationFailed as exc:
        if wants_json():
            raise
        db.rollback()
        # nothing was saved: the page again, with every score and comment as typed
        typed = {e["criterion_id"]: SimpleNamespace(score=int(e["score"]) if e["score"].isdigit() else e["score"],
                                                    comment=e["comment"]) for e in entries}
        return show(assessment_id, typed={"scores": typed, "summary": request.form.get("summary", ""),
                                          "conditions": request.form.get("conditions", "")}, refusal=exc)
    db.commit()
    flash(_("Scores saved."), "success")
    return redirect(url_for("selection.show", assessment_id=assessment.id))


def _moved_on(assessment_id: int, exc: Conflict, kept, advice: str):
    """The assessment's page again (409) after a form it no longer accepts: who moved it on
    (submitted, decided) and when, what to do, and what was typed."""
    assessment = _assessment(assessment_id)
    if assessment.decided_by_id:
        by, at = assessment.decided_by_id, assessment.decided_at
    else:
        by, at = assessment.prepared_by_id, assessment.submitted_at
    who = _users([by]).get(by)
    return show(assessment_id, conflicts.notice(exc, by=conflicts.person(who), at=at, advice=advice, kept=kept), 409)


@bp.post("/<int:assessment_id>/evidence")
@allow(*PREPARERS)
def upload_evidence(assessment_id):
    """Attach an evidence file to one criterion."""
    db = get_session()
    assessment = _assessment(assessment_id)
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ValidationFailed(_("Choose a file to upload."), [{"field": "file", "message": _("No file.")}])
    upload = inspect_upload(file.read(), file.filename, selection.EVIDENCE_KINDS)
    selection.add_evidence(db, assessment, user=g.user, criterion_id=request.form.get("criterion_id", ""),
                           upload=upload)
    db.commit()
    flash(_("Evidence attached."), "success")
    return redirect(url_for("selection.show", assessment_id=assessment.id))


@bp.get("/<int:assessment_id>/evidence/<int:evidence_id>")
@allow(*ALL_ROLES)
def download_evidence(assessment_id, evidence_id):
    """Download an evidence file (recorded in the audit trail)."""
    db = get_session()
    evidence = db.get(AssessmentEvidence, evidence_id)
    if evidence is None or evidence.assessment_id != assessment_id:
        raise NotFound(_("This evidence file does not exist."))
    require_file_access(db, g.user, _assessment(assessment_id).vendor_id)
    return send_stored(db, db.get(StoredFile, evidence.file_id), entity="assessment_evidence", entity_id=evidence.id)


@bp.post("/<int:assessment_id>/submit")
@allow(*PREPARERS)
def submit(assessment_id):
    """Submit the draft for approval by another user."""
    db = get_session()
    try:
        selection.submit(db, _assessment(assessment_id), user=g.user)
    except ValidationFailed as exc:  # incomplete: the assessment's page, saying what is missing
        if wants_json():
            raise
        db.rollback()
        return show(assessment_id, refusal=exc)
    db.commit()
    flash(_("Submitted for approval."), "success")
    return redirect(url_for("selection.show", assessment_id=assessment_id))


@bp.post("/<int:assessment_id>/approve")
@allow(*APPROVERS)
def approve(assessment_id):
    """Approve a submitted assessment (not by its preparer)."""
    return _decide(assessment_id, selection.approve, _("Assessment approved."))


@bp.post("/<int:assessment_id>/reject")
@allow(*APPROVERS)
def reject(assessment_id):
    """Reject a submitted assessment with a reason."""
    return _decide(assessment_id, selection.reject, _("Assessment rejected."))


def _decide(assessment_id: int, decide, done: str):
    """Record a decision; if another approver decided first, the page says who and when and
    keeps the note that was typed."""
    db = get_session()
    note = request.form.get("note", "")
    try:
        decide(db, _assessment(assessment_id), user=g.user, note=note)
    except Conflict as exc:
        conflicts.for_page(exc)
        db.rollback()
        if _assessment(assessment_id).status == "submitted":  # not decided meanwhile: the score's band refused it
            return show(assessment_id, conflicts.notice(exc, kept=[(_("Note"), note)]), 409)
        return _moved_on(assessment_id, exc, [(_("Note"), note)], _(
            "Your decision was not recorded. Read the decision above; if you disagree, talk to the person "
            "who decided: a decided assessment is not changed, a new assessment is started instead."))
    except ValidationFailed as exc:  # a rejection without its reason: the form again, the note kept
        if wants_json():
            raise
        db.rollback()
        flash(exc.message, "error")
        return show(assessment_id, status=exc.status, errors=exc.details, note=note)
    db.commit()
    flash(done, "success")
    return redirect(url_for("selection.show", assessment_id=assessment_id))


def _record_context(assessment_id: int) -> dict:
    return record_context(get_session(), _assessment(assessment_id))


@bp.get("/<int:assessment_id>/record")
@allow(*ALL_ROLES)
def record(assessment_id):
    """The printable assessment record."""
    return render_template("selection/record.html", **_record_context(assessment_id))


@bp.get("/<int:assessment_id>/record.docx")
@allow(*ALL_ROLES)
def record_docx(assessment_id):
    """The assessment record as a Word document."""
    from vendorrisk.selection.record_docx import assessment_docx
    require_file_access(get_session(), g.user, _assessment(assessment_id).vendor_id)
    data = assessment_docx(_record_context(assessment_id), language=language())
    return send_download(get_session(), data, f"selection-assessment-{assessment_id}.docx", DOCX, action="export",
                         entity="selection_assessment", entity_id=assessment_id, after={"format": "docx"})


@bp.app_template_filter("criteria_label")
def criteria_label(versions: str) -> str:
    """The criteria sets an assessment was scored with, by title, in the reader's language."""
    locale = get_locale()
    return criteria_content.criteria_label(versions, locale.language if locale else "en")


@bp.app_template_filter("citation")
def citation(article: str) -> str:
    """A criterion's article (``25-1``, ``27-5``) as staff cite it: 第25条第1項 / 第27条第5号,
    Art. 25(1) / Art. 27(5)."""
    number, _sep, part = (article or "").partition("-")
    if not number.isdigit() or not part.isdigit():
        return article
    locale = get_locale()
    if locale and locale.language == "ja":
        return f"第{number}条第{part}{'号' if number == '27' else '項'}"
    return f"Art. {number}({part})"


@bp.get("/criteria")
@allow(*ALL_ROLES)
def criteria_sets():
    """Criteria sets and their versions."""
    sets = criteria_content.criteria_sets()
    grouped: dict[str, list] = {}
    for item in sets:
        grouped.setdefault(item.key, []).append(item)
    return render_template("selection/criteria.html", grouped=grouped)


@bp.get("/criteria/<key>/v<int:version>")
@allow(*ALL_ROLES)
def criteria_set(key, version):
    """One version of a criteria set with every criterion, scale and guidance."""
    return render_template("selection/criteria_set.html", s=criteria_content.get_set(key, version))


@bp.get("/criteria/<key>/compare")
@allow(*ALL_ROLES)
def compare(key):
    """What changed between two versions of a criteria set."""
    old = criteria_content.get_set(key, request.args.get("old", type=int) or 0)
    new = criteria_content.get_set(key, request.args.get("new", type=int) or 0)
    return render_template("selection/compare.html", old=old, new=new, diff=criteria_content.compare(old, new))


@bp.get("/vendors/<int:vendor_id>")
@allow(*ALL_ROLES)
def vendor(vendor_id, values: dict | None = None, errors=(), status: int = 200):
    """A vendor's risk tier (factors, override history) and assessment history; after a
    refused override, the form keeps what was typed and shows its errors."""
    db = get_session()
    record = get_vendor(db, vendor_id)
    tier = risk_tier.explain(db, vendor_id)
    history = selection.vendor_history(db, vendor_id)
    people = _users([o.set_by_id for o in tier["history"]] + [a.prepared_by_id for a in history])
    return render_template("selection/vendor.html", vendor=record, tier=tier, history=history, people=people,
                           can_override=g.user.role in ("admin",) + APPROVERS, values=values or {},
                           errors=list(errors)), status


@bp.post("/vendors/<int:vendor_id>/tier-override")
@allow(*APPROVERS)
def override_tier(vendor_id):
    """Override the computed tier (or clear the override) with a reason."""
    db = get_session()
    tier = request.form.get("tier") or None
    try:
        risk_tier.set_override(db, vendor_id, tier=tier, reason=request.form.get("reason", ""), user_id=g.user.id)
    except ValidationFailed as exc:
        db.rollback()
        flash(exc.message, "error")
        return vendor(vendor_id, {"tier": tier or "", "reason": request.form.get("reason", "")}, exc.details, exc.status)
    db.commit()
    flash(_("Risk tier override saved."), "success")
    return redirect(url_for("selection.vendor", vendor_id=vendor_id))


def vendor_panel(session, vendor: Vendor) -> str:
    """The vendor's risk tier with its factors, and its assessment history."""
    return render_template("selection/_vendor_panel.html", vendor=vendor,
                           tier=risk_tier.explain(session, vendor.id),
                           history=selection.vendor_history(session, vendor.id))
