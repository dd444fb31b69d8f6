"""Certificates API: upload with details, read one, list (expiring within N days), download."""
from datetime import date
from typing import Literal, Optional

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, Field
from sqlmodel import select

from vendorrisk.certificates import service
from vendorrisk.certificates.coverage import end_column, end_of, expiry_query
from vendorrisk.certificates.models import (
    CERTIFICATE_TYPES,
    OPINIONS,
    Certificate,
    CertificateReview,
    SubserviceOrganisation,
)
from vendorrisk.core import auth, clock
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Binary, PageQuery, columns, operation, page_of
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import send_stored
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import StoredFile
from vendorrisk.core.pagination import paginate
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("api_certificates", __name__, url_prefix="/api/v1")
WRITERS = ("compliance", "procurement", "vendor_owner")


class SubservicePublic(columns(SubserviceOrganisation, exclude=("id", "certificate_id"))):
    """A subservice organisation the report names, carved out or inclusive."""


class CertificateReviewPublic(columns(CertificateReview)):
    """Someone's review of the report."""


class CertificatePublic(columns(Certificate)):
    """The certificate; the subservice organisations and the latest review when one is read,
    whether the file was stored before when one is uploaded."""

    sha256: str
    ends_on: Optional[date] = Field(description="When the certificate or the report's period ends")
    counts_until: Optional[date] = Field(description="The last day it counts as evidence: a certificate's "
                                                     "expiry, a report's period end plus three months")
    file_url: str
    subservice_organisations: list[SubservicePublic] = Field(default_factory=list)
    latest_review: Optional[CertificateReviewPublic] = None
    duplicate: bool = Field(default=False, description="The same file (by SHA-256) was stored before")
    same_file_certificates: list[int] = Field(default_factory=list)


CertificatePage = page_of(CertificatePublic, "CertificatePage")


class CertificateUpload(BaseModel):
    """A certificate or assurance report and its details (multipart form)."""

    file: bytes = Field(description="PDF, DOCX, PNG, JPEG or ZIP")
    type: Literal[CERTIFICATE_TYPES]
    issuer: str = ""
    scope: str = ""
    services_covered: str = ""
    regions_covered: str = ""
    period_start: Optional[date] = None
    period_end: Optional[date] = None
    issue_date: Optional[date] = None
    expiry_date: Optional[date] = None
    opinion: Optional[Literal[OPINIONS]] = None
    exceptions_noted: str = ""
    cuecs: str = ""
    subservice_organisations: str = Field(
        default="", description="JSON list of {name, services, treatment: carved_out|inclusive}, "
                                "or lines `name | services | treatment`")


class CertificateQuery(PageQuery):
    """Filters of the certificate list."""

    expiring_within_days: Optional[int] = Field(default=None, ge=0, le=3650,
                                                description="Only those ending within N days (not yet ended, "
                                                            "renewals excluded)")
    vendor_id: Optional[int] = None


def _serialise(certificate: Certificate, sha256: str, **extra) -> dict:
    return CertificatePublic.dump(certificate, sha256=sha256, ends_on=end_of(certificate),
                                  counts_until=certificate.due_on,
                                  file_url=f"/api/v1/certificates/{certificate.id}/file", **extra)


@bp.post("/vendors/<int:vendor_id>/certificates")
@allow(*WRITERS)
@operation("createCertificate", "Upload a certificate or assurance report", ok=CertificatePublic, status=201,
           form=CertificateUpload, errors=(404, 409, 503))
def create(vendor_id: int):
    """Upload a certificate file with its type and dates (multipart)."""
    db = get_session()
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed(_("Send the certificate as the multipart field `file`."),
                               [{"field": "file", "message": _("Choose the file.")}])
    recorded = service.record_certificate(db, vendor_id=vendor_id, data=request.form.to_dict(),
                                          file_bytes=file.read(), filename=file.filename or "",
                                          user=auth.current_user())
    db.commit()
    return jsonify(_serialise(recorded.certificate, recorded.sha256,
                              subservice_organisations=service.subservices_of(db, recorded.certificate.id),
                              duplicate=recorded.duplicate,
                              same_file_certificates=[c.id for c in recorded.same_file_elsewhere])), 201


@bp.get("/certificates/<int:certificate_id>")
@allow(*ALL_ROLES)
@operation("getCertificate", "One certificate", ok=CertificatePublic, errors=(404,))
def get(certificate_id: int):
    """One certificate with its subservice organisations and latest review."""
    db = get_session()
    certificate, stored = service.file_of(db, certificate_id)
    reviews = service.reviews_of(db, certificate_id)
    return jsonify(_serialise(certificate, stored.sha256,
                              subservice_organisations=service.subservices_of(db, certificate_id),
                              latest_review=reviews[0] if reviews else None))


@bp.get("/certificates")
@allow(*ALL_ROLES)
@operation("listCertificates", "List certificates, or those ending within N days", ok=CertificatePage,
           query=CertificateQuery, errors=(422,))
def index():
    """Certificates, soonest end first; ``expiring_within_days=N`` keeps those ending within N
    days (not yet ended, renewals excluded), ``vendor_id`` filters by vendor."""
    db = get_session()
    within = request.args.get("expiring_within_days")
    if within is not None:
        try:
            days = int(within)
            if not 0 <= days <= 3650:
                raise ValueError
        except ValueError:
            raise ValidationFailed(_("expiring_within_days must be a whole number from 0 to 3650."),
                                   [{"field": "expiring_within_days", "message": "0-3650"}])
        query = expiry_query(clock.today(), days, include_expired=False).with_only_columns(Certificate)
    else:
        query = select(Certificate).order_by(end_column(), Certificate.id)
    vendor_id = request.args.get("vendor_id", type=int)
    if vendor_id is not None:
        query = query.where(Certificate.vendor_id == vendor_id)
    page = paginate(db, query, request.args.get("page", 1, type=int),
                    request.args.get("per_page", 50, type=int))
    hashes = dict(db.exec(select(StoredFile.id, StoredFile.sha256).where(
        StoredFile.id.in_([c.file_id for c in page.items] or [0]))).all())
    return jsonify(CertificatePage.dump(page, items=[_serialise(c, hashes[c.file_id]) for c in page.items]))


@bp.get("/certificates/<int:certificate_id>/file")
@allow(*ALL_ROLES)
@operation("downloadCertificateFile", "Download the certificate's file (original filename, RFC 6266)",
           ok=Binary("*/*", "The file as stored (PDF, DOCX, PNG, JPEG or ZIP)"), errors=(403, 404, 503))
def download(certificate_id: int):
    """The certificate's file under its original name (RFC 6266); the download is audited."""
    db = get_session()
    certificate, stored = service.file_of(db, certificate_id)
    require_file_access(db, g.user, certificate.vendor_id)
    return send_stored(db, stored, certificate.original_filename, entity="certificate", entity_id=certificate.id)
