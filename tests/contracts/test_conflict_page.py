"""A contract version sent from the page for a contract of another arrangement (409) shows the
arrangement's page again, not the error page: what is wrong, the other arrangement linked for
those who may read it, the file asked for again by name; JSON clients keep the 409 body."""
import io
from html import unescape

from sqlmodel import func, select

from tests import factories
from tests.contracts.factories import CORPUS
from vendorrisk.contracts.models import ContractVersion
from vendorrisk.vendors.models import Vendor

MISSING_JA = (CORPUS / "ja_missing_si.txt").read_bytes()


def _post(client, arrangement_id, contract_id, **headers):
    return client.post(f"/contracts/arrangements/{arrangement_id}/upload", content_type="multipart/form-data",
                       data={"contract_id": str(contract_id), "title": "",
                             "file": (io.BytesIO(MISSING_JA), "委託契約書_第2版.txt")},
                       headers=headers)


def test_a_version_for_another_arrangements_contract_shows_the_page_with_the_other_linked(client, login, db):
    first = factories.gen_arrangement(db, title="基幹システム運用委託")
    second = factories.gen_arrangement(db, title="コールセンター委託")
    db.commit()
    login("compliance")
    made = client.post(f"/contracts/arrangements/{first.id}/upload", content_type="multipart/form-data",
                       data={"title": "運用契約書", "file": (io.BytesIO(MISSING_JA), "運用契約書.txt")})
    assert made.status_code == 302
    db.rollback()
    contract_id = db.exec(select(ContractVersion.contract_id)).one()

    refused = _post(client, second.id, contract_id)
    assert refused.status_code == 409
    page = unescape(refused.get_data(as_text=True))
    assert 'data-test="conflict"' in page and "belongs to the arrangement “基幹システム運用委託”" in page
    assert f'href="/contracts/arrangements/{first.id}" data-test="conflict-link"' in page
    assert 'data-test="choose-file-again"' in page and "委託契約書_第2版.txt" in page
    assert 'data-test="new-contract"' in page
    db.rollback()
    assert db.exec(select(func.count()).select_from(ContractVersion)).one() == 1
    as_json = _post(client, second.id, contract_id, Accept="application/json")
    assert as_json.status_code == 409 and as_json.get_json()["error"]["code"] == "conflict"


def test_the_other_arrangement_is_not_linked_for_an_owner_who_may_not_read_it(client, login, db):
    first = factories.gen_arrangement(db, title="基幹システム運用委託")
    second = factories.gen_arrangement(db, title="コールセンター委託")
    db.commit()
    login("compliance")
    client.post(f"/contracts/arrangements/{first.id}/upload", content_type="multipart/form-data",
                data={"title": "運用契約書", "file": (io.BytesIO(MISSING_JA), "運用契約書.txt")})
    db.rollback()
    contract_id = db.exec(select(ContractVersion.contract_id)).one()
    owner = login("vendor_owner")
    factories.gen_owner(db, db.get(Vendor, second.vendor_id), db.merge(owner))
    db.commit()
    page = unescape(_post(client, second.id, contract_id).get_data(as_text=True))
    assert 'data-test="conflict"' in page and "コールセンター委託" in page
    assert 'data-test="conflict-link"' not in page and "基幹システム運用委託" not in page
