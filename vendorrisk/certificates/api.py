"""Certificates API: upload with details, read one, list (expiring within N days), download."""
from datetime import date

from flask import Blueprint, jsonify, request
from sqlmodel import select

from vendorrisk.certificates import service
from vendorrisk.certificates.coverage import end_column, end_of, expiry_query
from vendorrisk.certificates.models import CERTIFICATE_TYPES, OPINIONS, Certificate
from vendorrisk.core import auth
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import error_responses, json_response, to_dict
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import send_stored
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import StoredFile
from vendorrisk.core.pagination import paginate

bp = Blueprint("api_certificates", __name__, url_prefix="/api/v1")
WRITERS = ("compliance", "procurement", "vendor_owner")


def _serialise(certificate: Certificate, sha256: str, subservices=None) -> dict:
    body = to_dict(certificate)
    body["sha256"] = sha256
    body["ends_on"] = end_of(certificate).isoformat() if end_of(certificate) else None
    body["file_url"] = f"/api/v1/certificates/{certificate.id}/file"
    if subservices is not None:
        body["subservice_organisations"] = [
            {"name": s.name, "services": s.services, "treatment": s.treatment, "vendor_id": s.vendor_id}
            for s in subservices]
    return body


@bp.post("/vendors/<int:vendor_id>/certificates")
@allow(*WRITERS)
def create(vendor_id: int):
    """Upload a certificate file with its type and dates (multipart)."""
    db = get_session()
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed("Send the certificate as the multipart field `file`.",
                               [{"field": "file", "message": "missing"}])
    recorded = service.record_certificate(db, vendor_id=vendor_id, data=request.form.to_dict(),
                                          file_bytes=file.read(), filename=file.filename or "",
                                          user=auth.current_user())
    db.commit()
    body = _serialise(recorded.certificate, recorded.sha256,
                      service.subservices_of(db, recorded.certificate.id))
    body["duplicate"] = recorded.duplicate
    body["same_file_certificates"] = [c.id for c in recorded.same_file_elsewhere]
    return jsonify(body), 201


@bp.get("/certificates/<int:certificate_id>")
@allow(*ALL_ROLES)
def get(certificate_id: int):
    """One certificate with its subservice organisations and latest review."""
    db = get_session()
    certificate = service.get_certificate(db, certificate_id)
    stored = db.get(StoredFile, certificate.file_id)
    body = _serialise(certificate, stored.sha256, service.subservices_of(db, certificate_id))
    reviews = service.reviews_of(db, certificate_id)
    body["latest_review"] = to_dict(reviews[0]) if reviews else None
    return jsonify(body)


@bp.get("/certificates")
@allow(*ALL_ROLES)
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
            raise ValidationFailed("expiring_within_days must be a whole number from 0 to 3650.",
                                   [{"field": "expiring_within_days", "message": "0-3650"}])
        query = expiry_query(date.today(), days, include_expired=False).with_only_columns(Certificate)
    else:
        query = select(Certificate).order_by(end_column(), Certificate.id)
    vendor_id = request.args.get("vendor_id", type=int)
    if vendor_id is not None:
        query = query.where(Certificate.vendor_id == vendor_id)
    page = paginate(db, query, request.args.get("page", 1, type=int),
                    request.args.get("per_page", 50, type=int))
    hashes = dict(db.exec(select(StoredFile.id, StoredFile.sha256).where(
        StoredFile.id.in_([c.file_id for c in page.items] or [0]))).all())
    return jsonify({"items": [_serialise(c, hashes[c.file_id]) for c in page.items],
                    "page": page.page, "per_page": page.per_page, "total": page.total})


@bp.get("/certificates/<int:certificate_id>/file")
@allow(*ALL_ROLES)
def download(certificate_id: int):
    """The certificate's file under its original name (RFC 6266); the download is audited."""
    db = get_session()
    certificate, stored = service.file_of(db, certificate_id)
    return send_stored(db, stored, certificate.original_filename, entity="certificate", entity_id=certificate.id)


