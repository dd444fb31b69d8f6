"""Exports built for real and parsed back: Excel, Word, the evidence-pack ZIP and DORA CSVs."""
import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import date

from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from sqlmodel import select

from tests.helpers import assert_reads_back_like, exported, streamed_sheet_case
from vendorrisk.compliance import maintain, snapshots
from vendorrisk.core import clock, registry
from vendorrisk.core.models import AuditEntry
from vendorrisk.vendors.chains import APPROVAL_LABELS
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import APPROVAL_STATUSES, OutsourcingLink, Vendor


def test_matrix_workbook(app, client, login, db, portfolio):
    vendor = db.get(Vendor, portfolio["3"])
    vendor.name = "=HYPERLINK(\"http://evil.example\")"
    db.commit()
    login("auditor")
    response = exported(app, client, "/compliance/export/matrix.xlsx?status=gap")
    assert response.status_code == 200
    assert re.fullmatch(r"attachment; filename=compliance-matrix-\d{8}\.xlsx", response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "private, no-store"
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Matrix"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Vendor ID", "Vendor", "Vendor (English)", "Chain tier")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:N{len(rows)}"
    assert sheet.column_dimensions["M"].width == 70
    cells = sorted((r[0], r[7], r[11]) for r in rows[1:])
    assert cells == sorted([(portfolio["1"], "91-1", "gap"), (portfolio["3"], "90-1", "gap"),
                            (portfolio["4"], "90-2", "gap")])
    evil = next(r for r in rows[1:] if r[0] == portfolio["3"])
    assert evil[1] == "'=HYPERLINK(\"http://evil.example\")"
    assert [r[0] for r in book["Obligations"].iter_rows(values_only=True)] == ["Obligation ID", "90-1", "90-2", "91-1"]
    db.rollback()
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "export",
                                               AuditEntry.entity == "compliance_matrix")).first() is not None


def test_matrix_workbook_reads_in_the_starters_language_with_links_that_open(app, client, login, db, portfolio):
    app.config["BASE_URL"] = "https://vendorrisk.example.jp/"
    login("compliance")
    # the job is built after the request, by the scheduler: it keeps the language of whoever started it
    response = exported(app, client, "/compliance/export/matrix.xlsx", headers={"Accept-Language": "ja"})
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["規程充足マトリクス", "義務"]
    rows = list(book["規程充足マトリクス"].iter_rows(values_only=True))
    assert rows[0] == ("委託先ID", "外部委託先", "外部委託先（英語名）", "委託の階層", "重要", "クラウド", "利用者データ",
                       "義務ID", "条項（英語）", "条項", "義務の表題", "ステータス", "理由", "根拠")
    assert {r[11] for r in rows[1:]} <= {"充足", "不備", "対象外"} and "不備" in {r[11] for r in rows[1:]}
    assert {r[4] for r in rows[1:]} <= {"はい", "いいえ"}
    titles = {o.id: o.title_ja for o in registry.of(app).obligations.values()}
    assert all(r[10] == titles[r[7]] for r in rows[1:])
    links = [link.rsplit(": ", 1)[1] for r in rows[1:] if r[13] for link in r[13].split(" ; ")]
    assert links and all(link.startswith("https://vendorrisk.example.jp/") for link in links)
    assert next(book["義務"].iter_rows(values_only=True))[:3] == ("義務ID", "条項（英語）", "条項")


def test_register_workbook_has_one_row_per_chain_node(app, client, login, portfolio):
    login("compliance")
    book = load_workbook(io.BytesIO(exported(app, client, "/compliance/export/register.xlsx").data))
    rows = list(book["Register"].iter_rows(values_only=True))
    nodes = sorted((r[1], r[6], r[8], r[13], r[16]) for r in rows[1:])
    assert nodes == sorted([
        ("勘定系", 1, "ベンダー1", None, None), ("勘定系", 2, "ベンダー2", "ベンダー1", "approved"),
        ("勘定系", 3, "ベンダー3", "ベンダー2", "unapproved"),
        ("監視", 1, "ベンダー4", None, None), ("監視", 2, "ベンダー2", "ベンダー4", "approved")])
    assert book["Register"].freeze_panes == "A2"
    assert rows[0][:3] == ("Arrangement ID", "Arrangement", "Service") and rows[1][3] in ("yes", "no")


