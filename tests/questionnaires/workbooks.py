"""Test workbooks in the industry's own questionnaire layouts, filled the way vendors fill
them. The official CAIQ and HECVAT files may not be redistributed: these reproduce their
structure (sheets, header rows, id schemes, merged title/footer/banner rows, formulas with
cached values, hidden lookup sheets, drop-down lists) with question texts of our own.

Each builder returns a ``Fixture``: the file's bytes and, as the generator wrote them, the
question rows a reader must find (``expected``: sheet, row, id, question, answer, comment),
in reading order, so that a test can check that every answer lands on its question.
"""
import csv
import io
import random
from dataclasses import dataclass, field

from tests.questionnaires.xlsx_writer import BOLD, Book, Sheet


@dataclass(frozen=True)
class Expected:
    """A question row as written: where, its id and text, the answer and comment given."""

    sheet: str
    row: int
    question_id: str
    question: str
    answer: str
    comment: str = ""


@dataclass
class Fixture:
    """A generated file and the question rows in it."""

    data: bytes
    expected: list[Expected] = field(default_factory=list)
    name: str = "questionnaire.xlsx"

    @property
    def answered(self) -> list[Expected]:
        """The rows the vendor answered."""
        return [e for e in self.expected if e.answer]


# --- CSA CAIQ v4.0.3 -----------------------------------------------------------------------
CCM_DOMAINS = (
    ("A&A", "Audit & Assurance", 6), ("AIS", "Application & Interface Security", 7),
    ("BCR", "Business Continuity Management and Operational Resilience", 11),
    ("CCC", "Change Control and Configuration Management", 9),
    ("CEK", "Cryptography, Encryption & Key Management", 21), ("DCS", "Datacenter Security", 15),
    ("DSP", "Data Security and Privacy Lifecycle Management", 19), ("GRC", "Governance, Risk and Compliance", 8),
    ("HRS", "Human Resources", 13), ("IAM", "Identity & Access Management", 16),
    ("IPY", "Interoperability & Portability", 4), ("IVS", "Infrastructure & Virtualization Security", 9),
    ("LOG", "Logging and Monitoring", 13),
    ("SEF", "Security Incident Management, E-Discovery, & Cloud Forensics", 8),
    ("STA", "Supply Chain Management, Transparency, and Accountability", 16),
    ("TVM", "Threat & Vulnerability Management", 10), ("UEM", "Universal Endpoint Management", 14),
)
CAIQ_HEADERS = ("Question ID", "Question", "CSP CAIQ Answer", "SSRM Control Ownership",
                "CSP Implementation Description (Optional/Recommended)", "CSC Responsibilities (Optional/Recommended)",
                "CCM Control ID", "CCM Control Specification", "CCM Control Title", "CCM Domain Title")
OWNERSHIP = ("CSP-owned", "CSC-owned", "Third-party outsourced", "Shared CSP and CSC", "Shared CSP and Third-party")
COPYRIGHT = ("© Copyright 2021-2023 the authors of this test workbook. This workbook reproduces the structure of a "
             "cloud security questionnaire for testing only; you may download, store, display, print and link to "
             "it for testing, provided that it is not sold or modified and that this notice stays in place.")


def caiq_questions() -> list[tuple[str, str, str, str]]:
    """(question id, question, control id, domain) for the 261 questions: every CCM v4 style
    control has one, the policy control of each domain and every fourth other control two."""
    controls = [(prefix, title, n) for prefix, title, count in CCM_DOMAINS for n in range(1, count + 1)]
    doubles = {i for i, (_p, _t, n) in enumerate(controls) if n == 1}
    doubles |= {i for i in range(len(controls)) if i % 4 == 2 and i not in doubles}
    doubles = set(sorted(doubles)[:261 - len(controls)])
    rows = []
    for index, (prefix, title, n) in enumerate(controls):
        control = f"{prefix}-{n:02d}"
        topic = title.lower()
        rows.append((f"{control}.1", f"Are {topic} processes, procedures and technical measures for control "
                     f"{control} established, documented, applied and evaluated?", control, title))
        if index in doubles:
            rows.append((f"{control}.2", f"Are the {topic} procedures of control {control} reviewed and updated "
                         "at least annually?", control, title))
    assert len(rows) == 261
    return rows


def caiq_v403(seed: int = 4, answered: int | None = None, answers: dict[str, str] | None = None) -> Fixture:
    """CAIQ v4.0.3 as published and answered by a cloud provider: ``Introduction`` and
    ``CAIQv4.0.3``; title row 1 merged, header row 2, 261 questions answered Yes/No/NA from
    drop-downs in C, ownership in D (drop-down), descriptions in E and F, the CCM control
    columns merged down each control's questions, then ``End of Standard`` and a copyright
    row merged across every column. ``answers`` sets chosen answers by question id;
    ``answered`` leaves the others blank but that many."""
    rng = random.Random(seed)
    book = Book()
    intro = book.add("Introduction")
    intro.set("A1", "Consensus Assessments Initiative Questionnaire (CAIQ) Version 4.0.3 — test reproduction",
              style=BOLD)
    intro.merge("A1:F1")
    for row, text in enumerate((
            "The questionnaire documents which security controls exist in a cloud offering.",
            "Answer each question with Yes, No or NA in the CSP CAIQ Answer column.",
            "Use the SSRM Control Ownership column to state who owns the control.",
            "Optionally describe the implementation and the responsibilities left to the customer.",
            "This workbook has 261 questions across 17 domains."), start=3):
        intro.set((row, 1), text)
        intro.merge(f"A{row}:F{row}")
    intro.row(10, ["Version", "Date", "Change"], style=BOLD)
    intro.row(11, ["4.0.2", "2021-06-07", "Initial release"])
    intro.row(12, ["4.0.3", "2023-09-11", "Corrections"])
    sheet = book.add("CAIQv4.0.3")
    sheet.set("A1", "Consensus Assessments Initiative Questionnaire v4.0.3", style=BOLD)
    sheet.merge("A1:J1")
    sheet.row(2, CAIQ_HEADERS, style=BOLD)
    questions = caiq_questions()
    fixture = Fixture(b"", name="CAIQv4.0.3_STAR-Security-Questionnaire.xlsx")
    blank = set(rng.sample(range(len(questions)), len(questions) - answered)) if answered is not None else set()
    first_row = 3
    by_control: dict[str, list[int]] = {}
    for offset, (qid, text, control, domain) in enumerate(questions):
        row = first_row + offset
        answer = "" if offset in blank else rng.choices(("Yes", "No", "NA"), (75, 10, 15))[0]
        answer = (answers or {}).get(qid, answer)
        description = (f"Documented in our ISMS; owner: {rng.choice(('CISO', 'SRE lead', 'DPO'))}; "
                       f"evidence in the {rng.choice(('SOC 2 Type II report', 'ISO 27001 audit', 'policy portal'))}."
                       if answer and rng.random() < 0.8 else "")
        sheet.row(row, [qid, text, answer or None, rng.choice(OWNERSHIP) if answer else None, description or None,
                        "Customers configure their own tenants." if rng.random() < 0.3 else None])
        fixture.expected.append(Expected(sheet.title, row, qid, text, answer, description))
        by_control.setdefault(control, []).append(row)
    for control, rows in by_control.items():
        prefix = control.split("-")[0]
        domain = next(title for p, title, _n in CCM_DOMAINS if p == prefix)
        sheet.row(rows[0], [None] * 6 + [control, f"The specification of control {control}: the organisation "
                                                   "shall define, implement and evaluate the measures it names.",
                                         f"{domain} control {control[-2:]}", domain])
        if len(rows) > 1:
            for column in "GHIJ":
                sheet.merge(f"{column}{rows[0]}:{column}{rows[-1]}")
    last = first_row + len(questions) - 1
    sheet.set((last + 1, 1), "End of Standard", style=BOLD)
    sheet.merge(f"A{last + 1}:J{last + 1}")
    sheet.set((last + 2, 1), COPYRIGHT)
    sheet.merge(f"A{last + 2}:J{last + 2}")
    sheet.drop_down(f"C{first_row}:C{last}", '"Yes,No,NA"')
    sheet.drop_down(f"D{first_row}:D{last}", '"' + ",".join(OWNERSHIP) + '"')
    fixture.data = book.to_bytes()
    return fixture


