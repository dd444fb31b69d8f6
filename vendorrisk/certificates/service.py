"""Certificates and assurance reports: recording them with their file, reviewing them, and
adding carved-out subservice organisations to the vendor's chains.

Input is checked before anything is stored: a bad date or a bad file leaves neither a
record nor a stored file behind. Services flush; the caller commits.
"""
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale, gettext
from flask_babel import gettext as _
from sqlmodel import Session, select

from vendorrisk.certificates.models import (
    CERTIFICATE_TYPES,
    DATE_KIND,
    OPINIONS,
    SUBSERVICE_TREATMENTS,
    TYPE_LABELS,
    Certificate,
    CertificateReview,
    SubserviceOrganisation,
)
from vendorrisk.certificates.subservice_match import Match, match_vendor
from vendorrisk.core import events, storage, uploads
from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.locking import lock
from vendorrisk.core.models import User
from vendorrisk.core.registry import EvidenceFile
from vendorrisk.vendors import link_notes
from vendorrisk.vendors.chains import chain_changed
from vendorrisk.vendors.findings import english_title, raise_finding
from vendorrisk.vendors.kana import reading_key
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, VendorOwner, current_link
from vendorrisk.vendors.service import (
    get_vendor,  # noqa: F401  (the certificates views fetch vendors through here)
    normalise_name,
)

ACCEPTED_KINDS = {"pdf", "docx", "png", "jpeg", "zip"}
# Certificate types whose expiry date is part of the certificate itself.
EXPIRY_REQUIRED = ("iso27001", "iso27017", "iso27018", "ismap", "pci_dss", "privacymark")
TEXT_FIELDS = {"issuer": 300, "scope": 20000, "services_covered": 1000, "regions_covered": 500,
               "exceptions_noted": 20000, "cuecs": 20000}


@dataclass
class CertificateInput:
    """The checked fields of a certificate record, before its file is stored."""

    type: str
    fields: dict
    subservices: list[dict] = field(default_factory=list)


def _parse_date(raw, name: str, errors: list) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        errors.append({"field": name, "message": _("%(value)s is not a date (use YYYY-MM-DD).", value=repr(raw))})
        return None


# The words people type on the form, in either language, for the stored treatment.
TREATMENT_WORDS = {"除外方式": "carved_out", "除外": "carved_out", "carved_out": "carved_out",
                   "包含方式": "inclusive", "包含": "inclusive", "inclusive": "inclusive"}


def parse_subservices(raw) -> list[dict]:
    """Subservice organisations from a JSON list of objects, or from text lines
    ``name | services | carved_out or inclusive``; raises ``ValidationFailed``."""
    if raw in (None, "", []):
        return []
    if isinstance(raw, str) and raw.strip().startswith("["):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ValidationFailed(_("subservice_organisations is not valid JSON: %(error)s", error=exc),
                                   [{"field": "subservice_organisations", "message": str(exc)}])
    items = []
    if isinstance(raw, str):
        for line in raw.splitlines():
            if line.strip():
                parts = [p.strip() for p in line.split("|")]
                items.append({"name": parts[0], "services": parts[1] if len(parts) > 1 else "",
                              "treatment": parts[2] if len(parts) > 2 and parts[2] else "carved_out"})
    elif isinstance(raw, list):
        items = [dict(i) if isinstance(i, dict) else {"name": str(i)} for i in raw]
    result, errors = [], []
    for n, item in enumerate(items, start=1):
        name = str(item.get("name", "")).strip()
        treatment = str(item.get("treatment") or "carved_out").strip().replace("-", "_").replace(" ", "_").lower()
        treatment = TREATMENT_WORDS.get(treatment, treatment)  # typed in Japanese on the form
        if not name:
            errors.append({"field": "subservice_organisations", "row": n, "message": _("A name is required.")})
        if treatment not in SUBSERVICE_TREATMENTS:
            errors.append({"field": "subservice_organisations", "row": n,
                           "message": _("%(value)s is neither carved_out nor inclusive.", value=repr(treatment))})
        result.append({"name": name[:300], "services": str(item.get("services", "")).strip()[:300],
                       "treatment": treatment})
    if errors:
        raise ValidationFailed(_("Some subservice organisations are invalid."), errors)
    return result


