"""The vendor list's "no owner" filter (page ``owner=none``, API ``unowned=true``): vendors with
no active assigned staff (Art. 26(2)) — nobody assigned, or everyone assigned deactivated —
as the reviews' and findings' "no owner" lists (docs/monitoring.md)."""
import re

from tests import factories

JA = {"Accept-Language": "ja"}


def test_the_vendor_list_filters_vendors_with_no_active_assigned_staff(db, client, login, api):
    active, gone = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    kept = factories.gen_vendor(db, name="担当有商事")
    mixed = factories.gen_vendor(db, name="一部無効商事")  # its primary left; a second person is active
    left = factories.gen_vendor(db, name="全員無効商事")
    never = factories.gen_vendor(db, name="未配置商事")
    factories.gen_owner(db, kept, active)
    factories.gen_owner(db, mixed, gone)
    factories.gen_owner(db, mixed, active).is_primary = False
    factories.gen_owner(db, left, gone)
    gone.is_active = False
    db.commit()
    login("compliance")
    page = client.get("/vendors/?owner=none", headers=JA).get_data(as_text=True)
    assert set(re.findall(r'data-vendor="(\d+)"', page)) == {str(left.id), str(never.id)}
    assert 'data-test="unowned-note"' in page and "有効な配置要員がいない外部委託先です" in page
    everyone = client.get("/vendors/").get_data(as_text=True)
    assert set(re.findall(r'data-vendor="(\d+)"', everyone)) == {str(v.id) for v in (kept, mixed, left, never)}
    body = api("auditor").get("/api/v1/vendors?unowned=true").get_json()
    assert {item["id"] for item in body["items"]} == {left.id, never.id} and body["total"] == 2
    searched = api("auditor").get("/api/v1/vendors?unowned=true&q=全員").get_json()
    assert [item["id"] for item in searched["items"]] == [left.id]
