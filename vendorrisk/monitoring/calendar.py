"""Per-user iCalendar feeds (RFC 5545) of due reviews, findings and expiring risk
acceptances, and of what the other areas put on the calendar (``calendar_sources``: a
campaign's due date, a 反社会的勢力チェック falling due), behind a secret, revocable URL.
Only the SHA-256 of the token is stored.

Events fall on the business day the due date moved to; a moved date says so in the event's
description (「12/31(休業日: 年末年始) → 12/28」)."""
import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlparse

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlmodel import Session

from vendorrisk.core import business_days, registry
from vendorrisk.core.models import User, utcnow
from vendorrisk.monitoring.models import CalendarFeed, MonitoringReview
from vendorrisk.monitoring.models_remediation import RiskAcceptance
from vendorrisk.vendors.findings import Finding, display_title
from vendorrisk.vendors.models import Vendor

SEES_ALL = ("admin", "compliance", "auditor")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(session: Session, user: User) -> CalendarFeed | None:
    """The user's current (not revoked) feed, if any."""
    return session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                   CalendarFeed.revoked_at.is_(None))).first()


def revoke_feeds(session: Session, user: User) -> int:
    """Revoke every feed URL of the user; return how many were active."""
    result = session.execute(update(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                        CalendarFeed.revoked_at.is_(None))
                             .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


def create_feed(session: Session, user: User) -> str:
    """Give the user a new secret feed token (revoking the old one); the token is returned once."""
    for feed in session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                        CalendarFeed.revoked_at.is_(None))):
        feed.revoked_at = utcnow()
    token = "cal_" + secrets.token_urlsafe(32)
    session.add(CalendarFeed(user_id=user.id, token_hash=_digest(token), prefix=token[:12]))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user whose active feed has this token, or None."""
    feed = session.scalars(select(CalendarFeed).where(CalendarFeed.token_hash == _digest(token),
                                                   CalendarFeed.revoked_at.is_(None))).first()
    if feed is None:
        return None
    user = session.get(User, feed.user_id)
    return user if user is not None and user.is_active else None


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _with_note(description: str, day, nominal) -> str:
    note = business_days.moved_note(day, nominal)
    return description + "\n" + _("Moved to the previous business day: %(note)s", note=note) if note else description


def entries(session: Session, user: User | None, first=None, last=None) -> list:
    """The other areas' calendar entries (``registry.calendar_sources``) of ``user`` (None:
    everyone's) between ``first`` and ``last``, by day; call in the reader's locale."""
    sources = registry.current().calendar_sources
    found = [entry for name in sorted(sources) for entry in sources[name](session, user, first, last)]
    return sorted(found, key=lambda e: (e.day, e.kind, e.uid))


def _event(uid: str, day, summary: str, description: str, url: str, stamp: str) -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}", f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(description)}", f"URL:{url}", "TRANSP:TRANSPARENT", "END:VEVENT"]


def build_ics(session: Session, user: User, now: datetime | None = None) -> str:
    """The user's calendar: open reviews and unresolved findings they own (everything for
    compliance, admins and auditors) and the other areas' entries for them, as all-day
    events on their due dates."""
    now = now or utcnow()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    base = current_app.config["BASE_URL"].rstrip("/")
    host = urlparse(base).hostname or "vendorrisk"
    language = user.language or "ja"
    reviews = (select(MonitoringReview, Vendor).join(Vendor, Vendor.id == MonitoringReview.vendor_id)
               .where(MonitoringReview.status.in_(("planned", "in_progress"))).order_by(MonitoringReview.due_date))
    found = (select(Finding, Vendor).join(Vendor, Vendor.id == Finding.vendor_id)
             .where(Finding.status.in_(("open", "in_progress")), Finding.due_date.is_not(None))
             .order_by(Finding.due_date))
    accepted = (select(RiskAcceptance, Finding, Vendor).join(Finding, Finding.id == RiskAcceptance.finding_id)
                .join(Vendor, Vendor.id == Finding.vendor_id).where(RiskAcceptance.status == "approved")
                .order_by(RiskAcceptance.expires_on))
    if user.role not in SEES_ALL:
        reviews = reviews.where(MonitoringReview.owner_id == user.id)
        found = found.where(Finding.owner_id == user.id)
        accepted = accepted.where(Finding.owner_id == user.id)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//vendorrisk//monitoring//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH"]
    with force_locale(language):
        lines.append(f"X-WR-CALNAME:{escape_text(_('vendorrisk: reviews and findings'))}")
        for review, vendor in session.execute(reviews):
            name = vendor.name_en or vendor.name if language == "en" else vendor.name
            lines += _event(f"review-{review.id}@{host}", review.due_date,
                            _("Monitoring review: %(vendor)s", vendor=name),
                            _with_note(_("Periodic monitoring review (Art. 26(1)), risk tier %(tier)s.",
                                         tier=_(review.risk_tier)), review.due_date, review.nominal_due_date),
                            f"{base}/reviews/{review.id}", stamp)
        for finding, vendor in session.execute(found):
            name = vendor.name_en or vendor.name if language == "en" else vendor.name
            lines += _event(f"finding-{finding.id}@{host}", finding.due_date,
                            _("Finding due: %(title)s", title=display_title(finding, language)),
                            _with_note(_("%(vendor)s, severity %(severity)s.", vendor=name,
                                         severity=_(finding.severity)), finding.due_date, finding.nominal_due_date),
                            f"{base}/findings/{finding.id}", stamp)
        for acceptance, finding, vendor in session.execute(accepted):
            name = vendor.name_en or vendor.name if language == "en" else vendor.name
            lines += _event(f"risk-acceptance-{acceptance.id}@{host}", acceptance.expires_on,
                            _("Risk acceptance expires: %(title)s", title=display_title(finding, language)),
                            _with_note(_("%(vendor)s: the accepted risk must be remediated or accepted again.",
                                         vendor=name), acceptance.expires_on, acceptance.nominal_expires_on),
                            f"{base}/findings/{finding.id}", stamp)
        for entry in entries(session, user):
            lines += _event(f"{entry.uid}@{host}", entry.day, entry.summary,
                            _with_note(entry.description, entry.day, entry.nominal), base + entry.url, stamp)
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
