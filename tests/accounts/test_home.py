"""The start page: the person's work first, then the headline figures, which come from the data."""
import re

from tests import factories
from vendorrisk.accounts.portfolio import headline_counts
from vendorrisk.core import clock
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


def test_start_page_is_the_persons_work_not_a_copy_of_the_menu(client, login, db):
    from datetime import timedelta

    from vendorrisk.monitoring.models import MonitoringReview
    owner = login("vendor_owner")
    mine, other = factories.gen_vendor(db, name="株式会社担当先"), factories.gen_vendor(db, name="株式会社担当外")
    for vendor, owner_id in ((mine, owner.id), (other, None)):
        db.add(MonitoringReview(vendor_id=vendor.id, status="planned", open_vendor_id=vendor.id, risk_tier="high",
                                frequency_months=6, due_date=clock.today() + timedelta(days=10), owner_id=owner_id))
    with client.application.test_request_context():
        raise_finding(db, vendor_id=mine.id, source="manual", title="手順書の改訂", owner_id=owner.id,
                      due_date=clock.today() - timedelta(days=1))
    db.commit()
    page = client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    work = page.split('data-test="tasks"')[1].split("外部委託リスクの概況")[0]
    assert "株式会社担当先" in work and "株式会社担当外" not in work  # the person's own reviews
    assert "手順書の改訂" in work and "期限超過" in work
    assert "機能" not in page and 'class="area-list"' not in page  # no copy of the menu
    # every headline figure is a link to the list behind it
    assert len(re.findall(r'<a class="tile[^"]*" href="/', page)) == 5