def test_register_workbook_reads_in_the_starters_language(app, client, login, db, portfolio):
    db.execute(OutsourcingLink.__table__.update().where(OutsourcingLink.vendor_id == portfolio["3"])
               .values(approval_status="pending"))
    db.execute(OutsourcingLink.__table__.update().where(OutsourcingLink.parent_vendor_id == portfolio["4"])
               .values(approval_basis="prior_consent"))
    db.commit()
    login("compliance")
    response = exported(app, client, "/compliance/export/register.xlsx", headers={"Accept-Language": "ja"})
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["外部委託台帳"]
    rows = list(book["外部委託台帳"].iter_rows(values_only=True))
    assert rows[0][:3] == ("委託業務ID", "委託業務", "サービス")
    assert rows[0][13:] == ("再委託元", "再委託のサービス", "再委託での利用者データ", "承認", "承認の根拠", "承認日",
                            "データ所在地")
    assert {r[3] for r in rows[1:]} <= {"はい", "いいえ"} and {r[15] for r in rows[1:] if r[6] > 1} <= {"はい", "いいえ"}
    # approval statuses in the chain page's words, not 送信待ち (the outbox's "pending")
    assert set(APPROVAL_LABELS) == set(APPROVAL_STATUSES)
    approvals = sorted((r[8], r[16], r[17] or "") for r in rows[1:] if r[6] > 1)
    assert approvals == [("ベンダー2", "承認済み", ""), ("ベンダー2", "承認済み", "事前承諾"), ("ベンダー3", "承認待ち", "")]


def test_board_report(app, client, login, db, portfolio):
    snapshots.take_snapshot(db, date(2026, 1, 1))
    db.execute(Finding.__table__.update().values(status="closed"))
    maintain.rebuild(db)  # a raw UPDATE publishes no event
    db.commit()
    login("auditor")
    response = exported(app, client, "/compliance/export/board-report.docx", headers={"Accept-Language": "ja"})
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    # one reader, one language: no bilingual headings
    assert headings[:5] == ["1. 概要", "2. 不備", "不備の明細", "3. 期限超過", "期限超過のモニタリング"]
    assert "5. 前回報告からの変化" in headings
    text = "\n".join(p.text for p in document.paragraphs) + "".join(
        c.text for t in document.tables for row in t.rows for c in row.cells)
    assert not re.search(r"\b(Summary|Gaps|Vendor|Obligation|None)\b", text)
    english = Document(io.BytesIO(exported(app, client, "/compliance/export/board-report.docx",
                                              headers={"Accept-Language": "en"}).data))
    english_headings = [p.text for p in english.paragraphs if p.style.name.startswith("Heading")]
    assert english_headings[:3] == ["1. Summary", "2. Gaps", "Gap details"]
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Yu Gothic"
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and 'w:fldCharType="begin"' in footer_xml
    text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "ベンダー3" in text and "A sub-outsourcing link to this vendor is not approved." in text
    changes = document.tables[-1]
    assert [c.text for c in changes.rows[1].cells] == ["第91条第1項 未完了の指摘なし", "1", "0", "0", "1"]


def test_evidence_pack_with_manifest(app, client, login, db, portfolio, contributions):
    contributions.evidence_sources.clear()

    def contract_files(session, vendor_id):
        yield registry.EvidenceFile("contracts/契約書.pdf", b"%PDF-1.4 contract of " + str(vendor_id).encode(), "Contract")
        yield registry.EvidenceFile("../contracts/契約書.pdf", b"second file, same name", "Sneaky path")

    contributions.evidence_sources["contracts"] = contract_files

    vendor = db.get(Vendor, portfolio["1"])
    vendor.notes = "checked"
    db.commit()
    login("auditor")
    response = exported(app, client, f"/compliance/vendors/{portfolio['1']}/evidence-pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"evidence/contracts/契約書.pdf", "evidence/contracts/契約書-2.pdf", "compliance-matrix.csv",
            "findings.csv", "audit-trail.jsonl", "vendor.json", "manifest.json", "manifest.sha256"} == names
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    for line in archive.read("manifest.sha256").decode().splitlines():
        digest, path = line.split("  ", 1)
        assert hashlib.sha256(archive.read(path)).hexdigest() == digest
    matrix_rows = list(csv.DictReader(io.StringIO(archive.read("compliance-matrix.csv").decode("utf-8-sig"))))
    assert {(r["Obligation ID"], r["Status"]) for r in matrix_rows} == {("90-1", "met"), ("90-2", "not applicable"),
                                                                         ("91-1", "gap")}
    findings = list(csv.DictReader(io.StringIO(archive.read("findings.csv").decode("utf-8-sig"))))
    assert [(f["Title"], f["Severity"], f["Status"]) for f in findings] == [("SLA breach", "high", "open")]
    trail = [json.loads(line) for line in archive.read("audit-trail.jsonl").decode().splitlines()]
    touched = {(e["entity"], e["action"]) for e in trail}
    assert {("vendor", "create"), ("vendor", "update"), ("arrangement", "create"), ("outsourcing_link", "create"),
            ("finding", "create")} <= touched
    others = {str(portfolio[k]) for k in "345"}
    vendor_entries = [e for e in trail if e["entity"] == "vendor"]
    assert {e["entity_id"] or str((e["after"] or e["before"])["id"]) for e in vendor_entries} == {str(portfolio["1"])}
    assert not others & {e["entity_id"] for e in vendor_entries}


