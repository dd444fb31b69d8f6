"""The contracts page marks an arrangement that ended: its missing clauses are those of a
contract no longer in force (the matrix no longer counts them), not gaps to chase."""
import re

from tests import factories


def test_the_contracts_page_marks_an_arrangement_that_ended(client, login, db):
    vendor = factories.gen_vendor(db, name="株式会社ツバメ配信")
    factories.gen_arrangement(db, vendor, title="取引通知メール配信", status="terminated")
    factories.gen_arrangement(db, vendor, title="会員向けお知らせ配信")
    db.commit()
    login("compliance")
    page = client.get("/contracts/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    rows = {re.search(r'/contracts/arrangements/\d+">([^<]+)</a>', r).group(1): r
            for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "/contracts/arrangements/" in r}
    assert "契約終了" in rows["取引通知メール配信"]
    assert "契約終了" not in rows["会員向けお知らせ配信"]