def caiq_csv(seed: int = 4) -> Fixture:
    """The CAIQ sheet saved as CSV (UTF-8 with BOM, as Excel saves it): the title, header,
    questions, then the end and copyright lines, without merges or drop-downs."""
    source = caiq_v403(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Consensus Assessments Initiative Questionnaire v4.0.3"] + [""] * 9)
    writer.writerow(CAIQ_HEADERS)
    expected = []
    for number, item in enumerate(source.expected, start=3):
        writer.writerow([item.question_id, item.question, item.answer, "CSP-owned" if item.answer else "",
                         item.comment, "", "", "", "", ""])
        expected.append(Expected("CSV", number, item.question_id, item.question, item.answer, item.comment))
    writer.writerow(["End of Standard"] + [""] * 9)
    writer.writerow([COPYRIGHT] + [""] * 9)
    return Fixture(out.getvalue().encode("utf-8-sig"), expected, "caiq.csv")


# --- HECVAT 3 --------------------------------------------------------------------------------
HECVAT3_SECTIONS = (
    ("GNRL", "General Information", 14), ("COMP", "Company Information", 10), ("DOCU", "Documentation", 12),
    ("ITAC", "IT Accessibility", 10), ("ASSE", "Assessment of Third Parties", 6), ("APPL", "Application Security", 20),
    ("AAAI", "Authentication, Authorization, and Accounting", 24), ("CHNG", "Change Management", 12),
    ("DATA", "Data", 30), ("DCTR", "Datacenter", 16), ("FIDP", "Firewalls, IDS, IPS, and Networking", 8),
    ("PPPR", "Policies, Procedures, and Processes", 14), ("HFIH", "Incident Handling", 10),
    ("QLAS", "Quality Assurance", 8), ("BCPL", "Business Continuity Plan", 12), ("DRPL", "Disaster Recovery Plan", 11),
    ("VULN", "Vulnerability Management", 10), ("THRD", "Third Parties", 8), ("PRIV", "Privacy", 18),
)
TOPICS = {
    "DATA": ("Is institutional data stored only in a region or country the institution chooses?",
             "Can the institution export all of its data in a standard format at contract termination?",
             "Are access logs to institutional data available to the institution on request?",
             "Is institutional data encrypted at rest with key management procedures and key rotation?"),
    "DCTR": ("Are your data centres located away from natural disaster risks such as flood and earthquake?",
             "Do you support multi-tenant isolation between customers?"),
    "PPPR": ("Will you allow the institution to audit your security controls (right to audit)?",
             "Do you enforce separation of duties for administrative staff?"),
    "BCPL": ("Is your business continuity plan tested with an exercise at least annually?",
             "Is there a service level agreement (SLA) with remedies for missed availability?"),
    "VULN": ("Do you perform an annual penetration test by an independent third party?",),
    "AAAI": ("Do you enforce least privilege and role-based access for staff?",),
    "THRD": ("Do you notify the institution and obtain approval before using a new subcontractor?",
             "Do you assess third parties against the same security requirements you follow?"),
}
GENERAL = ("Vendor name", "Product name and version", "Product description", "Web link to product privacy notice",
           "Vendor contact name", "Vendor contact title", "Vendor contact email", "Vendor contact phone number",
           "Vendor accessibility contact", "Vendor hosting regions", "Date of completion", "Hosting model",
           "Has this HECVAT been validated by a third party?", "Primary language of support")


def hecvat_question(prefix: str, title: str, n: int) -> str:
    """The text of question n of a section (the mapped topics first, then generic ones)."""
    topics = TOPICS.get(prefix, ())
    if n <= len(topics):
        return topics[n - 1]
    if prefix == "GNRL":
        return GENERAL[(n - 1) % len(GENERAL)]
    return f"{title}: do you maintain documented and implemented control {n} covering this area?"


def hecvat3_full(seed: int = 3, answer_sheet: str = "HECVAT - Full") -> Fixture:
    """HECVAT 3.x Full as a vendor returns it: 13 sheets; ``HECVAT - Full`` holds 253 ids in
    column A, the question text in B as shared VLOOKUP formulas into the hidden
    ``Questions`` sheet (with their cached text), the vendor's answers in C (176 given, the
    rest blank), additional information in D, guidance in E and a scoring formula in F; each
    section starts with a row repeating the column titles (half of them merged banners).
    ``Analyst Report`` and ``Scoring`` copy the answers by formula, ``Analyst Reference``
    holds guidance prose for 189 questions, ``Standards Crosswalk`` control codes, hidden
    ``Questions`` the preferred answers, hidden ``Values`` the drop-down list.
    ``answer_sheet`` renames the answer sheet (and every formula pointing at it)."""
    rng = random.Random(seed)
    items = [(f"{p}-{n:02d}", p, hecvat_question(p, t, n), t) for p, t, c in HECVAT3_SECTIONS for n in range(1, c + 1)]
    assert len(items) == 253
    general = [i for i, item in enumerate(items) if item[1] == "GNRL"]
    others = [i for i, item in enumerate(items) if item[1] != "GNRL"]
    itac = [i for i in others if items[i][1] == "ITAC"]
    blank = set(itac) | set(rng.sample([i for i in others if i not in itac], 77 - len(itac)))
    book = Book()
    names = ["Instructions", "Summary", answer_sheet, "Analyst Report", "Analyst Reference", "Standards Crosswalk",
             "Scoring", "Risk Summary", "Glossary", "Change Log", "Questions", "Values", "Lookups"]
    states = {"Questions": "hidden", "Values": "hidden", "Lookups": "veryHidden"}
    sheets = {name: book.add(name, states.get(name, "visible")) for name in names}
    book.define("YesNoNA", "Values!$A$2:$A$4")
    values = sheets["Values"]
    values.row(1, ["Answers", "Hosting"], style=BOLD)
    for row, (answer, hosting) in enumerate((("Yes", "SaaS"), ("No", "PaaS"), ("N/A", "IaaS"), (None, "On-premises")),
                                            start=2):
        values.row(row, [answer, hosting])
    questions = sheets["Questions"]
    questions.row(1, ["ID", "Question", "Compliant Response", "Weight"], style=BOLD)
    for row, (qid, prefix, text, _t) in enumerate(items, start=2):
        questions.row(row, [qid, text, None if prefix == "GNRL" else rng.choice(("Yes", "Yes", "No")),
                            rng.choice((5, 10, 15, 20))])
    full = sheets[answer_sheet]
    full.set("A1", "HECVAT - Full | Higher Education Community Vendor Assessment Toolkit", style=BOLD)
    full.merge("A1:F1")
    full.set("A2", "Answer every question in column C; add detail in column D. Analysts read column E.")
    full.merge("A2:F2")
    fixture = Fixture(b"", name="HECVAT3_Full_vendor.xlsx")
    row = 3
    answer_rows = []
    shared = 0
    for index, (prefix, title, count) in enumerate(HECVAT3_SECTIONS):
        full.row(row, [title.upper(), None, "Vendor Answers", "Additional Information", "Guidance", "Score"],
                 style=BOLD)
        if index % 2:
            full.merge(f"A{row}:B{row}")
        row += 1
        section = [i for i, item in enumerate(items) if item[1] == prefix]
        first = row
        for position, i in enumerate(section):
            qid, _p, text, _t = items[i]
            full.set((row, 1), qid)
            area = f"B{first}:B{first + len(section) - 1}" if position == 0 else None
            full.set((row, 2), text, formula=f"VLOOKUP(A{first},Questions!$A$2:$B$300,2,FALSE)" if area else None,
                     shared=(shared, area))
            answer = ""
            if i not in blank:
                if prefix == "GNRL":
                    answer = {0: "Example Learning Systems, Inc.", 9: "US-East, EU-West", 10: "2026-03-31",
                              11: "SaaS", 12: "No"}.get(general.index(i), f"{GENERAL[general.index(i)]}: see portal")
                else:
                    answer = rng.choices(("Yes", "No", "N/A", "yes"), (70, 15, 12, 3))[0]
            detail = rng.choice(("See attached SOC 2 report.", "Reviewed annually by our CISO.",
                                 "Planned for Q3.")) if answer and prefix != "GNRL" and rng.random() < 0.4 else ""
            if answer:
                full.set((row, 3), answer)
            if detail:
                full.set((row, 4), detail)
            full.set((row, 5), f"Analysts: a strong answer to {qid} cites evidence.")
            full.set((row, 6), "" if not answer else (1 if answer.lower() == "yes" else 0),
                     formula=f'IF(C{row}="","",IF(C{row}=Questions!C{i + 2},1,0))')
            fixture.expected.append(Expected(full.title, row, qid, text, answer, detail))
            answer_rows.append((row, qid, text, answer))
            if prefix != "GNRL":
                full.drop_down(f"C{row}", "YesNoNA")
            row += 1
        shared += 1
    full.set((row + 1, 1), "End of questionnaire. Thank you for completing the HECVAT.")
    full.merge(f"A{row + 1}:F{row + 1}")
    _hecvat3_side_sheets(sheets, answer_rows, items, rng, answer_sheet)
    fixture.data = book.to_bytes()
    return fixture


def _hecvat3_side_sheets(sheets: dict[str, Sheet], answer_rows, items, rng, answers: str) -> None:
    """The analyst, scoring, crosswalk, summary and reference sheets around the answers
    (on the sheet named ``answers``)."""
    full = "'" + answers.replace("'", "''") + "'"
    sheets["Instructions"].set("A1", "Instructions", style=BOLD)
    for row, text in enumerate(("Vendors: complete the HECVAT - Full sheet.",
                                "Institutions: review the Analyst Report and the Summary.",
                                "Do not rename or reorder sheets; formulas depend on them."), start=3):
        sheets["Instructions"].set((row, 1), text)
    report = sheets["Analyst Report"]
    report.set("A1", "Analyst Report", style=BOLD)
    report.row(3, ["ID", "Question", "Vendor Answer", "Preferred", "Analyst Notes"], style=BOLD)
    scoring = sheets["Scoring"]
    scoring.row(1, ["ID", "Answer", "Weight", "Score"], style=BOLD)
    for offset, (row, qid, text, answer) in enumerate(answer_rows):
        target = 4 + offset
        report.set((target, 1), qid, formula=f"{full}!A{row}")
        report.set((target, 2), text, formula=f"{full}!B{row}")
        report.set((target, 3), answer, formula=f"IF({full}!C{row}=\"\",\"\",{full}!C{row})")
        report.set((target, 4), "Yes")
        scoring.set((offset + 2, 1), qid, formula=f"{full}!A{row}")
        scoring.set((offset + 2, 2), answer, formula=f"{full}!C{row}&\"\"")
        scoring.set((offset + 2, 3), 10)
        scoring.set((offset + 2, 4), 10 if answer.lower() == "yes" else 0,
                    formula=f'IF(B{offset + 2}="Yes",C{offset + 2},0)')
    reference = sheets["Analyst Reference"]
    reference.row(1, ["ID", "Question", "Analyst Guidance", "What a good answer looks like"], style=BOLD)
    for offset, (qid, _p, text, title) in enumerate(items[:189]):
        good = rng.choice(("Yes, with a policy reviewed in the last year.", "A reference to an audit report.",
                           "Yes, backed by a third-party attestation.", "Evidence of a tested procedure."))
        reference.row(offset + 2, [qid, text, f"Look for a documented {title.lower()} process; ask for evidence "
                                   "when the vendor gives no detail.", good])
    crosswalk = sheets["Standards Crosswalk"]
    crosswalk.row(1, ["ID", "Question", "NIST SP 800-171", "NIST CSF", "ISO 27002:2013", "HIPAA"], style=BOLD)
    for offset, (qid, _p, text, _t) in enumerate(items):
        crosswalk.row(offset + 2, [qid, text, f"3.{offset % 14 + 1}.{offset % 9 + 1}", f"PR.AC-{offset % 7 + 1}",
                                   f"A.{offset % 18 + 5}.{offset % 4 + 1}.{offset % 3 + 1}", f"164.3{offset % 12:02d}"])
    summary = sheets["Summary"]
    summary.row(1, ["Summary"], style=BOLD)
    summary.set("A3", "Vendor")
    summary.set("B3", answer_rows[0][3], formula=f"{full}!C4")
    answered = sum(1 for *_x, a in answer_rows if a)
    summary.set("A4", "Questions answered")
    summary.set("B4", answered, formula=f"COUNTA({full}!C4:C300)")
    risk = sheets["Risk Summary"]
    risk.row(1, ["Section", "Yes", "No", "Score"], style=BOLD)
    for offset, (prefix, title, _count) in enumerate(HECVAT3_SECTIONS):
        yes = sum(1 for _r, q, _t, a in answer_rows if q.startswith(prefix) and a.lower() == "yes")
        risk.row(offset + 2, [title])
        risk.set((offset + 2, 2), yes, formula=f'COUNTIFS(Scoring!A:A,"{prefix}*",Scoring!B:B,"Yes")')
        risk.set((offset + 2, 3), 0, formula=f'COUNTIFS(Scoring!A:A,"{prefix}*",Scoring!B:B,"No")')
    glossary = sheets["Glossary"]
    glossary.row(1, ["Term", "Definition"], style=BOLD)
    glossary.row(2, ["HECVAT", "Higher Education Community Vendor Assessment Toolkit"])
    glossary.row(3, ["SaaS", "Software as a Service"])
    log = sheets["Change Log"]
    log.row(1, ["Version", "Date", "Change"], style=BOLD)
    log.row(2, ["3.06", "2023-01-15", "Questions reworded"])
    sheets["Lookups"].row(1, ["x", 1])


# --- HECVAT 4 --------------------------------------------------------------------------------
HECVAT4_SHEETS = (
    ("Organization", (("COMP", "Company", 8), ("DOCU", "Documentation", 10), ("THRD", "Third Parties", 6),
                      ("PPPR", "Policies and Processes", 6))),
    ("Product", (("APPL", "Application Security", 12), ("AAAI", "Authentication and Access", 12),
                 ("DATA", "Data", 14))),
    ("Infrastructure", (("DCTR", "Datacenter", 8), ("FIDP", "Network", 6), ("VULN", "Vulnerability Management", 8),
                        ("BCPL", "Business Continuity Plan", 8))),
    ("IT Accessibility", (("ITAC", "IT Accessibility", 10),)),
    ("Case-Specific", (("HFIH", "Incident Handling", 6), ("CONS", "Consulting", 5))),
    ("AI", (("AIGN", "AI Governance", 4), ("AIML", "Machine Learning", 6))),
    ("Privacy", (("PRIV", "Privacy", 16),)),
)
REPEATED_ON_PRIVACY = ("DATA-01", "DATA-02", "DATA-03")


def hecvat4(seed: int = 5) -> Fixture:
    """HECVAT 4.x as a vendor returns it: questions over ``Organization``, ``Product``,
    ``Infrastructure``, ``IT Accessibility``, ``Case-Specific``, ``AI`` and ``Privacy`` (ids in
    A, text in B, answers in C from drop-downs on the hidden ``Values`` sheet written in
    Excel 2010's extension block, additional information in D, analyst guidance in E),
    section banners merged across; ``Privacy`` repeats three ``Product`` questions by formula
    (ids, texts and answers copied, with cached values); ``Analyst Report``, ``Summary
    Report`` and ``Scoring`` copy answers by formula. The AI sheet: the vendor answers the
    qualifier No and leaves the rest blank."""
    rng = random.Random(seed)
    book = Book()
    start = book.add("START HERE")
    start.set("A1", "HECVAT 4 — start here", style=BOLD)
    start.set("A3", "Answer the questions on each tab; the analyst tabs fill themselves.")
    sheets = {title: book.add(title) for title, _s in HECVAT4_SHEETS}
    analyst, summary, scoring = book.add("Analyst Report"), book.add("Summary Report"), book.add("Scoring")
    values = book.add("Values", "hidden")
    values.row(1, ["Yes"])
    values.row(2, ["No"])
    values.row(3, ["N/A"])
    fixture = Fixture(b"", name="HECVAT4_vendor.xlsx")
    where: dict[str, tuple[int, str, str]] = {}
    for title, sections in HECVAT4_SHEETS:
        sheet = sheets[title]
        sheet.set("A1", f"{title} questions", style=BOLD)
        sheet.merge("A1:E1")
        sheet.row(2, ["Question ID", "Question", "Response", "Additional Info", "Analyst Guidance"], style=BOLD)
        row = 3
        for prefix, name, count in sections:
            sheet.set((row, 1), name, style=BOLD)
            sheet.merge(f"A{row}:E{row}")
            row += 1
            for n in range(1, count + 1):
                qid, text = f"{prefix}-{n:02d}", hecvat_question(prefix, name, n)
                if prefix == "AIGN":
                    answer = "No" if n == 1 else ""
                    text = "Does your product use artificial intelligence?" if n == 1 else text
                else:
                    answer = rng.choices(("Yes", "No", "N/A", ""), (65, 12, 8, 15))[0]
                detail = "Evidence on request." if answer == "Yes" and rng.random() < 0.3 else ""
                sheet.row(row, [qid, text, answer or None, detail or None, "Check the evidence."])
                fixture.expected.append(Expected(title, row, qid, text, answer, detail))
                where[qid] = (row, title, answer)
                row += 1
        sheet.drop_down(f"C3:C{row - 1}", "Values!$A$1:$A$3", extension=True)
        if title == "Privacy":
            sheet.set((row, 1), "Repeated from Product", style=BOLD)
            sheet.merge(f"A{row}:E{row}")
            row += 1
            for qid in REPEATED_ON_PRIVACY:
                source, _t, answer = where[qid]
                text = next(e.question for e in fixture.expected if e.question_id == qid)
                sheet.set((row, 1), qid, formula=f"Product!A{source}")
                sheet.set((row, 2), text, formula=f"Product!B{source}")
                sheet.set((row, 3), answer, formula=f'IF(Product!C{source}="","",Product!C{source})')
                row += 1
    analyst.row(1, ["ID", "Question", "Answer", "Analyst Comments"], style=BOLD)
    scoring.row(1, ["ID", "Answer", "Weight", "Score"], style=BOLD)
    for offset, item in enumerate(fixture.expected, start=2):
        analyst.set((offset, 1), item.question_id, formula=f"'{item.sheet}'!A{item.row}")
        analyst.set((offset, 2), item.question, formula=f"'{item.sheet}'!B{item.row}")
        cell = f"'{item.sheet}'!C{item.row}"
        analyst.set((offset, 3), item.answer, formula=f'IF({cell}="","",{cell})')
        scoring.set((offset, 1), item.question_id, formula=f"'{item.sheet}'!A{item.row}")
        scoring.set((offset, 2), item.answer, formula=f"'{item.sheet}'!C{item.row}&\"\"")
        scoring.set((offset, 3), 5)
        scoring.set((offset, 4), 5 if item.answer == "Yes" else 0, formula=f'IF(B{offset}="Yes",C{offset},0)')
    summary.row(1, ["Sheet", "Answered"], style=BOLD)
    for offset, (title, _s) in enumerate(HECVAT4_SHEETS, start=2):
        summary.set((offset, 1), title)
        summary.set((offset, 2), sum(1 for e in fixture.expected if e.sheet == title and e.answer),
                    formula=f"COUNTA('{title}'!C3:C200)")
    fixture.data = book.to_bytes()
    return fixture


# --- SIG-style -------------------------------------------------------------------------------
SIG_DOMAINS = ("A. Enterprise Risk Management", "B. Nth Party Management", "C. Information Assurance",
               "D. Asset and Info Management", "E. Human Resources Security", "F. Physical and Environmental",
               "G. IT Operations Management", "H. Access Control", "I. Application Security",
               "J. Cybersecurity Incident Mgmt", "K. Operational Resilience", "L. Compliance Management",
               "M. Endpoint Security", "N. Network Security", "P. Privacy Management", "T. Threat Management",
               "U. Server Security", "V. Cloud Hosting Services")
SIG_FIRST = {"T": "Is a penetration test performed by an independent third party at least annually?",
             "K": "Is the business continuity plan tested with an exercise at least annually?",
             "V": "Can the client choose the region or country where its data is hosted and stored?",
             "H": "Is privileged access granted by least privilege and reviewed quarterly?"}
SIG_TOPICS = ("Is there a documented {d} program approved by management?",
              "Are {d} responsibilities assigned to named staff?",
              "Is the {d} program reviewed at least annually?",
              "Are exceptions to the {d} policy tracked to closure?")


def sig(questions: int = 540, seed: int = 7) -> Fixture:
    """A SIG-style workbook: ``Instructions``, ``Business Information`` (a label/value form),
    ``Dashboard`` (counts by formula), one tab per domain with a merged title row, the header
    ``Ques Num`` / ``Question/Request`` / ``Response`` / ``Additional Information`` /
    ``Control Reference``, parent questions (A.1) with sub-questions (A.1.1) skipped when the
    parent is No, answers from a drop-down on the hidden ``Lists`` sheet (a defined name),
    then ``Glossary``; ``questions`` are spread over the 18 domain tabs."""
    rng = random.Random(seed)
    book = Book()
    instructions = book.add("Instructions")
    instructions.set("A1", "Standardized questionnaire — instructions", style=BOLD)
    instructions.set("A3", "Answer each question on the domain tabs using the Response drop-down.")
    business = book.add("Business Information")
    business.row(1, ["Business Information"], style=BOLD)
    for row, (label, value) in enumerate((("Company Name", "Example Payments Cloud K.K."),
                                          ("Primary Contact", "Hanako Suzuki"), ("Country", "Japan"),
                                          ("Date Completed", "2026-04-01")), start=3):
        business.row(row, [label, value])
    dashboard = book.add("Dashboard")
    dashboard.row(1, ["Domain", "Yes", "No", "N/A", "Unanswered"], style=BOLD)
    book.define("ResponseList", "Lists!$A$2:$A$4")
    fixture = Fixture(b"", name="SIG_vendor.xlsx")
    per_tab = [questions // len(SIG_DOMAINS) + (1 if i < questions % len(SIG_DOMAINS) else 0)
               for i in range(len(SIG_DOMAINS))]
    for index, (domain, count) in enumerate(zip(SIG_DOMAINS, per_tab)):
        letter, name = domain.split(". ", 1)
        sheet = book.add(domain)
        sheet.set("A1", domain, style=BOLD)
        sheet.merge("A1:E1")
        sheet.row(2, ["Ques Num", "Question/Request", "Response", "Additional Information", "Control Reference"],
                  style=BOLD)
        row, parent, child, parent_no = 3, 0, 0, False
        for n in range(count):
            if n == 0 or child >= 3:
                parent, child = parent + 1, 0
                qid = f"{letter}.{parent}"
                text = SIG_TOPICS[parent % len(SIG_TOPICS)].format(d=name.lower())
                if parent == 1 and letter in SIG_FIRST:
                    text = SIG_FIRST[letter]
                answer = rng.choices(("Yes", "No", "N/A"), (80, 12, 8))[0]
                parent_no = answer == "No"
            else:
                child += 1
                qid = f"{letter}.{parent}.{child}"
                text = f"If so, does the {name.lower()} program cover item {child} of area {parent}?"
                answer = "" if parent_no else rng.choices(("Yes", "No", "N/A", ""), (78, 10, 7, 5))[0]
            detail = "Documented in policy POL-%03d." % (n + 1) if answer == "Yes" and rng.random() < 0.25 else ""
            sheet.row(row, [qid, text, answer or None, detail or None, f"ISO 27001 A.{5 + n % 14}"])
            fixture.expected.append(Expected(domain, row, qid, text, answer, detail))
            row += 1
        sheet.drop_down(f"C3:C{row - 1}", "ResponseList")
        dashboard.set((index + 2, 1), domain)
        for column, word in ((2, "Yes"), (3, "No"), (4, "N/A")):
            count = sum(1 for e in fixture.expected if e.sheet == domain and e.answer == word)
            dashboard.set((index + 2, column), count, formula=f"COUNTIF('{domain}'!C:C,\"{word}\")")
    lists = book.add("Lists", "hidden")
    lists.row(1, ["Response"])
    for row, word in enumerate(("Yes", "No", "N/A"), start=2):
        lists.row(row, [word])
    glossary = book.add("Glossary")
    glossary.row(1, ["Term", "Definition"], style=BOLD)
    glossary.row(2, ["Nth party", "A subcontractor of a subcontractor"])
    fixture.data = book.to_bytes()
    return fixture


# --- Japanese check lists --------------------------------------------------------------------
JA_SECTIONS = (
    ("1．組織的対策", ("情報セキュリティ基本方針を策定し、従業員に周知していますか。",
                   "当社との契約において、役割・責任の分担を文書で定めていますか。",
                   "当社が提示したセキュリティ要件を従業員に遵守させ、契約に明記していますか。",
                   "当社または当社の指定する監査人による監査を受け入れていますか。")),
    ("2．人的対策", ("従業員と秘密保持契約を締結していますか。",
                  "情報セキュリティ教育を年1回以上実施していますか。",
                  "過去12か月に情報セキュリティ事故が発生しましたか。")),
    ("3．アクセス管理", ("利用者データにアクセスできる者を役割ごとに限定し、一覧で管理していますか。",
                    "利用者データへのアクセス・操作ログを保存し、当社の求めに応じて提出できますか。",
                    "特権IDの利用を申請・承認制とし、利用状況を点検していますか。")),
    ("4．再委託", ("再委託にあたり、当社の事前承認を得る手続きを定めていますか。",
                 "再委託先に対して自社と同等のセキュリティ要件を課し、定期的に確認していますか。")),
    ("5．クラウドサービス", ("データの保管場所を日本国内のリージョンに限定できますか。",
                       "暗号鍵の生成・更新・廃棄の手順を定めていますか。",
                       "第三者による脆弱性診断を年1回以上実施していますか。",
                       "事業継続計画（BCP）を定め、年1回以上訓練していますか。",
                       "契約終了時にデータをエクスポートし、移行できますか。")),
)


def ja_maru_batsu(seed: int = 11) -> Fixture:
    """A Japanese check list answered ○ / × / △ / －: a cover sheet, a filled ``記入例``
    (example) sheet, then ``チェックリスト`` with a merged title, company and date lines, the
    header 項番 / 確認項目 / 回答 / 備考 on row 5, section rows merged across, a merged banner
    before the cloud section, answers from an inline drop-down, remarks in 備考, and notes
    with the legend and 以上 at the bottom."""
    rng = random.Random(seed)
    book = Book()
    cover = book.add("表紙")
    cover.set("B3", "委託先 情報セキュリティチェックリスト", style=BOLD)
    cover.set("B5", "回答企業：株式会社サンプルクラウド")
    example = book.add("記入例")
    example.row(1, ["項番", "確認項目", "回答", "備考"], style=BOLD)
    example.row(2, ["1-1", "情報セキュリティ基本方針を策定していますか。", "○", "2020年制定"])
    example.row(3, ["1-2", "監査を受け入れていますか。", "△", "書面監査のみ"])
    example.drop_down("C2:C3", '"○,×,△,－"')
    sheet = book.add("チェックリスト")
    sheet.set("A1", "委託先管理チェックリスト（情報セキュリティ）", style=BOLD)
    sheet.merge("A1:D1")
    sheet.row(2, ["回答企業名：", "株式会社サンプルクラウド"])
    sheet.row(3, ["記入日：", "2026年4月1日"])
    sheet.row(5, ["項番", "確認項目", "回答", "備考"], style=BOLD)
    fixture = Fixture(b"", name="チェックリスト_回答.xlsx")
    row = 6
    for number, (title, questions) in enumerate(JA_SECTIONS, start=1):
        if number == 5:
            sheet.set((row, 1), "※以下は、クラウドサービスを利用して業務を行う場合のみご回答ください。")
            sheet.merge(f"A{row}:D{row}")
            row += 1
        sheet.set((row, 1), title, style=BOLD)
        sheet.merge(f"A{row}:D{row}")
        row += 1
        for n, text in enumerate(questions, start=1):
            answer = rng.choices(("○", "×", "△", "－", ""), (60, 10, 12, 8, 10))[0]
            remark = rng.choice(("年1回見直し", "規程第5条", "2025年度実施済")) if answer in ("○", "△") and rng.random() < 0.5 else ""
            sheet.row(row, [f"{number}-{n}", text, answer or None, remark or None])
            fixture.expected.append(Expected(sheet.title, row, f"{number}-{n}", text, answer, remark))
            row += 1
    sheet.drop_down(f"C6:C{row - 1}", '"○,×,△,－"')
    sheet.set((row + 1, 1), "※回答欄には、○：実施済み、×：未実施、△：一部実施、－：該当なし を記入してください。")
    sheet.merge(f"A{row + 1}:D{row + 1}")
    sheet.set((row + 2, 1), "※備考欄には、根拠となる規程名等をご記入ください。")
    sheet.set((row + 4, 4), "以上")
    fixture.data = book.to_bytes()
    return fixture


def _ja_hai_rows(seed: int) -> list[tuple[str, str, str, str]]:
    """(category, question, answer, supplement) rows of the はい/いいえ check list."""
    rng = random.Random(seed)
    rows = []
    for title, questions in JA_SECTIONS:
        category = title.split("．", 1)[1]
        for text in questions:
            answer = rng.choices(("はい", "いいえ", "該当なし", "一部対応", "", "はい（年1回実施）"), (55, 10, 8, 12, 10, 5))[0]
            supplement = "詳細は別紙参照" if answer and rng.random() < 0.3 else ""
            rows.append((category, text, answer, supplement))
    return rows


def ja_hai_iie(seed: int = 12) -> Fixture:
    """A Japanese questionnaire without ids: 分類 / 質問 / 回答 / 補足 on row 3, the category
    merged down its questions in column A, a heading row 【...】 without an answer, answers
    はい / いいえ / 該当なし / 一部対応 from a drop-down pointing (by a defined name) at the
    hidden sheet ``選択肢``; some answers typed beyond the list (はい（年1回実施）)."""
    book = Book()
    sheet = book.add("質問票")
    choices = book.add("選択肢", "hidden")
    for row, word in enumerate(("はい", "いいえ", "該当なし", "一部対応"), start=1):
        choices.row(row, [word])
    book.define("回答選択肢", "選択肢!$A$1:$A$4")
    sheet.set("A1", "業務委託先 セキュリティ質問票", style=BOLD)
    sheet.merge("A1:D1")
    sheet.row(3, ["分類", "質問", "回答", "補足"], style=BOLD)
    fixture = Fixture(b"", name="質問票.xlsx")
    row, current, start = 4, None, 4
    for category, text, answer, supplement in _ja_hai_rows(seed):
        if category != current:
            if current is not None and row - 1 > start:
                sheet.merge(f"A{start}:A{row - 1}")
            if category == "再委託":
                sheet.set((row, 2), "【再委託先の管理について】")
                row += 1
            current, start = category, row
            sheet.set((row, 1), category)
        sheet.row(row, [None, text, answer or None, supplement or None])
        fixture.expected.append(Expected(sheet.title, row, "", text, answer, supplement))
        row += 1
    sheet.merge(f"A{start}:A{row - 1}")
    sheet.drop_down(f"C4:C{row - 1}", "回答選択肢")
    sheet.set((row + 1, 2), "※ご不明な点は担当者までお問い合わせください。")
    fixture.data = book.to_bytes()
    return fixture


def ja_hai_iie_csv(seed: int = 12) -> Fixture:
    """The same questionnaire saved as CSV by Excel in Japan: Shift_JIS (cp932), the
    category only on the first row of its group."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["業務委託先 セキュリティ質問票", "", "", ""])
    writer.writerow(["分類", "質問", "回答", "補足"])
    expected, current = [], None
    for number, (category, text, answer, supplement) in enumerate(_ja_hai_rows(seed), start=3):
        writer.writerow([category if category != current else "", text, answer, supplement])
        current = category
        expected.append(Expected("CSV", number, "", text, answer, supplement))
    return Fixture(out.getvalue().encode("cp932"), expected, "質問票.csv")


def ja_own_vocabulary(words=("達成", "一部達成", "未対応", "該当なし"), seed: int = 13) -> Fixture:
    """A Japanese self-check list whose answers come from its own drop-down: No /
    チェック項目 / 評価 / コメント, section rows merged across, answers picked from ``words``
    (by default 達成 / 一部達成 / 未対応 / 該当なし), the list on the hidden sheet ``リスト``
    (column B, rows 2-5) referenced from Excel 2010's extension block, notes at the bottom."""
    rng = random.Random(seed)
    book = Book()
    sheet = book.add("自己点検シート")
    lists = book.add("リスト", "hidden")
    lists.row(1, ["区分", "評価"])
    for row, word in enumerate(words, start=2):
        lists.row(row, ["委託", word])
    sheet.set("A1", "委託先 自己点検シート", style=BOLD)
    sheet.merge("A1:D1")
    sheet.row(2, ["No", "チェック項目", "評価", "コメント"], style=BOLD)
    fixture = Fixture(b"", name="自己点検シート.xlsx")
    row, number = 3, 0
    for title, questions in JA_SECTIONS:
        sheet.set((row, 1), title, style=BOLD)
        sheet.merge(f"A{row}:D{row}")
        row += 1
        for text in questions:
            number += 1
            answer = rng.choice(words)
            comment = "担当：情報システム部" if rng.random() < 0.3 else ""
            sheet.row(row, [number, text, answer, comment or None])
            fixture.expected.append(Expected(sheet.title, row, str(number), text, answer, comment))
            row += 1
    sheet.drop_down(f"C3:C{row - 1}", f"リスト!$B$2:$B${1 + len(words)}", extension=True)
    sheet.set((row + 1, 1), "注：評価欄はプルダウンから選択してください。")
    sheet.merge(f"A{row + 1}:D{row + 1}")
    fixture.data = book.to_bytes()
    return fixture


# --- Check lists answered by marking one of several columns -----------------------------------
TICK_TITLES = ("はい", "いいえ", "該当なし")


def ja_tick_columns(two_header_rows: bool = False, seed: int = 14) -> Fixture:
    """A Japanese check list answered by a ○ in one of three columns はい | いいえ | 該当なし.

    One header row (項番 / 確認項目 / はい / いいえ / 該当なし / 備考), or two: 回答 merged over
    the three answer columns with their titles on the row under it, 項番 / 確認項目 / 備考
    merged down both rows. Section rows merged across; some questions left unmarked, one
    marked twice (はい and 該当なし); a linked check box's FALSE and a dash count as no mark;
    ``レ`` and ``1`` as marks. ``answer`` of each expected row is the title of the column
    marked (both titles, " / "-joined, when marked twice)."""
    rng = random.Random(seed)
    book = Book()
    sheet = book.add("確認シート")
    sheet.set("A1", "外部委託先 セキュリティ確認シート", style=BOLD)
    sheet.merge("A1:F1")
    header = 3
    if two_header_rows:
        sheet.row(header, ["項番", "確認項目", "回答", None, None, "備考"], style=BOLD)
        sheet.merge(f"C{header}:E{header}")
        sheet.row(header + 1, [None, None, *TICK_TITLES], style=BOLD)
        for column in "ABF":
            sheet.merge(f"{column}{header}:{column}{header + 1}")
        row = header + 2
    else:
        sheet.row(header, ["項番", "確認項目", *TICK_TITLES, "備考"], style=BOLD)
        row = header + 1
    fixture = Fixture(b"", name="確認シート.xlsx")
    marks = ("○", "○", "○", "レ", "1", "〇")
    for number, (title, questions) in enumerate(JA_SECTIONS, start=1):
        sheet.set((row, 1), title, style=BOLD)
        sheet.merge(f"A{row}:F{row}")
        row += 1
        for n, text in enumerate(questions, start=1):
            qid = f"{number}-{n}"
            choice = rng.choices((0, 1, 2, None), (60, 15, 10, 15))[0]
            cells: list = [None, None, None]
            if choice is not None:
                cells[choice] = rng.choice(marks)
            for index in range(3):  # unticked cells as check boxes and forms leave them
                if cells[index] is None and rng.random() < 0.3:
                    cells[index] = rng.choice((False, "－"))
            answer = TICK_TITLES[choice] if choice is not None else ""
            if qid == "2-2":  # marked twice
                cells, answer = ["○", None, "○"], f"{TICK_TITLES[0]} / {TICK_TITLES[2]}"
            remark = "規程第3条" if answer and rng.random() < 0.3 else ""
            sheet.row(row, [qid, text, *cells, remark or None])
            fixture.expected.append(Expected(sheet.title, row, qid, text, answer, remark))
            row += 1
    sheet.set((row + 1, 1), "※該当する欄に○を記入してください。")
    sheet.merge(f"A{row + 1}:F{row + 1}")
    fixture.data = book.to_bytes()
    return fixture


def caiq_v31_style(seed: int = 31) -> Fixture:
    """An older cloud questionnaire layout (CAIQ v3.1 style): Control Domain / Control ID /
    Question ID / Control Specification / Consensus Assessment Questions, then
    "Consensus Assessment Answers" merged over Yes / No / Not Applicable (titles on row 2,
    the vendor puts an X in one) and Notes; the domain and specification merged down their
    questions."""
    rng = random.Random(seed)
    book = Book()
    sheet = book.add("CAIQ v3.1")
    sheet.row(1, ["Control Domain", "Control ID", "Question ID", "Control Specification",
                  "Consensus Assessment Questions", "Consensus Assessment Answers", None, None, "Notes"],
              style=BOLD)
    sheet.merge("F1:H1")
    sheet.row(2, [None] * 5 + ["Yes", "No", "Not Applicable"], style=BOLD)
    for column in "ABCDEI":
        sheet.merge(f"{column}1:{column}2")
    fixture = Fixture(b"", name="CAIQv3.1.xlsx")
    row = 3
    for prefix, domain, count in (("AIS", "Application & Interface Security", 4), ("BCR", "Business Continuity", 6),
                                  ("EKM", "Encryption & Key Management", 5), ("IAM", "Identity & Access", 7)):
        for n in range(1, count + 1):
            control = f"{prefix}-{n:02d}"
            first = row
            for q in range(1, rng.choice((1, 2, 3)) + 1):
                text = f"Do you maintain the measures of control {control}, part {q}, and review them annually?"
                choice = rng.choices((0, 1, 2, None), (70, 10, 12, 8))[0]
                cells: list = [None, None, None]
                if choice is not None:
                    cells[choice] = rng.choice(("X", "x", "✓"))
                note = "See SOC 2 report." if choice == 0 and rng.random() < 0.4 else ""
                answer = ("Yes", "No", "Not Applicable")[choice] if choice is not None else ""
                sheet.row(row, [domain if row == first else None, control if row == first else None,
                                f"{control}.{q}", None, text, *cells, note or None])
                fixture.expected.append(Expected(sheet.title, row, f"{control}.{q}", text, answer, note))
                row += 1
            sheet.set((first, 4), f"The specification of {control}.")
            if row - 1 > first:
                for column in "ABD":
                    sheet.merge(f"{column}{first}:{column}{row - 1}")
    fixture.data = book.to_bytes()
    return fixture


def ja_grid_form(seed: int = 15) -> Fixture:
    """A Japanese form drawn on a grid of narrow columns (方眼紙): the title and the company
    line merged across, the header on row 6 with 項番 in A:B, 確認事項 merged over C:AD, 回答
    over AE:AH (a drop-down on AE: 適合 / 一部適合 / 不適合 / 対象外) and 備考 over AI:AP,
    every question row merged the same way, section rows merged across the whole width."""
    from openpyxl.utils import get_column_letter as letter
    rng = random.Random(seed)
    book = Book()
    sheet = book.add("様式1")
    sheet.set("A1", "外部委託先 情報セキュリティ確認書", style=BOLD)
    sheet.merge("A1:AP1")
    sheet.set("A3", "貴社名：")
    sheet.merge("A3:F3")
    sheet.set("G3", "株式会社グリッドソリューションズ")
    sheet.merge("G3:AD3")
    spans = (("A", "B", "項番"), ("C", "AD", "確認事項"), ("AE", "AH", "回答"), ("AI", "AP", "備考"))
    for first, last, title in spans:
        sheet.set(f"{first}6", title, style=BOLD)
        sheet.merge(f"{first}6:{last}6")
    fixture = Fixture(b"", name="様式1_確認書.xlsx")
    row = 7
    words = ("適合", "一部適合", "不適合", "対象外")
    for number, (title, questions) in enumerate(JA_SECTIONS, start=1):
        sheet.set((row, 1), title, style=BOLD)
        sheet.merge(f"A{row}:AP{row}")
        row += 1
        for n, text in enumerate(questions, start=1):
            answer = rng.choices(words + ("",), (60, 12, 8, 8, 12))[0]
            remark = "別紙参照" if answer and rng.random() < 0.3 else ""
            values = {1: f"{number}-{n}", 3: text, 31: answer or None, 35: remark or None}
            for column, value in values.items():
                if value is not None:
                    sheet.set((row, column), value)
            for first, last, _title in spans:
                sheet.merge(f"{first}{row}:{last}{row}")
            fixture.expected.append(Expected(sheet.title, row, f"{number}-{n}", text, answer, remark))
            row += 1
    sheet.drop_down(f"AE8:AE{row - 1}", '"' + ",".join(words) + '"')
    assert letter(31) == "AE"
    fixture.data = book.to_bytes()
    return fixture
