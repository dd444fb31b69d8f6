"""Questionnaire campaigns: one send, one e-mail per vendor address with that vendor's own
workbook attached (real SMTP server); returned files matched to campaign and vendor; an
overdue campaign reminded once per stage, never twice."""
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from tests import factories
from tests.questionnaires import workbooks as qw
from tests.questionnaires.factories import KEY, fill
from vendorrisk.core import business_days, clock
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.questionnaires import workbook as layout
from vendorrisk.questionnaires.models import QuestionnaireResponse
from vendorrisk.questionnaires.models_campaigns import CampaignVendor, QuestionnaireCampaign
from vendorrisk.vendors.models import VendorContact


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def _vendors(db, count=3, country="JP"):
    vendors = []
    for n in range(count):
        vendor = factories.gen_vendor(db, name=f"送付先{n}株式会社", country=country)
        db.add(VendorContact(vendor_id=vendor.id, name=f"担当 {n}", email=f"contact{n}@vendor{vendor.id}.example"))
        vendors.append(vendor)
    db.commit()
    return vendors


def _send(client, vendors, due=None, **extra):
    data = {"title": "2026年度 定期質問票", "template_id": "general_outsourcing",
            "due_date": (due or clock.today() + timedelta(days=30)).isoformat(),
            "vendor_ids": [str(v.id) for v in vendors], **extra}
    return client.post("/questionnaires/campaigns/new", data=data)


def _meta(data: bytes) -> dict:
    book = load_workbook(io.BytesIO(data))
    return {r[0].value: r[1].value for r in book[layout.META_SHEET].iter_rows(max_col=2)}


def _sunday_after(day: date) -> date:
    return day + timedelta(days=(6 - day.weekday()) % 7)


def test_sending_to_three_vendors_sends_three_emails_each_with_its_own_workbook(app, client, db, login, smtp):
    vendors = _vendors(db)
    login("compliance")
    asked = _sunday_after(clock.today() + timedelta(days=30))  # a closed day: the due date moves before it
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        moved = business_days.on_or_before(asked)
        why = business_days.due_line(moved.day, asked)
    assert moved.moved and why
    response = _send(client, vendors, due=asked)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len(smtp.messages) == 3
    campaign = db.exec(select(QuestionnaireCampaign)).one()
    assert (campaign.due_date, campaign.nominal_due_date) == (moved.day, asked)
    for vendor in vendors:
        [mail] = smtp.by_recipient(f"contact{vendors.index(vendor)}@vendor{vendor.id}.example")
        assert vendor.name in mail["Subject"] and mail["Reply-To"]
        assert moved.day.isoformat() in mail["Subject"] and why in mail.get_body().get_content()
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_filename().endswith(f"{vendor.name}.xlsx")
        meta = _meta(attachment.get_content())
        assert (int(meta["vendor_id"]), int(meta["campaign_id"])) == (vendor.id, campaign.id)
    db.rollback()
    rows = db.exec(select(CampaignVendor)).all()
    assert len(rows) == 3 and all(r.sent_at is not None for r in rows)
    page = client.get(f"/questionnaires/campaigns/{campaign.id}").get_data(as_text=True)
    assert page.count('data-test="state"') == 3 and "送付先0株式会社" in page
    # the scheduler's sweep finds the requests sent: nothing goes twice
    run_sweep(app)
    assert len(smtp.messages) == 3


