"""The certificates reminder source: 60 and 30 days before the end, to each owner in their language."""
from datetime import date, timedelta

from tests import factories
from tests.certificates.factories import gen_certificate
from vendorrisk.core import registry

TODAY = date(2026, 6, 1)


def _specs(app, db):
    with app.app_context():
        return list(registry.of(app).reminder_sources["certificates"](db, TODAY))


def test_reminders_at_60_and_30_days_to_each_owner_in_their_language(app, db):
    vendor = factories.gen_vendor(db, name="株式会社証明", name_en="Shomei K.K.")
    ja_owner = factories.gen_user(db, role="vendor_owner", language="ja")
    en_owner = factories.gen_user(db, role="vendor_owner", language="en")
    no_choice = factories.gen_user(db, role="vendor_owner")
    gone = factories.gen_user(db, role="vendor_owner", language="en")
    gone.is_active = False
    for user in (ja_owner, en_owner, no_choice, gone):
        factories.gen_owner(db, vendor, user)
    in_45 = gen_certificate(db, vendor, "iso27001", issuer="BSI", issue_date=date(2023, 7, 16),
                            expiry_date=TODAY + timedelta(days=45))
    # a report counts three months after its period: this one until TODAY + 30 days
    in_30 = gen_certificate(db, vendor, "soc2_type2", period_start=date(2025, 4, 1), period_end=date(2026, 4, 1))
    gen_certificate(db, vendor, "iso27017", expiry_date=TODAY + timedelta(days=61))
    gen_certificate(db, vendor, "iso27018", expiry_date=TODAY - timedelta(days=1))
    renewed = gen_certificate(db, vendor, "ismap", expiry_date=TODAY + timedelta(days=20))
    gen_certificate(db, vendor, "ismap", issue_date=TODAY, expiry_date=TODAY + timedelta(days=730))
    unowned = factories.gen_vendor(db)
    gen_certificate(db, unowned, "iso27001", expiry_date=TODAY + timedelta(days=10))
    db.commit()

    specs = _specs(app, db)
    keys = sorted((s.subject_id, s.kind, s.due_date, s.recipient, s.language) for s in specs)
    expected = []
    for certificate, kind in ((in_45, "expires_in_60"), (in_30, "expires_in_30")):
        for user, language in ((ja_owner, "ja"), (en_owner, "en"), (no_choice, "ja")):
            expected.append((certificate.id, kind, TODAY + timedelta(days=45 if kind.endswith("60") else 30),
                             user.email, language))
    assert keys == sorted(expected)
    assert renewed.id not in {s.subject_id for s in specs}
    assert all(s.subject_type == "certificate" for s in specs)

    by = {(s.subject_id, s.language, s.recipient): s for s in specs}
    ja = by[(in_45.id, "ja", ja_owner.email)]
    assert ja.subject_line == f"[vendorrisk] 【期限通知】株式会社証明：ISO/IEC 27001の有効期限は {in_45.expiry_date} です"
    assert "残り 45 日" in ja.body and "BSI" in ja.body
    assert ja.link == f"http://127.0.0.1:5000/certificates/{in_45.id}" and ja.link in ja.body
    en = by[(in_30.id, "en", en_owner.email)]
    assert en.subject_line == "[vendorrisk] Shomei K.K.: the SOC 2 Type II counts until 2026-07-01"
    assert "30 days remain" in en.body and "bridge letter" in en.body and "ended on 2026-04-01" in en.body
    ja_report = by[(in_30.id, "ja", ja_owner.email)]
    assert ja_report.subject_line == ("[vendorrisk] 【期限通知】株式会社証明：SOC 2 タイプ2報告書を証跡として扱えるのは "
                                      "2026-07-01 までです")
    assert en.recipient_user_id == en_owner.id


