"""Coverage of important vendors today, and the compliance-matrix rule 26-4."""
from datetime import date

from tests import factories
from tests.certificates.factories import gen_certificate, gen_review
from tests.helpers import across_migration
from vendorrisk.certificates.coverage import add_months, coverage, important_vendor_ids
from vendorrisk.certificates.rules import audit_or_report_covers_today
from vendorrisk.core import clock

TODAY = date(2026, 6, 15)


def _important(db, **fields):
    vendor = factories.gen_vendor(db, **fields)
    factories.gen_arrangement(db, vendor, is_important=True)
    return vendor



def _shown(links):
    """Proof links as a reader sees them (labels are stored as messages, rendered when shown)."""
    return [(str(label), href) for label, href in links]

def test_important_at_any_tier(db):
    tier1 = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, tier1, is_important=True)
    tier2, tier3 = factories.gen_vendor(db), factories.gen_vendor(db)
    factories.gen_link(db, arrangement, tier1, tier2)
    factories.gen_link(db, arrangement, tier2, tier3)
    ordinary = factories.gen_vendor(db)
    other = factories.gen_arrangement(db, ordinary, is_important=False)
    beneath_ordinary = factories.gen_vendor(db)
    factories.gen_link(db, other, ordinary, beneath_ordinary)
    ended = factories.gen_vendor(db)
    factories.gen_arrangement(db, ended, is_important=True, status="terminated")
    found = important_vendor_ids(db)
    assert {tier1.id, tier2.id, tier3.id} <= found
    assert not {ordinary.id, beneath_ordinary.id, ended.id} & found


def test_each_kind_of_gap_and_met(db):
    reviewer = factories.gen_user(db)
    nothing = _important(db)
    expired = _important(db)
    gen_certificate(db, expired, "iso27001", issue_date=date(2023, 1, 1), expiry_date=date(2026, 1, 1))
    unread = _important(db)
    gen_certificate(db, unread, "iso27001", issue_date=date(2025, 1, 1), expiry_date=date(2028, 1, 1))
    out_of_scope = _important(db)
    gen_review(db, gen_certificate(db, out_of_scope, "iso27017"), reviewer, covers_services=False)
    lapsed = _important(db)
    gen_review(db, gen_certificate(db, lapsed, "soc2_type2", period_start=date(2024, 10, 1),
                                   period_end=date(2025, 9, 30)), reviewer)
    within_grace = _important(db)
    gen_review(db, gen_certificate(db, within_grace, "soc2_type2", period_start=date(2025, 4, 1),
                                   period_end=date(2026, 3, 31)), reviewer)
    bridged = _important(db)
    gen_review(db, gen_certificate(db, bridged, "soc2_type2", period_start=date(2024, 10, 1),
                                   period_end=date(2025, 9, 30)), reviewer)
    gen_certificate(db, bridged, "bridge_letter", period_start=date(2025, 10, 1), period_end=date(2026, 3, 31))
    audited = _important(db)
    gen_review(db, gen_certificate(db, audited, "onsite_audit", issue_date=date(2025, 11, 1)), reviewer)
    old_audit = _important(db)
    gen_review(db, gen_certificate(db, old_audit, "onsite_audit", issue_date=date(2025, 5, 1)), reviewer)
    pentest_only = _important(db)
    gen_review(db, gen_certificate(db, pentest_only, "pentest_summary", issue_date=date(2026, 5, 1)), reviewer)
    ordinary = factories.gen_vendor(db)
    gen_certificate(db, ordinary, "iso27001")

    ids = [v.id for v in (nothing, expired, unread, out_of_scope, lapsed, within_grace, bridged,
                          audited, old_audit, pentest_only, ordinary)]
    result = coverage(db, ids, TODAY)
    kinds = {vid: [g.kind for g in result[vid].gaps] for vid in ids}
    assert result[nothing.id].status == "gap" and kinds[nothing.id] == ["no_evidence"]
    assert result[expired.id].status == "gap" and kinds[expired.id] == ["expired"]
    assert "2026-01-01" in str(result[expired.id].reason)
    assert result[unread.id].status == "gap" and kinds[unread.id] == ["not_reviewed"]
    assert result[out_of_scope.id].status == "gap" and kinds[out_of_scope.id] == ["scope"]
    assert result[lapsed.id].status == "gap" and kinds[lapsed.id] == ["period_gap"]
    assert result[within_grace.id].status == "met" and kinds[within_grace.id] == []
    assert result[bridged.id].status == "met"
    assert result[audited.id].status == "met"
    assert result[old_audit.id].status == "gap" and kinds[old_audit.id] == ["expired"]
    assert result[pentest_only.id].status == "gap" and kinds[pentest_only.id] == ["no_evidence"]
    assert result[ordinary.id].status == "not_applicable"


