"""Reminders 60 and 30 days before a record stops counting: a certificate's expiry, a
report's period end plus three months (``models.counts_until``: a report is issued after its
period, and the next report or a bridge letter is due by then).

The monitoring sweep stores each ``ReminderSpec`` once (its key includes the end date, so a
renewed certificate gets fresh reminders) and sends it; this module only says which
reminders should exist on a day, each in the language of the vendor owner it goes to.
A reminder day that falls on a closed day comes on the business day before it, and an end
date on a closed day is told with the last business day before it (core.business_days).
"""
from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import exists
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from vendorrisk.certificates.coverage import end_column, not_superseded
from vendorrisk.certificates.models import DATE_KIND, GAP_MONTHS, TYPE_LABELS, Certificate, counts_until
from vendorrisk.core import business_days
from vendorrisk.core.db import any_row
from vendorrisk.core.models import User
from vendorrisk.core.registry import ReminderSpec
from vendorrisk.vendors.models import Vendor, VendorOwner
from vendorrisk.vendors.people import compliance_recipients

LEAD_DAYS = (60, 30)


def _translate(language: str, message: str, **values) -> str:
    catalogue = current_app.extensions.get("vendorrisk.catalogues", {}).get(language)
    text = catalogue.gettext(message) if catalogue is not None else message
    return text % values if values else text


def act_by_note(end: date, language: str) -> str:
    """「1/3(休業日: 年末年始) → 12/28」 when the end date is a closed day, else ""."""
    with force_locale(language):
        return business_days.current().on_or_before(end).note(language)


def _render(language: str, certificate: Certificate, vendor: Vendor, end: date, days: int,
            link: str) -> tuple[str, str]:
    label = _translate(language, TYPE_LABELS[certificate.type])
    name = vendor.name if language == "ja" or not vendor.name_en else vendor.name_en
    if DATE_KIND[certificate.type] == "period":
        subject = _translate(language, "[vendorrisk] %(vendor)s: the %(label)s counts until %(date)s",
                             vendor=name, label=label, date=end.isoformat())
        action = _translate(language, "Its period ended on %(end)s and it counts %(months)s months after it. "
                                      "Ask the vendor for the next report or a bridge letter before then.",
                            end=certificate.period_end.isoformat(), months=GAP_MONTHS)
    else:
        subject = _translate(language, "[vendorrisk] %(vendor)s: %(label)s expires on %(date)s",
                             vendor=name, label=label, date=end.isoformat())
        action = _translate(language, "Ask the vendor for the renewed certificate and record it.")
    note = act_by_note(end, language)
    body = "\n\n".join(part for part in [
        _translate(language, "%(days)s days remain for the %(label)s of %(vendor)s (issuer: %(issuer)s).",
                   days=days, label=label, vendor=name, issuer=certificate.issuer or "-"),
        _translate(language, "It ends on a closed day; the last business day before it: %(note)s.", note=note)
        if note else "",
        action,
        _translate(language, "Open the record: %(link)s", link=link),
    ] if part)
    return subject, body


def certificate_reminders(session: Session, today: date):
    """Yield a reminder per active owner of the vendor — compliance when the vendor has none
    (Art. 26(2), as reviews are) — for every current (not superseded) certificate or report
    that stops counting in 31-60 days (``expires_in_60``) or 0-30 days (``expires_in_30``);
    the sweep sends each once."""
    end = end_column()
    calendar = business_days.current()
    window = (end >= today, end <= calendar.horizon(today, max(LEAD_DAYS)))
    # one indexed LIMIT 1 on the end dates first: with nothing ending in the window, the
    # joined ORM query below (compiled afresh in a new process) is not needed
    if not any_row(session, sa_select(Certificate.id).where(*window)):
        return
    rows = session.exec(
        select(Certificate, Vendor, User)
        .join(Vendor, Vendor.id == Certificate.vendor_id)
        .join(VendorOwner, VendorOwner.vendor_id == Certificate.vendor_id)
        .join(User, User.id == VendorOwner.user_id)
        .where(User.is_active.is_(True), *window, not_superseded())
        .order_by(Certificate.id, User.id)).all()
    recipients = [(certificate, vendor, (user.email, user.language, user.id)) for certificate, vendor, user in rows]
    active_owner = exists().where(VendorOwner.vendor_id == Certificate.vendor_id, VendorOwner.user_id == User.id,
                                  User.is_active.is_(True))
    unowned = session.exec(
        select(Certificate, Vendor).join(Vendor, Vendor.id == Certificate.vendor_id)
        .where(*window, not_superseded(), ~active_owner).order_by(Certificate.id)).all()
    if unowned:
        compliance = compliance_recipients(session)
        recipients += [(certificate, vendor, person) for certificate, vendor in unowned for person in compliance]
    base = current_app.config["BASE_URL"].rstrip("/")
    for certificate, vendor, (email, language, user_id) in recipients:
        certificate_end = counts_until(certificate)
        days = (certificate_end - today).days
        lead = calendar.lead_reached(certificate_end, today, LEAD_DAYS)
        if lead is None:
            continue
        language = language if language in ("ja", "en") else "ja"
        link = f"{base}/certificates/{certificate.id}"
        subject, body = _render(language, certificate, vendor, certificate_end, days, link)
        yield ReminderSpec(subject_type="certificate", subject_id=certificate.id,
                           kind=f"expires_in_{lead}", due_date=certificate_end,
                           recipient=email, recipient_user_id=user_id, language=language,
                           subject_line=subject[:300], body=body, link=link)
