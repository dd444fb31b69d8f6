"""The start page's headline figures come from the data."""
from tests import factories
from vendorrisk.accounts.portfolio import headline_counts
from vendorrisk.vendors.findings import raise_finding


def test_headline_counts(app, db):
    parent = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, vendor=parent)
    child, grandchild = factories.gen_vendor(db), factories.gen_vendor(db)
    factories.gen_link(db, arrangement, parent, child, approval_status="approved")
    factories.gen_link(db, arrangement, child, grandchild)
    with app.test_request_context():
        raise_finding(db, vendor_id=child.id, source="manual", title="open one")
    db.commit()
    assert headline_counts(db) == {"vendors": 3, "arrangements": 1, "links": 2, "unapproved": 1,
                                   "open_findings": 1}


def test_home_page_shows_them(client, login, db):
    factories.gen_arrangement(db)
    db.commit()
    login("auditor")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Outsourcing arrangements" in page and "<b>1</b>" in page
