"""The note on a link the product records for a carved-out subservice organisation is read in
each reader's language (chain page, link removal page, API, audit trail) whatever the language
of the person who added it; it names the report, not its internal number. A vendor the product
registers for it gets the same words in both languages in its notes (a person's free text)."""
import html

from sqlmodel import select

from tests import factories
from tests.certificates.factories import gen_certificate
from vendorrisk.certificates.models import SubserviceOrganisation
from vendorrisk.vendors.models import OutsourcingLink, Vendor

JA, EN = {"Accept-Language": "ja"}, {"Accept-Language": "en"}
NOTE_JA = "監査法人さくらのSOC 2 タイプ2報告書（soc2.pdf）に記載された除外方式のサブサービス組織。"
NOTE_EN = "Carved-out subservice organisation named in the SOC 2 Type II of 監査法人さくら (soc2.pdf)."


def test_a_carved_out_link_note_reads_in_each_language(app, client, login, db, api):
    vendor = factories.gen_vendor(db, name="株式会社クラウド基盤")
    arrangement = factories.gen_arrangement(db, vendor)
    certificate = gen_certificate(db, vendor, "soc2_type2", issuer="監査法人さくら")
    certificate.original_filename = "soc2.pdf"
    db.add(SubserviceOrganisation(certificate_id=certificate.id, name="データセンター新会社", treatment="carved_out"))
    db.commit()
    login("procurement")
    # an English-speaking officer adds it: a Japanese reader still reads Japanese
    assert client.post(f"/certificates/{certificate.id}/add-to-chains", headers=EN).status_code in (302, 303)
    db.rollback()
    link = db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement.id)).one()
    assert (link.approval_note_key, link.approval_note) == ("certificate_carved_out", NOTE_EN)
    created = db.exec(select(Vendor).where(Vendor.name == "データセンター新会社")).one()
    assert created.notes == f"{NOTE_JA}\n{NOTE_EN}"

    login("compliance")
    for headers, shown, hidden in ((JA, NOTE_JA, NOTE_EN), (EN, NOTE_EN, NOTE_JA)):
        for url in (f"/arrangements/{arrangement.id}", f"/arrangements/{arrangement.id}/links/{link.id}/delete",
                    "/audit/?entity=outsourcing_link"):
            page = html.unescape(client.get(url, headers=headers).get_data(as_text=True))
            assert shown in page and hidden not in page, (url, headers)
        assert f"certificate {certificate.id}" not in page
    answer = api("auditor").get(f"/api/v1/links/{link.id}", headers=JA).get_json()
    assert (answer["approval_note"], answer["approval_note_localized"]) == (NOTE_EN, NOTE_JA)


def test_a_decision_note_typed_by_a_person_replaces_the_products(app, client, login, db):
    vendor, sub = factories.gen_vendor(db), factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, vendor)
    link = factories.gen_link(db, arrangement, vendor, sub)
    link.approval_note, link.approval_note_key = NOTE_EN, "certificate_carved_out"
    link.approval_note_params = {"kind": {"ja": "SOC 2 タイプ2報告書", "en": "SOC 2 Type II"},
                                 "issuer": "監査法人さくら", "file": "soc2.pdf"}
    db.commit()
    login("compliance")
    assert NOTE_JA in client.get(f"/arrangements/{arrangement.id}", headers=JA).get_data(as_text=True)
    assert client.post(f"/arrangements/{arrangement.id}/links/{link.id}/decision", headers=JA,
                data={"approval_status": "unapproved", "approval_note": "契約上認められない"}).status_code == 302
    db.rollback()
    db.refresh(link)
    assert (link.approval_note, link.approval_note_key, link.approval_note_params) == ("契約上認められない", None, {})


def test_a_note_renders_from_its_key_and_parameters_else_as_stored(app):
    """``link_notes.note_text``: the one place a link note is rendered, whether from a link
    (``display_approval_note``) or from the fields of one not yet recorded (a vendor's notes)."""
    from vendorrisk.vendors import link_notes
    params = {"kind": {"ja": "SOC 2 タイプ2報告書", "en": "SOC 2 Type II"}, "issuer": "監査法人さくら", "file": "soc2.pdf"}
    with app.test_request_context(headers=EN):
        assert link_notes.note_text("certificate_carved_out", params, "stored", "ja") == NOTE_JA
        assert link_notes.note_text("certificate_carved_out", params, "stored") == NOTE_EN  # the reader's
        assert link_notes.note_text(None, None, "契約上認められない", "ja") == "契約上認められない"  # a person's
        assert link_notes.note_text("certificate_carved_out", {"issuer": "x"}, "stored", "ja") == "stored"
        assert link_notes.note_text("no_such_note", params, "stored", "ja") == "stored"
