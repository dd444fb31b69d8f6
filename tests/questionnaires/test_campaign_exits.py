"""An open campaign stops chasing a vendor whose arrangements have all ended (vendors.exits):
no request or reminder e-mail, not awaited on 「自分のタスク」, shown as ended on the campaign;
a vendor still in a chain, and a prospect in none, are chased as before."""
from datetime import timedelta

from tests import factories
from tests.questionnaires.factories import KEY
from vendorrisk.core import clock
from vendorrisk.questionnaires import campaign_reminders, campaigns
from vendorrisk.vendors import exits
from vendorrisk.vendors.models import VendorContact


def _with_contact(db, name):
    vendor = factories.gen_vendor(db, name=name)
    db.add(VendorContact(vendor_id=vendor.id, name="担当", email=f"tanto@v{vendor.id}.example"))
    return vendor


def test_a_vendor_whose_arrangements_ended_is_no_longer_chased(app, db):
    today = clock.today()
    ended, staying, prospect = (_with_contact(db, n) for n in ("株式会社終了", "株式会社継続", "株式会社候補"))
    ending = factories.gen_arrangement(db, ended)
    factories.gen_arrangement(db, staying)
    sender = factories.gen_user(db, role="compliance")
    db.commit()
    with app.test_request_context():
        campaign = campaigns.create_campaign(db, {"title": "年次質問票", "template_id": "general_outsourcing",
                                                  "due_date": today + timedelta(days=20),
                                                  "vendor_ids": [ended.id, staying.id, prospect.id]},
                                             sender, KEY, today=today)
        db.commit()
        rows = {r.row.vendor_id: r.row.id for r in campaigns.recipients(db, campaign)}
        chased = {spec.subject_id for spec in campaign_reminders.campaign_reminders(db, today)}
        assert chased == set(rows.values())
        exits.record_exit(db, ending, {})
        db.commit()
        chased = {spec.subject_id for spec in campaign_reminders.campaign_reminders(db, today)}
        assert chased == {rows[staying.id], rows[prospect.id]}
        states = {r.row.vendor_id: r.state for r in campaigns.recipients(db, campaign)}
        assert states[ended.id] == "ended" and states[staying.id] != "ended" and states[prospect.id] != "ended"
        [task] = campaign_reminders.campaign_tasks(db, sender, today)
        assert "2 of 3" in task.label
