"""The crafted-file corpus (``crafted_files.py``) through every upload of the API, on both
engines: each file is stored or refused with a 4xx naming the problem, never a 500; nothing
is written outside the file store; no entity is expanded or resolved; formula strings never
reach an export live.

The upload operations are taken from the generated OpenAPI document (every operation whose
request is a file), so a new upload is in the corpus test without being listed here; the
fields a form requires beside the file are filled from its schema."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests import factories
from tests.security.crafted_files import FORMULAS, corpus
from vendorrisk.core import clock
from vendorrisk.core.openapi import document

# Values for required form fields beside the file (by field name); the schema says which are required.
FIELD_VALUES = {"type": "soc2_type2"}


@pytest.fixture
def app_config():
    # A small unpacked limit: the bomb by absolute size stays a few MB to build.
    return {"MAX_UNPACKED_MB": 4}


def _uploads(app) -> list[tuple[str, str, str, list[str]]]:
    """(operation id, path, media type, required form fields) of every upload operation."""
    spec = document(app)
    found = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                if media == "application/json":
                    continue
                schema = content["schema"]
                if "$ref" in schema:
                    schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
                found.append((op["operationId"], path, media, [f for f in schema.get("required", []) if f != "file"]))
    return found


def _send(client, path: str, media: str, required: list[str], filename: str, data: bytes):
    if media == "multipart/form-data":
        form = {name: FIELD_VALUES.get(name, "x") for name in required}
        # Encoded in memory: the test client would spool a large body to a file it never closes.
        boundary, body = encode_multipart({**form, "file": FileStorage(io.BytesIO(data), filename)})
        return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    return client.post(f"{path}?filename={filename}", data=data, content_type=media)


def test_every_crafted_file_through_every_upload_is_stored_or_refused_never_a_500(app, db, api, tmp_path):
    from vendorrisk.questionnaires.campaigns import create_campaign
    from vendorrisk.questionnaires.service import signing_key
    from vendorrisk.vendors.findings import raise_finding
    from vendorrisk.vendors.models import VendorContact
    vendor = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, vendor)
    with app.test_request_context():
        finding, _created = raise_finding(db, vendor_id=vendor.id, source="manual", title="finding")
        db.add(VendorContact(vendor_id=vendor.id, name="担当", email="tanto@vendor.example.jp"))
        db.flush()
        campaign = create_campaign(db, {"title": "定期質問票", "template_id": "general_outsourcing",
                                        "due_date": (clock.today() + timedelta(days=30)).isoformat(),
                                        "vendor_ids": [vendor.id]},
                                   factories.gen_user(db, role="compliance"), signing_key(app.config["SECRET_KEY"]))
    db.commit()
    client = api("compliance")
    uploads = _uploads(app)
    assert {"uploadContract", "createCertificate", "importRegister", "importQuestionnaireResponse"} <= \
        {op for op, *_ in uploads}
    outcomes = []
    for operation_id, template, media, required in uploads:
        path = (template.replace("{vendor_id}", str(vendor.id)).replace("{arrangement_id}", str(arrangement.id))
                .replace("{finding_id}", str(finding.id)).replace("{campaign_id}", str(campaign.id)))
        assert "{" not in path, path  # a new upload's record: give it one here
        for what, filename, data in corpus():
            answer = _send(client, path, media, required, filename, data)
            outcomes.append((operation_id, what, answer.status_code))
            assert answer.status_code in (200, 201, 409, 413, 422), (operation_id, what, answer.status_code,
                                                                     answer.get_data(as_text=True)[:300])
            text = answer.get_data(as_text=True)
            assert "root:x:0:0" not in text and "lollollol" not in text, (operation_id, what)
            if answer.status_code == 422:
                assert answer.get_json()["error"]["message"], (operation_id, what)
    refused = {what for op, what, status in outcomes if status == 422}
    for bomb in ("ratio bomb (Word)", "size bomb (Word)", "billion laughs (Word)", "Windows executable named .pdf",
                 "ZIP that starts as a PDF, named .docx", "legacy Office (OLE) named .xlsx", "macro workbook extension"):
        assert bomb in refused, bomb
    assert not (tmp_path / "evil.pdf").exists() and not list(tmp_path.parent.glob("evil*"))
    stored_names = [p.name for p in (tmp_path / "instance" / "uploads").rglob("*") if p.is_file()]
    assert all(re.fullmatch("[0-9a-f]{64}", name) for name in stored_names), stored_names


def test_formula_strings_imported_from_a_register_are_inert_in_every_export(app, db, api):
    client = api("compliance")
    imported = client.post("/api/v1/register/import?filename=register.xlsx",
                           data={what: data for what, _name, data in corpus()}["formula strings (workbook)"],
                           content_type="application/octet-stream")
    assert imported.status_code in (200, 422), imported.get_data(as_text=True)[:300]
    if imported.status_code == 422:  # names starting like formulas may be refused; notes are kept
        return
    export = client.get("/api/v1/register.xlsx")
    book = load_workbook(io.BytesIO(export.get_data()), read_only=True)
    values = [v for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
              if isinstance(v, str)]
    assert any(f.strip() in v for f in FORMULAS for v in values)
    assert not any(v.lstrip(" \u3000").startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d")) for v in values)
