"""Demo questionnaire responses: a vendor answering twice (to compare), a cloud provider,
and an eKYC vendor whose answers raise findings and list subcontractors to review."""
from datetime import datetime, time, timedelta, timezone

from flask import current_app
from sqlmodel import Session

from vendorrisk.core.uploads import inspect_upload
from vendorrisk.questionnaires import service
from vendorrisk.questionnaires.template_files import get_template
from vendorrisk.questionnaires.workbook import questionnaire_workbook


def _good(question):
    labels = {c.value: c.label for c in question.choices}
    if question.choices:
        return labels[question.expected[0]] if question.expected else question.choices[0].label
    return {"number": 30, "date": "2026-03-31"}.get(question.type, "情報セキュリティ部 部長")


def _import(session, ctx, vendor_key, template_id, overrides, subcontractors=(), days_ago=0):
    vendor = ctx["vendors"][vendor_key]
    template = get_template(template_id)
    answers = {q.id: _good(q) for q in template.questions}
    answers.update(overrides)
    key = service.signing_key(current_app.config["SECRET_KEY"])
    data = questionnaire_workbook(template, vendor.id, vendor.name, key, answers=answers,
                                  subcontractors=subcontractors)
    upload = inspect_upload(data, f"{template.title_ja}回答_{vendor.name}.xlsx", {"xlsx"})
    result = service.import_response(session, vendor_id=vendor.id, upload=upload, key=key,
                                     user_id=ctx["users"]["compliance"].id)
    when = datetime.combine(ctx["today"] - timedelta(days=days_ago), time(10, 0), tzinfo=timezone.utc)
    result.response.created_at = when
    session.add(result.response)
    session.flush()
    return result.response


def load(session: Session, ctx: dict) -> None:
    """Import the demo responses through the same service as real uploads."""
    _import(session, ctx, "fjsys", "general_outsourcing",
            {"SUB-02": "いいえ / No", "GEN-03": "依頼時のみ / Only on request"}, days_ago=380)
    _import(session, ctx, "fjsys", "general_outsourcing", {"GEN-03": "毎月報告 / Reported monthly"},
            subcontractors=[("常磐台データセンター株式会社", "3010401000009", "JP", "データセンター運用",
                             "はい / Yes", "JP Tokyo")], days_ago=12)
    _import(session, ctx, "aws", "cloud_services",
            {"CLD-01": "日本 / Japan; 米国 / United States", "CLD-15": "貴社（事業者）が管理 / You (the provider)"},
            days_ago=40)
    _import(session, ctx, "kyc", "general_outsourcing",
            {"DAT-03": "日本 / Japan; その他 / Other", "DAT-05": "いいえ / No", "ASR-03": "はい / Yes"},
            subcontractors=[("株式会社ツムギ業務サポート", "9010001000007", "JP", "目視確認業務", "はい / Yes", "JP Fukuoka"),
                            ("マニラ湾バックオフィス・サービシズ社", "", "PH", "夜間目視確認", "はい / Yes", "PH Manila"),
                            ("ライオンシティ電子署名社", "", "SG", "電子署名基盤", "いいえ / No", "SG")],
            days_ago=3)
    _campaign(session, ctx)


def _campaign(session, ctx: dict) -> None:
    """A campaign to the vendors with a contact address (the sweep sends its e-mails)."""
    from vendorrisk.questionnaires import campaigns
    vendor_ids = [ctx["vendors"][key].id for key in ("kyc", "wallet", "soc", "mail")]
    campaigns.create_campaign(session, {"title": "2026年度 定期モニタリング質問票", "template_id": "general_outsourcing",
                                        "due_date": ctx["today"] + timedelta(days=20), "vendor_ids": vendor_ids,
                                        "message": "昨年度からの変更点を中心にご回答ください。"},
                              ctx["users"]["compliance"], service.signing_key(current_app.config["SECRET_KEY"]),
                              today=ctx["today"])
