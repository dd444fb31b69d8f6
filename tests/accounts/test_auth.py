"""Sign-in, throttling, password rules, sessions and API tokens."""
import pytest
from sqlmodel import select

from tests import factories
from vendorrisk.core import users
from vendorrisk.core.models import LoginAttempt, User


def test_wrong_password_is_generic_and_counted(client, db):
    user = factories.gen_user(db)
    db.commit()
    for password in ("wrong-password-xx", factories.PASSWORD + "!"):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 401
        assert "Sign-in failed" in response.get_data(as_text=True)
    unknown = client.post("/login", data={"email": "nobody@example.jp", "password": "whatever-123456"})
    assert unknown.get_data(as_text=True).count("Sign-in failed") == 1
    db.rollback()
    attempts = db.exec(select(LoginAttempt).where(LoginAttempt.success == False)).all()  # noqa: E712
    assert len(attempts) == 3


def test_account_is_throttled_after_repeated_failures(client, db, app):
    user = factories.gen_user(db)
    db.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": user.email, "password": "wrong-password-xx"})
    # even the right password is refused while throttled, with the same generic message
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 401
    assert client.get("/").status_code == 302


def test_successful_login_sets_a_hardened_session_cookie(client, db):
    user = factories.gen_user(db)
    db.commit()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200


def test_open_redirect_after_login_is_refused(client, db):
    user = factories.gen_user(db)
    db.commit()
    response = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("password, ok", [
    ("short-pass", False),                      # under 12 characters
    ("x" * 129, False),                         # over 128
    ("password1234", False),                    # common
    ("aaaaaaaaaaaaaaaa", False),                # trivially guessable
    ("all lower case words are fine", True),    # length, not composition
    ("日本語のパスフレーズも使えます", True),
])
def test_password_rules_follow_asvs(app, db, password, ok):
    with app.test_request_context():
        problems = users.password_problems(password, "someone@example.jp")
    assert (not problems) == ok, problems


def test_password_change_ends_other_sessions(app, db):
    user = factories.gen_user(db)
    db.commit()
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    response = first.post("/account/password", data={"current": factories.PASSWORD, "new": "a brand new passphrase"})
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302  # signed out


def test_deactivated_user_loses_access(app, db, client):
    user = factories.gen_user(db)
    db.commit()
    client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    db.get(User, user.id).is_active = False
    db.commit()
    assert client.get("/").status_code == 302


def test_api_token_is_stored_hashed_and_revocable(app, db, client, login):
    user = login("procurement")
    page = client.post("/account/tokens", data={"name": "ci"}).get_data(as_text=True)
    token = page.split('data-test="new-token"')[1].split("<code>")[1].split("</code>")[0]
    db.rollback()
    from vendorrisk.core.models import ApiToken
    stored = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token not in (stored.token_hash, stored.prefix) and stored.token_hash == users.hash_token(token)
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["email"] == user.email
    client.post(f"/account/tokens/{stored.id}/revoke")
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_cookie_session_does_not_authenticate_the_api(client, login):
    login("compliance")
    assert client.get("/api/v1/me").status_code == 401


def test_admin_creates_user_with_checked_password(client, login, db):
    login("admin")
    client.post("/admin/users", data={"email": "new@example.jp", "role": "auditor", "password": "short"})
    db.rollback()
    assert db.exec(select(User).where(User.email == "new@example.jp")).first() is None
    client.post("/admin/users", data={"email": "new@example.jp", "role": "auditor",
                                      "password": "a long enough passphrase"})
    db.rollback()
    assert db.exec(select(User).where(User.email == "new@example.jp")).one().role == "auditor"


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(client, login, db):
    """Otherwise no one could manage users from the app any more; with a second admin, both may."""
    admin = login("admin")
    for change in ({"role": "auditor"}, {"active": "0"}):
        refused = client.post(f"/admin/users/{admin.id}", data=change, headers={"Accept-Language": "ja"})
        assert refused.status_code == 409, change
        assert "有効な最後の管理者です" in refused.get_data(as_text=True)
        db.rollback()
        db.expire_all()
        kept = db.get(User, admin.id)
        assert (kept.role, kept.is_active) == ("admin", True)
    other = factories.gen_user(db, role="admin")
    db.commit()
    assert client.post(f"/admin/users/{other.id}", data={"role": "compliance"}).status_code == 302
    db.rollback()
    db.expire_all()
    assert db.get(User, other.id).role == "compliance"
    assert client.post(f"/admin/users/{other.id}", data={"role": "admin"}).status_code == 302
    assert client.post(f"/admin/users/{admin.id}", data={"active": "0"}).status_code == 302  # another admin remains
    db.rollback()
    db.expire_all()
    assert db.get(User, admin.id).is_active is False


