"""The checker's reasons and warnings are said in the reader's language: the checker gives
keys and parameters, the pages translate them."""
import re

from sqlmodel import select

from tests.contracts.factories import CORPUS, scanned_pdf
from tests.contracts.test_contracts import _arrangement, _upload
from vendorrisk.contracts.models import ClauseCheck, ContractVersion

ENGLISH = (CORPUS / "en_missing_numbered.txt").read_bytes()


def _reasons(page: str) -> list[str]:
    return re.findall(r'<small data-test="reason">(.*?)</small>', page, re.S)


def test_reasons_of_an_english_contract_in_a_japanese_page(api, client, login, db):
    arrangement = _arrangement(db)
    _upload(api("compliance"), arrangement.id, ENGLISH, "msa.txt")
    version = db.exec(select(ContractVersion)).one()
    from vendorrisk.contracts.checker.reasons import TEXTS
    keys = {c.reason_key for c in db.exec(select(ClauseCheck))}
    assert keys <= set(TEXTS) and "found" in keys
    login("compliance")
    japanese = _reasons(client.get(f"/contracts/versions/{version.id}", headers={"Accept-Language": "ja"})
                        .get_data(as_text=True))
    english = _reasons(client.get(f"/contracts/versions/{version.id}", headers={"Accept-Language": "en"})
                       .get_data(as_text=True))
    assert len(japanese) == len(english) > 5
    assert any("で見つかりました" in r for r in japanese)
    assert not any(re.search(r"\b(Found|Only weak|heading|No sentence|the provider)\b", r) for r in japanese)
    assert any(r.startswith("Found at ") for r in english)


def test_scanned_pdf_warning_in_the_readers_language(api, client, login, db):
    arrangement = _arrangement(db)
    _upload(api("compliance"), arrangement.id, scanned_pdf(), "scan.pdf")
    version = db.exec(select(ContractVersion)).one()
    login("compliance")
    page = client.get(f"/contracts/versions/{version.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "PDF にテキストがありません（スキャン画像）" in page and "no text layer" not in page
    assert set(_reasons(page)) == {"PDFはテキストのないスキャン画像です。目視で確認し、結果を記録してください。"}


def test_partly_scanned_pdf_warning_and_reasons_in_the_readers_language(api, client, login, db):
    from tests.contracts.factories import image_pdf
    arrangement = _arrangement(db)
    _upload(api("compliance"), arrangement.id, image_pdf(pages=4, text_pages=2), "signed.pdf")
    version = db.exec(select(ContractVersion)).one()
    login("compliance")
    page = client.get(f"/contracts/versions/{version.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "全4ページのうち3, 4ページはテキストのないスキャン画像です" in page and "scanned images" not in page
    assert any("3, 4ページはスキャン画像で読み取れていません" in r for r in _reasons(page))
    english = client.get(f"/contracts/versions/{version.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Pages 3, 4 of 4 are scanned images without text" in english
