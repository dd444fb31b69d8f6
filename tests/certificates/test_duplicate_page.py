"""A certificate upload refused because the same file is recorded for the vendor already (409)
shows the form again: the other fields as typed, the existing certificate named with its link;
JSON clients keep the plain 409 body."""
import io
from html import unescape

from sqlmodel import func, select

from tests import factories
from tests.certificates.factories import pdf_bytes
from vendorrisk.certificates.models import Certificate

URL = "/certificates/vendor/{}/new"
PDF = pdf_bytes()  # the same file each time


def _form(filename="SOC2_2025.pdf", **fields):
    return {"type": "soc2_type2", "issuer": "Audit LLC", "period_start": "2025-04-01", "period_end": "2026-03-31",
            **fields, "file": (io.BytesIO(PDF), filename)}


def test_the_same_file_again_names_the_certificate_recorded_and_keeps_the_fields(client, login, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    user = login("compliance")
    assert client.post(URL.format(vendor.id), content_type="multipart/form-data", data=_form()).status_code == 302
    db.rollback()
    first = db.exec(select(Certificate)).one()

    again = client.post(URL.format(vendor.id), content_type="multipart/form-data",
                        data=_form(filename="再送_報告書.pdf", issuer="あずさ監査法人",
                                   scope="東京データセンターの運用", exceptions_noted="第3四半期のアクセスレビューが遅延"))
    assert again.status_code == 409
    page = unescape(again.get_data(as_text=True))
    assert 'data-test="conflict"' in page and "is already recorded for this vendor" in page
    assert f'href="/certificates/{first.id}" data-test="conflict-link"' in page
    assert "“SOC2_2025.pdf”" in page
    assert f"It was uploaded by {user.display_name} on" in page
    assert 'value="あずさ監査法人"' in page and "東京データセンターの運用</textarea>" in page
    assert "第3四半期のアクセスレビューが遅延</textarea>" in page and 'data-test="upload-form"' in page
    db.rollback()
    assert db.exec(select(func.count()).select_from(Certificate)).one() == 1
    as_json = client.post(URL.format(vendor.id), content_type="multipart/form-data", data=_form(),
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and as_json.get_json()["error"]["details"][0]["certificate_id"] == first.id


def test_the_existing_certificate_is_named_in_japanese_for_a_japanese_reader(client, login, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    login("compliance")
    client.post(URL.format(vendor.id), content_type="multipart/form-data", data=_form())
    page = unescape(client.post(URL.format(vendor.id), content_type="multipart/form-data", data=_form(),
                                headers={"Accept-Language": "ja"}).get_data(as_text=True))
    assert "Open the" not in page and "Nothing was recorded" not in page
    assert "「SOC2_2025.pdf」としてアップロードされたSOC 2 タイプ2報告書を開く" in page