def test_gap_between_report_periods_is_shown_even_when_today_is_covered(db):
    reviewer = factories.gen_user(db)
    vendor = _important(db)
    gen_certificate(db, vendor, "soc2_type2", period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    gen_review(db, gen_certificate(db, vendor, "soc2_type2", period_start=date(2025, 6, 1),
                                   period_end=date(2026, 5, 31)), reviewer)
    found = coverage(db, [vendor.id], TODAY)[vendor.id]
    assert found.status == "met"
    assert [g.kind for g in found.gaps] == ["period_gap"]
    assert "2024-12-31 to 2025-06-01" in str(found.gaps[0].message)
    # a bridge letter over the gap closes it
    gen_certificate(db, vendor, "bridge_letter", period_start=date(2025, 1, 1), period_end=date(2025, 5, 31))
    assert coverage(db, [vendor.id], TODAY)[vendor.id].gaps == []


def test_rule_26_4_answers_every_vendor_in_few_queries(db, app, contributions):
    from sqlalchemy import event
    reviewer = factories.gen_user(db)
    met = _important(db)
    certificate = gen_certificate(db, met, "soc2_type2", period_start=date(2025, 4, 1), period_end=date(2026, 3, 31))
    gen_review(db, certificate, reviewer)
    gaps = [_important(db) for _ in range(5)]
    ordinary = factories.gen_vendor(db)
    ids = [met.id, ordinary.id] + [v.id for v in gaps]
    statements = []
    engine = db.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        verdicts = audit_or_report_covers_today.rule(db, ids, today=TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 4
    assert set(verdicts) == set(ids)
    assert verdicts[met.id].status == "met"
    assert _shown(verdicts[met.id].links) == [(f"SOC 2 Type II #{certificate.id}", f"/certificates/{certificate.id}")]
    assert "reviewed 2026-01-15" in str(verdicts[met.id].reason)
    assert verdicts[ordinary.id].status == "not_applicable" and verdicts[ordinary.id].links == []
    for vendor in gaps:
        assert verdicts[vendor.id].status == "gap"
        assert str(verdicts[vendor.id].reason) == "No audit, certificate or report is on file."
        assert _shown(verdicts[vendor.id].links) == [("Evidence", f"/certificates/vendor/{vendor.id}")]
    assert contributions.obligations["26-4"].citation_ja == "第26条第4項" and contributions.obligations["26-4"].doc


def test_add_months_clamps_to_month_end():
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2025, 12, 31), 12) == date(2026, 12, 31)


def test_demo_shows_every_state(app, runner, db):
    from sqlmodel import select

    from vendorrisk.certificates.coverage import expiry_query
    from vendorrisk.certificates.models import Certificate
    from vendorrisk.vendors.models import Vendor

    assert runner.invoke(args=["demo"]).exit_code == 0
    db.rollback()
    vendors = {v.name_en: v.id for v in db.exec(select(Vendor)).all()}
    today = clock.today()
    result = coverage(db, list(vendors.values()), today)
    assert result[vendors["Hayase Information Systems Co., Ltd."]].status == "met"
    assert [g.kind for g in result[vendors["Mitomeru Identity K.K."]].gaps] == ["expired"]
    assert [g.kind for g in result[vendors["Sorano Platform Co., Ltd."]].gaps] == ["period_gap"]
    assert result[vendors["Yomichi Monitoring Center Co., Ltd."]].status == "met"
    assert result[vendors["Tsubame Messaging Co., Ltd."]].status == "not_applicable"
    ending = db.exec(expiry_query(today, 60)).all()
    states = {(c.type, v.name_en): (c.expiry_date or c.period_end) >= today for c, v in ending}
    assert states[("iso27017", "Unkai Cloud G.K.")] is True
    assert states[("privacymark", "Kaginote Wallet K.K.")] is True
    assert states[("iso27001", "Mitomeru Identity K.K.")] is False
    with app.app_context():
        from vendorrisk.core import storage
        from vendorrisk.core.models import StoredFile
        certificate = db.exec(select(Certificate).where(Certificate.type == "ismap")).one()
        assert storage.read(db.get(StoredFile, certificate.file_id)).startswith(b"\x89PNG")


