"""Demo vendors, arrangements and their chains (3-4 tiers, Japanese and English): the print
centre hands delivery to a courier at tier 4, so the tree shows depth."""
from datetime import timedelta

from sqlmodel import Session, select

from vendorrisk.core import business_days, storage
from vendorrisk.core.uploads import Upload
from vendorrisk.vendors import chains as chain_service
from vendorrisk.vendors.kana import reading_key
from vendorrisk.vendors.models import (
    AntisocialCheck,
    Arrangement,
    DataLocation,
    OutsourcingLink,
    Vendor,
    VendorContact,
    VendorOwner,
)
from vendorrisk.vendors.service import create_vendor, normalise_name

# Invented companies (no real company is named next to the demo's findings and gaps).
# key, name, name_en, corporate number (valid check digits), country, cloud, subsidiary, status
VENDORS = [
    ("fjsys", "株式会社ハヤセ情報システム", "Hayase Information Systems Co., Ltd.", "1010001000006", "JP", False, True, "approved"),
    ("sakura_dc", "常磐台データセンター株式会社", "Tokiwadai Data Center K.K.", "3010401000009", "JP", False, False, "approved"),
    ("aws", "雲海クラウド合同会社", "Unkai Cloud G.K.", "1011001000004", "JP", True, False, "approved"),
    ("azure", "株式会社ソラノ基盤", "Sorano Platform Co., Ltd.", "1010401000002", "JP", True, False, "approved"),
    ("kyc", "株式会社ミトメル本人確認", "Mitomeru Identity K.K.", "7010001000000", "JP", True, False, "conditionally_approved"),
    ("kyc_ops", "株式会社ツムギ業務サポート", "Tsumugi Operations Support Co., Ltd.", "9010001000007", "JP", False, False, "under_assessment"),
    ("bpo_ph", "マニラ湾バックオフィス・サービシズ社", "Manila Bay Back Office Services Inc.", None, "PH", False, False, "prospect"),
    ("wallet", "株式会社カギノテ・ウォレット", "Kaginote Wallet K.K.", "8010001000008", "JP", False, False, "approved"),
    ("hsm", "テムズ鍵管理サービス社", "Thames Key Services Ltd.", None, "GB", True, False, "approved"),
    ("soc", "株式会社ヨミチ監視センター", "Yomichi Monitoring Center Co., Ltd.", "3010001000004", "JP", False, False, "approved"),
    ("soc_tool", "ログリバー社", "LogRiver Inc.", None, "US", True, False, "under_assessment"),
    ("mail", "株式会社ツバメ配信", "Tsubame Messaging Co., Ltd.", "1011101012345", "JP", True, False, "approved"),
    ("print", "株式会社シロガネ帳票センター", "Shirogane Forms Center Co., Ltd.", None, "JP", False, False, "prospect"),
]

# key, vendor, title, service, important, cloud, user data, categories, end in days, locations
ARRANGEMENTS = [
    ("core", "fjsys", "電子決済手段 勘定系システムの開発・運用", "勘定系システムの開発・保守・運用",
     True, False, True, ["氏名", "住所", "取引履歴"], 400, [("JP", "東京")]),
    ("ekyc", "kyc", "オンライン本人確認 (eKYC)", "オンラインでの本人確認（書類・顔画像の照合）", True, True, True,
     ["本人確認書類", "顔画像"], 75, [("JP", "東京")]),
    ("wallet", "wallet", "ウォレット管理システム", "ウォレットの管理と暗号鍵の保管", True, False, True,
     ["ウォレットアドレス"], 700, [("JP", "大阪")]),
    ("soc", "soc", "セキュリティ監視 (SOC)", "24時間365日のセキュリティ監視", True, False, False, [], 200, []),
    ("mail", "mail", "取引通知メール配信", "取引通知メールの配信", False, True, True,
     ["メールアドレス"], 25, []),
]

