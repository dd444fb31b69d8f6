"""A finding's remediation on its page: action plan and vendor response, evidence (texts and
files), and risk acceptance (asked for, approved or rejected by another person, withdrawn).
A refused form shows the finding's page again with what was typed and each error by its field."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from vendorrisk.core import auth, clock, uploads
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import send_stored
from vendorrisk.core.errors import DomainError
from vendorrisk.monitoring import findings, remediation
from vendorrisk.monitoring.pages.findings import EVIDENCE_KINDS, refused
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("remediation", __name__, template_folder="../templates", url_prefix="/findings")
WORKERS = ("admin", "compliance", "procurement", "vendor_owner")


def _done(finding_id: int, message: str, anchor: str):
    get_session().commit()
    flash(message, "info")
    return redirect(url_for("findings.show", finding_id=finding_id, _anchor=anchor))


@bp.post("/<int:finding_id>/remediation")
@allow(*WORKERS)
def save(finding_id):
    """Save the action plan and the vendor's response."""
    db = get_session()
    try:
        remediation.update_remediation(db, findings.get_finding(db, finding_id), auth.current_user(),
                                       request.form.to_dict())
    except DomainError as exc:
        db.rollback()
        return refused(db, finding_id, exc)
    return _done(finding_id, _("The remediation was saved."), "remediation")


@bp.post("/<int:finding_id>/evidence")
@allow(*WORKERS)
def add_evidence(finding_id):
    """Keep evidence of the remediation: a text, a file, or both."""
    upload = request.files.get("evidence_upload")
    db = get_session()
    try:
        checked = (uploads.inspect_upload(upload.read(), upload.filename, EVIDENCE_KINDS)
                   if upload and upload.filename else None)
        remediation.add_evidence(db, findings.get_finding(db, finding_id), auth.current_user(),
                                 request.form.get("evidence_note", ""), checked)
    except DomainError as exc:
        db.rollback()
        return refused(db, finding_id, exc)
    return _done(finding_id, _("The evidence was added."), "evidence")


@bp.get("/<int:finding_id>/evidence/<int:evidence_id>")
@allow(*ALL_ROLES)
def evidence_file(finding_id, evidence_id):
    """Download a file kept as evidence, to those who may read the vendor's files
    (need-to-know; recorded in the audit trail)."""
    db = get_session()
    stored = remediation.evidence_file(db, finding_id, evidence_id)
    require_file_access(db, auth.current_user(), findings.get_finding(db, finding_id).vendor_id)
    return send_stored(db, stored, entity="finding", entity_id=finding_id)


@bp.post("/<int:finding_id>/acceptance")
@allow(*WORKERS)
def request_acceptance(finding_id):
    """Ask for the finding's risk to be accepted until an expiry."""
    db = get_session()
    try:
        remediation.request_acceptance(db, findings.get_finding(db, finding_id), auth.current_user(),
                                       request.form.to_dict(), clock.today())
    except DomainError as exc:
        db.rollback()
        return refused(db, finding_id, exc)
    return _done(finding_id, _("The risk acceptance was asked for; another person approves it."), "acceptance")


@bp.post("/acceptances/<int:acceptance_id>/decision")
@allow(*remediation.APPROVERS)
def decide(acceptance_id):
    """Approve or reject a risk acceptance (not the requester's own)."""
    db = get_session()
    acceptance = remediation.get_acceptance(db, acceptance_id)
    try:
        remediation.decide_acceptance(db, acceptance, auth.current_user(), request.form.get("decision", ""),
                                      request.form.get("decision_note", ""))
    except DomainError as exc:
        db.rollback()
        return refused(db, acceptance.finding_id, exc)
    message = (_("The risk acceptance was approved.") if acceptance.status == "approved"
               else _("The risk acceptance was rejected."))
    return _done(acceptance.finding_id, message, "acceptance")


@bp.post("/acceptances/<int:acceptance_id>/withdraw")
@allow(*WORKERS)
def withdraw(acceptance_id):
    """Withdraw a risk acceptance not yet decided."""
    db = get_session()
    acceptance = remediation.get_acceptance(db, acceptance_id)
    try:
        remediation.withdraw_acceptance(db, acceptance, auth.current_user())
    except DomainError as exc:
        db.rollback()
        return refused(db, acceptance.finding_id, exc)
    return _done(acceptance.finding_id, _("The risk acceptance was withdrawn."), "acceptance")
