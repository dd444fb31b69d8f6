"""Demo selection assessments in every state, and risk tiers for all demo vendors."""
from sqlmodel import Session

from vendorrisk.selection import risk_tier
from vendorrisk.selection import service as selection

# vendor key, default score, exceptions {criterion: score}, conditions, final state
ASSESSMENTS = [
    ("fjsys", 3, {"GEN-INC": 2, "GEN-EXIT": 2}, [], "approved"),
    ("aws", 3, {"GEN-EXIT": 1, "C27-1": 2, "C27-4": 2}, [], "approved"),
    ("kyc", 2, {"GEN-SUB": 1, "C27-5": 1}, [
        {"text": "再委託先（夜間目視確認）の事前承認手続きを契約に追加する", "due_days": 60},
        {"text": "暗号鍵を当社管理（BYOK）に移行する計画を提出させる", "due_days": 120}], "approved"),
    ("kyc_ops", 3, {"GEN-CAP": 2, "GEN-BCP": 2}, [], "submitted"),
    ("soc_tool", 2, {}, [], "draft"),
    ("bpo_ph", 1, {"GEN-DATA": 0}, [], "rejected"),
    # every vendor the register shows as approved was approved through an assessment (four eyes)
    ("sakura_dc", 3, {"GEN-FIN": 2}, [], "approved"),
    ("azure", 3, {"C27-3": 2}, [], "approved"),
    ("wallet", 3, {"GEN-SEC": 2}, [], "approved"),
    ("hsm", 3, {"GEN-EXIT": 2}, [], "approved"),
    ("soc", 3, {"GEN-BCP": 2}, [], "approved"),
    ("mail", 3, {"GEN-SEC": 2}, [], "approved"),
]


def load(session: Session, ctx: dict) -> None:
    """Create the demo assessments (prepared by procurement, decided by compliance) and tiers."""
    preparer, approver = ctx["users"]["procurement"], ctx["users"]["compliance"]
    today = ctx["today"]
    risk_tier.recompute(session)
    for key, default, exceptions, conditions, state in ASSESSMENTS:
        vendor = ctx["vendors"][key]
        assessment = selection.create_assessment(session, vendor_id=vendor.id, user=preparer)
        scores = [{"criterion_id": c["id"], "score": exceptions.get(c["id"], default),
                   "comment": "デモ評価: 提出資料及びヒアリングに基づく。"}
                  for c in selection.criteria_of(assessment) if state != "draft" or c["id"].startswith("GEN-")]
        selection.save_scores(
            session, assessment, user=preparer, scores=scores, summary="デモデータの評価記録。",
            conditions=[{"text": c["text"], "due_date": (today.fromordinal(today.toordinal() + c["due_days"])).isoformat()}
                        for c in conditions])
        if state == "draft":
            continue
        selection.submit(session, assessment, user=preparer)
        if state == "approved":
            selection.approve(session, assessment, user=approver, note="相互牽制により確認済み。")
        elif state == "rejected":
            selection.reject(session, assessment, user=approver, note="利用者データの保護が不十分なため否認。")
    ctx.setdefault("selection", {})["done"] = True
