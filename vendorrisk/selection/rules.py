"""Compliance-matrix rows from selection: Art. 25(1) and the nine Art. 27 cloud items."""
from sqlalchemy import exists, func, or_, select
from sqlmodel import Session

from vendorrisk.core import events
from vendorrisk.core.messages import Bilingual
from vendorrisk.core.messages import msg as _  # reasons are stored; rendered when shown
from vendorrisk.core.registry import Obligation, Verdict, batch_memo, obligation
from vendorrisk.selection.criteria import criteria_label
from vendorrisk.selection.models import AssessmentScore, SelectionAssessment
from vendorrisk.vendors.models import Arrangement, Vendor

DECIDED = ("approved", "rejected")
# the decision as the vendor's status names it: "(approved)", not the button's "(approve)"
DECISION_WORDS = {"approve": _("approved"), "approve_with_conditions": _("conditionally approved")}
CLOUD_ITEMS = {
    1: ("コンピュータセンターの設置場所", "Location of the computer centres"),
    2: ("契約上の義務及び保証事項", "Contractual obligations and guarantees"),
    3: ("データのセキュリティ", "Data security"),
    4: ("セキュリティ実施状況の確認", "Verification of security implementation"),
    5: ("暗号鍵情報の管理", "Management of encryption keys"),
    6: ("暗号鍵情報以外の重要情報の管理", "Management of other important information"),
    7: ("稼働状態の安定性", "Stability of operation"),
    8: ("単位時間当たり情報処理能力", "Processing capacity per unit of time"),
    9: ("緊急事態への対応能力", "Ability to respond to emergencies"),
}


def latest_decided(session: Session, vendor_ids: list[int]) -> dict[int, SelectionAssessment]:
    """Each vendor's latest approved or rejected assessment, in two queries."""
    if not vendor_ids:
        return {}
    latest = (select(func.max(SelectionAssessment.id))
              .where(SelectionAssessment.vendor_id.in_(vendor_ids), SelectionAssessment.status.in_(DECIDED))
              .group_by(SelectionAssessment.vendor_id))
    rows = session.scalars(select(SelectionAssessment).where(SelectionAssessment.id.in_(latest)))
    return {row.vendor_id: row for row in rows}


def _start_link(vendor_id: int) -> list[tuple[str, str]]:
    return [(_("Start a selection assessment"), f"/selection/new?vendor_id={vendor_id}")]


def _link(assessment: SelectionAssessment) -> list[tuple[str, str]]:
    return [(_("Assessment #%(id)s", id=assessment.id), f"/selection/{assessment.id}")]


@obligation("25-1", citation_ja="第25条第1項", citation_en="Art. 25(1)",
            title_ja="選定基準に基づく外部委託先の選定（システム子会社を含む）",
            title_en="Vendors selected against selection criteria (system subsidiaries included)", order=251,
            moved_by=(events.AssessmentDecided,),
            doc_ja="外部委託先の直近の判断済み選定評価が承認（条件付きを含む）されていれば充足。否認された場合、又は承認された評価がない場合は不足。システム子会社にも同じ基準を適用します。")
def selected_against_criteria(session: Session, vendor_ids: list[int]) -> dict[int, Verdict]:
    """Met when the vendor's latest decided selection assessment is approved (with or without
    conditions); gap when it was rejected or when no assessment has been approved. System
    subsidiaries are held to the same rule."""
    decided = batch_memo(session, "selection.latest_decided", vendor_ids, lambda: latest_decided(session, vendor_ids))
    result = {}
    for vendor_id in vendor_ids:
        assessment = decided.get(vendor_id)
        if assessment is None:
            result[vendor_id] = Verdict("gap", _("No approved selection assessment."), _start_link(vendor_id))
        elif assessment.status == "approved":
            result[vendor_id] = Verdict("met", _("Selected against %(criteria)s (%(decision)s).",
                                                 criteria=Bilingual(criteria_label(assessment.criteria_versions, "ja"),
                                                                    criteria_label(assessment.criteria_versions, "en")),
                                                 decision=DECISION_WORDS.get(assessment.decision,
                                                                             _(assessment.decision.replace("_", " ")))),
                                        _link(assessment))
        else:
            result[vendor_id] = Verdict("gap", _("The latest selection assessment was rejected."), _link(assessment))
    return result


def cloud_vendor_ids(session: Session, vendor_ids: list[int]) -> set[int]:
    """The cloud vendors among ``vendor_ids``: flagged cloud, or tier 1 of an active cloud
    arrangement (the ``cloud`` fact of ``services.risk_tier.vendor_facts``, without walking
    the chains, which that fact does not depend on); one query."""
    if not vendor_ids:
        return set()
    cloud_arrangement = exists().where(Arrangement.vendor_id == Vendor.id, Arrangement.status == "active",
                                       Arrangement.is_cloud.is_(True))
    return set(session.scalars(select(Vendor.id).where(Vendor.id.in_(vendor_ids),
                                                       or_(Vendor.is_cloud.is_(True), cloud_arrangement))))


