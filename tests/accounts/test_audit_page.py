"""The audit trail as an auditor reads it: who did what to which record, field by field,
labels in the reader's language, long values folded, filterable by record."""
import re

from sqlmodel import select

from tests import factories
from vendorrisk.vendors.findings import Finding

JA = {"Accept-Language": "ja"}


def test_auditor_reads_who_changed_what_field_by_field(client, login, db, app):
    vendor = factories.gen_vendor(db, name="株式会社監査対象", country="JP")
    other = factories.gen_vendor(db, name="株式会社ほかの会社")
    db.commit()
    editor = login("compliance")
    long_note = "長い備考。" * 2000  # 10,000 characters
    client.post(f"/vendors/{vendor.id}/edit", data={"name": "株式会社監査対象", "country": "SG", "notes": long_note})
    client.post(f"/vendors/{other.id}/edit", data={"name": "株式会社ほかの会社", "country": "US"})
    login("auditor")
    page = client.get(f"/audit/?entity=vendor&entity_id={vendor.id}", headers=JA).get_data(as_text=True)
    assert "株式会社ほかの会社" not in page  # filtered to the one record
    rows = re.findall(r'<tr data-entry="\d+">(.*?)</table>\s*</td>\s*</tr>', page, re.S)
    row = next(r for r in rows if "<th>国</th>" in r)
    assert editor.display_name in row and "変更" in row and "外部委託先 番号" in row and "株式会社監査対象" in row
    assert re.search(r"<th>国</th>\s*<td class=\"before\">JP</td><td>→ SG</td>", row)
    # the 10,000-character note is folded: its start is shown, the rest opens on demand
    fold = re.search(r'<details class="fold"><summary>(.*?)</summary>', row, re.S).group(1)
    assert fold.startswith("長い備考。") and len(fold) < 100
    for leak in ("vendor ", "outsourcing_link", "name_normalized", '{"', "update"):
        assert leak not in re.sub(r"<[^>]+>", " ", row), leak
    english = client.get(f"/audit/?entity=vendor&entity_id={vendor.id}", headers={"Accept-Language": "en"})
    text = english.get_data(as_text=True)
    assert "Record changed" in text and "<th>Country</th>" in text


def test_filters_offer_kinds_of_record_actions_and_people(client, login, db):
    login("compliance")
    page = client.get("/audit/", headers=JA).get_data(as_text=True)
    for value, label in (("outsourcing_link", "再委託"), ("remove_link", "再委託の削除（理由付き）"), ("system", "システム")):
        assert re.search(rf'<option value="{value}"\s*>{label}</option>', page), value


def test_every_kind_of_record_and_field_has_words(app):
    """The trail names each kind of record and each field in the reader's language: no
    「その他の記録」 for a 反社会的勢力チェック or a risk acceptance, no 「その他の項目」."""
    from sqlmodel import SQLModel

    from vendorrisk.accounts.audit_labels import ENTITIES, FIELDS, HIDDEN
    from vendorrisk.core.audit import NOT_AUDITED
    tables = {name: table for name, table in SQLModel.metadata.tables.items() if name not in NOT_AUDITED}
    assert sorted(set(tables) - set(ENTITIES)) == []
    unnamed = [f"{name}.{column.name}" for name, table in tables.items() for column in table.columns
               if column.name not in FIELDS and column.name not in HIDDEN]
    assert unnamed == []


def test_a_findings_history_reads_as_a_change_of_status(client, login, db):
    """A finding's history step shows its status before and after (not 「委託元」/「委託先」,
    the words of a chain) and what the step was, in Japanese."""
    vendor = factories.gen_vendor(db, name="株式会社履歴")
    db.commit()
    login("compliance")
    client.post("/findings/new", data={"vendor_id": vendor.id, "title": "手順書の改訂待ち", "severity": "low"})
    finding = db.exec(select(Finding).where(Finding.vendor_id == vendor.id)).one()
    client.post(f"/findings/{finding.id}/move", data={"status": "in_progress", "note": "着手"})
    login("auditor")
    page = client.get("/audit/?entity=finding_event", headers=JA).get_data(as_text=True)
    rows = re.findall(r'<tr data-entry="\d+">(.*?)</table>\s*</td>\s*</tr>', page, re.S)
    moved = next(r for r in rows if "着手" in r)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", moved))
    assert "変更前のステータス 未対応" in text and "変更後のステータス 対応中" in text
    assert "委託元" not in text and "委託先" not in text
    assert "ステータス変更" in text and " status " not in text


