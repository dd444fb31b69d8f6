"""Remediation API: a finding's action plan and vendor response, its evidence (texts and
files), and risk acceptances (ask, decide, withdraw)."""
from datetime import date
from typing import Literal, Optional

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, Field

from vendorrisk.core import auth, clock, uploads
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Binary, columns, json_body, operation
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import send_stored
from vendorrisk.monitoring import findings, remediation
from vendorrisk.monitoring.api import FindingColumns
from vendorrisk.monitoring.models_remediation import FindingEvidence, RiskAcceptance
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("api_remediation", __name__, url_prefix="/api/v1")
WRITERS = ("admin", "compliance", "procurement", "vendor_owner")
EVIDENCE_KINDS = {"pdf", "docx", "xlsx", "txt", "md", "png", "jpeg", "csv"}


class EvidencePublic(columns(FindingEvidence)):
    """A piece of evidence; ``file_url`` downloads its file, when it has one."""

    file_url: Optional[str] = None


class AcceptancePublic(columns(RiskAcceptance)):
    """A risk acceptance: asked for until ``expires_on`` (moved off a closed day from
    ``nominal_expires_on``), and its decision."""


class RemediationPublic(FindingColumns):
    """The finding with its evidence and risk acceptances."""

    evidence: list[EvidencePublic] = Field(default_factory=list)
    acceptances: list[AcceptancePublic] = Field(default_factory=list)


class RemediationUpdate(BaseModel):
    """The action plan and/or the vendor's response (a missing field is left as it is)."""

    action_plan: Optional[str] = None
    vendor_response: Optional[str] = None


class EvidenceUpload(BaseModel):
    """Evidence (multipart form): a text, a file, or both."""

    note: str = ""
    file: Optional[bytes] = Field(default=None, description="PDF, DOCX, XLSX, TXT, MD, PNG, JPEG or CSV")


class AcceptanceRequest(BaseModel):
    """Why the risk can be accepted, and until when (a closed day moves to the business day before)."""

    rationale: str
    expires_on: date


class AcceptanceDecision(BaseModel):
    """Approve or reject; a rejection needs ``note``."""

    decision: Literal["approve", "reject"]
    note: str = ""


def evidence_answer(item: FindingEvidence) -> dict:
    """An evidence row as the API shows it."""
    url = f"/api/v1/findings/{item.finding_id}/evidence/{item.id}/file" if item.file_id else None
    return EvidencePublic.dump(item, file_url=url)


def remediation_answer(db, finding: Finding) -> dict:
    """The finding with its evidence and acceptances."""
    return RemediationPublic.dump(finding, evidence=[evidence_answer(e) for e, _who in remediation.evidence_of(db, finding.id)],
                                  acceptances=[AcceptancePublic.dump(a) for a in remediation.acceptances_of(db, finding.id)])


@bp.get("/findings/<int:finding_id>/remediation")
@allow(*ALL_ROLES)
@operation("getRemediation", "A finding's remediation: plan, response, evidence, risk acceptances",
           ok=RemediationPublic, errors=(404,))
def get_remediation(finding_id):
    """The finding with its evidence and risk acceptances."""
    db = get_session()
    return jsonify(remediation_answer(db, findings.get_finding(db, finding_id)))


@bp.patch("/findings/<int:finding_id>/remediation")
@allow(*WRITERS)
@operation("updateRemediation", "Change the action plan or the vendor's response", ok=RemediationPublic,
           body=RemediationUpdate, errors=(404, 409))
def update_remediation(finding_id):
    """Change the action plan and/or the vendor's response (the owner, compliance, admins)."""
    db = get_session()
    finding = remediation.update_remediation(db, findings.get_finding(db, finding_id), auth.current_user(),
                                             json_body())
    db.commit()
    return jsonify(remediation_answer(db, finding))


@bp.post("/findings/<int:finding_id>/evidence")
@allow(*WRITERS)
@operation("addFindingEvidence", "Add evidence of the remediation", ok=EvidencePublic, status=201,
           form=EvidenceUpload, errors=(404, 409, 503))
def add_evidence(finding_id):
    """Keep a text and/or a file (multipart field ``file``) as evidence."""
    file = request.files.get("file")
    checked = uploads.inspect_upload(file.read(), file.filename or "", EVIDENCE_KINDS) if file else None
    db = get_session()
    item = remediation.add_evidence(db, findings.get_finding(db, finding_id), auth.current_user(),
                                    request.form.get("note", ""), checked)
    db.commit()
    return jsonify(evidence_answer(item)), 201


@bp.get("/findings/<int:finding_id>/evidence/<int:evidence_id>/file")
@allow(*ALL_ROLES)
@operation("downloadFindingEvidence", "Download an evidence file", ok=Binary("*/*", "The file as stored"),
           errors=(403, 404, 503))
def evidence_file(finding_id, evidence_id):
    """The evidence file under its original name, to those who may read the vendor's files
    (need-to-know); the download is audited."""
    db = get_session()
    item = db.get(FindingEvidence, evidence_id)
    stored = remediation.evidence_file(db, finding_id, evidence_id)
    require_file_access(db, auth.current_user(), findings.get_finding(db, finding_id).vendor_id)
    return send_stored(db, stored, item.filename or None, entity="finding", entity_id=finding_id)


@bp.post("/findings/<int:finding_id>/risk-acceptances")
@allow(*WRITERS)
@operation("requestRiskAcceptance", "Ask for a finding's risk to be accepted until a date", ok=AcceptancePublic,
           status=201, body=AcceptanceRequest, errors=(404, 409))
def request_acceptance(finding_id):
    """Ask for acceptance; another person (compliance or an admin) decides."""
    db = get_session()
    acceptance = remediation.request_acceptance(db, findings.get_finding(db, finding_id), auth.current_user(),
                                                json_body(), clock.today())
    db.commit()
    return jsonify(AcceptancePublic.dump(acceptance)), 201


@bp.post("/risk-acceptances/<int:acceptance_id>/decision")
@allow(*remediation.APPROVERS)
@operation("decideRiskAcceptance", "Approve or reject a risk acceptance (never one's own request)",
           ok=AcceptancePublic, body=AcceptanceDecision, errors=(404, 409))
def decide(acceptance_id):
    """Approve or reject; the requester cannot decide (Art. 8(5))."""
    db = get_session()
    body = json_body()
    acceptance = remediation.decide_acceptance(db, remediation.get_acceptance(db, acceptance_id), auth.current_user(),
                                               str(body.get("decision", "")), str(body.get("note", "")))
    db.commit()
    return jsonify(AcceptancePublic.dump(acceptance))


@bp.post("/risk-acceptances/<int:acceptance_id>/withdraw")
@allow(*WRITERS)
@operation("withdrawRiskAcceptance", "Withdraw a risk acceptance not yet decided", ok=AcceptancePublic,
           errors=(404, 409))
def withdraw(acceptance_id):
    """Withdraw a request (the requester, compliance or an admin)."""
    db = get_session()
    acceptance = remediation.withdraw_acceptance(db, remediation.get_acceptance(db, acceptance_id), auth.current_user())
    db.commit()
    return jsonify(AcceptancePublic.dump(acceptance))