_CERT = {"$ref": "#/components/schemas/Certificate"}
_ID = {"name": "certificate_id", "in": "path", "required": True, "schema": {"type": "integer"}}
OPENAPI = {
    "paths": {
        "/api/v1/vendors/{vendor_id}/certificates": {"post": {
            "summary": "Upload a certificate or assurance report", "operationId": "createCertificate",
            "parameters": [{"name": "vendor_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": {"$ref": "#/components/schemas/CertificateUpload"}}}},
            "responses": {"201": json_response("Recorded; `duplicate` tells whether the same file "
                                               "(by SHA-256) was stored before", _CERT),
                          **error_responses(401, 403, 404, 409, 422)}}},
        "/api/v1/certificates": {"get": {
            "summary": "List certificates, or those ending within N days", "operationId": "listCertificates",
            "parameters": [
                {"name": "expiring_within_days", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                {"name": "vendor_id", "in": "query", "schema": {"type": "integer"}},
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
            "responses": {"200": json_response("A page of certificates", {
                "type": "object", "properties": {"items": {"type": "array", "items": _CERT},
                                                 "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                                 "total": {"type": "integer"}}}),
                          **error_responses(401, 422)}}},
        "/api/v1/certificates/{certificate_id}": {"get": {
            "summary": "One certificate", "operationId": "getCertificate", "parameters": [_ID],
            "responses": {"200": json_response("The certificate", _CERT), **error_responses(401, 404)}}},
        "/api/v1/certificates/{certificate_id}/file": {"get": {
            "summary": "Download the certificate's file (original filename, RFC 6266)",
            "operationId": "downloadCertificateFile", "parameters": [_ID],
            "responses": {"200": {"description": "The file",
                                  "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                          **error_responses(401, 404)}}},
    },
    "components": {"schemas": {
        "CertificateUpload": {"type": "object", "required": ["file", "type"], "properties": {
            "file": {"type": "string", "format": "binary", "description": "PDF, DOCX, PNG, JPEG or ZIP"},
            "type": {"type": "string", "enum": list(CERTIFICATE_TYPES)},
            "issuer": {"type": "string"}, "scope": {"type": "string"},
            "services_covered": {"type": "string"}, "regions_covered": {"type": "string"},
            "period_start": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "issue_date": {"type": "string", "format": "date"},
            "expiry_date": {"type": "string", "format": "date"},
            "opinion": {"type": "string", "enum": list(OPINIONS)},
            "exceptions_noted": {"type": "string"}, "cuecs": {"type": "string"},
            "subservice_organisations": {"type": "string", "description":
                "JSON list of {name, services, treatment: carved_out|inclusive}, or lines `name | services | treatment`"}}},
        "Certificate": {"type": "object", "properties": {
            "id": {"type": "integer"}, "vendor_id": {"type": "integer"},
            "type": {"type": "string", "enum": list(CERTIFICATE_TYPES)}, "issuer": {"type": "string"},
            "scope": {"type": "string"}, "services_covered": {"type": "string"},
            "regions_covered": {"type": "string"},
            "period_start": {"type": ["string", "null"], "format": "date"},
            "period_end": {"type": ["string", "null"], "format": "date"},
            "issue_date": {"type": ["string", "null"], "format": "date"},
            "expiry_date": {"type": ["string", "null"], "format": "date"},
            "ends_on": {"type": ["string", "null"], "format": "date"},
            "opinion": {"type": ["string", "null"]}, "exceptions_noted": {"type": "string"},
            "cuecs": {"type": "string"}, "original_filename": {"type": "string"},
            "sha256": {"type": "string"}, "file_url": {"type": "string"},
            "duplicate": {"type": "boolean"},
            "same_file_certificates": {"type": "array", "items": {"type": "integer"}},
            "subservice_organisations": {"type": "array", "items": {"type": "object"}},
            "latest_review": {"type": ["object", "null"]}}},
    }},
}