def test_token_last_use_is_recorded_even_by_read_only_calls(api, db):
    from vendorrisk.core.models import ApiToken
    client = api("auditor")
    assert client.get("/api/v1/me").status_code == 200
    db.rollback()
    (token,) = db.exec(select(ApiToken)).all()
    assert token.last_used_at is not None


def test_an_api_read_runs_in_one_transaction_once_its_token_use_is_recorded(app, api, db):
    """The token's look-up begins the transaction the request reads in; a second one (on its
    own connection) only writes "last used", at most once per interval."""
    from sqlalchemy import event

    from vendorrisk.core.db import engine_of
    client = api("auditor")
    begins = []

    def begun(connection):
        begins.append(connection)
    engine = engine_of(app)
    event.listen(engine, "begin", begun)
    try:
        assert client.get("/api/v1/vendors").status_code == 200  # token use due: recorded beside
        assert len(begins) > 1
        begins.clear()
        assert client.get("/api/v1/vendors").status_code == 200
        assert client.get("/api/v1/me").status_code == 200
        assert len(begins) == 2  # one per request
    finally:
        event.remove(engine, "begin", begun)


def test_an_unknown_role_is_refused_not_ignored(client, login, db):
    """Follow-up of the roles walk: the users page ignored an unknown role and still said
    "The user was updated."; it refuses it (422) and the role is kept."""
    login("admin")
    other = factories.gen_user(db, role="procurement")
    db.commit()
    refused = client.post(f"/admin/users/{other.id}", data={"role": "superuser"}, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Unknown role" in page and "The user was updated." not in page
    db.rollback()
    db.expire_all()
    assert db.get(User, other.id).role == "procurement"


def test_a_sign_in_is_in_the_audit_trail_under_the_user_who_signed_in(client, login, db):
    """Follow-up of the roles walk: the session a sign-in opens was recorded with actor "system"."""
    from vendorrisk.core.models import AuditEntry
    user = login("procurement")
    db.rollback()
    entry = db.exec(select(AuditEntry).where(AuditEntry.entity == "user_session", AuditEntry.action == "create")
                    .order_by(AuditEntry.id.desc())).first()
    assert entry is not None and f'"user_id": {user.id}' in entry.after
    assert (entry.actor_id, entry.actor) == (user.id, user.email)


def test_the_new_user_form_gives_no_role_by_default_and_asks_for_one(client, login, db):
    """Walk of a first week: the new-user form had the first role, admin, chosen, so a user
    made in a hurry became an administrator. No role is chosen now; none sent is refused
    next to the field, in the reader's language, and no user is created."""
    login("admin")
    page = client.get("/admin/users", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    chooser = page.split('data-test="new-user-role"', 1)[1].split("</select>", 1)[0]
    assert "selected" not in chooser and '<option value="">ロールを選択</option>' in chooser
    refused = client.post("/admin/users", data={"email": "hurried@test.example", "role": "",
                                                 "password": "a-long-enough-pass-2026"},
                          headers={"Accept-Language": "ja"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "ユーザーのロールを選んでください。" in text and "hurried@test.example" in text
    db.rollback()
    assert db.exec(select(User).where(User.email == "hurried@test.example")).first() is None


def test_the_users_list_says_whether_each_user_is_active_beside_the_button(client, login, db):
    """Walk of a first week: the 「有効」 column showed only the button 「無効化」 (or
    「再有効化」), not whether the user could sign in."""
    login("admin")
    gone = factories.gen_user(db, role="auditor")
    gone.is_active = False
    db.commit()
    page = client.get("/admin/users", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    row = page.split(gone.email, 1)[1].split("</tr>", 1)[0]
    assert '<span data-test="user-state">無効</span>' in row and "再有効化" in row
    assert page.count('<span data-test="user-state">有効</span>') == 1  # the admin signed in
