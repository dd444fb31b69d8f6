"""Rejecting from the page without a reason (422) shows the assessment again with the error
next to the note field and what was typed kept, not the bare error page; JSON clients keep the
422 body."""
from html import unescape

from tests import factories
from tests.selection.factories import gen_assessment
from vendorrisk.selection.models import SelectionAssessment


def _submitted_assessment(db):
    """An assessment a procurement user prepared and submitted, waiting for a decision."""
    preparer = factories.gen_user(db, role="procurement")
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)
    assessment = gen_assessment(db, vendor, preparer, "submitted")
    db.commit()
    return assessment


def test_a_rejection_without_a_reason_shows_the_form_with_the_error_next_to_the_note(client, login, db):
    assessment = _submitted_assessment(db)
    login("compliance")
    refused = client.post(f"/selection/{assessment.id}/reject", data={"note": "   "})
    assert refused.status_code == 422
    page = unescape(refused.get_data(as_text=True))
    form = page.split('data-test="decide"', 1)[1].split("</form>", 1)[0]
    assert 'name="note"' in form and '<p class="field-error">A reason is required.</p>' in form
    assert "Give the reason for rejecting." in page and 'data-test="reject"' in form
    db.rollback()
    db.expire_all()
    assert db.get(SelectionAssessment, assessment.id).status == "submitted"
    as_json = client.post(f"/selection/{assessment.id}/reject", data={"note": ""},
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 422 and as_json.get_json()["error"]["details"][0]["field"] == "note"


def test_the_note_typed_is_kept_when_the_rejection_is_refused(client, login, db, monkeypatch):
    assessment = _submitted_assessment(db)
    login("compliance")
    from vendorrisk.core.errors import ValidationFailed
    from vendorrisk.selection import service

    def refuse(*_args, **_kwargs):  # any refusal of the decision keeps the note typed
        raise ValidationFailed("refused", [{"field": "note", "message": "Say more."}])
    monkeypatch.setattr(service, "reject", refuse)
    page = unescape(client.post(f"/selection/{assessment.id}/reject", data={"note": "財務資料が古い"},
                                headers={"Accept-Language": "ja"}).get_data(as_text=True))
    assert ">財務資料が古い</textarea>" in page and "Say more." in page
