"""The board report (Art. 6(2), 24(3)) as a Word document: summary, gaps, overdue items,
concentration and changes since the last report. Headings are bilingual; Japanese text is
set in an East Asian font (w:eastAsia) so Word does not fall back to a Latin face."""
from datetime import date

from docx import Document
from docx.shared import Pt
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.compliance import dashboard, matrix, snapshots, store
from vendorrisk.core.messages import Renderer
from vendorrisk.core.docx import japanese_styles, page_number_footer, to_bytes
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor

GAP_DETAIL_LIMIT = 200
OVERDUE_LIMIT = 100


def _table(document, headers, rows) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers):
        cell.text = str(header)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = "" if value is None else str(value)


def _table_or_none(document, headers, rows) -> None:
    if rows:
        _table(document, headers, rows)
    else:
        document.add_paragraph("なし / None.")


def _count(session, query) -> int:
    return session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


def board_report(session: Session, today: date, language: str = "ja") -> bytes:
    """Build the board report from the data as it is now and the last monthly snapshot."""
    obligations = matrix.all_obligations()
    titles = {o.id: (o.citation_ja + " " + o.title_ja if language == "ja" else o.citation_en + " " + o.title_en)
              for o in obligations}
    counts = store.summary(session)
    gaps = []
    # The reasons in the report's language, whatever the locale of the caller (one language
    # per report; headings stay bilingual); each distinct reason translated once.
    with force_locale(language):
        render = Renderer()
        for row in store.iter_rows(session, matrix.MatrixFilters(status="gap"), obligations=obligations):
            for ob_id, verdict in row.verdicts.items():
                if verdict.status == "gap" and len(gaps) < GAP_DETAIL_LIMIT:
                    gaps.append((row.vendor.name, ob_id, render(verdict.reason)))
            if len(gaps) >= GAP_DETAIL_LIMIT:
                break
    document = Document()
    japanese_styles(document)
    document.styles["Normal"].font.size = Pt(10)
    page_number_footer(document)
    document.add_heading("外部委託リスク管理状況報告 / Outsourcing risk report to the board", 0)
    document.add_paragraph(f"基準日 / As of: {today.isoformat()}  ·  "
                           "電子決済手段関連業務に係るシステムリスク管理に関する規則 第25条〜第27条 (Art. 6(2), 24(3))")

    document.add_heading("1. 概要 / Summary", 1)
    link = OutsourcingLink.__table__
    summary_rows = [
        ("外部委託先（全階層） / Vendors, all tiers", _count(session, select(Vendor.id))),
        ("委託業務 / Arrangements", _count(session, select(Arrangement.id))),
        ("うち重要 / of which important", _count(session, select(Arrangement.id).where(Arrangement.is_important))),
        ("再委託 / Sub-outsourcing links", _count(session, select(link.c.id))),
        ("未承認の再委託 / Sub-outsourcing not approved",
         _count(session, select(link.c.id).where(link.c.approval_status != "approved"))),
        ("未完了の指摘事項 / Open findings", _count(session, select(Finding.id).where(Finding.status != "closed"))),
        ("充足 / Met", sum(c["met"] for c in counts.values())),
        ("不備 / Gaps", sum(c["gap"] for c in counts.values())),
        ("対象外 / Not applicable", sum(c["not_applicable"] for c in counts.values())),
    ]
    _table(document, ("項目 / Item", "件数 / Count"), summary_rows)

    document.add_heading("2. 不備 / Gaps", 1)
    _table(document, ("義務 / Obligation", "充足 / Met", "不備 / Gap", "対象外 / N/A"),
           [(titles[o.id], counts[o.id]["met"], counts[o.id]["gap"], counts[o.id]["not_applicable"])
            for o in obligations])
    if gaps:
        document.add_heading("不備の明細 / Gap details", 2)
        _table(document, ("外部委託先 / Vendor", "義務 / Obligation", "理由 / Reason"), gaps)
        total_gaps = sum(c["gap"] for c in counts.values())
        if total_gaps > len(gaps):
            document.add_paragraph(f"… {total_gaps - len(gaps)} more (see the Excel export of the matrix).")
    else:
        document.add_paragraph("不備はありません。 / No gaps.")

    document.add_heading("3. 期限超過 / Overdue items", 1)
    for key, heading in (("overdue_reviews", "モニタリング / Monitoring reviews"),
                         ("certificates_expiring", "60日以内に期限切れの認証 / Certificates expiring within 60 days")):
        query = dashboard.list_query(session, key, today, {})
        document.add_heading(heading, 2)
        if query is None:
            document.add_paragraph("— (not recorded in this installation)")
            continue
        rows = [(r.vendor_name, r.item, r.on, r.detail) for r in session.execute(query.limit(OVERDUE_LIMIT))]
        _table_or_none(document, ("外部委託先 / Vendor", "項目 / Item", "期日 / Date", "備考 / Details"), rows)
    document.add_heading("期日を過ぎた指摘事項 / Findings past their due date", 2)
    finding, vendor = Finding.__table__, Vendor.__table__
    overdue_findings = session.execute(
        select(vendor.c.name, finding.c.title, finding.c.severity, finding.c.due_date)
        .join(vendor, vendor.c.id == finding.c.vendor_id)
        .where(finding.c.status != "closed", finding.c.due_date < today)
        .order_by(finding.c.due_date).limit(OVERDUE_LIMIT)).all()
    _table_or_none(document, ("外部委託先 / Vendor", "指摘 / Finding", "重要度 / Severity", "期日 / Due"),
                   overdue_findings)

    document.add_heading("4. 集中リスク / Concentration", 1)
    _table(document, ("外部委託先 / Vendor", "依存する委託業務 / Arrangements", "最上位の階層 / Highest tier"),
           [(c["name"], c["arrangements"], c["tier"]) for c in store.concentration(session, 10)])

    document.add_heading("5. 前回報告からの変化 / Changes since the last report", 1)
    month, changes = snapshots.changes_since_previous(session, today, current=counts)
    if month is None:
        document.add_paragraph("前回のスナップショットがありません。 / No earlier monthly snapshot to compare with.")
    elif not changes:
        document.add_paragraph(f"{month:%Y-%m} から変化なし / No change since {month:%Y-%m}.")
    else:
        document.add_paragraph(f"比較対象 / Compared with the snapshot of {month:%Y-%m}.")
        _table(document, ("義務 / Obligation", "前回 / Before", "今回 / Now", "新たな不備 / Opened", "解消 / Closed"),
               [(titles.get(c.obligation, c.obligation), c.before, c.now, len(c.opened), len(c.closed))
                for c in changes])
    return to_bytes(document)
