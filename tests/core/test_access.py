"""Every route declares who may use it; auditors change nothing; forms need CSRF."""
import pytest

from tests import factories
from tests.helpers import sample_url, sign_in_session, table_counts, write_rules
from vendorrisk.core.access import rule_for


def test_every_route_declares_an_access_rule(app):
    undeclared = [f"{rule.rule} ({rule.endpoint})" for rule in app.url_map.iter_rules()
                  if rule_for(app, rule.endpoint) is None]
    assert not undeclared, "routes without @allow/@public:\n" + "\n".join(undeclared)


def test_auditor_gets_403_on_every_write_and_nothing_changes(app, db):
    auditor = factories.gen_user(db, role="auditor")
    from vendorrisk.core import users
    _record, token = users.create_token(db, auditor, "t")
    factories.gen_arrangement(db)
    db.commit()
    before = table_counts(db)
    db.rollback()
    browser = app.test_client()
    sign_in_session(browser, auditor)
    api = app.test_client()
    checked = 0
    exempt = set()
    for rule, method in write_rules(app):
        access = rule_for(app, rule.endpoint)
        if access.public:
            continue
        if getattr(app.view_functions[rule.endpoint], "own_sign_in", False):
            exempt.add(rule.endpoint)  # their own sign-in only: tested below
            continue
        url = sample_url(rule)
        if url.startswith("/api/"):
            response = api.open(url, method=method, headers={"Authorization": f"Bearer {token}"}, json={})
        else:
            response = browser.open(url, method=method, data={})
        assert response.status_code == 403, f"{method} {url} answered {response.status_code}"
        checked += 1
    assert checked > 3
    assert exempt == OWN_SIGN_IN  # the exemption is a short, known list
    db.rollback()
    assert table_counts(db) == before
    from sqlmodel import select

    from vendorrisk.core.models import AuditEntry
    denied = db.exec(select(AuditEntry).where(AuditEntry.action == "denied")).all()
    assert len(denied) == checked  # every refusal is recorded


OWN_SIGN_IN = {"auth.logout", "account.revoke_session", "account.revoke_other_sessions", "two_factor.start",
               "two_factor.confirm", "two_factor.recovery_codes", "two_factor.disable"}


def test_auditor_may_sign_out_and_end_own_sessions_but_no_one_elses(app, client, login, db):
    from vendorrisk.core import sessions
    auditor = login("auditor")
    other = factories.gen_user(db, role="compliance")
    db.commit()
    with app.test_request_context():
        other_session, _key = sessions.start(db, other)
        db.commit()
    assert client.post(f"/account/sessions/{other_session.id}/revoke").status_code == 404
    assert client.post("/account/sessions/revoke-others").status_code == 302
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302
    db.rollback()
    db.expire_all()
    assert sessions.open_sessions(db, auditor.id) == []
    assert [s.id for s in sessions.open_sessions(db, other.id)] == [other_session.id]


def test_anonymous_pages_redirect_to_login_and_api_answers_401(client):
    response = client.get("/vendors/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("role, status", [("admin", 200), ("compliance", 403), ("auditor", 403)])
def test_user_admin_is_for_admins(client, login, role, status):
    login(role)
    assert client.get("/admin/users").status_code == status


def test_api_role_refused_with_403(api):
    procurement = api("procurement")
    assert procurement.get("/api/v1/me").status_code == 200