def test_state_shown_for_a_record(db):
    from vendorrisk.certificates.pages import state_of
    vendor = factories.gen_vendor(db)
    report = gen_certificate(db, vendor, "soc2_type2", period_start=date(2025, 4, 1), period_end=date(2026, 3, 31))
    assert state_of(report, date(2026, 1, 1)) == "valid"
    assert state_of(report, date(2026, 3, 1)) == "valid"  # it counts until 6/30: its period's end is no deadline
    assert state_of(report, date(2026, 4, 15)) == "period ended"
    assert state_of(report, date(2026, 5, 15)) == "expiring"  # 46 days before it stops counting
    assert state_of(report, date(2026, 6, 30)) == "expiring"
    assert state_of(report, date(2026, 7, 1)) == "expired"
    certificate = gen_certificate(db, vendor, "iso27001", issue_date=date(2025, 1, 1), expiry_date=date(2026, 3, 31))
    assert state_of(certificate, date(2026, 4, 1)) == "expired"


def test_due_on_is_kept_with_the_dates_it_comes_from(db):
    """``due_on`` (indexed; the tasks, reminders and the expiring list sort on it) is the last
    day a record counts: the expiry date of a certificate, the period end of a report plus
    three months, a year after an undated audit, through inserts and updates."""
    from sqlalchemy import select

    from vendorrisk.certificates.coverage import end_column, expiry_query
    from vendorrisk.certificates.models import Certificate, counts_until

    vendor = factories.gen_vendor(db)
    certificate = gen_certificate(db, vendor, "iso27001", expiry_date=date(2026, 7, 31))
    report = gen_certificate(db, vendor, "soc2_type2", period_end=date(2026, 6, 30))
    undated = gen_certificate(db, vendor, "onsite_audit")
    db.commit()
    stored = dict(db.execute(select(Certificate.id, end_column())).all())
    assert stored == {certificate.id: date(2026, 7, 31), report.id: date(2026, 9, 30), undated.id: date(2026, 1, 1)}
    assert all(stored[c.id] == counts_until(c) for c in (certificate, report, undated))
    certificate.expiry_date, report.period_end = date(2026, 6, 20), date(2026, 9, 30)
    db.commit()
    stored = dict(db.execute(select(Certificate.id, end_column())).all())
    assert (stored[certificate.id], stored[report.id]) == (date(2026, 6, 20), date(2026, 12, 30))
    soonest = [c.id for c, _v in db.execute(expiry_query(TODAY, 30)).all()]
    assert soonest == [undated.id, certificate.id]  # the audit of January 2025 lapsed in January


def test_a_report_past_its_period_is_not_called_current_to_a_past_date(app, db):
    """A SOC report counts for three months after its period (or after its bridge letters);
    the met reason says when the period ended and until when it counts, not "current to"
    (in Japanese "まで有効") the period's end, a past date that read as expired."""
    from flask_babel import force_locale

    from vendorrisk.core.messages import render
    reviewer = factories.gen_user(db)
    within_grace = _important(db)
    gen_review(db, gen_certificate(db, within_grace, "soc2_type2", issuer="監査法人テスト",
                                   period_start=date(2025, 4, 1), period_end=date(2026, 3, 31)), reviewer)
    bridged = _important(db)
    gen_review(db, gen_certificate(db, bridged, "soc2_type2", issuer="",
                                   period_start=date(2024, 10, 1), period_end=date(2025, 9, 30)), reviewer)
    gen_certificate(db, bridged, "bridge_letter", period_start=date(2025, 10, 1), period_end=date(2026, 3, 31))
    certified = _important(db)
    gen_review(db, gen_certificate(db, certified, "iso27001", issuer="",
                                   issue_date=date(2025, 1, 1), expiry_date=date(2028, 1, 1)), reviewer)
    result = coverage(db, [within_grace.id, bridged.id, certified.id], TODAY)
    with app.test_request_context(), force_locale("en"):
        assert render(result[within_grace.id].reason) == (
            "SOC 2 Type II (監査法人テスト), period ended 2026-03-31, counts until 2026-06-30 "
            "(3 months after its period), reviewed 2026-01-15.")
        assert render(result[bridged.id].reason) == (
            "SOC 2 Type II, period ended 2025-09-30, bridged to 2026-03-31, counts until 2026-06-30 "
            "(3 months after), reviewed 2026-01-15.")
        assert render(result[certified.id].reason) == "ISO/IEC 27001, current to 2028-01-01, reviewed 2026-01-15."
    with app.test_request_context(), force_locale("ja"):
        assert render(result[within_grace.id].reason) == (
            "SOC 2 タイプ2報告書（監査法人テスト）（対象期間は 2026-03-31 に終了、その 3 か月後の 2026-06-30 まで有効、"
            "2026-01-15 にレビュー済み）。")