def test_an_export_reads_in_words_and_no_two_kinds_of_record_share_a_name(client, login, db, app):
    """An auditor reading the trail of an evidence pack saw 「種類 evidence_pack」「言語 ja」
    「ステータス queued」; the record filter offered 「外部委託台帳」 and 「質問票の回答」 twice each."""
    from vendorrisk.accounts.audit_labels import ENTITIES
    vendor = factories.gen_vendor(db, name="株式会社証跡")
    db.commit()
    login("compliance")
    client.get(f"/compliance/vendors/{vendor.id}/evidence-pack.zip", headers=JA)  # the job is queued
    login("auditor")
    page = client.get("/audit/?entity=export_job", headers=JA).get_data(as_text=True)
    rows = re.findall(r'<tr data-entry="\d+">(.*?)</table>\s*</td>\s*</tr>', page, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[0]))
    assert "種類 証跡パッケージ" in text and "言語 日本語" in text and "ステータス 開始待ち" in text
    assert "指定内容 外部委託先: 株式会社証跡" in text  # the pack's vendor by name, not {"vendor_id": 1}
    for raw in ("evidence_pack", " ja ", "queued"):
        assert raw not in text, raw
    with app.test_request_context(headers=JA):
        names = [str(label) for label in ENTITIES.values()]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_technical_values_show_as_code_and_a_downloads_format_in_words(client, login, db):
    """A requests client's sign-in and downloads left 「python-requests」 and 「docx」 on the page
    as if they were English prose (the page walk failed for every Japanese reader of the trail):
    a file's kind reads in words, a browser, file name, media type, address and fingerprint
    show as code marked English; the CSV export keeps the values as recorded, without markup."""
    from tests.browser import pagemap
    from vendorrisk.core import audit
    agent = "python-requests/2.32.3"
    audit.add_event(db, action="create", entity="user_session", entity_id=7,
                    after={"user_agent": agent, "remote_addr": "127.0.0.1", "second_factor": False})
    audit.add_event(db, action="download", entity="selection_assessment", entity_id=3, after={"format": "docx"})
    audit.add_event(db, action="download", entity="stored_file", entity_id=4,
                    after={"filename": "evidence-report.pdf", "media_type": "application/pdf", "sha256": "ab" * 32})
    audit.add_event(db, action="denied", entity="route", entity_id="/admin/users",
                    after={"method": "GET", "path": "/admin/users/new", "role": "auditor",
                           "note": "https://example.com/ticket/12"})
    audit.add_event(db, action="send", entity="questionnaire_campaign", entity_id=5,
                    after={"emails": ["sales@vendor.example"]})
    db.commit()
    reader = login("auditor")
    page = client.get("/audit/", headers=JA).get_data(as_text=True).replace(reader.display_name, "")  # data
    rows = "".join(re.findall(r'<table class="changes">(.*?)</table>', page, re.S))  # the values recorded
    assert re.search(r'<code lang="en">\[\s*&#34;sales@vendor.example&#34;\s*\]</code>', rows)
    for code in ("127.0.0.1", "evidence-report.pdf", "application/pdf", "/admin/users/new",
                 "https://example.com/ticket/12"):
        assert f'<code lang="en">{code}</code>' in rows, code
    # the browser by its short name, the full user agent as its tooltip (as on the sessions page)
    assert f'<code lang="en" title="{agent}">python-requests</code>' in rows
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r'<code lang="en"[^>]*>.*?</code>', " ", rows)))
    assert "形式 Word 文書" in text
    assert pagemap.english_in_japanese(text) == []  # what the page walk checks, marked English left out
    csv = client.get("/audit/export.csv").get_data(as_text=True)
    assert agent in csv and '""format"": ""docx""' in csv and "<code" not in csv


