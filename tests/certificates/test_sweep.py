"""Certificate expiry reminders go through the monitoring sweep exactly once (real SMTP)."""
from datetime import date

import pytest

from tests import factories
from tests.certificates.factories import gen_certificate
from vendorrisk.monitoring.sweep import run_sweep

TODAY = date(2026, 3, 2)


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def test_expiring_certificate_is_reminded_once_per_stage(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="en")
    vendor = factories.gen_vendor(db, name="株式会社証明書")  # in no chain: no review reminders
    factories.gen_owner(db, vendor, owner)
    certificate = gen_certificate(db, vendor, type="iso27001", expiry_date=date(2026, 4, 20))  # 49 days
    db.commit()
    first = run_sweep(app, today=TODAY)
    again = run_sweep(app, today=TODAY)
    mails = smtp.by_recipient(owner.email)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    assert again.sent == 0 and first.sent >= 1
    assert f"/certificates/{certificate.id}" in mails[0].get_body().get_content()
    # 30 days before expiry: the second stage, once
    run_sweep(app, today=date(2026, 3, 21))
    run_sweep(app, today=date(2026, 3, 22))
    assert len(smtp.by_recipient(owner.email)) == 2
