"""The selection assessment record as a Word document (python-docx), Japanese-ready."""

from docx import Document
from docx.shared import Pt

from vendorrisk.core.docx import japanese_styles, to_bytes
from vendorrisk.selection.criteria import criteria_label

LABELS = {
    "title": {"ja": "外部委託先 選定評価記録", "en": "Vendor selection assessment record"},
    "basis": {"ja": "第25条第1項（選定基準に基づく評価）・第8条第5項（相互牽制）",
              "en": "Art. 25(1) (evaluation against selection criteria), Art. 8(5) (mutual checks)"},
    "vendor": {"ja": "外部委託先", "en": "Vendor"},
    "status": {"ja": "状態", "en": "Status"},
    "criteria": {"ja": "選定基準（版）", "en": "Criteria (versions)"},
    "hash": {"ja": "基準のハッシュ (SHA-256)", "en": "Criteria hash (SHA-256)"},
    "score": {"ja": "加重評点", "en": "Weighted score"},
    "band": {"ja": "評点による区分", "en": "Band from the score"},
    "knockouts": {"ja": "足切り該当", "en": "Knock-outs"},
    "prepared": {"ja": "作成者", "en": "Prepared by"},
    "submitted": {"ja": "提出日時", "en": "Submitted"},
    "decided": {"ja": "承認者", "en": "Decided by"},
    "decision": {"ja": "判定", "en": "Decision"},
    "note": {"ja": "判定コメント", "en": "Decision note"},
    "scores": {"ja": "評価項目別の評点", "en": "Scores by criterion"},
    "criterion": {"ja": "評価項目", "en": "Criterion"},
    "article": {"ja": "条項", "en": "Article"},
    "weight": {"ja": "重み", "en": "Weight"},
    "level": {"ja": "評点", "en": "Score"},
    "comment": {"ja": "コメント", "en": "Comment"},
    "evidence": {"ja": "証跡", "en": "Evidence"},
    "summary": {"ja": "総評", "en": "Summary"},
    "conditions": {"ja": "承認条件（フォローアップ事項）", "en": "Conditions of approval (follow-up items)"},
}
VALUES = {
    "draft": {"ja": "作成中", "en": "draft"}, "submitted": {"ja": "承認待ち", "en": "submitted"},
    "approved": {"ja": "承認済み", "en": "approved"}, "rejected": {"ja": "否認", "en": "rejected"},
    "approve": {"ja": "承認", "en": "approve"},
    "approve_with_conditions": {"ja": "条件付き承認", "en": "approve with conditions"},
    "reject": {"ja": "否認", "en": "reject"},
}


def assessment_docx(context: dict, language: str = "ja") -> bytes:
    """Build the record of one assessment from the same context as the HTML record."""
    lang = language if language in ("ja", "en") else "en"

    def label(key):
        return LABELS[key][lang]

    def value(key):
        return VALUES.get(key, {}).get(lang, key or "")

    a, vendor, people = context["a"], context["vendor"], context["people"]
    document = Document()
    japanese_styles(document)
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(f"{label('title')} #{a.id}", level=1)
    document.add_paragraph(label("basis"))
    rows = [
        ("vendor", f"{vendor.name}" + (f" / {vendor.name_en}" if vendor.name_en and vendor.name_en != vendor.name else "")
         + (f" ({vendor.corporate_number})" if vendor.corporate_number else "")),
        ("status", value(a.status)),
        ("criteria", criteria_label(a.criteria_versions, lang)),  # the sets' titles, not their keys
        ("hash", a.criteria_hash),
        ("score", f"{a.total_percent:.1f}%" if a.total_percent is not None else "-"),
        ("band", value(a.recommendation) if a.recommendation else "-"),
        ("knockouts", ", ".join(a.knockouts) or "-"),
        ("prepared", people[a.prepared_by_id].display_name if a.prepared_by_id in people else ""),
        ("submitted", a.submitted_at.strftime("%Y-%m-%d %H:%M UTC") if a.submitted_at else "-"),
        ("decided", (people[a.decided_by_id].display_name + " " + a.decided_at.strftime("%Y-%m-%d %H:%M UTC"))
         if a.decided_by_id in people and a.decided_at else "-"),
        ("decision", value(a.decision) if a.decision else "-"),
        ("note", a.decision_note or "-"),
    ]
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, text in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label(key), str(text)
    document.add_heading(label("scores"), level=2)
    scores = document.add_table(rows=1, cols=6)
    scores.style = "Table Grid"
    for cell, key in zip(scores.rows[0].cells, ("criterion", "article", "weight", "level", "comment", "evidence")):
        cell.text = label(key)
    for criterion in context["criteria"]:
        entry = context["scores"].get(criterion["id"])
        level = ""
        if entry is not None and entry.score is not None:
            anchor = next((lv[lang] for lv in criterion["scale"] if lv["score"] == entry.score), "")
            level = f"{entry.score} — {anchor}"
        files = "\n".join(f"{f.original_filename} ({f.sha256[:12]})" for _e, f in context["evidence"].get(criterion["id"], []))
        cells = scores.add_row().cells
        for cell, text in zip(cells, (f"{criterion['id']} {criterion['title'][lang]}", criterion["article"],
                                      str(criterion["weight"]), level, entry.comment if entry else "", files)):
            cell.text = text
    if a.summary:
        document.add_heading(label("summary"), level=2)
        document.add_paragraph(a.summary)
    if a.conditions:
        document.add_heading(label("conditions"), level=2)
        for condition in a.conditions:
            due = f" ({condition['due_date']})" if condition.get("due_date") else ""
            document.add_paragraph(condition["text"] + due, style="List Bullet")
    return to_bytes(document)