def test_evidence_pack_csvs_read_in_the_starters_language(app, client, login, db, portfolio, contributions):
    contributions.evidence_sources.clear()
    app.config["BASE_URL"] = "https://vendorrisk.example.jp/"
    db.add(Finding(vendor_id=portfolio["1"], title="=HYPERLINK(\"http://evil.example\")", severity="critical",
                   status="in_progress", source="certificate"))
    db.add(Finding(vendor_id=portfolio["1"], title="Contract clause missing", source="contract", severity="medium",
                   title_key="contract_clause_missing",
                   title_params={"clause": {"ja": "監査権", "en": "Audit rights"}, "article": "Art. 9",
                                 "contract": "MSA.pdf"}))
    db.commit()
    login("auditor")
    response = exported(app, client, f"/compliance/vendors/{portfolio['1']}/evidence-pack.zip",
                        headers={"Accept-Language": "ja"})
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    matrix_rows = list(csv.reader(io.StringIO(archive.read("compliance-matrix.csv").decode("utf-8-sig"))))
    assert matrix_rows[0] == ["義務ID", "条項（英語）", "条項", "義務の表題", "ステータス", "理由", "根拠"]
    titles = {o.id: o.title_ja for o in registry.of(app).obligations.values()}
    assert {(r[0], r[4]) for r in matrix_rows[1:]} == {("90-1", "充足"), ("90-2", "対象外"), ("91-1", "不備")}
    assert all(r[3] == titles[r[0]] for r in matrix_rows[1:])
    # proof links open away from the app, as the matrix workbook's do
    links = [link.rsplit(": ", 1)[1] for r in matrix_rows[1:] if r[6] for link in r[6].split(" ; ")]
    assert links and all(link.startswith("https://vendorrisk.example.jp/") for link in links)
    findings = list(csv.reader(io.StringIO(archive.read("findings.csv").decode("utf-8-sig"))))
    # raised and closed in the member's time zone, as the pages show them, not stored UTC
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} JST", r[5]) for r in findings[1:])
    assert findings[0] == ["番号", "件名", "重要度", "ステータス", "発生元", "登録日時", "期限", "完了日時", "完了の証跡"]
    rows = [r[1:5] for r in findings[1:]]
    assert rows[0] == ["SLA breach", "高", "未対応", "手動"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil.example\")", "最重要", "対応中", "認証"]  # inert in a sheet
    assert rows[2][1:] == ["中", "未対応", "契約"] and "監査権" in rows[2][0] and "Audit rights" not in rows[2][0]
    assert all(str(f.id) == r[0] for f, r in zip(db.scalars(select(Finding).where(
        Finding.vendor_id == portfolio["1"]).order_by(Finding.id)), findings[1:]))


