"""An English reader sees a vendor's English name, as English mails do; a Japanese reader the
registered name; a vendor without an English name is shown by its registered name."""
import re
from datetime import timedelta

import pytest

from tests import factories
from vendorrisk.compliance import maintain
from vendorrisk.core import clock
from vendorrisk.monitoring.models import MonitoringReview


@pytest.fixture
def portfolio(app, db):
    tier1 = factories.gen_vendor(db, name="日本語商事株式会社", name_en="Nihongo Trading Co.")
    sub = factories.gen_vendor(db, name="再委託データ株式会社", name_en="")
    arrangement = factories.gen_arrangement(db, tier1, title="勘定系の運用")
    factories.gen_link(db, arrangement, tier1, sub, service="バックアップ", approval_status="approved")
    db.commit()
    with app.app_context():
        maintain.rebuild(db)  # the dashboard's concentration reads the maintained facts; factories publish no event
    db.commit()
    return tier1, sub, arrangement


def _as(db, login, language, role="compliance"):
    user = login(role)
    user.language = language
    db.commit()
    return user


@pytest.mark.parametrize("language", ["en", "ja"])
def test_pages_name_vendors_in_the_readers_language(app, db, client, login, portfolio, language):
    tier1, sub, arrangement = portfolio
    user = _as(db, login, language)
    db.add(MonitoringReview(vendor_id=tier1.id, due_date=clock.today() + timedelta(days=3), owner_id=user.id))
    db.commit()
    shown, hidden = (("Nihongo Trading Co.", "日本語商事株式会社") if language == "en"
                     else ("日本語商事株式会社", "Nihongo Trading Co."))
    page = client.get(f"/vendors/{tier1.id}").get_data(as_text=True)
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert heading.index(shown) < heading.index(hidden)  # the other name stays, beside it
    # the form's list of names to type matches the registered names: it stays as it is
    chain = re.sub(r"<datalist.*?</datalist>", "", client.get(f"/arrangements/{arrangement.id}").get_data(as_text=True),
                   flags=re.S)
    assert shown in chain and hidden not in chain
    assert "再委託データ株式会社" in chain  # no English name: the registered one
    for path in (f"/compliance/vendors/{tier1.id}", "/compliance/"):  # the other name set beside it, after
        text = client.get(path).get_data(as_text=True)
        assert text.index(shown) < text.index(hidden), path
    chart = client.get("/dashboard/").get_data(as_text=True)  # the top concentration's bars
    assert shown[:8] in chart and hidden[:8] not in chart
    for path in ("/arrangements/", "/reviews/", "/", "/dashboard/lists/vendors_by_risk_tier?tier=none"):
        listed = client.get(path)
        assert listed.status_code == 200, path
        text = listed.get_data(as_text=True)
        assert shown in text, path
        if path != "/reviews/":  # the review list shows the other name beside it
            assert hidden not in text, path


def test_the_other_name_carries_its_own_language(app, client, login, db):
    """The name set beside the shown one is marked as the language it is written in (a
    Japanese page's English name is ``lang="en"``, an English page's registered name ``ja``),
    so that the pages' language checks and screen readers read it as such."""
    from vendorrisk.vendors.names import other_name_language
    assert other_name_language("決済基盤株式会社", "Kessai Kiban K.K.", "ja") == "en"
    assert other_name_language("決済基盤株式会社", "Kessai Kiban K.K.", "en") == "ja"
    vendor = factories.gen_vendor(db, name="決済基盤株式会社", name_en="Kessai Kiban K.K.")
    db.commit()
    login("compliance")
    page = client.get(f"/compliance/vendors/{vendor.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert re.search(r'<small class="muted" lang="en">Kessai Kiban K\.K\.</small>', page)
    page = client.get(f"/compliance/vendors/{vendor.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<small class="muted" lang="ja">決済基盤株式会社</small>', page)
