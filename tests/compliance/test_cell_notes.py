"""The Art. 26(1) cell says when each vendor was last reviewed and when the next review is due
(read from the monitoring area's plan when the page is shown), in the reader's language."""
import re
from datetime import timedelta

import pytest

from tests.monitoring.factories import gen_chain
from vendorrisk.compliance import maintain
from vendorrisk.core import clock
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.plans import desired_plans


def _cell(page: str, vendor_id: int) -> str:
    return re.search(rf'<tr data-vendor="{vendor_id}">(.*?)</tr>', page, re.S).group(1)


@pytest.mark.parametrize("language, reviewed, never, overdue", [
    ("ja", "前回 {last}・次回期限 {due}", "未実施・初回期限 {due}", "前回 {last}・{due}から期限超過"),
    ("en", "Last reviewed {last} · next due {due}", "Never reviewed · first due {due}",
     "Last reviewed {last} · overdue since {due}"),
])
def test_matrix_cell_shows_last_and_next_review(app, db, client, login, language, reviewed, never, overdue):
    today = clock.today()
    _arr, (fresh, unreviewed, stale) = gen_chain(db, tiers=3, start=today - timedelta(days=800))
    last, long_ago = today - timedelta(days=30), today - timedelta(days=500)
    db.add(MonitoringReview(vendor_id=fresh.id, status="completed", due_date=last, performed_on=last))
    db.add(MonitoringReview(vendor_id=stale.id, status="completed", due_date=long_ago, performed_on=long_ago))
    db.commit()
    plans = desired_plans(db, [fresh.id, unreviewed.id, stale.id])
    assert plans[stale.id].due_date < today <= plans[fresh.id].due_date
    maintain.rebuild(db)
    db.commit()
    login("auditor")
    headers = {"Accept-Language": language}
    page = client.get("/compliance/?article=26-1", headers=headers).get_data(as_text=True)
    expected = reviewed.format(last=last.isoformat(), due=plans[fresh.id].due_date.isoformat())
    assert expected in _cell(page, fresh.id)
    assert never.format(due=plans[unreviewed.id].due_date.isoformat()) in _cell(page, unreviewed.id)
    assert overdue.format(last=long_ago.isoformat(), due=plans[stale.id].due_date.isoformat()) in _cell(page, stale.id)
    # the vendor's own matrix says the same beside the reason
    vendor_page = client.get(f"/compliance/vendors/{fresh.id}", headers=headers).get_data(as_text=True)
    row = re.search(r'<tr data-obligation="26-1">(.*?)</tr>', vendor_page, re.S).group(1)
    assert expected in row
    # the other articles carry no note
    page = client.get("/compliance/?article=25", headers=headers).get_data(as_text=True)
    assert 'data-test="cell-note"' not in page
