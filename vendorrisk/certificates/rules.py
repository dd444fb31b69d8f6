"""Compliance matrix, Art. 26(4): important vendors are audited or their reports obtained."""
from datetime import date

from sqlmodel import Session

from vendorrisk.certificates.coverage import coverage
from vendorrisk.certificates.models import TYPE_LABELS
from vendorrisk.core import clock, events
from vendorrisk.core.messages import msg as _  # reasons are stored; rendered when shown
from vendorrisk.core.registry import Verdict, obligation


@obligation("26-4", citation_ja="第26条第4項", citation_en="Art. 26(4)",
            title_ja="重要な外部委託先の監査又は内部管理態勢に関する報告書の入手",
            title_en="Audit or internal-control report for important vendors", order=264, daily=True,
            moved_by=(events.CertificateChanged, events.ChainChanged),
            doc_ja="いずれかの階層で重要な外部委託先（重要な委託業務の一次委託先又はその委託チェーン上の外部委託先）について、有効な実地監査・認証・報告書（SOC 報告書の対象期間は本日から3か月以内の遅れまで、又はブリッジレターで補完）があり、その対象範囲が当社向けサービスを含むと確認されていれば充足。根拠がない、期限切れ、対象期間の空白、未確認、対象範囲外の場合は不足。どの階層でも重要でない外部委託先は対象外。")
def audit_or_report_covers_today(session: Session, vendor_ids: list[int], today: date | None = None):
    """For every vendor important at any tier (a vendor of an important arrangement or in its
    chain): met when a current on-site audit, certificate or report (SOC report periods may
    trail today by at most three months, or be bridged by a bridge letter) has a review
    concluding that its scope covers the services; gap otherwise (no evidence, expired,
    uncovered period, never reviewed, scope not covering); not applicable to vendors that
    are not important at any tier."""
    results = coverage(session, vendor_ids, today or clock.today())
    verdicts = {}
    for vendor_id, found in results.items():
        if found.status == "met":
            links = [(_("%(label)s #%(id)s", label=_(TYPE_LABELS[c.type]), id=c.id), f"/certificates/{c.id}")
                     for c in found.covering]
        elif found.status == "gap":
            links = [(_("Evidence"), f"/certificates/vendor/{vendor_id}")]
            links += [(_("Certificate #%(id)s", id=g.certificate_id), f"/certificates/{g.certificate_id}")
                      for g in found.gaps if g.certificate_id]
        else:
            links = []
        verdicts[vendor_id] = Verdict(found.status, found.reason, links)
    return verdicts
