"""Is each important vendor covered today by an audit or a report that someone has read?

Art. 26(4) asks for an audit or an internal-control report for every important vendor,
down to the final contractor; the guideline accepts ISO/IEC 27001/27017 and SOC 2/SOC 3
where an on-site audit is impractical. Evidence counts when it is current (a certificate
within its validity; a report whose period ended at most three months ago, or later
bridged by a bridge letter) and a review found that its scope covers the services.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, exists, or_, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from vendorrisk.certificates.models import (
    ASSURANCE_TYPES,
    DATE_KIND,
    GAP_MONTHS,
    SOC_REPORT_TYPES,
    TYPE_LABELS,
    UNDATED_VALIDITY_MONTHS,
    Certificate,
    CertificateReview,
)
from vendorrisk.core.clock import add_months
from vendorrisk.core.messages import msg as _  # reasons are stored; rendered when shown
from vendorrisk.vendors.chain_reach import no_index, probed
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, current_link

# The order in which gaps are worth acting on, most actionable first.
GAP_ORDER = ("not_reviewed", "scope", "expired", "period_gap", "no_current", "no_evidence")


def end_of(certificate: Certificate) -> date | None:
    """When a certificate expires or a report's period ends."""
    return certificate.expiry_date or certificate.period_end


def end_column():
    """SQL for ``models.counts_until``: the last day a record counts (the stored ``due_on``,
    indexed) — what the expiring list, the tasks and the reminders count down to."""
    return Certificate.due_on


def not_superseded():
    """SQL condition: no record of the same vendor and type counts longer (a renewal), and
    for a SOC report no bridge letter of the vendor does (it carries the report on)."""
    newer = aliased(Certificate)
    renewed = exists().where(newer.vendor_id == Certificate.vendor_id, newer.type == Certificate.type,
                             newer.due_on > end_column())
    bridged = and_(Certificate.type.in_(SOC_REPORT_TYPES),
                   exists().where(newer.vendor_id == Certificate.vendor_id, newer.type == "bridge_letter",
                                  newer.due_on > end_column()))
    return ~or_(renewed, bridged)


def expiry_query(today: date, within_days: int, include_expired: bool = True):
    """Certificates and reports (not superseded by a renewal) ending within ``within_days``,
    with their vendor, soonest first; expired ones too unless ``include_expired`` is false."""
    end = end_column()
    query = (select(Certificate, Vendor).join(Vendor, Vendor.id == Certificate.vendor_id)
             .where(end.is_not(None), end <= today + timedelta(days=within_days), not_superseded())
             .order_by(end, Certificate.id))
    if not include_expired:
        query = query.where(end >= today)
    return query


def important_vendor_ids(session: Session, vendor_ids: list[int] | None = None) -> set[int]:
    """Vendors of important arrangements, at any tier of their chains (among ``vendor_ids``)."""
    tier1 = select(Arrangement.vendor_id.label("vendor_id")).where(
        Arrangement.is_important.is_(True), Arrangement.status == "active")
    deeper = (select(OutsourcingLink.vendor_id.label("vendor_id"))
              .join(Arrangement, Arrangement.id == OutsourcingLink.arrangement_id)
              .where(Arrangement.is_important.is_(True), Arrangement.status == "active", current_link()))
    if vendor_ids is not None and len(vendor_ids) > 500:  # a big batch: one pass over the chains
        return important_vendor_ids(session) & set(vendor_ids)
    if vendor_ids is not None:
        # Driven from the vendors, whatever the statistics say: the arrangement's flags and the
        # link's arrangement are hidden from SQLite's index choice (no_index), so it looks the
        # vendors' rows up by their vendor index and each arrangement by its key, instead of
        # probing every important arrangement for each of the vendors.
        tier1 = (select(Arrangement.vendor_id.label("vendor_id"))
                 .where(Arrangement.vendor_id.in_(vendor_ids), no_index(Arrangement.is_important).is_(True),
                        no_index(Arrangement.status) == "active"))
        # (on PostgreSQL each link's arrangement is one index probe: ``probed``)
        link = OutsourcingLink.__table__
        held, on = probed(session, vendor_ids, Arrangement.__table__, name="held",
                          columns=("is_important", "status"), id=no_index(link.c.arrangement_id))
        deeper = (select(link.c.vendor_id.label("vendor_id")).select_from(link.join(held, on))
                  .where(link.c.vendor_id.in_(vendor_ids), no_index(held.c.is_important).is_(True),
                         no_index(held.c.status) == "active", current_link(link)))
    return set(session.execute(union(tier1, deeper)).scalars())