def test_dora_csvs(app, client, login, db, portfolio):
    vendor = db.get(Vendor, portfolio["2"])
    vendor.lei = "5493001KJTIIGC8Y1R12"
    db.commit()
    login("compliance")
    b0501 = list(csv.reader(io.StringIO(exported(app, client, "/compliance/export/dora-b0501.csv").data.decode("utf-8-sig"))))
    assert b0501[0] == ["c0010", "c0020", "c0030", "c0040", "c0050", "c0060", "c0070", "c0080", "c0090",
                        "c0100", "c0110", "c0120"]
    providers = {r[4]: r for r in b0501[2:]}
    assert set(providers) == {"ベンダー1", "ベンダー2", "ベンダー3", "ベンダー4"}
    assert providers["ベンダー2"][:2] == ["5493001KJTIIGC8Y1R12", "LEI"]
    assert providers["ベンダー1"][1] == "CRN" and providers["ベンダー1"][0].startswith("JP")
    b0502 = list(csv.reader(io.StringIO(exported(app, client, "/compliance/export/dora-b0502.csv").data.decode("utf-8-sig"))))
    assert b0502[0] == ["c0010", "c0020", "c0030", "c0040", "c0050", "c0060", "c0070"]
    ranks = sorted((r[4], r[3], r[6]) for r in b0502[2:])
    assert ranks == [("1", "CRN", ""), ("1", "CRN", ""), ("2", "LEI", "CRN"), ("2", "LEI", "CRN"), ("3", "CRN", "LEI")]
    assert client.get("/compliance/export/dora-b9999.csv").status_code == 404


def test_scheduler_refreshes_the_monthly_snapshot(app, db):

    from tests import factories
    from vendorrisk.compliance import snapshots as compliance
    from vendorrisk.scheduler import build_scheduler, snapshot_job
    factories.gen_arrangement(db)
    db.commit()
    assert "compliance_snapshot" in {job.id for job in build_scheduler(app).get_jobs()}
    from sqlmodel import select

    from vendorrisk.compliance.models import ComplianceSnapshot
    snapshot_job(app)
    db.rollback()
    first = db.exec(select(ComplianceSnapshot)).all()
    snapshot_job(app)  # idempotent within the month
    db.rollback()
    second = db.exec(select(ComplianceSnapshot)).all()
    assert first and len(second) == len(first)
    assert {row.month for row in second} == {compliance.month_start(clock.today())}


def test_streamed_matrix_rows_read_back_like_openpyxl_cells():
    """The matrix sheet's rows are written without openpyxl's per-cell objects; read back,
    they equal the same rows written cell by cell by openpyxl's write-only sheet."""
    from vendorrisk.compliance import sheet_xml

    rows = [(1, " 前後に空白 ", "a<b>&c", None, "yes", "line\r\nbreak", "=SUM(A1)", "#N/A", 2.5, "", "ok")] * 3
    expected, skeleton = streamed_sheet_case(rows)
    streamed = io.BytesIO()
    sheet_xml.streamed(skeleton, lambda sheet: sheet_xml.spool_rows(rows, sheet), streamed)
    book = assert_reads_back_like(streamed.getvalue(), expected)
    assert book["Matrix"].auto_filter.ref == "A1:K4"
    # the workbook's defined names come from the skeleton built once the rows were counted
    assert "$A$1:$K$4" in zipfile.ZipFile(streamed).read("xl/workbook.xml").decode()
    # A stored control character no worksheet can hold is written as U+FFFD: it cannot break
    # the export (issue 16, finding 6).
    spool = io.BytesIO()
    sheet_xml.spool_rows([("bad\x01\x0b",)], spool)
    assert "bad\ufffd\ufffd".encode() in spool.getvalue()


def test_matrix_workbook_rules_read_in_the_starters_language(app, client, login, db, portfolio):
    """The sheet documenting the obligations says how each is decided in the starter's
    language, as the rules page does (a Japanese starter read the English docstrings, with
    their source indentation)."""
    from dataclasses import replace
    obligations = registry.of(app).obligations
    obligations["90-1"] = replace(obligations["90-1"], doc_ja="チェーン上の再委託がすべて承認されていれば充足。")
    english_doc = "Met when every link reaching the vendor is approved; gap when one is not; not applicable to a vendor in no chain."
    login("compliance")
    book = load_workbook(io.BytesIO(exported(app, client, "/compliance/export/matrix.xlsx",
                                             headers={"Accept-Language": "ja"}).data))
    rules = {r[0]: r[5] for r in book["義務"].iter_rows(min_row=2, values_only=True)}
    assert rules["90-1"] == "チェーン上の再委託がすべて承認されていれば充足。"
    assert rules["90-2"] and "\n " not in rules["90-2"]  # no Japanese text: the English, one line
    book = load_workbook(io.BytesIO(exported(app, client, "/compliance/export/matrix.xlsx",
                                             headers={"Accept-Language": "en"}).data))
    rules = {r[0]: r[5] for r in book["Obligations"].iter_rows(min_row=2, values_only=True)}
    assert rules["90-1"] == english_doc


