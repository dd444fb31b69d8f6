"""Every download of the URL map that a Japanese member of compliance opens on the demo
portfolio — registers, checklists, records, workbooks — has its headings in Japanese: a
workbook's column headings (each sheet's first row), a Word document's headings, the labels
of its tables' first column and first row. The page walk (``test_every_page``) leaves
downloads out; their data (a company's English name, a vendor's own answers) is not checked,
only the words the product writes around it. Files a person uploaded and exports built in the
background (202: a job) are skipped."""
import io
import re
import zipfile

import requests
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import text

from tests.browser import pagemap
from tests.browser.conftest import WALKER_PASSWORD

UPLOADED = re.compile(r"/file$|/files/|/attachment$|/evidence$")  # a person's file, sent as it came
# Downloads meant for programs, not readers: the audit trail's CSV keeps its column codes and
# raw values (its hash chain is checked on exactly those), the calendar feed is read by a calendar.
RAW = re.compile(r"/audit/export\.csv$|\.ics$|/feed/")


def _headings(content: bytes) -> list[str]:
    """The words the product writes around the data of a workbook or a Word document."""
    if not content.startswith(b"PK"):
        return []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
    if "word/document.xml" in names:
        document = Document(io.BytesIO(content))
        found = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
        for table in document.tables:
            found += [cell.text for cell in table.rows[0].cells]
            found += [row.cells[0].text for row in table.rows]
        return found
    if "xl/workbook.xml" in names:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        try:
            return [str(value) for sheet in workbook.worksheets
                    for row in sheet.iter_rows(max_row=1, values_only=True) for value in row if value]
        finally:
            workbook.close()
    return []


def test_downloads_have_japanese_headings_for_a_japanese_reader(demo_site):
    from vendorrisk.core.db import new_session
    with demo_site.app.app_context():
        session = new_session()
        try:
            values = pagemap._values(session)
            # data, not headings: a label/value table's first row holds the vendor's name
            names = sorted(filter(None, session.execute(text("SELECT name_en FROM vendor")).scalars()), key=len,
                           reverse=True)
        finally:
            session.close()
    rules = [rule for rule in demo_site.app.url_map.iter_rules()
             if "GET" in rule.methods and pagemap.DOWNLOAD.search(rule.rule)
             and not rule.rule.startswith(pagemap.SKIPPED_PREFIXES) and not UPLOADED.search(rule.rule)
             and not RAW.search(rule.rule)]
    checked, problems = [], []
    with requests.Session() as browser:
        browser.headers["Accept-Language"] = "ja"
        login = browser.get(f"{demo_site.url}/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.text).group(1)
        signed_in = browser.post(f"{demo_site.url}/login", data={
            "email": "walker-compliance-ja@example.jp", "password": WALKER_PASSWORD, "csrf_token": token})
        assert signed_in.url == f"{demo_site.url}/", signed_in.url
        for rule in sorted(rules, key=lambda r: r.rule):
            for path in pagemap._expand(rule, values, dict(pagemap.BY_ENDPOINT)):
                with browser.get(demo_site.url + path) as answer:
                    if answer.status_code != 200:
                        continue
                    headings = _headings(answer.content)
                if headings:
                    checked.append(path)
                shown = "\n".join(headings)
                for name in names:
                    shown = shown.replace(name, " ")
                english = pagemap.english_in_japanese(shown)
                if english:
                    problems.append(f"{path}: {' | '.join(english)}")
    assert len(checked) >= 4, checked  # the register, the checklists and the selection record at least
    assert not problems, "English headings in Japanese downloads:\n" + "\n".join(problems)
