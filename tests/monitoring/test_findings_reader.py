"""What a reader of a finding sees: its title in their language through the API as on the
pages, the closure section of a closed finding, refusals in plain grammar, and the board's
offer to raise a finding only to those who may."""
from tests import factories
from vendorrisk.vendors.findings import raise_finding

CLAUSE = {"clause": {"ja": "監査権", "en": "Audit rights"}, "article": {"ja": "第25条第2項", "en": "Art. 25(2)"},
          "contract": "業務委託契約書 v2"}
JA_TITLE = "契約条項の不足：監査権（第25条第2項）、業務委託契約書 v2"
EN_TITLE = "Contract clause missing: Audit rights (Art. 25(2)), 業務委託契約書 v2"


def _clause_finding(db, vendor):
    finding, _ = raise_finding(db, vendor_id=vendor.id, source="contract", source_ref="contract:1:audit",
                               title=EN_TITLE, title_key="contract_clause_missing", title_params=CLAUSE)
    return finding


def test_the_api_gives_a_generated_title_in_the_readers_language(app, db, client, login, api):
    login("compliance")
    token = api("auditor")
    finding = _clause_finding(db, factories.gen_vendor(db))
    db.commit()
    ja, en = {"Accept-Language": "ja"}, {"Accept-Language": "en"}
    listed = token.get("/api/v1/findings", headers=ja).json["items"]
    assert [(f["title"], f["title_localized"]) for f in listed] == [(EN_TITLE, JA_TITLE)]
    one = token.get(f"/api/v1/findings/{finding.id}", headers=ja).json
    assert (one["title"], one["title_localized"]) == (EN_TITLE, JA_TITLE)
    assert token.get(f"/api/v1/findings/{finding.id}", headers=en).json["title_localized"] == EN_TITLE
    remediation = token.get(f"/api/v1/findings/{finding.id}/remediation", headers=ja).json
    assert remediation["title_localized"] == JA_TITLE
    page = client.get(f"/findings/{finding.id}", headers=ja).get_data(as_text=True)
    assert JA_TITLE in page  # the same text as the page


def test_a_typed_title_is_given_as_typed(app, db, api):
    token = api("auditor")
    typed, _ = raise_finding(db, vendor_id=factories.gen_vendor(db).id, source="manual", title="再委託先の届出なし")
    db.commit()
    answer = token.get(f"/api/v1/findings/{typed.id}", headers={"Accept-Language": "ja"}).json
    assert answer["title"] == answer["title_localized"] == "再委託先の届出なし"


def _closed(db, title):
    finding, _ = raise_finding(db, vendor_id=factories.gen_vendor(db).id, source="manual", title=title)
    finding.status, finding.action_plan = "closed", "手順書を改訂する"
    return finding


def test_a_closed_finding_says_where_its_evidence_is_when_none_was_given_at_closing(app, db, client, login):
    from vendorrisk.monitoring.models_remediation import FindingEvidence
    login("auditor")
    kept_before, bare = _closed(db, "証跡は是正中に登録"), _closed(db, "移行データ")
    db.flush()
    db.add(FindingEvidence(finding_id=kept_before.id, note="改訂版の手順書"))
    db.commit()

    def closure(finding):
        page = client.get(f"/findings/{finding.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
        return page.split('data-test="closure-evidence">')[1].split("</dd>")[0]
    assert "完了時の記載なし（下記の是正の証跡を参照）" in closure(kept_before) and 'href="#evidence"' in closure(kept_before)
    assert "記録なし" in closure(bare)


def test_the_board_offers_to_raise_a_finding_only_about_a_vendor_one_may_change(app, db, client, login):
    me = login("vendor_owner")
    mine, theirs = factories.gen_vendor(db), factories.gen_vendor(db)
    factories.gen_owner(db, mine, me)
    db.commit()

    def offered(query):
        return 'data-test="raise-finding"' in client.get(f"/findings/{query}").get_data(as_text=True)
    assert offered("") and offered(f"?vendor_id={mine.id}")
    assert not offered(f"?vendor_id={theirs.id}")
    assert client.get(f"/findings/new?vendor_id={theirs.id}").status_code == 403  # what the link would have met