@dataclass
class Gap:
    """Why evidence falls short: a kind from ``GAP_ORDER``, a sentence, the record concerned."""

    kind: str
    message: str
    certificate_id: int | None = None


@dataclass
class VendorCoverage:
    """The coverage of one vendor today."""

    vendor_id: int
    important: bool
    status: str  # met, gap, not_applicable
    reason: str
    covering: list[Certificate] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def _label(c: Certificate) -> str:
    label = _(TYPE_LABELS[c.type])
    return _("%(label)s (%(issuer)s)", label=label, issuer=c.issuer) if c.issuer else label


def _bridged_end(end: date, bridges: list[Certificate]) -> date:
    """Extend a report's coverage by bridge letters that start before the allowed gap closes."""
    extended = True
    while extended:
        extended = False
        for bridge in bridges:
            if bridge.period_start <= add_months(end, GAP_MONTHS) and bridge.period_end > end:
                end, extended = bridge.period_end, True
    return end


def _assess(vendor_id: int, certificates: list[Certificate], reviews: dict[int, CertificateReview],
            today: date) -> VendorCoverage:
    assurance = [c for c in certificates if c.type in ASSURANCE_TYPES]
    bridges = [c for c in certificates if c.type == "bridge_letter"]
    if not assurance:
        # records on file that are no audit or report (a PrivacyMark, a penetration test summary,
        # another document) are listed beside the verdict: say that none of them counts
        gap = Gap("no_evidence", _("No audit or report that Art. 26(4) accepts is on file (ISO/IEC 27001/27017, "
                                   "SOC 2/SOC 3, an audit...): the records on file do not count.")
                  if certificates else _("No audit, certificate or report is on file."))
        return VendorCoverage(vendor_id, True, "gap", gap.message, gaps=[gap])
    latest_end = defaultdict(lambda: date.min)
    for c in assurance:
        latest_end[c.type] = max(latest_end[c.type], end_of(c) or date.min)
    gaps, current = [], []
    for c in sorted(assurance, key=lambda c: end_of(c) or date.min, reverse=True):
        is_latest = (end_of(c) or date.min) == latest_end[c.type]
        if DATE_KIND[c.type] == "period":
            covered_to = _bridged_end(c.period_end, bridges)
            if c.period_start <= today and today <= add_months(covered_to, GAP_MONTHS):
                current.append(c)
            elif is_latest and covered_to < today:
                gaps.append(Gap("period_gap", _("%(label)s: its period ended %(end)s and more than %(months)s months "
                                                  "are uncovered without a bridge letter.", label=_label(c),
                                                  end=c.period_end.isoformat(), months=GAP_MONTHS), c.id))
        else:
            until = c.expiry_date or add_months(c.issue_date, UNDATED_VALIDITY_MONTHS)
            if c.issue_date <= today <= until:
                current.append(c)
            elif is_latest and until < today:
                gaps.append(Gap("expired", _("%(label)s expired on %(date)s.", label=_label(c),
                                                 date=until.isoformat()), c.id))
    gaps.extend(_period_gaps(assurance, bridges, today))
    covering = []
    for c in current:
        review = reviews.get(c.id)
        if review is None:
            gaps.append(Gap("not_reviewed", _("%(label)s has never been reviewed.", label=_label(c)), c.id))
        elif not review.covers_services:
            gaps.append(Gap("scope", _("The review of %(label)s found that its scope does not cover "
                                              "the services provided.", label=_label(c)), c.id))
        else:
            covering.append(c)
    gaps.sort(key=lambda g: GAP_ORDER.index(g.kind))
    if covering:
        best = covering[0]
        review = reviews[best.id]
        reason = _met_reason(best, bridges, review)
        if best.opinion in ("qualified", "adverse"):  # obtained and covering, but not a clean report
            reason = _("%(reason)s The auditor's opinion is %(opinion)s.", reason=reason, opinion=_(best.opinion))
        return VendorCoverage(vendor_id, True, "met", reason, covering, gaps)
    if not gaps:
        gaps.append(Gap("no_current", _("No audit, certificate or report covers today.")))
    return VendorCoverage(vendor_id, True, "gap", gaps[0].message, [], gaps)


