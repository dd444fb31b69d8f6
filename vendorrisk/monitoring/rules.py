"""Monitoring's row of the compliance matrix (Art. 26(1)) and its evidence-pack files."""
from datetime import date

from flask_babel import gettext  # the evidence pack's descriptions, in the language it is built in
from sqlalchemy import select
from sqlmodel import Session

from vendorrisk.core import clock, events
from vendorrisk.core.messages import msg as _  # reasons are stored; rendered when shown
from vendorrisk.core.registry import EvidenceFile, Verdict, link_to, obligation
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.plans import desired_plans, last_completed

OPEN_REVIEW = "open_review"  # the proof link to the vendor's open review, looked up when read
REVIEW, COMPLETED = _("Review"), _("Completed reviews")


def _links(vendor_id: int) -> list:
    return [(REVIEW, link_to(OPEN_REVIEW)), (COMPLETED, f"/reviews/?status=completed&vendor_id={vendor_id}")]


def open_review_hrefs(session: Session, vendor_ids: list[int]) -> dict[int, str]:
    """Where each vendor's open review is (``link_targets``: the 26-1 verdict's first link):
    planning or dropping a review moves no stored verdict, the readers look it up."""
    if not vendor_ids:
        return {}
    found = session.execute(select(MonitoringReview.vendor_id, MonitoringReview.id)
                            .where(MonitoringReview.vendor_id.in_(list(vendor_ids)),
                                   MonitoringReview.status != "completed").order_by(MonitoringReview.id))
    return {vendor_id: f"/reviews/{review_id}" for vendor_id, review_id in found}


@obligation("26-1", citation_ja="第26条第1項", citation_en="Art. 26(1)",
            title_ja="最終受託者までの定期的なモニタリング",
            title_en="Periodic monitoring down to the final contractor", order=261, daily=True,
            moved_by=(events.ChainChanged, events.VendorChanged, events.AssessmentDecided, events.ReviewCompleted),
            doc_ja="外部委託先の直近の完了したモニタリングが、リスク区分ごとの実施間隔（区分未設定は「中」、重要な委託業務の委託チェーンにある外部委託先は「高」以上）の範囲内であれば充足。期限超過又は未実施は不足。有効な委託チェーンにない外部委託先は対象外。すべての階層が対象で、最終受託者も同じ基準で判定します。")
def reviews_on_schedule(session: Session, vendor_ids: list[int], today: date | None = None) -> dict[int, Verdict]:
    """Met when the vendor's last completed monitoring review is within its review frequency
    (by risk tier; untiered vendors count as medium, vendors in an important arrangement's
    chain at least as high); gap when overdue or never reviewed; not applicable for a
    vendor in no active chain. Every tier counts: final contractors are judged alike."""
    today = today or clock.today()
    plans = desired_plans(session, vendor_ids)
    reviewed = last_completed(session, list(plans))
    verdicts = {}
    for vendor_id in vendor_ids:
        plan = plans.get(vendor_id)
        if plan is None:
            verdicts[vendor_id] = Verdict("not_applicable", _("The vendor is in no active outsourcing chain."))
            continue
        links = _links(vendor_id)
        last = reviewed.get(vendor_id)
        if last is None:
            verdicts[vendor_id] = Verdict("gap", _("Never reviewed; the first review is due on %(due)s (%(tier)s tier: "
                                                   "a review every %(months)s months).", due=plan.due_date.isoformat(),
                                                   tier=_(plan.risk_tier), months=plan.frequency_months), links)
            continue
        # the plan's due date: the frequency's date moved to the business day before it when it
        # falls on a closed day, as the review page, the tasks and the reminders give it
        due = plan.due_date
        if due < today:
            verdicts[vendor_id] = Verdict("gap", _("Last reviewed on %(date)s; overdue since %(due)s.",
                                                   date=last.isoformat(), due=due.isoformat()), links)
        else:
            verdicts[vendor_id] = Verdict("met", _("Reviewed on %(date)s; next due %(due)s.",
                                                   date=last.isoformat(), due=due.isoformat()), links)
    return verdicts


def review_dates(session: Session, vendor_ids: list[int]) -> dict[int, str]:
    """The 26-1 cell's note for each vendor in an active chain, in the reader's language: the
    last completed review and the next due date (or since when it is overdue), as the review
    plan has them now."""
    today = clock.today()
    plans = desired_plans(session, vendor_ids)
    reviewed = last_completed(session, list(plans))
    notes = {}
    for vendor_id, plan in plans.items():
        last, due = reviewed.get(vendor_id), plan.due_date.isoformat()
        if last is None:
            notes[vendor_id] = gettext("Never reviewed · first due %(due)s", due=due)
        elif plan.due_date < today:
            notes[vendor_id] = gettext("Last reviewed %(last)s · overdue since %(due)s", last=last.isoformat(), due=due)
        else:
            notes[vendor_id] = gettext("Last reviewed %(last)s · next due %(due)s", last=last.isoformat(), due=due)
    return notes


def monitoring_evidence(session: Session, vendor_id: int):
    """The vendor's monitoring reviews and findings as one workbook."""
    from vendorrisk.monitoring.exports import vendor_workbook
    yield EvidenceFile("monitoring/reviews_and_findings.xlsx", vendor_workbook(session, vendor_id),
                       gettext("Monitoring reviews and findings (Art. 26(1), Art. 24 guideline)"))