def test_nothing_when_no_certificate_nears_its_end(app, db):
    vendor = factories.gen_vendor(db)
    factories.gen_owner(db, vendor, factories.gen_user(db, role="vendor_owner"))
    gen_certificate(db, vendor, "iso27001", expiry_date=TODAY + timedelta(days=400))
    db.commit()
    assert _specs(app, db) == []


def test_a_report_is_reminded_before_it_stops_counting_not_before_its_period_ends(app, db):
    """A report is issued after its period: the period's end is no deadline. It counts three
    months after it, and the reminders count down to that day; a bridge letter carrying it
    on, or the next report, takes the reminders over."""
    vendor = factories.gen_vendor(db)
    factories.gen_owner(db, vendor, factories.gen_user(db, role="vendor_owner", language="en"))
    lapsing = gen_certificate(db, vendor, "soc2_type2", period_start=date(2025, 3, 16), period_end=date(2026, 3, 15))
    ending_period = gen_certificate(db, vendor, "soc1", period_start=date(2025, 6, 22), period_end=date(2026, 6, 21))
    bridged_vendor = factories.gen_vendor(db)
    factories.gen_owner(db, bridged_vendor, factories.gen_user(db, role="vendor_owner"))
    bridged = gen_certificate(db, bridged_vendor, "soc2_type2", period_start=date(2025, 3, 16),
                              period_end=date(2026, 3, 15))
    bridge = gen_certificate(db, bridged_vendor, "bridge_letter", period_start=date(2026, 3, 16),
                             period_end=date(2026, 4, 30))
    db.commit()

    assert (lapsing.due_on, ending_period.due_on, bridge.due_on) == (date(2026, 6, 15), date(2026, 9, 21),
                                                                      date(2026, 7, 30))
    by_subject = {s.subject_id: s for s in _specs(app, db)}
    # its period ended in March: no reminder came then, it lapses on 6/15 and is reminded now
    assert by_subject[lapsing.id].kind == "expires_in_30" and by_subject[lapsing.id].due_date == date(2026, 6, 15)
    assert ending_period.id not in by_subject  # its period ends in 20 days; it counts until September
    assert bridged.id not in by_subject  # the bridge letter carries it on
    assert by_subject[bridge.id].kind == "expires_in_60"


def test_a_vendor_nobody_owns_has_its_certificates_reminded_to_compliance(app, db):
    """Art. 26(2): a vendor without active assigned staff does not drop out of monitoring —
    its reviews are reminded to compliance, and so are its certificates and reports nearing
    their end (an important vendor's SOC 2 report lapsing unnoticed is a 26(4) gap)."""
    unowned = factories.gen_vendor(db, name="株式会社ソラノ基盤")
    deactivated = factories.gen_user(db, role="vendor_owner")
    deactivated.is_active = False
    factories.gen_owner(db, unowned, deactivated)  # assigned, but no longer able to act
    owned = factories.gen_vendor(db)
    factories.gen_owner(db, owned, factories.gen_user(db, role="vendor_owner"))
    officer = factories.gen_user(db, role="compliance", language="en")
    former = factories.gen_user(db, role="compliance")
    former.is_active = False
    report = gen_certificate(db, unowned, "soc2_type2", period_start=date(2025, 4, 1), period_end=date(2026, 4, 1))
    gen_certificate(db, owned, "iso27001", expiry_date=TODAY + timedelta(days=30))
    db.commit()
    specs = _specs(app, db)
    to_compliance = [(s.subject_id, s.kind, s.recipient, s.language) for s in specs if s.recipient == officer.email]
    assert to_compliance == [(report.id, "expires_in_30", officer.email, "en")]
    assert former.email not in {s.recipient for s in specs}
    app.config["COMPLIANCE_EMAIL"] = "compliance-team@example.jp"
    try:
        routed = {(s.subject_id, s.recipient) for s in _specs(app, db)}
    finally:
        app.config["COMPLIANCE_EMAIL"] = ""
    assert (report.id, "compliance-team@example.jp") in routed and officer.email not in {r for _i, r in routed}