def _met_reason(best: Certificate, bridges: list[Certificate], review: CertificateReview):
    """Why ``best`` covers today. A report's period has ended by the time it is issued: say
    when its period ended and until when it counts (``GAP_MONTHS`` after, or after its bridge
    letters), never "current to" a past date, which read as expired."""
    reviewed = review.reviewed_on.isoformat()
    if DATE_KIND[best.type] != "period":
        return _("%(label)s, current to %(end)s, reviewed %(reviewed)s.", label=_label(best),
                 end=(end_of(best) or best.issue_date).isoformat(), reviewed=reviewed)
    covered_to = _bridged_end(best.period_end, bridges)
    named = {"label": _label(best), "end": best.period_end.isoformat(), "reviewed": reviewed,
             "until": add_months(covered_to, GAP_MONTHS).isoformat(), "months": GAP_MONTHS}
    if covered_to > best.period_end:
        return _("%(label)s, period ended %(end)s, bridged to %(bridged)s, counts until %(until)s "
                 "(%(months)s months after), reviewed %(reviewed)s.", bridged=covered_to.isoformat(), **named)
    return _("%(label)s, period ended %(end)s, counts until %(until)s (%(months)s months after its period), "
             "reviewed %(reviewed)s.", **named)


def _period_gaps(assurance: list[Certificate], bridges: list[Certificate], today: date) -> list[Gap]:
    """Gaps of more than ``GAP_MONTHS`` between consecutive SOC report periods of the last two years."""
    gaps = []
    horizon = add_months(today, -24)
    for kind in SOC_REPORT_TYPES:
        reports = sorted((c for c in assurance if c.type == kind), key=lambda c: c.period_start)
        for previous, following in zip(reports, reports[1:]):
            covered_to = _bridged_end(previous.period_end, bridges)
            if following.period_start >= horizon and following.period_start > add_months(covered_to, GAP_MONTHS):
                gaps.append(Gap("period_gap", _("%(label)s: nothing covers %(start)s to %(end)s "
                                                  "(more than %(months)s months without a bridge letter).",
                                                  label=_(TYPE_LABELS[kind]), start=covered_to.isoformat(),
                                                  end=following.period_start.isoformat(), months=GAP_MONTHS),
                                following.id))
    return gaps


def coverage(session: Session, vendor_ids: list[int], today: date) -> dict[int, VendorCoverage]:
    """The coverage of each vendor in ``vendor_ids`` today, in three set queries."""
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    important = important_vendor_ids(session, ids)
    certificates = session.exec(select(Certificate).where(Certificate.vendor_id.in_(ids))
                                .order_by(Certificate.id)).all()
    by_vendor: dict[int, list[Certificate]] = defaultdict(list)
    for c in certificates:
        by_vendor[c.vendor_id].append(c)
    reviews: dict[int, CertificateReview] = {}
    if certificates:
        rows = session.exec(select(CertificateReview)
                            .where(CertificateReview.certificate_id.in_([c.id for c in certificates]))
                            .order_by(CertificateReview.reviewed_on, CertificateReview.id)).all()
        for review in rows:
            reviews[review.certificate_id] = review  # the latest review wins
    result = {}
    for vendor_id in ids:
        if vendor_id not in important:
            result[vendor_id] = VendorCoverage(vendor_id, False, "not_applicable",
                                               _("Not an important vendor at any tier."))
        else:
            result[vendor_id] = _assess(vendor_id, by_vendor[vendor_id], reviews, today)
    return result
