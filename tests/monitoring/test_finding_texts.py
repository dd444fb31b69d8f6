"""A finding's description and closure evidence written by the product are kept as a key and
parameters (``vendors.finding_texts``), English in the text columns, and each reader sees them
in their own language; text typed by a person is kept and shown as typed."""
import csv
import io
import itertools
import zipfile
from datetime import datetime, timezone

from flask_babel import force_locale
from openpyxl import load_workbook

from tests import factories
from vendorrisk.vendors.findings import (
    Finding,
    display_closure_evidence,
    display_description,
    raise_finding,
    settle_finding,
)
from vendorrisk.vendors.models import Vendor

_refs = itertools.count(1)

JA, EN = {"Accept-Language": "ja"}, {"Accept-Language": "en"}
ANSWER = {"questionnaire": {"ja": "委託先調査票", "en": "Vendor questionnaire"}, "version": "3",
          "citation": {"ja": "第27条第3号", "en": "Art. 27(3)"},
          "question": {"ja": "再委託先を届け出ていますか。", "en": "Do you report sub-outsourcing?"},
          "answer": "いいえ", "comment": ""}
ANSWER_EN = "Vendor questionnaire (version 3), Art. 27(3)\nDo you report sub-outsourcing?\nAnswer: いいえ"
ANSWER_JA = "委託先調査票（第3版）、第27条第3号\n再委託先を届け出ていますか。\n回答：いいえ"
COVERED = {"document": "サービスレベル合意書 (v1, SLA.txt)", "where": " 第1条",
           "how": {"m": "confirmed by a reviewer", "p": {}}}
COVERED_EN = "The contract set covers the clause now: サービスレベル合意書 (v1, SLA.txt) 第1条, confirmed by a reviewer."
COVERED_JA = "契約書一式がこの条項を満たすようになりました：サービスレベル合意書 (v1, SLA.txt) 第1条（レビュー担当者が確認）。"


def _raised(db, key="questionnaire_answer", params=ANSWER, **fields) -> Finding:
    finding, _created = raise_finding(db, vendor_id=factories.gen_vendor(db).id, source="questionnaire",
                                      source_ref=f"test:{key}:{next(_refs)}", title="Flagged answer",
                                      description_key=key, description_params=params, **fields)
    return finding


def _shown(page: str, test: str) -> str:
    return page.split(f'data-test="{test}">')[1].split("</")[0]


def test_a_generated_description_is_stored_in_english_and_read_in_each_language(app, db, client, login):
    login("auditor")
    answer = _raised(db)
    condition = _raised(db, "selection_condition", {"day": "2026-12-01"})
    db.commit()
    assert (answer.description, answer.description_key) == (ANSWER_EN, "questionnaire_answer")
    assert condition.description == ("A condition of the approval of the vendor's selection (Art. 25(1)), "
                                     "approved on 2026-12-01.")
    page = client.get(f"/findings/{answer.id}", headers=JA).get_data(as_text=True)
    assert _shown(page, "finding-description") == ANSWER_JA
    page = client.get(f"/findings/{answer.id}", headers=EN).get_data(as_text=True)
    assert _shown(page, "finding-description") == ANSWER_EN
    with app.test_request_context():
        assert display_description(condition, "ja") == "外部委託先の選定承認（第25条第1項）の条件（2026-12-01 承認）。"
        assert display_description(condition, "en") == condition.description


def test_a_description_typed_by_a_person_is_shown_as_typed(app, db, client, login):
    login("auditor")
    typed, _created = raise_finding(db, vendor_id=factories.gen_vendor(db).id, source="manual", title="指摘",
                                    description="委託先の報告書に記載なし")
    db.commit()
    assert typed.description_key is None and typed.description_params == {}
    for headers in (JA, EN):
        page = client.get(f"/findings/{typed.id}", headers=headers).get_data(as_text=True)
        assert _shown(page, "finding-description") == "委託先の報告書に記載なし"


