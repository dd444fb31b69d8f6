"""Issue 16, findings 11 and 14: malformed input is a 4xx, never a 500 — on both engines.

Ids and pages beyond 2^63, ``owner_id: "abc"``, deeply nested JSON, lone surrogates, NUL in a
query or a file name, CRLF in ``next=``, a PDF stream that inflates to 1 GB; and corporate
numbers in other scripts' digits."""
import zlib
from urllib.parse import unquote

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from tests import factories
from tests.certificates.factories import upload_certificate
from tests.helpers import pdf_document, sample_url
from vendorrisk.certificates.models import Certificate
from vendorrisk.core.models import StoredFile
from vendorrisk.vendors.findings import raise_finding
from vendorrisk.vendors.identifiers import corporate_number_problem, normalise_corporate_number
from vendorrisk.vendors.models import Vendor

HUGE = 2**63
# 5010001000002 (a valid number) written in other scripts' digits
OTHER_DIGITS = {"Arabic-Indic": "٥٠١٠٠٠١٠٠٠٠٠٢", "Persian": "۵۰۱۰۰۰۱۰۰۰۰۰۲", "Devanagari": "५०१०००१०००००२",
                "Thai": "๕๐๑๐๐๐๑๐๐๐๐๐๒", "Bengali": "৫০১০০০১০০০০০২", "superscript": "⁵⁰¹⁰⁰⁰¹⁰⁰⁰⁰⁰²"}


def _get_rules(app, with_arguments: bool):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static" and bool(rule.arguments) == with_arguments:
            yield rule


def test_ids_beyond_the_database_range_answer_404_on_every_route(app, client, login, api):
    login("admin")
    token = api("admin")
    tried = 0
    for rule in app.url_map.iter_rules():
        integers = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if not integers:
            continue
        for huge in (HUGE, 2**31, 10**30):
            url = sample_url(rule).replace("/1", f"/{huge}", 1)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                answer = token.open(method, url) if url.startswith("/api/") else client.open(url, method=method)
                assert answer.status_code == 404, (method, url, answer.status_code)
                tried += 1
    assert tried > 100


def test_pages_beyond_2_63_answer_an_empty_page_or_a_refusal(app, client, login, api):
    login("admin")
    token = api("admin")
    tried = 0
    for rule in _get_rules(app, with_arguments=False):
        for query in (f"page={HUGE}", f"per_page={HUGE}", f"page={-HUGE}", f"page={HUGE}&per_page={HUGE}",
                      f"vendor_id={HUGE}", f"owner_id={HUGE}", "page=abc"):
            url = f"{rule.rule}?{query}"
            answer = (token if url.startswith("/api/") else client).get(url)
            assert answer.status_code < 500, (url, answer.status_code, answer.get_data(as_text=True)[:300])
            tried += 1
    assert tried > 300


def test_nul_and_control_characters_in_a_query_are_refused_before_the_database(client, login, api):
    login("compliance")
    for url in ("/vendors/?q=a%00b", "/audit/?actor=%00", "/findings/?owner_id=%01", "/vendors/?q%00=x"):
        answer = client.get(url)
        assert answer.status_code == 422, (url, answer.status_code)
    answer = api("compliance").get("/api/v1/vendors?q=%00")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "validation_failed"


def test_a_lone_surrogate_or_a_control_character_in_json_is_refused(api):
    client = api("procurement")
    for body in ('{"name": "Evil \\ud800 KK"}', '{"name": "x", "notes": "a\\u0000b"}',
                 '{"name": "x", "notes": "a\\u000bb"}', '{"\\udfff": 1}', '{"name": "x", "address": "\\udc00"}'):
        answer = client.post("/api/v1/vendors", data=body, content_type="application/json")
        assert answer.status_code == 422, (body, answer.status_code, answer.get_data(as_text=True))
    ok = client.post("/api/v1/vendors", data='{"name": "正常 KK", "notes": "line 1\\nline 2\\ttab"}',
                     content_type="application/json")
    assert ok.status_code == 201, ok.get_data(as_text=True)


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 5000 + "1" + "}" * 5000,
                                  '{"name": "x", "notes": ' + "[" * 40 + "]" * 40 + "}"])
def test_deeply_nested_json_is_a_400(api, body):
    answer = api("procurement").post("/api/v1/vendors", data=body, content_type="application/json")
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["error"]["code"] == "malformed_json"