def test_a_keyed_text_changed_with_its_key_unchanged_reads_in_the_readers_language(client, login, db):
    """A title the product wrote (its key unchanged, its parameters and English changed) showed
    the stored English on the page: the entry held the title and its parameters, not the key.
    The trail now records a keyed text's key and parameters beside it whenever one of them
    changes, and the page renders both sides in the reader's language."""
    from vendorrisk.vendors.findings import Finding
    vendor = factories.gen_vendor(db, name="株式会社選定")
    db.commit()

    def condition(ja, en):
        return {"title": f"Selection condition: {en}", "title_key": "selection_condition",
                "title_params": {"condition": {"ja": ja, "en": en}}}

    finding = Finding(vendor_id=vendor.id, severity="low", **condition("暗号化の確認", "Check the encryption"))
    db.add(finding)
    db.commit()
    for name, value in condition("鍵管理の確認", "Check the key management").items():
        setattr(finding, name, value)
    db.add(finding)
    db.commit()
    finding.title_params = condition("鍵の管理方法の確認", "Check the key management")["title_params"]
    db.add(finding)  # only the parameters change: the English title is the same
    db.commit()
    login("auditor")
    page = client.get(f"/audit/?entity=finding&entity_id={finding.id}&action=update", headers=JA)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
    assert "選定の条件：暗号化の確認 → 選定の条件：鍵管理の確認" in text
    assert "選定の条件：鍵管理の確認 → 選定の条件：鍵の管理方法の確認" in text
    assert "Check the" not in text


def test_a_field_reads_as_what_it_means_in_its_kind_of_record(client, login, db):
    """A refused request's HTTP method was labelled 「実施方法」 (how an anti-social forces check
    was done), a contact's job title 「件名」, the links a register import read 「根拠」: one
    field name, several meanings. Each kind of record now names its own (per-entity labels,
    words of codes and code marking); the others keep the common ones."""
    from vendorrisk.core import audit
    audit.add_event(db, action="denied", entity="route", entity_id="/admin/users",
                    after={"method": "POST", "path": "/admin/users/new", "role": "auditor"})
    audit.add_event(db, action="create", entity="antisocial_check", entity_id=8,
                    after={"method": "database", "result": "clear"})
    audit.add_event(db, action="create", entity="vendor_contact", entity_id=9, after={"title": "営業部長"})
    audit.add_event(db, action="import", entity="register", after={"vendors": 2, "links": 3})
    audit.add_event(db, action="create", entity="monitoring_review", entity_id=10, after={"method": "remote"})
    audit.add_event(db, action="findings_passed_on", entity="user_account", entity_id=12, after={"findings": 3})
    db.commit()
    login("auditor")
    page = client.get("/audit/", headers=JA).get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-entry="\d+">.*?<a href="/audit/\?entity=(\w+)[^"]*".*?'
                           r'<table class="changes">(.*?)</table>', page, re.S))
    text = {entity: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for entity, row in rows.items()}
    assert re.search(r'<th>HTTP メソッド</th>\s*<td colspan="2"><code lang="en">POST</code>', rows["route"])
    assert "実施方法" not in text["route"]
    assert "実施方法 データベース検索" in text["antisocial_check"]
    assert "役職 営業部長" in text["vendor_contact"] and "件名" not in text["vendor_contact"]
    assert "再委託 3 件" in text["register"] and "外部委託先 2 件" in text["register"] and "根拠" not in text["register"]
    assert "実施方法" in text["monitoring_review"]
    assert text["user_account"] == "指摘事項 3 件"  # what an event records has words too, not 「その他の項目」