def test_saving_the_form_keeps_a_generated_description_until_a_person_rewrites_it(app, db, client, login):
    login("compliance")
    finding = _raised(db)
    db.commit()
    # the Japanese form shows the Japanese text; sent back unchanged (CRLF, as browsers do) it stays the product's
    shown = ANSWER_JA.replace("\n", "\r\n")
    assert client.post(f"/findings/{finding.id}/edit", headers=JA,
                       data={"severity": "high", "description": shown}).status_code == 302
    db.rollback()  # a fresh read of what the request committed
    db.refresh(finding)
    assert (finding.severity, finding.description_key, finding.description) == ("high", "questionnaire_answer",
                                                                               ANSWER_EN)
    assert client.post(f"/findings/{finding.id}/edit", headers=JA,
                       data={"description": "再委託先一覧の提出を求める"}).status_code == 302
    db.rollback()  # a fresh read of what the request committed
    db.refresh(finding)
    assert (finding.description, finding.description_key, finding.description_params) == ("再委託先一覧の提出を求める", None, {})
    for headers in (JA, EN):
        page = client.get(f"/findings/{finding.id}", headers=headers).get_data(as_text=True)
        assert _shown(page, "finding-description") == "再委託先一覧の提出を求める"


def test_the_products_closure_evidence_is_read_in_each_language_in_exports_too(app, db):
    from vendorrisk.compliance.evidence_pack import evidence_pack
    from vendorrisk.monitoring.exports import vendor_workbook
    finding = _raised(db)
    assert settle_finding(db, finding, evidence_key="contract_set_covered", evidence_params=COVERED, actor_id=None)
    db.commit()
    assert (finding.closure_evidence, finding.closure_evidence_key) == (COVERED_EN, "contract_set_covered")
    vendor = db.get(Vendor, finding.vendor_id)
    for language, wanted in (("ja", COVERED_JA), ("en", COVERED_EN)):
        with app.test_request_context(), force_locale(language):  # as the export job builds them
            assert display_closure_evidence(finding) == wanted
            sheet = load_workbook(io.BytesIO(vendor_workbook(db, finding.vendor_id)))[
                "指摘事項" if language == "ja" else "Findings"]
            assert sheet.cell(2, 10).value == wanted
            pack = zipfile.ZipFile(io.BytesIO(evidence_pack(db, vendor, datetime.now(timezone.utc))))
            rows = list(csv.reader(io.StringIO(pack.read("findings.csv").decode("utf-8-sig"))))
            # the headers are in the starter's language too: the closure evidence is the last column
            assert [row[-1] for row in rows[1:]] == [wanted]


def test_a_person_closing_a_finding_keeps_their_own_words(app, db, client, login):
    from vendorrisk.monitoring import findings as monitoring
    owner, verifier = factories.gen_user(db, role="procurement"), factories.gen_user(db, role="compliance")
    finding = _raised(db, owner_id=owner.id)
    finding.action_plan = "再委託先一覧を受領する"
    db.flush()
    monitoring.move_finding(db, finding, owner, "resolved")
    monitoring.move_finding(db, finding, verifier, "closed", evidence="一覧を受領した")
    db.commit()
    assert (finding.closure_evidence, finding.closure_evidence_key) == ("一覧を受領した", None)
    with app.test_request_context():
        assert display_closure_evidence(finding, "en") == display_closure_evidence(finding, "ja") == "一覧を受領した"


def test_the_migration_adds_the_keys_and_existing_findings_keep_their_text(app, db):
    from alembic import command
    from sqlalchemy import inspect, text

    from vendorrisk.core import migrate
    finding = _raised(db)
    finding_id = finding.id
    db.commit()
    db.close()
    engine = app.extensions["vendorrisk.engine"]
    engine.dispose()
    added = {"description_key", "description_params", "closure_evidence_key", "closure_evidence_params"}

    def columns():
        with engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns("finding")}
    command.downgrade(migrate.alembic_config(app), "0025_start_page_indexes")
    assert not columns() & added
    migrate.upgrade(app)
    assert added <= columns()
    with engine.connect() as connection:
        row = connection.execute(text("SELECT description, description_key, closure_evidence_key FROM finding "
                                      "WHERE id = :id"), {"id": finding_id}).one()
    assert tuple(row) == (ANSWER_EN, None, None)
    kept = db.get(Finding, finding_id)
    assert kept.description_params == {} and kept.closure_evidence_params == {}
    with app.test_request_context():
        assert display_description(kept, "ja") == ANSWER_EN  # no key: shown as stored