def test_owner_id_that_is_not_a_number_is_a_422(app, client, db, login, api):
    vendor = factories.gen_vendor(db)
    finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="鍵管理")
    db.commit()
    token = api("compliance")
    for owner_id in ("abc", "1e3", str(HUGE), -5, 1.5, [1], {"a": 1}):
        answer = token.patch(f"/api/v1/findings/{finding.id}", json={"owner_id": owner_id})
        assert answer.status_code == 422, (owner_id, answer.status_code)
        created = token.post("/api/v1/findings", json={"vendor_id": vendor.id, "title": "x", "owner_id": owner_id})
        assert created.status_code == 422, (owner_id, created.status_code)
    login("compliance")
    for owner_id in ("abc", str(HUGE), "-1"):
        page = client.post(f"/findings/{finding.id}/edit", data={"owner_id": owner_id, "title": "鍵管理"})
        assert page.status_code in (302, 422), (owner_id, page.status_code)  # the page shows the error
    db.rollback()
    assert db.get(type(finding), finding.id).owner_id == finding.owner_id


@pytest.mark.parametrize("target", ["/%0d%0aSet-Cookie:%20evil=1", "/vendors%0aX: y", "//evil.example/",
                                    "/\\evil.example", "/%5Cevil.example", "https://evil.example/", "/%00"])
def test_next_never_splits_a_header_or_leaves_the_site(client, db, target):
    user = factories.gen_user(db, role="compliance")
    db.commit()
    answer = client.post(f"/login?next={target}", data={"email": user.email, "password": factories.PASSWORD})
    assert answer.status_code in (302, 422), answer.status_code
    if answer.status_code == 302:
        location = answer.headers["Location"]
        assert location == "/" and "Set-Cookie: evil" not in str(answer.headers)
    language = client.post("/language", data={"lang": "ja", "next": unquote(target)})
    assert language.status_code in (302, 422)
    if language.status_code == 302:
        assert language.headers["Location"] == "/"


def test_nul_and_a_path_in_an_uploaded_file_name_are_removed(api, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    answer = upload_certificate(api("compliance"), vendor.id, filename="../../etc/SOC2\x00報告\u202e.pdf")
    assert answer.status_code == 201, answer.get_data(as_text=True)
    db.rollback()
    certificate = db.scalars(select(Certificate)).one()
    stored = db.get(StoredFile, certificate.file_id)
    assert certificate.original_filename == stored.original_filename == "SOC2報告.pdf"


def _pdf_with_stream(inflated: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``inflated`` bytes (of spaces)."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    stream = b"".join(packer.compress(chunk) for _ in range(inflated >> 20)) + packer.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    return pdf_document(objects, version=b"1.7")


def test_a_pdf_stream_that_inflates_to_1_gb_is_refused_not_a_500(api, db):
    from tests.contracts.test_contracts import _upload
    arrangement = factories.gen_arrangement(db)
    db.commit()
    data = _pdf_with_stream(1 << 30)
    assert len(data) < 2 * 1024 * 1024
    answer = _upload(api("compliance"), arrangement.id, data, "bomb.pdf")
    assert answer.status_code in (201, 422), answer.get_data(as_text=True)[:300]
    if answer.status_code == 201:  # stored, its text reported unreadable rather than inflated
        assert answer.get_json()["extraction_status"] != "ok"


@pytest.mark.parametrize("script", sorted(OTHER_DIGITS))
def test_corporate_numbers_in_other_scripts_digits_are_refused(api, db, script):
    number = OTHER_DIGITS[script]
    assert corporate_number_problem(number) is not None
    answer = api("procurement").post("/api/v1/vendors", json={"name": f"数字 {script} KK", "corporate_number": number})
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.get_json()["error"]["details"][0]["field"] == "corporate_number"
    db.rollback()
    assert db.exec(select(Vendor).where(Vendor.name == f"数字 {script} KK")).first() is None


@pytest.mark.parametrize("written", ["5010001000002", "５０１０００１０００００２", "5-0100-0100-0002", "5010 0010 00002",
                                     "５０１０\u3000００１０\u3000００００２", "5\u22120100\uff0d0100\u20130002"])
def test_corporate_numbers_in_ascii_or_full_width_digits_are_stored_as_ascii(api, db, written):
    assert normalise_corporate_number(written) == "5010001000002"
    answer = api("procurement").post("/api/v1/vendors", json={"name": "数字 KK", "corporate_number": written})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["corporate_number"] == "5010001000002"