def test_an_exports_options_show_each_technical_value_as_code(client, login, db):
    """An export's chosen options were joined into one line of text, so a DORA template's id
    inside them read as prose: each option now shows by its name, its value marked as code
    when ``technical`` says so (a vendor by name stays prose)."""
    from vendorrisk.core import audit
    vendor = factories.gen_vendor(db, name="株式会社選択肢")
    db.flush()
    audit.add_event(db, action="create", entity="export_job", entity_id=11,
                    after={"kind": "dora", "params": {"template": "eba_its_2024", "vendor_id": vendor.id}})
    db.commit()
    login("auditor")
    page = client.get("/audit/?entity=export_job", headers=JA).get_data(as_text=True)
    row = re.search(r'<th>指定内容</th>\s*<td colspan="2">(.*?)</td>', page, re.S).group(1)
    assert row == 'テンプレート: <code lang="en">eba_its_2024</code>、外部委託先: 株式会社選択肢', row


def test_a_folded_values_summary_is_marked_as_its_full_value(client, login, db):
    """A value longer than ``FOLD_AT`` shows its start until unfolded. An export's options so
    long showed their start as plain text, a DORA template's id read as prose in it: the
    summary now marks code as the full value does (a URL, each option that is code)."""
    from vendorrisk.accounts.audit_view import FOLD_AT
    from vendorrisk.core import audit
    vendor = factories.gen_vendor(db, name="株式会社折り畳み")
    db.flush()
    template = "eba_its_" + "x" * FOLD_AT
    audit.add_event(db, action="create", entity="export_job", entity_id=13,
                    after={"kind": "dora", "params": {"template": template, "vendor_id": vendor.id}})
    audit.add_event(db, action="denied", entity="route", entity_id="/admin/users",
                    after={"path": "/admin/users", "note": "https://example.com/" + "t" * FOLD_AT})
    db.commit()
    login("auditor")
    page = client.get("/audit/", headers=JA).get_data(as_text=True)
    summaries = dict(re.findall(r'<th>([^<]*)</th>\s*<td colspan="2"><details class="fold"><summary>(.*?)…</summary>',
                                page, re.S))
    assert summaries["指定内容"] == f'テンプレート: <code lang="en">{template[:80 - len("テンプレート: ")]}</code>'
    assert re.fullmatch(r'<code lang="en">https://example\.com/t+</code>', summaries["備考"]), summaries["備考"]


def test_a_register_imports_numbers_read_as_counts(client, login, db):
    """A register import's entry read 「再委託 3」, as if it named link No. 3: its numbers of
    vendors, arrangements and links read as counts, as the import's own report says them
    (「再委託 3 件」; in English the label then the number, "links: 3"). A field of the same
    name that is no count in another kind of record is left alone."""
    from vendorrisk.core import audit
    audit.add_event(db, action="import", entity="register",
                    after={"file": "台帳.xlsx", "vendors": 2, "arrangements": 1, "links": 3})
    audit.add_event(db, action="create", entity="route", entity_id="/x", after={"links": 4})
    db.commit()
    login("auditor")
    for headers, counts, other in ((JA, ("外部委託先 2 件", "委託業務 1 件", "再委託 3 件"), "根拠 4"),
                                   ({"Accept-Language": "en"}, ("Vendors 2", "Arrangements 1", "Sub-outsourcing links 3"),
                                    "Proof 4")):
        page = client.get("/audit/", headers=headers).get_data(as_text=True)
        rows = dict(re.findall(r'<tr data-entry="\d+">.*?<a href="/audit/\?entity=(\w+)[^"]*".*?'
                               r'<table class="changes">(.*?)</table>', page, re.S))
        text = {entity: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for entity, row in rows.items()}
        assert all(count in text["register"] for count in counts), text["register"]
        assert text["route"] == other
    csv = client.get("/audit/export.csv").get_data(as_text=True)
    assert '""links"": 3' in csv and "件" not in csv  # the export keeps the values as recorded