def test_a_qualified_or_adverse_opinion_is_said_in_the_met_reason(app, db):
    """The report is obtained and covers the services (met), but an inspector reading the
    reason learns that the auditor qualified its opinion, as the record page says."""
    from flask_babel import force_locale

    from vendorrisk.core.messages import render
    reviewer = factories.gen_user(db)
    reasons = {}
    for opinion in ("unqualified", "qualified", "adverse", None):
        vendor = _important(db)
        gen_review(db, gen_certificate(db, vendor, "soc2_type2", issuer="", opinion=opinion,
                                       period_start=date(2025, 4, 1), period_end=date(2026, 3, 31)), reviewer)
        found = coverage(db, [vendor.id], TODAY)[vendor.id]
        assert found.status == "met"
        with app.test_request_context(), force_locale("en"):
            reasons[opinion] = render(found.reason)
        with app.test_request_context(), force_locale("ja"):
            reasons[(opinion, "ja")] = render(found.reason)
    assert reasons["unqualified"] == reasons[None] and "opinion" not in reasons[None]
    assert reasons["qualified"] == reasons[None] + " The auditor's opinion is qualified."
    assert reasons["adverse"].endswith(" The auditor's opinion is adverse.")
    assert reasons[("qualified", "ja")].endswith("レビュー済み）。監査人の意見は限定付適正意見です。")


def test_the_migration_gives_the_records_already_there_the_day_they_stop_counting(app, db):
    """0029 recomputes ``due_on`` for stored records (a report's period end plus three
    months, a year after an undated audit); its downgrade puts back the period end."""
    vendor = factories.gen_vendor(db)
    report = gen_certificate(db, vendor, "soc2_type2", period_end=date(2025, 11, 30))
    undated = gen_certificate(db, vendor, "onsite_audit", issue_date=date(2025, 2, 28))
    certificate = gen_certificate(db, vendor, "iso27001", expiry_date=date(2027, 5, 1))
    note = gen_certificate(db, vendor, "other", issue_date=date(2025, 2, 28))
    before, after = across_migration(app, db, "0028_vendor_name_reading", "SELECT id, due_on FROM certificate")

    def as_dates(rows):  # SQLite gives the dates as text here
        return {key: date.fromisoformat(day) if isinstance(day, str) else day for key, day in rows.items()}
    assert as_dates(before) == {report.id: date(2025, 11, 30), undated.id: None, certificate.id: date(2027, 5, 1),
                                note.id: None}
    assert as_dates(after) == {report.id: date(2026, 2, 28), undated.id: date(2026, 2, 28),
                               certificate.id: date(2027, 5, 1), note.id: None}


def test_a_vendor_with_only_records_that_do_not_count_is_not_said_to_have_none(db):
    """Kaginote has a PrivacyMark on file: its 26(4) gap says that no record on file is an audit
    or report the article accepts, not that nothing is on file (the table below lists one)."""
    from datetime import timedelta
    nothing, privacy_only = _important(db), _important(db)
    gen_certificate(db, privacy_only, "privacymark", expiry_date=TODAY + timedelta(days=300))
    gen_certificate(db, privacy_only, "pentest_summary")
    db.commit()
    found = coverage(db, [nothing.id, privacy_only.id], TODAY)
    assert str(found[nothing.id].reason) == "No audit, certificate or report is on file."
    assert found[privacy_only.id].status == "gap" and [g.kind for g in found[privacy_only.id].gaps] == ["no_evidence"]
    said = str(found[privacy_only.id].reason)
    assert said != "No audit, certificate or report is on file." and "Art. 26(4)" in said