def check_input(data: dict) -> CertificateInput:
    """Check the fields of a certificate (form or API); raise ``ValidationFailed`` listing
    every problem: unknown type, missing or contradictory dates, unknown opinion."""
    errors: list[dict] = []
    kind = str(data.get("type") or "").strip()
    if kind not in CERTIFICATE_TYPES:
        errors.append({"field": "type", "message": _("Choose a type: %(choices)s.",
                                                      choices=", ".join(CERTIFICATE_TYPES))})
    dates = {name: _parse_date(data.get(name), name, errors)
             for name in ("period_start", "period_end", "issue_date", "expiry_date")}
    date_kind = DATE_KIND.get(kind)
    if date_kind == "period":
        if kind == "soc2_type1" and dates["period_start"] is None:
            dates["period_start"] = dates["period_end"]  # a Type I report is as of one date
        for name in ("period_start", "period_end"):
            if dates[name] is None and not any(e["field"] == name for e in errors):
                errors.append({"field": name, "message": _("A report needs the start and end of its period.")})
        dates["expiry_date"] = None
    elif date_kind == "validity":
        if dates["issue_date"] is None and not any(e["field"] == "issue_date" for e in errors):
            errors.append({"field": "issue_date", "message": _("The issue date is required.")})
        if kind in EXPIRY_REQUIRED and dates["expiry_date"] is None \
                and not any(e["field"] == "expiry_date" for e in errors):
            errors.append({"field": "expiry_date", "message": _("A certificate needs its expiry date.")})
        dates["period_start"] = dates["period_end"] = None
    if dates["period_start"] and dates["period_end"] and dates["period_end"] < dates["period_start"]:
        errors.append({"field": "period_end", "message": _("The period ends before it starts.")})
    if dates["issue_date"] and dates["expiry_date"] and dates["expiry_date"] < dates["issue_date"]:
        errors.append({"field": "expiry_date", "message": _("The expiry date is before the issue date.")})
    opinion = str(data.get("opinion") or "").strip() or None
    if opinion is not None and opinion not in OPINIONS:
        errors.append({"field": "opinion", "message": _("The opinion is one of %(choices)s.",
                                                         choices=", ".join(OPINIONS))})
    texts = {}
    for name, limit in TEXT_FIELDS.items():
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            errors.append({"field": name, "message": _("At most %(limit)s characters.", limit=limit)})
        texts[name] = value
    subservices = []
    try:
        subservices = parse_subservices(data.get("subservice_organisations"))
    except ValidationFailed as exc:
        errors.extend(exc.details)
    if errors:
        raise ValidationFailed(_("The certificate was not saved: %(problem)s", problem=errors[0]["message"]), errors)
    return CertificateInput(type=kind, fields={**dates, **texts, "opinion": opinion},
                            subservices=subservices)


def owned_vendor_ids(session: Session, user: User) -> set[int]:
    """The vendors ``user`` is assigned to as owner."""
    return set(session.exec(select(VendorOwner.vendor_id).where(VendorOwner.user_id == user.id)))


def ensure_can_change(session: Session, user: User, vendor_id: int) -> None:
    """Vendor owners may change only their own vendors' evidence; other writers any."""
    if user.role == "vendor_owner" and vendor_id not in owned_vendor_ids(session, user):
        raise Forbidden(_("You may only change the evidence of vendors you own."))


def get_certificate(session: Session, certificate_id: int) -> Certificate:
    """The certificate, or ``NotFound``."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound(_("Certificate %(id)s does not exist.", id=certificate_id))
    return certificate


def file_of(session: Session, certificate_id: int) -> tuple[Certificate, storage.StoredFile]:
    """The certificate and its stored file (``NotFound`` for an unknown certificate)."""
    certificate = get_certificate(session, certificate_id)
    return certificate, session.get(storage.StoredFile, certificate.file_id)


def clean_filename(filename: str) -> str:
    """The name a browser sent, without any folder part or control characters; Japanese kept."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    return "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()[-300:]


@dataclass
class Recorded:
    """A recorded certificate and what the storage found out about its file."""

    certificate: Certificate
    sha256: str
    duplicate: bool
    same_file_elsewhere: list[Certificate]


