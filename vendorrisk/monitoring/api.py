"""Monitoring API: reviews (list, record) and findings (list, raise, update, move)."""
from datetime import date
from typing import Literal, Optional

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from vendorrisk.core import auth, clock
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Flag, PageQuery, Public, columns, flag_arg, json_body, operation, page_of
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.pagination import paginate
from vendorrisk.monitoring import findings, reviews
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors.findings import (
    FINDING_STATUSES,
    SEVERITIES,
    Finding,
    FindingEvent,
    display_closure_evidence,
    display_description,
    display_event_note,
    display_title,
)
from vendorrisk.vendors.models import Vendor

bp = Blueprint("api_monitoring", __name__, url_prefix="/api/v1")
WRITERS = ("admin", "compliance", "procurement", "vendor_owner")


class VendorRef(Public):
    """The vendor concerned."""

    id: int
    name: str
    name_en: str


class ReviewPublic(columns(MonitoringReview, exclude=("open_vendor_id",))):
    """The monitoring review and its vendor."""

    vendor: VendorRef


class FindingEventPublic(columns(FindingEvent)):
    """A step in a finding's history, with the actor's e-mail."""

    actor: Optional[str]
    note_localized: str = Field(default="", description="The note in the request's language, as the finding's "
                                "page shows it; `note` stays the stored text (English when the product wrote it)")


class FindingColumns(columns(Finding)):
    """A finding's columns and its title, description and closure evidence in the reader's language."""

    title_localized: str = Field(description="The title in the request's language (the user's setting, else "
                                             "Accept-Language), as the pages show it; `title` stays the stored "
                                             "English text")
    description_localized: str = Field(description="The description in the request's language, as "
                                       "the pages show it; `description` stays the stored text (English when the "
                                       "product wrote it)")
    closure_evidence_localized: str = Field(description="The closure evidence in the request's "
                                            "language, as the pages show it; `closure_evidence` stays the stored "
                                            "text (English when the product closed the finding)")

    @classmethod
    def dump(cls, source=None, /, **fields) -> dict:
        """The finding as JSON, its title, description and closure evidence rendered for the
        reader (``vendors.findings.display_title`` and its siblings)."""
        if isinstance(source, Finding):
            for name, shown in (("title_localized", display_title), ("description_localized", display_description),
                                ("closure_evidence_localized", display_closure_evidence)):
                if name not in fields:
                    fields[name] = shown(source)
        return super().dump(source, **fields)


class FindingPublic(FindingColumns):
    """The finding; its vendor in lists, its history when one is read."""

    vendor: VendorRef = Field(default=None, description="Present in lists")
    history: list[FindingEventPublic] = Field(default_factory=list, description="Present when one is read")


ReviewPage = page_of(ReviewPublic, "ReviewPage")
FindingPage = page_of(FindingPublic, "FindingPage")


class ReviewRecorded(Public):
    """The review and the findings its completion raised."""

    review: ReviewPublic
    findings: list[FindingPublic]


class CheckResult(BaseModel):
    """What one check of the review found."""

    result: Literal["ok", "issue", "not_applicable"]
    note: str = ""


class FindingInput(BaseModel):
    """A finding raised by the review."""

    title: str
    severity: Literal[SEVERITIES] = "medium"
    due_date: Optional[date] = None
    description: str = ""


class ReviewRecord(BaseModel):
    """What a review checked; ``complete`` completes it and raises its findings."""

    performed_on: Optional[date] = None
    method: Optional[Literal["onsite", "remote", "document"]] = None
    outcome: Optional[Literal["satisfactory", "needs_improvement", "unsatisfactory"]] = None
    summary: str = ""
    checks: dict[str, CheckResult] = {}
    findings: list[FindingInput] = []
    complete: bool = False


class FindingCreate(BaseModel):
    """A finding raised by hand."""

    vendor_id: int
    title: str
    severity: Literal[SEVERITIES] = "medium"
    due_date: Optional[date] = None
    description: str = ""
    arrangement_id: Optional[int] = None
    owner_id: Optional[int] = None


