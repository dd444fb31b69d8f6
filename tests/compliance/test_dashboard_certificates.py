"""The dashboard's "certificates and reports expiring within 60 days" counts what the
certificates page counts: the day a record stops counting as evidence (a report's period end
plus three months), and not a record already renewed or carried on by a bridge letter."""
from datetime import timedelta

from tests import factories
from tests.certificates.factories import gen_certificate
from vendorrisk.certificates.coverage import expiry_query
from vendorrisk.compliance import dashboard
from vendorrisk.core.clock import today


def test_expiring_figure_and_list_agree_with_the_certificates_page(client, login, api, db, app):
    day = today()
    renewed, lapsing, reported, bridged = (factories.gen_vendor(db, name=n, name_en="") for n in
                                           ("更新済み", "期限間近", "報告書", "ブリッジ"))
    gen_certificate(db, renewed, "iso27017", expiry_date=day + timedelta(days=20))
    gen_certificate(db, renewed, "iso27017", expiry_date=day + timedelta(days=1000))  # the renewal
    gen_certificate(db, lapsing, "iso27001", expiry_date=day + timedelta(days=30))
    # a SOC 2 report whose period ended 40 days ago counts about 50 days more
    gen_certificate(db, reported, "soc2_type2", period_start=day - timedelta(days=400),
                    period_end=day - timedelta(days=40))
    gen_certificate(db, bridged, "soc2_type2", period_start=day - timedelta(days=400),
                    period_end=day - timedelta(days=40))
    gen_certificate(db, bridged, "bridge_letter", period_start=day - timedelta(days=40),
                    period_end=day + timedelta(days=60))
    gen_certificate(db, lapsing, "iso27018", expiry_date=day - timedelta(days=1))  # expired: not "expiring"
    db.commit()
    with app.test_request_context():
        page_ids = [c.id for c, _v in db.exec(expiry_query(day, 60, include_expired=False)).all()]
        listed = db.execute(dashboard.list_query(db, "certificates_expiring", day, {})).all()
    assert sorted(r.vendor_name for r in listed) == ["報告書", "期限間近"]
    assert len(listed) == len(page_ids) == 2
    login("auditor")
    tile = client.get("/dashboard/").get_data(as_text=True)
    assert 'href="/dashboard/lists/certificates_expiring"' in tile
    listing = client.get("/dashboard/lists/certificates_expiring").get_data(as_text=True)
    assert "報告書" in listing and "期限間近" in listing
    assert "更新済み" not in listing and "ブリッジ" not in listing
    assert api("auditor").get("/api/v1/dashboard").get_json()["certificates_expiring_60_days"]["count"] == 2


def test_report_types_are_the_certificates_areas():
    from vendorrisk.certificates.models import SOC_REPORT_TYPES
    assert dashboard.SOC_REPORT_TYPES == SOC_REPORT_TYPES