def record_certificate(session: Session, *, vendor_id: int, data: dict, file_bytes: bytes,
                       filename: str, user: User) -> Recorded:
    """Check the fields and the file, store the file, and record the certificate.

    A file already stored for the same vendor is refused (``Conflict``); one stored for
    another vendor is accepted and reported in ``same_file_elsewhere``.
    """
    # The file is checked before the first query, so no write lock is held while it is.
    upload = uploads.inspect_upload(file_bytes, clean_filename(filename), ACCEPTED_KINDS)
    # Held until commit: the same vendor's uploads queue, so the same file is never
    # recorded twice for it by two requests at once (the second finds the first: 409).
    lock(session, get_vendor(session, vendor_id))
    ensure_can_change(session, user, vendor_id)
    checked = check_input(data)
    stored, duplicate = storage.store(session, upload, user.id)
    same_file = []
    if duplicate:
        same_file = list(session.exec(select(Certificate).where(Certificate.file_id == stored.id)
                                      .order_by(Certificate.id)))
        mine = [c for c in same_file if c.vendor_id == vendor_id]
        if mine:
            raise Conflict(_("This file (SHA-256 %(sha256)s…) is already recorded for this vendor: the "
                             "%(type)s uploaded as “%(filename)s”.", sha256=stored.sha256[:12],
                             type=_(TYPE_LABELS.get(mine[0].type, mine[0].type)), filename=mine[0].original_filename),
                           [{"field": "file", "certificate_id": mine[0].id, "sha256": stored.sha256,
                             "message": _("The same file is already recorded for this vendor.")}])
    certificate = Certificate(vendor_id=vendor_id, type=checked.type, file_id=stored.id,
                              original_filename=upload.filename, uploaded_by_id=user.id,
                              **checked.fields)
    session.add(certificate)
    session.flush()
    for item in checked.subservices:
        session.add(SubserviceOrganisation(certificate_id=certificate.id, **item))
    session.flush()
    events.publish(session, events.CertificateChanged(vendor_id, certificate.id))
    return Recorded(certificate, stored.sha256, duplicate, same_file)


def subservices_of(session: Session, certificate_id: int) -> list[SubserviceOrganisation]:
    """The subservice organisations a report names."""
    return list(session.exec(select(SubserviceOrganisation)
                             .where(SubserviceOrganisation.certificate_id == certificate_id)
                             .order_by(SubserviceOrganisation.id)))


def reviews_of(session: Session, certificate_id: int) -> list[CertificateReview]:
    """The reviews of a certificate, newest first."""
    return list(session.exec(select(CertificateReview)
                             .where(CertificateReview.certificate_id == certificate_id)
                             .order_by(CertificateReview.reviewed_on.desc(), CertificateReview.id.desc())))


def record_review(session: Session, certificate: Certificate, *, user: User, data: dict,
                  today: date) -> CertificateReview:
    """Record that ``user`` read the report: conclusions, scope, follow-up of exceptions and
    CUECs; with ``raise_finding`` set, the exceptions become a finding (source "certificate")."""
    ensure_can_change(session, user, certificate.vendor_id)
    errors = []
    reviewed_on = _parse_date(data.get("reviewed_on"), "reviewed_on", errors) or today
    if reviewed_on > today:
        errors.append({"field": "reviewed_on", "message": _("A review cannot be dated in the future.")})
    conclusion = str(data.get("conclusion") or "").strip()
    if not conclusion:
        errors.append({"field": "conclusion", "message": _("Write what the review concluded.")})
    severity = str(data.get("finding_severity") or "medium")
    wants_finding = str(data.get("raise_finding") or "").lower() in ("1", "true", "on", "yes")
    if wants_finding and not certificate.exceptions_noted and not data.get("exceptions_follow_up"):
        errors.append({"field": "raise_finding",
                       "message": _("There are no exceptions to raise a finding for.")})
    if errors:
        raise ValidationFailed(_("The review was not saved: %(problem)s", problem=errors[0]["message"]), errors)
    review = CertificateReview(
        certificate_id=certificate.id, reviewer_id=user.id, reviewed_on=reviewed_on,
        covers_services=str(data.get("covers_services") or "").lower() in ("1", "true", "on", "yes"),
        conclusion=conclusion,
        exceptions_follow_up=str(data.get("exceptions_follow_up") or "").strip(),
        cuecs_follow_up=str(data.get("cuecs_follow_up") or "").strip())
    session.add(review)
    session.flush()
    if wants_finding:
        label = TYPE_LABELS[certificate.type]
        with force_locale("ja"):
            label_ja = gettext(label)
        params = {"kind": {"ja": label_ja, "en": label}, "issuer": certificate.issuer or "—"}
        finding, _created = raise_finding(
            session, vendor_id=certificate.vendor_id, source="certificate", severity=severity,
            source_ref=f"certificate:{certificate.id}:exceptions",
            title=english_title("certificate_exceptions", params), title_key="certificate_exceptions",
            title_params=params,
            description="\n\n".join(filter(None, [certificate.exceptions_noted,
                                                  review.exceptions_follow_up])),
            raised_by_id=user.id)
        review.finding_id = finding.id
        session.flush()
    events.publish(session, events.CertificateChanged(certificate.vendor_id, certificate.id))
    return review