class FindingUpdate(BaseModel):
    """New severity, owner, due date (a closed day moves to the business day before) or description."""

    severity: Optional[Literal[SEVERITIES]] = None
    owner_id: Optional[int] = None
    due_date: Optional[date] = None
    description: Optional[str] = None


class FindingTransition(BaseModel):
    """The status to move to; closing needs an action plan, evidence (kept before, or
    ``evidence`` now) and a second person; resolving a high or critical finding needs the
    action plan and evidence too (``evidence`` given here is kept as evidence)."""

    status: Literal[FINDING_STATUSES]
    note: str = ""
    evidence: str = ""


class ReviewQuery(PageQuery):
    """Filters of the review list."""

    status: Literal[reviews.REVIEW_FILTERS] = Field(default="open", description="due: within 30 days")
    vendor_id: Optional[int] = None
    owner_id: Optional[int] = None
    mine: Flag = Field(default=None, description=(
        "true: only the reviews you own (you are the review's owner); a compliance user also gets the "
        "reviews that have no owner, whose reminders go to compliance. The same reviews as on "
        "「自分のタスク」 (My tasks). owner_id is ignored."))
    unowned: Flag = Field(default=None, description=(
        "true: only the reviews nobody owns — the vendor has no active assigned staff (Art. 26(2)); they "
        "are still planned and counted, and their reminders go to compliance. owner_id is ignored."))


class FindingQuery(PageQuery):
    """Filters of the finding list."""

    status: Optional[Literal[FINDING_STATUSES]] = None
    severity: Optional[Literal[SEVERITIES]] = None
    source: Optional[str] = None
    vendor_id: Optional[int] = None
    owner_id: Optional[int] = None
    overdue: Flag = Field(default=None, description=(
        "true: only findings still open or in progress whose due date is before today (the date in "
        "DISPLAY_TIMEZONE)"))
    mine: Flag = Field(default=None, description=(
        "true: only the findings you own (you are the finding's owner, who remediates it); a compliance "
        "user also gets the findings that have no owner, whose reminders go to compliance. The same "
        "findings as on 「自分のタスク」 (My tasks). owner_id is ignored."))
    unowned: Flag = Field(default=None, description=(
        "true: only the findings nobody owns — their vendor had no active assigned staff when they were "
        "raised, or their owner was deactivated; compliance follows them up and is reminded of them. "
        "owner_id is ignored."))


def _page_args():
    return request.args.get("page", 1, type=int), request.args.get("per_page", 50, type=int)


def _review(review, vendor) -> dict:
    return ReviewPublic.dump(review, vendor=vendor)


def _finding(finding, vendor=None) -> dict:
    return FindingPublic.dump(finding, **({"vendor": vendor} if vendor is not None else {}))


@bp.get("/reviews")
@allow(*ALL_ROLES)
@operation("listReviews", "List monitoring reviews", ok=ReviewPage, query=ReviewQuery, errors=(422,))
def list_reviews():
    """Reviews: ``status=due`` (next 30 days), ``overdue``, ``open`` or ``completed``."""
    status = request.args.get("status", "open")
    if status not in reviews.REVIEW_FILTERS:
        raise ValidationFailed(_("status must be one of %(choices)s.", choices=", ".join(reviews.REVIEW_FILTERS)),
                               [{"field": "status", "message": _("Unknown filter.")}])
    mine = auth.current_user() if flag_arg(request.args, "mine") else None
    unowned = bool(flag_arg(request.args, "unowned"))
    owner_id = None if mine or unowned else request.args.get("owner_id", type=int)
    query = reviews.review_query(status, clock.today(), owner_id=owner_id,
                                 vendor_id=request.args.get("vendor_id", type=int), mine=mine, unowned=unowned)
    page = paginate(get_session(), query, *_page_args(), scalars=False)
    return jsonify(ReviewPage.dump(page, items=[_review(*row) for row in page.items]))


