"""Art. 26(2): a vendor whose assigned staff is unset or deactivated does not drop out of
monitoring. Its review stays planned and counted, has no owner, is compliance's task and
reminder, and is visible: the reviews list's "no owner" filter (page and API), the start
page's count, the vendor page's notice, the reminder settings page (to whom), and the Users
page warns before deactivating someone who owns vendors."""
import re
from datetime import date

from sqlalchemy import select

from tests import factories
from tests.monitoring.factories import gen_chain
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.plans import regenerate_plans

JA = {"Accept-Language": "ja"}


def _plan(app, db):
    with app.app_context():
        regenerate_plans(db)
        db.commit()


def _reviews(db):
    db.rollback()
    db.expire_all()  # rows the requests changed, not the copies this session read before
    return {r.vendor_id: r for r in db.scalars(select(MonitoringReview).where(
        MonitoringReview.status.in_(("planned", "in_progress"))))}


def test_deactivating_an_owner_warns_and_leaves_their_reviews_to_compliance(app, db, client, login, api):
    owner = factories.gen_user(db, role="vendor_owner")
    _arr, vendors = gen_chain(db, start=date(2023, 4, 1), owner=owner)
    db.commit()
    _plan(app, db)
    reviews = _reviews(db)
    assert {r.owner_id for r in reviews.values()} == {owner.id}
    started = reviews[vendors[1].id]
    started.status = "in_progress"  # the owner was at work on it
    db.commit()

    login("admin")
    users_page = client.get("/admin/users", headers=JA).get_data(as_text=True)
    row = users_page[users_page.index(owner.email):]
    assert "配置先の外部委託先：3 件" in row[:3000]
    assert "3 件の外部委託先に配置されています" in row[:3000] and "それでも無効化する" in row[:3000]

    answer = client.post(f"/admin/users/{owner.id}", data={"active": "0"}, headers=JA)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/reviews/?owner=none")
    listed = client.get("/reviews/?owner=none", headers=JA).get_data(as_text=True)
    assert "3 件の外部委託先に配置されています" in listed  # the flash names the count
    # every open review, the one in progress too, is now nobody's: compliance's
    assert {v: r.owner_id for v, r in _reviews(db).items()} == {v.id: None for v in vendors}
    assert set(re.findall(r'data-review="(\d+)"', listed)) == {str(r.id) for r in _reviews(db).values()}
    assert "担当者未設定（未完了 3 件）" in listed

    client.post("/logout")
    login("compliance")
    home = client.get("/?source=monitoring", headers=JA).get_data(as_text=True)
    assert "担当者未設定の未完了モニタリング：3 件" in home
    tasks = set(re.findall(r'data-kind="record_review">.*?<a href="/reviews/(\d+)"', home, re.S))
    assert tasks == {str(r.id) for r in _reviews(db).values()}, "the unowned reviews are compliance's tasks"
    body = api("auditor").get("/api/v1/reviews?unowned=true").get_json()
    assert {item["id"] for item in body["items"]} == {r.id for r in _reviews(db).values()}


def test_a_second_assigned_person_takes_over_from_a_deactivated_owner(app, db, client, login):
    first, second = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="procurement")
    _arr, vendors = gen_chain(db, start=date(2023, 4, 1), owner=first, tiers=1)
    factories.gen_owner(db, vendors[0], second).is_primary = False
    db.commit()
    _plan(app, db)
    assert _reviews(db)[vendors[0].id].owner_id == first.id
    login("admin")
    assert client.post(f"/admin/users/{first.id}", data={"active": "0"}).status_code == 302
    assert _reviews(db)[vendors[0].id].owner_id == second.id


def test_the_sweep_gives_a_review_in_progress_of_a_deactivated_owner_to_the_vendors_owner_now(app, db):
    """Deactivated some other way (or before this fix): the next plan still moves it."""
    gone, now = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    _arr, vendors = gen_chain(db, start=date(2023, 4, 1), tiers=1)
    db.commit()
    _plan(app, db)
    review = _reviews(db)[vendors[0].id]
    review.status, review.owner_id = "in_progress", gone.id
    gone.is_active = False
    factories.gen_owner(db, vendors[0], now)
    db.commit()
    _plan(app, db)
    assert _reviews(db)[vendors[0].id].owner_id == now.id
    # an active owner at work keeps the review even when the vendor's primary owner changed
    review = _reviews(db)[vendors[0].id]
    review.owner_id = gone.id
    gone.is_active = True
    db.commit()
    _plan(app, db)
    assert _reviews(db)[vendors[0].id].owner_id == gone.id


def test_vendor_page_says_when_nobody_active_is_assigned(app, db, client, login):
    owner = factories.gen_user(db, role="vendor_owner")
    _arr, (vendor,) = gen_chain(db, start=date(2023, 4, 1), tiers=1)
    db.commit()
    _plan(app, db)
    login("compliance")
    page = client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True)
    assert 'data-test="no-owner-notice"' in page and "有効な配置要員がいません" in page
    assert 'href="#owners"' in page and 'data-test="panel-assign-owner"' in page
    factories.gen_owner(db, vendor, owner)
    db.commit()
    page = client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True)
    assert 'data-test="no-owner-notice"' not in page and 'data-test="owner-deactivated"' not in page
    owner.is_active = False
    db.commit()
    page = client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True)
    assert 'data-test="no-owner-notice"' in page and 'data-test="owner-deactivated"' in page


def test_review_page_links_to_assigning_staff(app, db, client, login):
    _arr, (vendor,) = gen_chain(db, start=date(2023, 4, 1), tiers=1)
    db.commit()
    _plan(app, db)
    login("compliance")
    review = _reviews(db)[vendor.id]
    page = client.get(f"/reviews/{review.id}", headers=JA).get_data(as_text=True)
    assert 'data-test="review-no-owner"' in page and f'href="/vendors/{vendor.id}#owners"' in page


def test_reminder_settings_say_who_is_reminded_of_reviews_nobody_owns(app, db, client, login):
    login("auditor")  # no compliance user yet, no address
    app.config["COMPLIANCE_EMAIL"] = ""
    page = client.get("/reviews/settings/", headers=JA).get_data(as_text=True)
    assert 'data-test="unowned-nobody"' in page
    person = factories.gen_user(db, role="compliance")
    db.commit()
    page = client.get("/reviews/settings/", headers=JA).get_data(as_text=True)
    assert 'data-test="unowned-nobody"' not in page and person.display_name in page
    app.config["COMPLIANCE_EMAIL"] = "compliance-box@member.example"
    page = client.get("/reviews/settings/", headers=JA).get_data(as_text=True)
    box = page[page.index('data-test="unowned-recipients"'):]
    assert "compliance-box@member.example" in box[:600]


def test_no_owner_count_is_the_lists(app, db, client, login):
    owner = factories.gen_user(db, role="vendor_owner")
    _arr, vendors = gen_chain(db, start=date(2023, 4, 1))
    factories.gen_owner(db, vendors[0], owner)
    db.commit()
    _plan(app, db)
    login("compliance")
    page = client.get("/reviews/?owner=none&status=open").get_data(as_text=True)
    assert "No owner (2 open)" in page
    assert set(re.findall(r'data-review="(\d+)"', page)) == {str(_reviews(db)[v.id].id) for v in vendors[1:]}