def test_a_vendor_without_an_address_refuses_the_whole_send(app, client, db, login, smtp):
    vendors = _vendors(db, 2)
    mute = factories.gen_vendor(db, name="連絡先なし株式会社")
    db.commit()
    login("compliance")
    response = _send(client, vendors + [mute], title="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "連絡先なし株式会社" in page and 'value="' + str(vendors[0].id) + '" checked' in page
    assert db.exec(select(QuestionnaireCampaign)).first() is None and not smtp.messages


def test_a_returned_workbook_is_matched_to_its_campaign_and_vendor(app, client, db, login, smtp):
    vendors = _vendors(db, 2)
    login("compliance")
    _send(client, vendors)
    campaign = db.exec(select(QuestionnaireCampaign)).one()
    second = smtp.by_recipient(f"contact1@vendor{vendors[1].id}.example")[0]
    returned = fill(next(second.iter_attachments()).get_content())
    # no vendor chosen: the workbook names its vendor
    response = client.post(f"/questionnaires/campaigns/{campaign.id}/import",
                           data={"file": (io.BytesIO(returned), "回答.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.rollback()
    answer = db.exec(select(QuestionnaireResponse)).one()
    assert answer.vendor_id == vendors[1].id
    rows = {r.vendor_id: r for r in db.exec(select(CampaignVendor))}
    assert rows[vendors[1].id].response_id == answer.id and rows[vendors[1].id].returned_at is not None
    assert rows[vendors[0].id].returned_at is None
    page = client.get(f"/questionnaires/campaigns/{campaign.id}").get_data(as_text=True)
    assert "返送済み" in page or "returned" in page


def test_a_file_naming_no_vendor_needs_the_vendor_chosen_and_another_campaigns_is_refused(app, client, db, login,
                                                                                          smtp):
    from tests.questionnaires.factories import native_workbook
    vendors = _vendors(db, 2)
    login("compliance")
    _send(client, vendors[:1])
    _send(client, vendors[1:], title="別の質問票")
    first, second = db.exec(select(QuestionnaireCampaign).order_by(QuestionnaireCampaign.id)).all()
    other = smtp.by_recipient(f"contact1@vendor{vendors[1].id}.example")[0]
    returned = fill(next(other.iter_attachments()).get_content())
    refused = client.post(f"/questionnaires/campaigns/{first.id}/import",
                          data={"file": (io.BytesIO(returned), "a.xlsx")}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "別の質問票" in refused.get_data(as_text=True)
    # our workbook downloaded outside the campaign still names its vendor
    plain = fill(native_workbook(vendor_id=vendors[0].id, vendor_name=vendors[0].name, key=KEY))
    named = client.post(f"/questionnaires/campaigns/{first.id}/import",
                        data={"file": (io.BytesIO(plain), "b.xlsx")}, content_type="multipart/form-data")
    assert named.status_code == 302, named.get_data(as_text=True)
    # a vendor's own questionnaire (a CSV) names none: refused until the vendor is chosen
    foreign = qw.caiq_csv().data
    unnamed = client.post(f"/questionnaires/campaigns/{second.id}/import",
                          data={"file": (io.BytesIO(foreign), "caiq.csv")}, content_type="multipart/form-data")
    assert unnamed.status_code == 422 and "choose the vendor" in unnamed.get_data(as_text=True)
    chosen = client.post(f"/questionnaires/campaigns/{second.id}/import",
                         data={"file": (io.BytesIO(foreign), "caiq.csv"), "vendor_id": str(vendors[1].id)},
                         content_type="multipart/form-data")
    assert chosen.status_code == 302, chosen.get_data(as_text=True)
    db.rollback()
    rows = {r.campaign_id: r for r in db.exec(select(CampaignVendor))}
    assert rows[first.id].response_id is not None and rows[second.id].response_id is not None
    assert db.get(QuestionnaireResponse, rows[second.id].response_id).format == "caiq"


def test_the_ordinary_import_of_a_campaign_workbook_counts_as_its_return(app, client, db, login, smtp):
    vendors = _vendors(db, 1)
    login("compliance")
    _send(client, vendors)
    mail = smtp.messages[0]["message"]
    returned = fill(next(mail.iter_attachments()).get_content())
    response = client.post("/questionnaires/import", data={"vendor_id": str(vendors[0].id),
                                                           "file": (io.BytesIO(returned), "r.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.rollback()
    assert db.exec(select(CampaignVendor)).one().returned_at is not None


def test_a_campaign_workbook_names_its_vendor_and_campaign_on_the_import_page(app, client, db, login, smtp):
    """Nothing chosen on the ordinary import page: both are taken from the workbook, and said."""
    vendors = _vendors(db, 1)
    login("compliance")
    _send(client, vendors)
    returned = fill(next(smtp.messages[0]["message"].iter_attachments()).get_content())
    done = client.post("/questionnaires/import", data={"file": (io.BytesIO(returned), "r.xlsx")},
                       content_type="multipart/form-data")
    assert done.status_code == 302, done.get_data(as_text=True)
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"The vendor ({vendors[0].name}) and the campaign (2026年度 定期質問票) were taken from the workbook." in page
    db.rollback()
    assert db.exec(select(CampaignVendor)).one().returned_at is not None


def test_an_overdue_campaign_reminds_once_per_stage_never_twice(app, client, db, login, smtp):
    vendors = _vendors(db, 2)
    sender = login("compliance")
    _send(client, vendors, due=clock.today() + timedelta(days=20))
    assert len(smtp.messages) == 2
    campaign = db.exec(select(QuestionnaireCampaign)).one()
    due = campaign.due_date  # on a business day
    returned = fill(next(smtp.messages[0]["message"].iter_attachments()).get_content())
    client.post(f"/questionnaires/campaigns/{campaign.id}/import",
                data={"file": (io.BytesIO(returned), "r.xlsx")}, content_type="multipart/form-data")
    late = vendors[1] if smtp.messages[0]["to"][0].endswith(f"vendor{vendors[0].id}.example") else vendors[0]
    address = db.exec(select(VendorContact.email).where(VendorContact.vendor_id == late.id)).one()

    def sweep(day):
        run_sweep(app, today=day)
        run_sweep(app, today=day)  # twice the same day: nothing more
        return [m["Subject"] for m in smtp.by_recipient(address)], [m["Subject"] for m in smtp.by_recipient(sender.email)]

    assert sweep(due - timedelta(days=10)) == ([smtp.by_recipient(address)[0]["Subject"]], [])  # the request only
    vendor_mails, _owner = sweep(due - timedelta(days=6))  # the 7-day stage
    assert len(vendor_mails) == 2
    vendor_mails, owner_mails = sweep(due + timedelta(days=1))  # overdue, week 1
    assert len(vendor_mails) == 3 and len(owner_mails) == 1 and late.name in smtp.by_recipient(sender.email)[0] \
        .get_body().get_content()
    vendor_mails, owner_mails = sweep(due + timedelta(days=5))  # still week 1: nothing new
    assert (len(vendor_mails), len(owner_mails)) == (3, 1)
    vendor_mails, owner_mails = sweep(due + timedelta(days=8))  # week 2
    assert (len(vendor_mails), len(owner_mails)) == (4, 2)
    reminder = smtp.by_recipient(address)[-1]
    assert [a.get_filename() for a in reminder.iter_attachments()] == [f"general_outsourcing-v2-{late.name}.xlsx"]
    db.rollback()
    kinds = db.exec(select(Reminder.kind).where(Reminder.recipient == address).order_by(Reminder.id)).all()
    assert kinds == ["request", "due_in_7", "overdue_w1", "overdue_w2"]
    # the vendor that returned its workbook got the request only
    other = db.exec(select(VendorContact.email).where(VendorContact.vendor_id != late.id,
                                                      VendorContact.vendor_id.in_([v.id for v in vendors]))).one()
    assert len(smtp.by_recipient(other)) == 1
    # a closed campaign reminds no more
    client.post(f"/questionnaires/campaigns/{campaign.id}/close")
    sweep(due + timedelta(days=15))
    assert len(smtp.by_recipient(address)) == 4


def test_campaign_api_sends_reads_and_imports(app, db, api, smtp):
    vendors = _vendors(db, 3, country="US")
    client = api("compliance")
    response = client.post("/api/v1/questionnaire-campaigns", json={
        "title": "Annual", "template_id": "cloud_services", "vendor_ids": [v.id for v in vendors],
        "due_date": (clock.today() + timedelta(days=14)).isoformat()})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["emails_sent"] == 3 and {v["state"] for v in body["vendors"]} == {"sent"}
    assert smtp.messages[0]["message"]["Content-Language"] == "en"
    returned = fill(next(smtp.messages[0]["message"].iter_attachments()).get_content())
    imported = client.post(f"/api/v1/questionnaire-campaigns/{body['id']}/responses",
                           data={"file": (io.BytesIO(returned), "r.xlsx")}, content_type="multipart/form-data")
    assert imported.status_code == 201, imported.get_json()
    again = client.get(f"/api/v1/questionnaire-campaigns/{body['id']}").get_json()
    assert sorted(v["state"] for v in again["vendors"]) == ["returned", "sent", "sent"]
    listed = client.get("/api/v1/questionnaire-campaigns?status=open").get_json()
    assert listed["items"][0]["counts"] == {"vendors": 3, "sent": 3, "returned": 1}
    assert client.post(f"/api/v1/questionnaire-campaigns/{body['id']}/close").status_code == 200
    assert client.post(f"/api/v1/questionnaire-campaigns/{body['id']}/close").status_code == 409


def test_the_campaign_form_says_where_a_vendor_without_an_e_mail_contact_gets_one(client, login, db):
    """Walk of a first week: a new vendor was missing from the campaign's list, which said only
    that vendors with an e-mail contact are listed, not where to add one."""
    login("compliance")
    page = client.get("/questionnaires/campaigns/new", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    hint = page.split('data-test="add-contact-hint"', 1)[1].split("</a>", 1)[0]
    assert "外部委託先の担当者" in hint and 'href="/vendors/" data-test="add-contact-hint"' in page


def test_closing_a_campaign_closed_meanwhile_names_who_closed_it_on_its_page(app, client, db, login, smtp):
    vendors = _vendors(db, count=1)
    login("compliance")
    assert _send(client, vendors).status_code == 302
    campaign = db.exec(select(QuestionnaireCampaign)).one()
    assert 'data-test="close-campaign"' in client.get(f"/questionnaires/campaigns/{campaign.id}").get_data(as_text=True)
    closer = factories.gen_user(db, role="compliance")
    db.commit()
    other = app.test_client()
    assert other.post("/login", data={"email": closer.email, "password": factories.PASSWORD}).status_code == 302
    assert other.post(f"/questionnaires/campaigns/{campaign.id}/close").status_code == 302

    late = client.post(f"/questionnaires/campaigns/{campaign.id}/close")
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert 'data-test="conflict"' in page and "This campaign is already closed." in page
    assert f"Changed by {closer.display_name} at" in page and 'data-test="campaign-import"' in page
    as_json = client.post(f"/questionnaires/campaigns/{campaign.id}/close", headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and as_json.get_json()["error"]["code"] == "conflict"


def test_the_overdue_campaign_mail_lists_the_vendors_right_after_saying_it_lists_them(app, client, db, login, smtp):
    """「次の外部委託先からワークブックが返送されていません：」 is followed by the vendors, and the
    line saying why the due date moved comes after the list, not between the two."""
    vendors = _vendors(db, 2)
    sender = login("compliance")
    asked = _sunday_after(clock.today() + timedelta(days=20))  # a closed day: the due date moves
    assert _send(client, vendors, due=asked).status_code == 302
    campaign = db.exec(select(QuestionnaireCampaign)).one()
    assert campaign.nominal_due_date == asked
    run_sweep(app, today=campaign.due_date + timedelta(days=1))
    [mail] = smtp.by_recipient(sender.email)
    paragraphs = mail.get_body().get_content().split("\n\n")
    opening = next(i for i, p in enumerate(paragraphs) if p.rstrip().endswith(("：", ":")))
    assert sorted(paragraphs[opening + 1].splitlines()) == sorted(f"- {v.name}" for v in vendors)
    assert any(asked.strftime("%-m/%-d") in p for p in paragraphs[opening + 2:])