@bp.get("/reviews/<int:review_id>")
@allow(*ALL_ROLES)
@operation("getReview", "One review", ok=ReviewPublic, errors=(404,))
def get_review(review_id):
    """One review."""
    db = get_session()
    review = reviews.get_review(db, review_id)
    return jsonify(_review(review, db.get(Vendor, review.vendor_id)))


@bp.post("/reviews/<int:review_id>/record")
@allow(*WRITERS)
@operation("recordReview", "Record (and optionally complete) a review", ok=ReviewRecorded, body=ReviewRecord,
           errors=(404, 409))
def record_review(review_id):
    """Save what a review checked; ``"complete": true`` completes it and raises its findings."""
    db = get_session()
    review = reviews.get_review(db, review_id)
    body = json_body()
    raised = reviews.record_review(db, review, auth.current_user(), body, today=clock.today(),
                                   complete=bool(body.get("complete")))
    db.commit()
    return jsonify(ReviewRecorded.dump(review=_review(review, db.get(Vendor, review.vendor_id)), findings=raised))


@bp.get("/findings")
@allow(*ALL_ROLES)
@operation("listFindings", "List findings", ok=FindingPage, query=FindingQuery)
def list_findings():
    """Findings, filtered by status, severity, source, vendor, owner or overdue."""
    args = request.args
    query = findings.finding_query(status=args.get("status"), severity=args.get("severity"),
                                   source=args.get("source"), vendor_id=args.get("vendor_id", type=int),
                                   owner_id=(None if flag_arg(args, "mine") or flag_arg(args, "unowned")
                                             else args.get("owner_id", type=int)),
                                   mine=auth.current_user() if flag_arg(args, "mine") else None,
                                   unowned=bool(flag_arg(args, "unowned")),
                                   overdue_on=clock.today() if flag_arg(args, "overdue") else None)
    page = paginate(get_session(), query, *_page_args(), scalars=False)
    return jsonify(FindingPage.dump(page, items=[_finding(*row) for row in page.items]))


@bp.post("/findings")
@allow(*WRITERS)
@operation("createFinding", "Raise a finding", ok=FindingPublic, status=201, body=FindingCreate)
def create_finding():
    """Raise a finding by hand."""
    db = get_session()
    finding = findings.create_finding(db, auth.current_user(), json_body(), clock.today())
    db.commit()
    return jsonify(_finding(finding)), 201


@bp.get("/findings/<int:finding_id>")
@allow(*ALL_ROLES)
@operation("getFinding", "One finding with its history", ok=FindingPublic, errors=(404,))
def get_finding(finding_id):
    """One finding with its history."""
    db = get_session()
    finding = findings.get_finding(db, finding_id)
    return jsonify(FindingPublic.dump(finding, history=[
        FindingEventPublic.dump(event, actor=actor.email if actor else None,
                                note_localized=display_event_note(event, finding))
        for event, actor in findings.history(db, finding_id)]))


@bp.patch("/findings/<int:finding_id>")
@allow("admin", "compliance")
@operation("updateFinding", "Change severity, owner or due date", ok=FindingPublic, body=FindingUpdate,
           errors=(404, 409))
def update_finding(finding_id):
    """Change severity, owner or due date."""
    db = get_session()
    finding = findings.update_finding(db, findings.get_finding(db, finding_id), auth.current_user(), json_body())
    db.commit()
    return jsonify(_finding(finding))


@bp.post("/findings/<int:finding_id>/transitions")
@allow(*WRITERS)
@operation("moveFinding", "Move a finding (open, in_progress, resolved, closed)", ok=FindingPublic,
           body=FindingTransition, errors=(404, 409))
def move_finding(finding_id):
    """Move a finding to another status; closing needs ``evidence`` and a second person."""
    db = get_session()
    body = json_body()
    finding = findings.move_finding(db, findings.get_finding(db, finding_id), auth.current_user(),
                                    str(body.get("status", "")), note=str(body.get("note", "")),
                                    evidence=str(body.get("evidence", "")))
    db.commit()
    return jsonify(_finding(finding))