def test_register_rows_plan_for_every_chain_then_leave_the_session_as_it_was(app, db, portfolio):
    """On PostgreSQL the register's one statement is planned with hash joins (nested loops off
    while it is read); the setting does not outlive the export's rows."""
    from vendorrisk.compliance.matrix_xlsx import register_rows
    postgres = db.connection().dialect.name == "postgresql"

    def nested_loops() -> str:
        return db.connection().exec_driver_sql("SHOW enable_nestloop").scalar() if postgres else "on"

    with app.test_request_context():
        rows = register_rows(db)
        first = next(rows)
        assert nested_loops() == ("off" if postgres else "on")
        assert len([first, *rows]) == 5
    assert nested_loops() == "on"


def test_dora_b0502_rows_plan_for_every_chain_then_leave_the_session_as_it_was(app, db, portfolio):
    """B_05.02 reads every chain by the register's statement shape: hash joins on PostgreSQL
    while its rows are read, the setting reset after."""
    from vendorrisk.compliance import dora
    postgres = db.connection().dialect.name == "postgresql"
    seen = []

    def nested_loops() -> str:
        return db.connection().exec_driver_sql("SHOW enable_nestloop").scalar() if postgres else "on"

    class Out:
        def write(self, data):
            if len(seen) < 3:  # the BOM, the two header lines, then the rows are being read
                seen.append(None)
            elif len(seen) == 3:
                seen.append(nested_loops())

    dora.b0502_csv(db, Out())
    assert seen[3] == ("off" if postgres else "on")
    assert nested_loops() == "on"


def test_deflating_writes_everything_in_order_and_raises_what_its_thread_met():
    """The sheet's rows are deflated by a thread of their own (``sheet_xml.Deflating``):
    everything written arrives, in order; the thread's error is raised in the writer; the
    thread never outlives the block."""
    from vendorrisk.compliance import sheet_xml

    target = io.BytesIO()
    blocks = [bytes([n % 251]) * (n * 997 % 70_000) for n in range(200)]
    with sheet_xml.Deflating(target) as writer:
        for block in blocks:
            writer.write(block)
    assert target.getvalue() == b"".join(blocks) and not writer.thread.is_alive()

    class Full(io.BytesIO):
        def write(self, data):
            raise OSError("No space left on device")

    try:
        with sheet_xml.Deflating(Full()) as writer:
            for block in blocks:
                writer.write(block)
    except OSError as exc:
        assert "No space" in str(exc)
    else:
        raise AssertionError("the thread's error was not raised")
    assert not writer.thread.is_alive()
    try:
        with sheet_xml.Deflating(io.BytesIO()) as writer:
            writer.write(b"x" * 10)
            raise KeyError("the rows' own error")
    except KeyError:
        pass
    assert not writer.thread.is_alive()


def test_board_report_lists_as_overdue_only_findings_still_to_remediate(app, client, login, db, portfolio):
    """The board reads 「期日を過ぎた指摘事項」 as findings the vendor has not remediated in time:
    a finding resolved and waiting for verification, or whose risk was accepted until a later
    day, is not overdue (the escalation, the start page and the findings board agree)."""
    from datetime import timedelta
    past = clock.today() - timedelta(days=10)
    db.execute(Finding.__table__.update().values(status="closed"))
    vendor_id = portfolio["3"]
    for title, status in (("未対応のまま期限超過", "open"), ("対応中で期限超過", "in_progress"),
                          ("解決済み・検証待ち", "resolved"), ("リスク受容中", "risk_accepted")):
        db.add(Finding(vendor_id=vendor_id, title=title, severity="high", status=status, due_date=past))
    db.commit()
    login("auditor")
    document = Document(io.BytesIO(exported(app, client, "/compliance/export/board-report.docx",
                                            headers={"Accept-Language": "ja"}).data))
    overdue = next(t for t in document.tables if t.rows[0].cells[1].text == "指摘事項")
    listed = sorted(row.cells[1].text for row in overdue.rows[1:])
    assert listed == ["対応中で期限超過", "未対応のまま期限超過"]