# arrangement, parent, child, service, user data, approval, locations
LINKS = [
    ("core", "fjsys", "sakura_dc", "データセンター運用", True, "approved", [("JP", "東京")]),
    ("core", "fjsys", "aws", "クラウド基盤 (DR)", True, "approved", [("JP", "ap-northeast-3")]),
    ("core", "sakura_dc", "print", "帳票印刷", True, "unapproved", []),
    ("ekyc", "kyc", "kyc_ops", "目視確認業務", True, "approved", [("JP", "福岡")]),
    ("ekyc", "kyc_ops", "bpo_ph", "夜間目視確認", True, "unapproved", [("PH", "マニラ")]),
    ("ekyc", "kyc", "azure", "顔認証基盤", True, "approved", [("JP", "japaneast")]),
    ("wallet", "wallet", "hsm", "鍵管理 HSM", False, "approved", []),
    ("wallet", "hsm", "aws", "クラウドHSM基盤", False, "pending", []),
    ("soc", "soc", "soc_tool", "ログ分析SaaS", False, "approved", []),
    ("soc", "soc_tool", "aws", "ホスティング", False, "unapproved", []),
    ("mail", "mail", "aws", "メール送信基盤", True, "approved", [("US", "us-east-1")]),
]

# フリガナ and representative (代表者) of the Japanese demo vendors.
JAPANESE = {
    "fjsys": ("ハヤセジョウホウシステム", "代表取締役社長 早瀬 一郎"),
    "sakura_dc": ("トキワダイデータセンター", "代表取締役 常盤 恵子"),
    "aws": ("ウンカイクラウド", "職務執行者 雲井 拓也"),
    "azure": ("ソラノキバン", "代表取締役 空野 誠"),
    "kyc": ("ミトメルホンニンカクニン", "代表取締役 見留 花子"),
    "kyc_ops": ("ツムギギョウムサポート", "代表取締役 紬 健太"),
    "wallet": ("カギノテ・ウォレット", "代表取締役 鍵野 翔"),
    "soc": ("ヨミチカンシセンター", "代表取締役 夜道 聡"),
    "mail": ("ツバメハイシン", "代表取締役 燕 由美"),
    "print": ("シロガネチョウヒョウセンター", "代表取締役 白銀 正"),
}
# Vendors whose 反社会的勢力チェック is on record (days ago), and one falling due soon.
CHECKED_DAYS_AGO = {"fjsys": 120, "sakura_dc": 200, "aws": 90, "azure": 150, "kyc": 60, "kyc_ops": 30,
                    "wallet": 100, "hsm": 80, "soc": 345, "mail": 40, "soc_tool": 20}
CONTACTS = {"kyc": ("見留 花子", "compliance@mitomeru.example.jp"), "wallet": ("鍵野 翔", "security@kaginote.example.jp"),
            "soc": ("夜道 聡", "contact@yomichi.example.jp"), "mail": ("燕 由美", "info@tsubame.example.jp")}

OWNERS = {"fjsys": "owner", "kyc": "owner", "wallet": "owner2", "soc": "owner2", "mail": "owner",
          "sakura_dc": "owner", "aws": "owner2", "kyc_ops": "owner"}


