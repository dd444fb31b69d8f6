"""反社会的勢力チェック: that a vendor is not an anti-social force (暴力団排除条例; the JVCEA
rules' expectation that a member deals with no such party), recorded per vendor: when, how,
what it found, the evidence (a file and/or text) and when the next check falls due.

A vendor has a **current check** when its latest check (by date, then by record) found
nothing (``clear``) and its next due date has not passed. Without one it cannot become
approved or conditionally approved — by a status change, a selection approval or any other
path (``require_current_check``); an import brings vendors in as prospects only. The next
due date lands on a business day (``core.business_days``): one asked for (or defaulted to)
on a closed day moves to the business day before it, kept as ``nominal_next_due``. Services
add and flush; the caller commits.
"""
from dataclasses import dataclass
from datetime import date
from typing import Optional

from flask import current_app, has_app_context
from flask_babel import gettext as _
from pydantic import BaseModel, field_validator
from sqlalchemy import func
from sqlmodel import Session, select

from vendorrisk.core import audit, business_days, clock, storage
from vendorrisk.core.clock import add_months
from vendorrisk.core.errors import Conflict, ValidationFailed
from vendorrisk.core.uploads import Upload
from vendorrisk.core.validation import parse, within
from vendorrisk.vendors.models import CHECK_METHODS, CHECK_RESULTS, AntisocialCheck, Vendor

APPROVED = ("approved", "conditionally_approved")
EVIDENCE_KINDS = {"pdf", "png", "jpeg", "docx", "xlsx", "txt", "md", "csv"}


def default_months() -> int:
    """Months until the next check (``ANTISOCIAL_CHECK_MONTHS``)."""
    return int(current_app.config.get("ANTISOCIAL_CHECK_MONTHS", 12)) if has_app_context() else 12


class CheckCreate(BaseModel):
    """A check as recorded: date, method, result, evidence text, and (optional) next due date."""

    checked_on: date
    method: str
    result: str
    evidence_text: str = ""
    next_due: Optional[date] = None

    @field_validator("method")
    @classmethod
    def _method(cls, value):
        if value not in CHECK_METHODS:
            raise ValueError(_("Choose how the check was made."))
        return value

    @field_validator("result")
    @classmethod
    def _result(cls, value):
        if value not in CHECK_RESULTS:
            raise ValueError(_("Choose what the check found."))
        return value

    @field_validator("evidence_text")
    @classmethod
    def _evidence(cls, value):
        return within(value, 5000)


@dataclass(frozen=True)
class Standing:
    """A vendor's 反社 standing: its latest check (or None) and whether it is current."""

    latest: AntisocialCheck | None
    current: bool
    due: date | None


def record_check(session: Session, vendor: Vendor, data: dict, user_id: int | None,
                 evidence: Upload | None = None, today: date | None = None) -> AntisocialCheck:
    """Record a check; it needs evidence (a file, a text, or both) and a date not in the
    future; the next due date defaults to ``ANTISOCIAL_CHECK_MONTHS`` after it, and moves to
    the previous business day when it is a closed day."""
    payload = parse(CheckCreate, data)
    today = today or clock.today()
    problems = []
    if payload.checked_on > today:
        problems.append({"field": "checked_on", "message": _("The check cannot be dated in the future.")})
    if not payload.evidence_text and evidence is None:
        problems.append({"field": "evidence_text", "message": _(
            "Give the evidence: the search done and what it showed, a file, or both.")})
    next_due = business_days.on_or_before(payload.next_due or add_months(payload.checked_on, default_months()))
    if next_due.day <= payload.checked_on:
        problems.append({"field": "next_due", "message": _("The next check falls due after this one.")})
    if problems:
        raise ValidationFailed(_("The check cannot be recorded as it is."), problems)
    check = AntisocialCheck(vendor_id=vendor.id, checked_on=payload.checked_on, method=payload.method,
                            result=payload.result, evidence_text=payload.evidence_text, next_due=next_due.day,
                            nominal_next_due=next_due.nominal, checked_by_id=user_id)
    if evidence is not None:
        stored, _known = storage.store(session, evidence, user_id)
        check.evidence_file_id, check.evidence_filename = stored.id, evidence.filename[:300]
    session.add(check)
    session.flush()
    audit.add_event(session, action="antisocial_check", entity="vendor", entity_id=vendor.id,
                    after={"check_id": check.id, "result": check.result, "checked_on": check.checked_on.isoformat(),
                           "next_due": check.next_due.isoformat()})
    return check


def latest_checks(session: Session, vendor_ids=None) -> dict[int, AntisocialCheck]:
    """Each vendor's latest check (by date, then record), in one query."""
    ranked = select(AntisocialCheck.id, func.row_number().over(
        partition_by=AntisocialCheck.vendor_id,
        order_by=(AntisocialCheck.checked_on.desc(), AntisocialCheck.id.desc())).label("rank"))
    if vendor_ids is not None:
        ranked = ranked.where(AntisocialCheck.vendor_id.in_(list(vendor_ids) or [0]))
    ranked = ranked.subquery()
    rows = session.exec(select(AntisocialCheck).join(ranked, ranked.c.id == AntisocialCheck.id)
                        .where(ranked.c.rank == 1)).all()
    return {row.vendor_id: row for row in rows}


def standing(session: Session, vendor_id: int, today: date | None = None) -> Standing:
    """Whether the vendor has a current check, and its latest."""
    latest = latest_checks(session, [vendor_id]).get(vendor_id)
    today = today or clock.today()
    current = latest is not None and latest.result == "clear" and latest.next_due >= today
    return Standing(latest, current, latest.next_due if latest else None)


def require_current_check(session: Session, vendor: Vendor, today: date | None = None) -> None:
    """Refuse (409) approving a vendor without a current check that found nothing."""
    found = standing(session, vendor.id, today)
    if found.current:
        return
    if found.latest is None:
        reason = _("%(vendor)s has no 反社会的勢力チェック (anti-social forces check) on record.", vendor=vendor.name)
    elif found.latest.result != "clear":
        reason = _("The latest 反社会的勢力チェック of %(vendor)s (%(day)s) did not come back clear.",
                   vendor=vendor.name, day=found.latest.checked_on.isoformat())
    else:
        reason = _("The 反社会的勢力チェック of %(vendor)s fell due on %(day)s.",
                   vendor=vendor.name, day=found.latest.next_due.isoformat())
    raise Conflict(reason + " " + _("Record a current check that found nothing before approving the vendor."),
                   [{"field": "status", "message": _("A current 反社会的勢力チェック is needed."), "vendor_id": vendor.id}])


def checks_of(session: Session, vendor_id: int) -> list[AntisocialCheck]:
    """A vendor's checks, newest first."""
    return list(session.exec(select(AntisocialCheck).where(AntisocialCheck.vendor_id == vendor_id)
                             .order_by(AntisocialCheck.checked_on.desc(), AntisocialCheck.id.desc())))
