"""The import page takes the vendor (and campaign) from our own workbook, which names them;
it asks only for a file that does not; a vendor chosen that is not the workbook's is a
row-level error and nothing is stored."""
import io

from sqlmodel import func, select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.questionnaires.models import QuestionnaireResponse

JA = {"Accept-Language": "ja"}


def _count(db):
    db.rollback()
    return db.exec(select(func.count()).select_from(QuestionnaireResponse)).one()


def _import(client, file, name="回答.xlsx", **form):
    return client.post("/questionnaires/import", data={"file": (io.BytesIO(file), name), **form},
                       content_type="multipart/form-data", headers=JA)


def test_our_workbook_names_its_vendor_and_the_page_says_so(client, login, db):
    vendor = factories.gen_vendor(db, name="株式会社名乗り")
    db.commit()
    login("compliance")
    form = client.get("/questionnaires/import", headers=JA).get_data(as_text=True)
    assert "当社ワークブックの記載による" in form
    assert 'name="vendor_id" required' not in form  # our workbook needs no choice
    blank = client.get(f"/questionnaires/templates/general_outsourcing/workbook?vendor_id={vendor.id}").data
    good = fq.fill(blank, {"GEN-01": "No"})
    dry = _import(client, good, dry_run="1", vendor_id="")
    text = dry.get_data(as_text=True)
    assert dry.status_code == 200 and 'data-test="taken-from-workbook"' in text
    assert "外部委託先（株式会社名乗り）はワークブックの記載によります。" in text
    assert _count(db) == 0
    done = _import(client, good)  # no vendor field at all
    assert done.status_code == 302, done.get_data(as_text=True)
    page = client.get(done.headers["Location"], headers=JA).get_data(as_text=True)
    assert "外部委託先（株式会社名乗り）はワークブックの記載によります。" in page
    db.rollback()
    assert [r.vendor_id for r in db.exec(select(QuestionnaireResponse))] == [vendor.id]


def test_a_vendor_chosen_that_is_not_the_workbooks_is_refused_row_level(client, login, db):
    ours, other = factories.gen_vendor(db, name="株式会社本来"), factories.gen_vendor(db, name="株式会社別会社")
    db.commit()
    login("compliance")
    blank = client.get(f"/questionnaires/templates/general_outsourcing/workbook?vendor_id={ours.id}").data
    refused = _import(client, fq.fill(blank, {"GEN-01": "No"}), vendor_id=str(other.id))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'data-test="import-errors"' in text
    assert "株式会社別会社が選ばれていますが、このワークブックは株式会社本来向けに作成されたものです" in text
    assert "vendor_id" not in text.split('data-test="import-errors"')[1].split("</table>")[0]  # named, not the field's id
    assert _count(db) == 0
    # the same vendor chosen as the workbook names: imported
    assert _import(client, fq.fill(blank, {"GEN-01": "No"}), vendor_id=str(ours.id)).status_code == 302
    assert _count(db) == 1


def test_a_file_that_names_no_vendor_asks_for_it(client, login, db):
    vendor = factories.gen_vendor(db, name="株式会社独自様式")
    db.commit()
    login("compliance")
    caiq = fq.caiq_workbook([("A&A-02.1", "Audits?", "Yes", "CSP-owned", ""), ("DSP-19.1", "Region?", "No", "", ""),
                             ("CEK-10.1", "Keys?", "Yes", "", "")])
    unnamed = _import(client, caiq, "caiq.xlsx")
    assert unnamed.status_code == 422
    assert "回答元の外部委託先を選んでください" in unnamed.get_data(as_text=True)
    assert _count(db) == 0
    chosen = _import(client, caiq, "caiq.xlsx", vendor_id=str(vendor.id))
    assert chosen.status_code == 302 and _count(db) == 1

