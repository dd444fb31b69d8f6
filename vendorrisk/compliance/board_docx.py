"""The board report (Art. 6(2), 24(3)) as a Word document: summary, gaps, overdue items,
concentration and changes since the last report. The whole report is in one language, the
reader's (headings, labels and reasons alike); Japanese text is set in an East Asian font
(w:eastAsia) so Word does not fall back to a Latin face."""
from datetime import date

from docx import Document
from docx.shared import Pt
from flask import render_template_string
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.compliance import dashboard, matrix, snapshots, store
from vendorrisk.core.docx import japanese_styles, page_number_footer, to_bytes
from vendorrisk.core.messages import Renderer
from vendorrisk.vendors.findings import Finding, display_title
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, current_link

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
        document.add_paragraph(_("None."))


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
    # per report); each distinct reason translated once.
    with force_locale(language):
        render = Renderer()
        for row in store.iter_rows(session, matrix.MatrixFilters(status="gap"), obligations=obligations):
            for ob_id, verdict in row.verdicts.items():
                if verdict.status == "gap" and len(gaps) < GAP_DETAIL_LIMIT:
                    gaps.append((row.vendor.name, ob_id, render(verdict.reason)))
            if len(gaps) >= GAP_DETAIL_LIMIT:
                break
    with force_locale(language):
        return _document(session, today, language, obligations, titles, counts, gaps)


def _certificate(kind: str) -> str:
    # the certificates area names its kinds for pages; the report uses the same words
    try:
        return render_template_string("{{ _(certificate_type_label(kind)) }}", kind=kind)
    except Exception:  # no page context (the command line): the kind as stored
        return kind


def _document(session, today, language, obligations, titles, counts, gaps) -> bytes:
    document = Document()
    japanese_styles(document)
    document.styles["Normal"].font.size = Pt(10)
    page_number_footer(document)
    document.add_heading(_("Outsourcing risk report to the board"), 0)
    document.add_paragraph(_("As of %(day)s · JVCEA rules on system risk management for electronic payment "
                             "instrument business, Articles 25 to 27 (Art. 6(2), 24(3))", day=today.isoformat()))

    document.add_heading(_("1. Summary"), 1)
    link = OutsourcingLink.__table__
    summary_rows = [
        (_("Vendors, all tiers"), _count(session, select(Vendor.id))),
        (_("Outsourcing arrangements"), _count(session, select(Arrangement.id))),
        (_("of which important"), _count(session, select(Arrangement.id).where(Arrangement.is_important))),
        (_("Sub-outsourcing links"), _count(session, select(link.c.id).where(current_link(link)))),
        (_("Sub-outsourcing not approved"),
         _count(session, select(link.c.id).where(link.c.approval_status != "approved", current_link(link)))),
        (_("Open findings"), _count(session, select(Finding.id).where(Finding.status != "closed"))),
        (_("Met"), sum(c["met"] for c in counts.values())),
        (_("Gaps"), sum(c["gap"] for c in counts.values())),
        (_("Not applicable"), sum(c["not_applicable"] for c in counts.values())),
    ]
    _table(document, (_("Item"), _("Count")), summary_rows)

    document.add_heading(_("2. Gaps"), 1)
    _table(document, (_("Obligation"), _("Met"), _("Gaps"), _("Not applicable")),
           [(titles[o.id], counts[o.id]["met"], counts[o.id]["gap"], counts[o.id]["not_applicable"])
            for o in obligations])
    if gaps:
        document.add_heading(_("Gap details"), 2)
        _table(document, (_("Vendor"), _("Obligation"), _("Reason")),
               [(vendor, titles.get(ob_id, ob_id), reason) for vendor, ob_id, reason in gaps])
        total_gaps = sum(c["gap"] for c in counts.values())
        if total_gaps > len(gaps):
            document.add_paragraph(_("… %(n)s more (see the Excel export of the matrix).", n=total_gaps - len(gaps)))
    else:
        document.add_paragraph(_("No gaps."))

    document.add_heading(_("3. Overdue items"), 1)
    for key, heading in (("overdue_reviews", _("Overdue reviews")),
                         ("certificates_expiring", _("Certificates and reports expiring within 60 days"))):
        query = dashboard.list_query(session, key, today, {})
        document.add_heading(heading, 2)
        if query is None:
            document.add_paragraph(_("— (not recorded in this installation)"))
            continue
        rows = session.execute(query.limit(OVERDUE_LIMIT)).all()
        if key == "overdue_reviews":
            rows = [(r.vendor_name, _(r.item.replace("_", " ")), r.on, "") for r in rows]
        else:
            rows = [(r.vendor_name, _certificate(r.item), r.on, r.detail) for r in rows]
        _table_or_none(document, (_("Vendor"), _("Item"), _("Date"), _("Details")), rows)
    document.add_heading(_("Findings past their due date"), 2)
    finding, vendor = Finding.__table__, Vendor.__table__
    overdue_findings = session.execute(
        select(vendor.c.name, finding.c.title, finding.c.title_key, finding.c.title_params, finding.c.severity,
               finding.c.due_date)
        .join(vendor, vendor.c.id == finding.c.vendor_id)
        # to remediate (open, in progress): one resolved awaits verification and one whose risk
        # is accepted is not chased, as the escalation, the start page and the findings board say
        .where(finding.c.status.in_(("open", "in_progress")), finding.c.due_date < today)
        .order_by(finding.c.due_date).limit(OVERDUE_LIMIT)).all()
    _table_or_none(document, (_("Vendor"), _("Finding"), _("Severity"), _("Due date")),
                   [(f.name, display_title(f, language), _(f.severity), f.due_date) for f in overdue_findings])

    document.add_heading(_("4. Concentration"), 1)
    _table(document, (_("Vendor"), _("Arrangements"), _("Highest tier")),
           [(c["name"], c["arrangements"], c["tier"]) for c in store.concentration(session, 10)])

    document.add_heading(_("5. Changes since the last report"), 1)
    month, changes = snapshots.changes_since_previous(session, today, current=counts)
    if month is None:
        document.add_paragraph(_("No earlier monthly snapshot to compare with."))
    elif not changes:
        document.add_paragraph(_("No change since %(month)s.", month=month.strftime("%Y-%m")))
    else:
        document.add_paragraph(_("Compared with the snapshot of %(month)s.", month=month.strftime("%Y-%m")))
        _table(document, (_("Obligation"), _("Before"), _("Now"), _("Gaps opened"), _("Gaps closed")),
               [(titles.get(c.obligation, c.obligation), c.before, c.now, len(c.opened), len(c.closed))
                for c in changes])
    return to_bytes(document)