@dataclass
class ChainAddition:
    """What adding carved-out organisations to the chains did."""

    created_links: list[OutsourcingLink] = field(default_factory=list)
    created_vendors: list[Vendor] = field(default_factory=list)
    skipped_duplicates: int = 0
    refused_self: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)  # several registered vendors could be meant


def add_carved_out_to_chains(session: Session, certificate: Certificate, user: User) -> ChainAddition:
    """Match each carved-out subservice organisation to a vendor (created if unknown) and add a
    link ``certificate's vendor -> it`` in every arrangement where the vendor appears.

    Links that already exist are skipped; a subservice organisation that is the vendor
    itself is refused (a vendor cannot sub-outsource to itself), and one that several
    registered vendors could be (``subservice_match``) is left for a person to add.
    """
    ensure_can_change(session, user, certificate.vendor_id)
    result = ChainAddition()
    carved = [s for s in subservices_of(session, certificate.id) if s.treatment == "carved_out"]
    if not carved:
        raise ValidationFailed(_("This report names no carved-out subservice organisation."))
    vendor_id = certificate.vendor_id
    arrangement_ids = set(session.exec(select(Arrangement.id).where(Arrangement.vendor_id == vendor_id)))
    arrangement_ids |= set(session.exec(select(OutsourcingLink.arrangement_id)
                                        .where(OutsourcingLink.vendor_id == vendor_id, current_link())))
    existing = set(session.exec(select(OutsourcingLink.arrangement_id, OutsourcingLink.vendor_id)
                                .where(OutsourcingLink.parent_vendor_id == vendor_id, current_link())).all())
    named_in = _named_in(certificate)
    for sub in carved:
        match = Match(session.get(Vendor, sub.vendor_id)) if sub.vendor_id else match_vendor(session, sub.name)
        if match.ambiguous:
            result.ambiguous.append(sub.name)
            continue
        vendor = match.vendor
        if vendor is None:
            vendor = Vendor(name=sub.name, name_normalized=normalise_name(sub.name), status="prospect",
                            kana_key=reading_key("", normalise_name(sub.name)),  # its place in the register
                            notes=named_in["both"])
            session.add(vendor)
            session.flush()
            result.created_vendors.append(vendor)
        if vendor.id == vendor_id:
            result.refused_self.append(sub.name)
            continue
        sub.vendor_id = vendor.id
        for arrangement_id in sorted(arrangement_ids):
            if (arrangement_id, vendor.id) in existing:
                result.skipped_duplicates += 1
                continue
            link = OutsourcingLink(arrangement_id=arrangement_id, parent_vendor_id=vendor_id,
                                   vendor_id=vendor.id, service=sub.services or sub.name,
                                   approval_status="unapproved", **named_in["link"])
            session.add(link)
            existing.add((arrangement_id, vendor.id))
            result.created_links.append(link)
    session.flush()
    if result.created_vendors:
        events.publish(session, events.VendorChanged(frozenset(v.id for v in result.created_vendors)))
    for arrangement_id in sorted({link.arrangement_id for link in result.created_links}):
        chain_changed(session, arrangement_id)
    return result


def _named_in(certificate: Certificate) -> dict:
    """Where a carved-out organisation was found, for the link the product records
    (``link_notes``: a key read in each reader's language) and for the notes of a vendor it
    registers (a person's free text, which has no key: Japanese then English)."""
    label = TYPE_LABELS[certificate.type]
    with force_locale("ja"):
        label_ja = gettext(label)
    params = {"kind": {"ja": label_ja, "en": label}, "issuer": certificate.issuer or "—",
              "file": certificate.original_filename or "—"}
    link = link_notes.note_fields("certificate_carved_out", params)
    japanese = link_notes.note_text(link["approval_note_key"], link["approval_note_params"], link["approval_note"], "ja")
    return {"link": link, "both": "\n".join((japanese, link["approval_note"]))}


def certificate_evidence(session: Session, vendor_id: int):
    """The vendor's certificate files, under their original names."""
    rows = session.exec(select(Certificate, storage.StoredFile)
                        .join(storage.StoredFile, storage.StoredFile.id == Certificate.file_id)
                        .where(Certificate.vendor_id == vendor_id).order_by(Certificate.id)).all()
    for certificate, stored in rows:
        yield EvidenceFile(path=f"certificates/{certificate.id}-{certificate.original_filename}",
                           data=storage.read(stored),
                           description=f"{_(TYPE_LABELS[certificate.type])} {certificate.issuer}".strip())