def _cloud_evidence(session: Session, vendor_ids: list[int]):
    """What all nine Art. 27 rules need, computed once per batch: the cloud vendors, their
    latest approved assessments and the scored (assessment, criterion) pairs; three queries."""
    cloud_ids = cloud_vendor_ids(session, vendor_ids)
    decided = batch_memo(session, "selection.latest_decided", vendor_ids,
                         lambda: latest_decided(session, vendor_ids))
    approved = {v: a for v, a in decided.items() if v in cloud_ids and a.status == "approved"}
    scored = {}
    if approved:
        rows = session.execute(select(AssessmentScore.assessment_id, AssessmentScore.criterion_id,
                                      AssessmentScore.score)
                               .where(AssessmentScore.assessment_id.in_([a.id for a in approved.values()]),
                                      AssessmentScore.score.is_not(None)))
        scored = {(row.assessment_id, row.criterion_id): row.score for row in rows}
    return cloud_ids, approved, scored


def _scored(item: int, assessment: SelectionAssessment, criterion: dict, score: int) -> Verdict:
    """The item examined in the assessment: met, the reason saying how it was found (the
    score on the criterion's scale and that level's words), so that a low score is not read
    as a clean bill."""
    scale = criterion.get("scale") or []
    level = next((lv for lv in scale if lv["score"] == score), None)
    return Verdict("met", _("Art. 27(%(item)s) scored %(score)s of %(top)s in assessment #%(id)s (%(criterion)s): "
                            "%(level)s", item=item, score=score, top=scale[-1]["score"] if scale else score,
                            id=assessment.id, criterion=criterion["id"],
                            level=Bilingual(level["ja"], level["en"]) if level else ""),
                   _link(assessment))


def cloud_item_verdicts(session: Session, vendor_ids: list[int], item: int) -> dict[int, Verdict]:
    """Verdicts for Art. 27(item) over many vendors; the evidence is shared by the nine items
    of one matrix batch (``matrix.batch_memo``)."""
    article = f"27-{item}"
    cloud_ids, approved, scored = batch_memo(session, "selection.cloud_evidence", vendor_ids,
                                             lambda: _cloud_evidence(session, vendor_ids))
    wanted = {a.id: next((c for c in a.criteria_snapshot.get("criteria", []) if c["article"] == article), None)
              for a in approved.values()}
    result = {}
    for vendor_id in vendor_ids:
        if vendor_id not in cloud_ids:
            result[vendor_id] = Verdict("not_applicable", _("Not a cloud service vendor."))
            continue
        assessment = approved.get(vendor_id)
        if assessment is None:
            result[vendor_id] = Verdict("gap", _("No approved selection assessment covering the cloud items."),
                                        _start_link(vendor_id))
        elif wanted[assessment.id] and (assessment.id, wanted[assessment.id]["id"]) in scored:
            criterion = wanted[assessment.id]
            result[vendor_id] = _scored(item, assessment, criterion, scored[(assessment.id, criterion["id"])])
        else:
            result[vendor_id] = Verdict("gap", _("Art. 27(%(item)s) was not scored in the latest approved "
                                                 "assessment #%(id)s.", item=item, id=assessment.id),
                                        _link(assessment))
    return result


def _cloud_item_obligation(item: int) -> Obligation:
    title_ja, title_en = CLOUD_ITEMS[item]

    def rule(session: Session, vendor_ids: list[int]) -> dict[int, Verdict]:
        return cloud_item_verdicts(session, vendor_ids, item)

    rule.__doc__ = (f"For cloud vendors (flagged cloud, or tier 1 of a cloud arrangement): met when the "
                    f"Art. 27({item}) criterion ({title_en.lower()}) is scored in the vendor's latest "
                    f"approved selection assessment (the reason gives the score and what that level of "
                    f"the scale means); gap otherwise; not applicable to other vendors.")
    rule.__name__ = f"cloud_item_{item}"
    doc_ja = (f"クラウドサービスの外部委託先（クラウドの属性がある、又はクラウドの委託業務の一次委託先）について、"
              f"最新の承認済み選定評価で第27条第{item}号の基準（{title_ja}）が採点されていれば充足"
              f"（理由に評点とその水準の内容を示します）、"
              f"そうでなければ不足。その他の外部委託先は対象外。")
    return obligation(f"27-{item}", citation_ja=f"第27条第{item}号", citation_en=f"Art. 27({item})",
                      title_ja=f"クラウドサービス: {title_ja}", title_en=f"Cloud services: {title_en}",
                      order=270 + item,
                      moved_by=(events.AssessmentDecided, events.VendorChanged, events.ChainChanged),
                      doc_ja=doc_ja)(rule)


CLOUD_OBLIGATIONS = tuple(_cloud_item_obligation(item) for item in CLOUD_ITEMS)