def test_a_campaigns_vendors_read_by_name(client, login, db):
    """A questionnaire campaign records the vendors it was sent to as ids under ``vendors``
    (a register import's ``vendors`` is a count): the page names them, as it names a gap's."""
    from vendorrisk.core import audit
    first, second = factories.gen_vendor(db, "Alpha Cloud 株式会社"), factories.gen_vendor(db, "Beta Hosting")
    audit.add_event(db, action="send", entity="questionnaire_campaign", entity_id="7",
                    after={"template": "base", "vendors": [first.id, second.id]})
    db.commit()
    login("auditor")
    page = client.get("/audit/?entity=questionnaire_campaign", headers=JA).get_data(as_text=True)
    assert "Alpha Cloud 株式会社、Beta Hosting" in page


def test_a_reviews_checks_read_as_the_review_page_names_them(client, login, db):
    """A monitoring review's checks (service levels, incidents…) show each by its name and its
    result in words, with the note — not as the stored JSON of check ids."""
    from datetime import date

    from vendorrisk.monitoring.models import MonitoringReview
    vendor = factories.gen_vendor(db, name="株式会社点検先")
    db.add(MonitoringReview(vendor_id=vendor.id, due_date=date(2026, 4, 13), status="completed",
                            checks={"service_levels": {"result": "ok", "note": ""},
                                    "sub_outsourcing_changes": {"result": "issue", "note": "保管先を事前通知なく変更"},
                                    "data_locations": {"result": "not_applicable", "note": ""}}))
    db.commit()
    login("auditor")
    page = client.get("/audit/?entity=monitoring_review", headers=JA).get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "サービス水準の達成: 問題なし" in text
    assert "再委託先の変更: 問題あり（保管先を事前通知なく変更）" in text
    assert "利用者データの所在: 対象外" in text
    for leak in ("service_levels", "sub_outsourcing_changes", '"result"', "not_applicable"):
        assert leak not in page, leak
    english = client.get("/audit/?entity=monitoring_review", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Changes in sub-outsourcing: issue (保管先を事前通知なく変更)" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", english))


def test_an_assessments_criteria_read_by_name_not_as_json(client, login, db, app):
    """The criteria snapshot of a selection assessment shows its sets and each criterion by
    name, article, weight and knock-out, in the reader's language — not the stored JSON."""
    from vendorrisk.selection.service import create_assessment
    vendor = factories.gen_vendor(db, name="株式会社選定先")
    preparer = factories.gen_user(db, role="procurement")
    with app.test_request_context():
        create_assessment(db, vendor_id=vendor.id, user=preparer)
    db.commit()
    login("auditor")
    page = client.get("/audit/?entity=selection_assessment", headers=JA).get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "選定基準: 外部委託先 選定基準（標準）（第1版）" in text
    assert re.search(r"GEN-FIN 財務健全性: 第25条第1項 · 重み \d", text), text
    for leak in ('"criteria"', '"weight"', '"scale"', "&#34;criteria&#34;", "&quot;criteria&quot;"):
        assert leak not in page, leak
    english = client.get("/audit/?entity=selection_assessment", headers={"Accept-Language": "en"})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", english.get_data(as_text=True)))
    assert re.search(r"GEN-FIN [A-Za-z][^:]*: Art\. 25\(1\) · weight \d", text), text


def test_a_contract_files_kind_reads_in_words(client, login, db):
    """A stored contract version's ``file_kind`` (``doc``, ``rtf``, ``tiff``…) read as a code on the
    Japanese trail; it reads as the upload form names the kinds."""
    from tests.browser import pagemap
    from vendorrisk.core import audit
    for version, kind in enumerate(("doc", "rtf", "tiff", "html"), 1):
        audit.add_event(db, action="create", entity="contract_version", entity_id=version, after={"file_kind": kind})
    db.commit()
    reader = login("auditor")
    page = client.get("/audit/", headers=JA).get_data(as_text=True).replace(reader.display_name, "")  # data
    rows = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", "".join(re.findall(r'<table class="changes">(.*?)</table>',
                                                                            page, re.S))))
    for words in ("ファイルの種類 Word 97–2003 文書", "ファイルの種類 RTF 文書", "ファイルの種類 TIFF 画像",
                  "ファイルの種類 ウェブページ（HTML）"):
        assert words in rows, words
    assert pagemap.english_in_japanese(rows) == []
