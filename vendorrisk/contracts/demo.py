"""Demo contracts, written here and checked on load: a complete Word contract for the core
ledger, two versions of the eKYC contract (the second closes gaps), an English e-mail
delivery contract with gaps, one of them confirmed by compliance (raising a finding), and a
scanned contract for the security monitoring (``demo_scan.pdf``: one page, an image without
text, 80 KB), queued for OCR — read when the scheduler or ``vendorrisk contracts ocr`` runs,
never while the demo loads. The scan was made once with the tests' PDF writer:
``scanned_copy(contract_pdf(contract_text(SCAN, SCAN_TITLE), "ja", title=SCAN_TITLE, drawn=True), dpi=150)``."""
import io
from pathlib import Path

import docx
from sqlmodel import Session, select

from vendorrisk.contracts import service
from vendorrisk.contracts.models import ClauseCheck

ARTICLES_JA = {
    "scope": ("業務の範囲及び責任分担", "委託業務の内容は別紙仕様書に定めるとおりとし、甲及び乙の役割及び責任の分担は別紙の責任分担表による。"),
    "law": ("法令等の遵守", "乙は、資金決済に関する法律その他の関係法令及び協会の規則を遵守する。"),
    "sla": ("サービスレベル", "乙は別紙のサービスレベル合意（SLA）を遵守し、月間稼働率99.9%以上を維持する。重大障害の目標復旧時間は4時間とする。"),
    "security": ("情報セキュリティ", "乙は、甲の定める情報セキュリティ基準を遵守する。乙は、要員に甲の提示する遵守事項を遵守させ、年1回教育を実施する。"),
    "secret": ("秘密保持", "甲及び乙は、相手方の秘密情報を第三者に開示してはならず、本契約の目的以外に使用してはならない。"),
    "data": ("利用者データの取扱い", "乙は利用者データを日本国内にのみ保管し、契約終了時には利用者データを返還した上で消去し、消去証明書を提出する。"),
    "sub": ("再委託", "乙は、甲の事前の書面による承諾を得なければ再委託してはならない。乙は再委託先に本契約と同等の義務を負わせる。"),
    "audit": ("監査", "甲又は甲の指定する監査人は、乙の事業所に立入り監査を行うことができる。乙は金融庁による検査に協力する。"),
    "incident": ("事故の報告", "乙は、情報漏えいその他の事故を認知した場合、直ちに（24時間以内に）甲に報告し、再発防止策を講じる。"),
    "report": ("業務報告", "乙は、毎月、業務の実施状況を記載した月次報告書を甲に提出する。"),
    "bcp": ("事業継続", "乙は事業継続計画（BCP）を策定し、年1回以上BCPの訓練を行う。バックアップは別拠点に保管する。"),
    "location": ("データの保管場所", "データを保管するリージョンは日本国内に限定し、データセンターの所在地の変更は事前に甲の承諾を得る。"),
    "keys": ("暗号鍵の管理", "乙は保存時及び通信時にデータを暗号化し、暗号鍵をHSMで管理する。"),
    "exit": ("契約の解除及び移行", "甲は、乙が本契約に違反した場合、本契約を解除することができる。契約終了時、乙は後継事業者への移行に協力する。"),
}
EKYC_V1 = ["scope", "law", "secret", "data", "sub", "report", "exit"]
EKYC_V2 = EKYC_V1 + ["sla", "security", "audit", "incident", "location", "keys", "bcp"]
CORE = ["scope", "law", "sla", "security", "secret", "data", "sub", "audit", "incident", "report", "bcp", "exit"]
SCAN = ["scope", "secret", "sub", "audit", "incident", "exit"]
SCAN_TITLE = "セキュリティ監視サービス契約書"
SCAN_FILE = Path(__file__).with_name("demo_scan.pdf")

MAIL_EN = """E-MAIL DELIVERY SERVICE TERMS
Article 1 Services
The scope of the services is set out in the Order Form. The Customer is responsible for the content of messages and the Provider is responsible for delivery.
Article 2 Confidentiality
Each party shall keep the other party's Confidential Information in confidence and shall not disclose it to third parties.
Article 3 Availability
The Provider does not guarantee availability. Service levels will be agreed separately.
Article 4 Customer Data
Customer data is stored and processed in the United States. On termination the Provider shall delete customer data and provide a certificate of deletion.
Article 5 Termination
Either party may terminate these terms upon 30 days written notice.
"""


def contract_text(keys: list[str], title: str) -> str:
    """A Japanese contract made of the demo articles ``keys``, numbered 第1条…"""
    lines = [title, "株式会社サンプル決済（以下「甲」という。）と受託者（以下「乙」という。）は次のとおり契約する。"]
    for number, key in enumerate(keys, 1):
        heading, body = ARTICLES_JA[key]
        lines += [f"第{number}条（{heading}）", body]
    return "\n".join(lines) + "\n"


def contract_docx(text: str, header: str) -> bytes:
    """The contract text as a Word file with a header, as vendors send them."""
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.sections[0].header.paragraphs[0].text = header
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def load(session: Session, ctx: dict) -> None:
    """Upload and check the demo contracts; confirm one gap as a compliance reviewer."""
    arrangements, users = ctx["arrangements"], ctx["users"]
    compliance, procurement = users["compliance"], users["procurement"]
    core = contract_text(CORE, "電子決済手段 勘定系システム 開発・運用業務委託契約書")
    service.upload_version(session, arrangement_id=arrangements["core"].id, user=procurement,
                           data=contract_docx(core, "株式会社ハヤセ情報システム 契約書（写）"),
                           filename="勘定系システム業務委託契約書.docx", title="勘定系システム業務委託契約")
    for number, keys in ((1, EKYC_V1), (2, EKYC_V2)):
        service.upload_version(session, arrangement_id=arrangements["ekyc"].id, user=procurement,
                               data=contract_text(keys, "オンライン本人確認サービス利用契約書").encode("utf-8"),
                               filename=f"eKYC利用契約_v{number}.txt", title="" if number > 1 else "eKYC利用契約")
    mail = service.upload_version(session, arrangement_id=arrangements["mail"].id, user=procurement,
                                  data=MAIL_EN.encode("utf-8"), filename="メール配信サービス規約（英文）.md",
                                  title="メール配信サービス規約（英文）")
    service.upload_version(session, arrangement_id=arrangements["soc"].id, user=procurement,
                           data=SCAN_FILE.read_bytes(), filename=f"{SCAN_TITLE}（スキャン）.pdf",
                           title=f"{SCAN_TITLE}（スキャン）")
    sla = session.exec(select(ClauseCheck).where(ClauseCheck.version_id == mail.id,
                                                 ClauseCheck.clause_id == "service_levels")).one()
    service.review_check(session, check_id=sla.id, status="not_found", user=compliance,
                         comment="SLA は別途合意とされているのみ。次回更新時に稼働率と復旧時間を交渉する。")
    ctx["contracts"] = {"core": core, "mail": mail}