def _load_portfolio(session: Session, ctx: dict) -> None:
    """Create the demo vendors, arrangements, chains (3-4 tiers) and owners."""
    today = ctx["today"]
    for key, name, name_en, number, country, cloud, subsidiary, status in VENDORS:
        vendor = Vendor(name=name, name_en=name_en, corporate_number=number, country=country,
                        is_cloud=cloud, is_system_subsidiary=subsidiary, status=status,
                        name_normalized=name, kana_key=reading_key("", normalise_name(name)))
        session.add(vendor)
        ctx["vendors"][key] = vendor
    session.flush()
    session.add(VendorContact(vendor_id=ctx["vendors"]["fjsys"].id, name="山田 太郎",
                              email="yamada@hayase-is.example.jp", title="営業部長"))
    for key, (person, email) in CONTACTS.items():
        session.add(VendorContact(vendor_id=ctx["vendors"][key].id, name=person, email=email, title="ご担当者"))
    for key, (kana, representative) in JAPANESE.items():
        vendor = ctx["vendors"][key]
        vendor.name_kana, vendor.representative = kana, representative
        vendor.kana_key = reading_key(kana, vendor.name_normalized)
    for index, (key, days) in enumerate(CHECKED_DAYS_AGO.items()):
        due = business_days.on_or_before(today - timedelta(days=days) + timedelta(days=365))
        check = AntisocialCheck(
            vendor_id=ctx["vendors"][key].id, checked_on=today - timedelta(days=days), method="database",
            result="clear", next_due=due.day, nominal_next_due=due.nominal,
            evidence_text="商業登記・新聞記事データベース検索（反社・暴力団関連の記事なし）。表明確約書を受領済み。",
            checked_by_id=ctx["users"]["compliance"].id)
        if index == 0:  # the search result kept as a file, as a checker would attach it
            stored, _same = storage.store(session, Upload("検索語: 社名・代表者名 / 該当記事: 0件\n".encode(),
                                                         "反社チェック_検索結果.txt", "txt", "text/plain"))
            check.evidence_file_id, check.evidence_filename = stored.id, "反社チェック_検索結果.txt"
        session.add(check)
    for key, vendor_key, title, service, important, cloud, user_data, categories, end_days, locations in ARRANGEMENTS:
        arrangement = Arrangement(vendor_id=ctx["vendors"][vendor_key].id, title=title, service=service,
                                  business_function=service, is_important=important, is_cloud=cloud,
                                  handles_user_data=user_data, user_data_categories=categories,
                                  start_date=today - timedelta(days=700), end_date=today + timedelta(days=end_days),
                                  notice_period_days=90, exit_plan="" if key == "mail" else "移行計画書 v1 参照")
        session.add(arrangement)
        session.flush()
        ctx["arrangements"][key] = arrangement
        for country, region in locations:
            session.add(DataLocation(arrangement_id=arrangement.id, country=country, region=region))
    for arr_key, parent, child, service, user_data, approval, locations in LINKS:
        link = OutsourcingLink(
            arrangement_id=ctx["arrangements"][arr_key].id, parent_vendor_id=ctx["vendors"][parent].id,
            vendor_id=ctx["vendors"][child].id, service=service, touches_user_data=user_data,
            approval_status=approval,
            approval_basis="prior_consent" if approval == "approved" else None,
            approved_on=today - timedelta(days=300) if approval == "approved" else None,
            approved_by_id=ctx["users"]["compliance"].id if approval == "approved" else None)
        session.add(link)
        session.flush()
        for country, region in locations:
            session.add(DataLocation(link_id=link.id, country=country, region=region))
    for vendor_key, user_key in OWNERS.items():
        session.add(VendorOwner(vendor_id=ctx["vendors"][vendor_key].id, user_id=ctx["users"][user_key].id))
    session.flush()


def load(session: Session, ctx: dict) -> None:
    """The demo portfolio; then normalised names, a courier at tier 4 and a second path to the cloud."""
    _load_portfolio(session, ctx)
    for vendor in session.exec(select(Vendor)):
        vendor.name_normalized = normalise_name(vendor.name)
    session.flush()
    vendors, arrangements = ctx["vendors"], ctx["arrangements"]
    courier = create_vendor(session, {"name": "株式会社アシタカ配送", "name_en": "Ashitaka Logistics Co., Ltd.",
                                      "corporate_number": "5010001000002", "country": "JP"})
    vendors["courier"] = courier
    core = arrangements["core"]
    chain_service.add_link(session, core, {"parent_vendor_id": vendors["print"].id,
                                                  "vendor_id": courier.id, "service": "帳票配送",
                                                  "touches_user_data": True})
    chain_service.add_link(session, core, {"parent_vendor_id": vendors["sakura_dc"].id,
                                           "vendor_id": vendors["aws"].id, "service": "バックアップ保管"})
