"""Issue 16, 8: sessions and API tokens end when they should.

A session cookie copied before sign-out still worked for 8 hours; an API token still worked
after its owner changed password; tokens never expired; reactivating a user revived old
tokens. Sessions are now held on the server and listed, revocable, per user; tokens expire
after ``API_TOKEN_DAYS`` and die with a password change or deactivation, for good."""
from datetime import timedelta

import pytest
from sqlmodel import select

from tests import factories
from vendorrisk.core import sessions, users
from vendorrisk.core.models import ApiToken, User, UserSession, utcnow


def _sign_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return client


def _copy_cookie(source, app):
    copy = app.test_client()
    cookie = source.get_cookie("vendorrisk_session")
    copy.set_cookie("vendorrisk_session", cookie.value)
    return copy


def test_a_copied_cookie_stops_working_at_sign_out(app, db):
    user = factories.gen_user(db)
    db.commit()
    client = _sign_in(app, user)
    thief = _copy_cookie(client, app)
    assert thief.get("/").status_code == 200
    client.post("/logout")
    assert thief.get("/").status_code == 302
    assert client.get("/").status_code == 302
    db.rollback()
    (row,) = db.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert row.ended_reason == "sign_out" and row.ended_at is not None


def test_sessions_end_on_the_server_when_their_lifetime_is_over(app, db):
    user = factories.gen_user(db)
    db.commit()
    client = _sign_in(app, user)
    db.rollback()
    row = db.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)  # as if the 8 hours were over; the cookie says nothing
    db.commit()
    assert client.get("/").status_code == 302


def test_user_lists_and_ends_own_sessions(app, db):
    user = factories.gen_user(db)
    db.commit()
    laptop, phone = _sign_in(app, user), _sign_in(app, user)
    page = laptop.get("/account/").get_data(as_text=True)
    assert page.count("End session") == 2 and "this session" in page
    db.rollback()
    phone_row = db.exec(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id.desc())).first()
    assert laptop.post(f"/account/sessions/{phone_row.id}/revoke").status_code == 302
    assert phone.get("/").status_code == 302 and laptop.get("/").status_code == 200
    db.rollback()  # a fresh snapshot before writing
    other = factories.gen_user(db)
    db.commit()
    with app.test_request_context():
        foreign, _key = sessions.start(db, other)
        db.commit()
    assert laptop.post(f"/account/sessions/{foreign.id}/revoke").status_code == 404  # not one's own


def test_admin_lists_and_ends_another_users_sessions(app, db, client, login):
    login("admin")
    user = factories.gen_user(db, role="procurement")
    db.commit()
    victim = _sign_in(app, user)
    page = client.get(f"/admin/users/{user.id}/sessions")
    assert page.status_code == 200 and "End session" in page.get_data(as_text=True)
    assert client.post(f"/admin/users/{user.id}/sessions/revoke-all").status_code == 302
    assert victim.get("/").status_code == 302


def _token(db, user):
    _record, token = users.create_token(db, user, "ci")
    db.commit()
    return token


def _me(app, token):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_password_change_kills_tokens_and_other_sessions(app, db):
    user = factories.gen_user(db, role="procurement")
    db.commit()
    token = _token(db, user)
    here, elsewhere = _sign_in(app, user), _sign_in(app, user)
    assert _me(app, token) == 200
    response = here.post("/account/password", data={"current": factories.PASSWORD, "new": "a brand new passphrase"})
    assert response.status_code == 302
    assert _me(app, token) == 401
    assert here.get("/").status_code == 200 and elsewhere.get("/").status_code == 302


def test_tokens_expire_after_the_configured_days(app, db):
    user = factories.gen_user(db, role="procurement")
    db.commit()
    token = _token(db, user)
    db.rollback()
    record = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert timedelta(days=89, hours=23) < record.expires_at - record.created_at <= timedelta(days=90)
    assert _me(app, token) == 200
    db.rollback()
    record = db.get(ApiToken, record.id)
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert _me(app, token) == 401


@pytest.mark.parametrize("app_config", [{"API_TOKEN_DAYS": 7}])
def test_token_lifetime_is_a_setting(app, db, app_config):
    user = factories.gen_user(db)
    record, _token_text = users.create_token(db, user, "short")
    assert record.expires_at - record.created_at == timedelta(days=7)


def test_deactivation_kills_tokens_and_sessions_and_reactivation_revives_neither(app, db, client, login):
    login("admin")
    user = factories.gen_user(db, role="procurement")
    db.commit()
    token = _token(db, user)
    browser = _sign_in(app, user)
    assert client.post(f"/admin/users/{user.id}", data={"active": "0"}).status_code == 302
    assert _me(app, token) == 401 and browser.get("/").status_code == 302
    assert client.post(f"/admin/users/{user.id}", data={"active": "1"}).status_code == 302
    db.rollback()
    db.expire_all()
    assert db.get(User, user.id).is_active
    assert _me(app, token) == 401 and browser.get("/").status_code == 302
    assert _sign_in(app, user).get("/").status_code == 200  # signing in afresh works


def test_token_hashes_and_session_keys_never_reach_the_audit_trail(app, db, client, login):
    """Issue 16, 16: API token hashes were written to the audit trail."""
    from vendorrisk.core.models import AuditEntry
    login("procurement")
    page = client.post("/account/tokens", data={"name": "ci"}).get_data(as_text=True)
    assert 'data-test="new-token"' in page
    client.post("/logout")
    db.rollback()
    stored = [*db.exec(select(ApiToken.token_hash)), *db.exec(select(UserSession.key_hash))]
    trail = " ".join(f"{e.before} {e.after}" for e in db.exec(select(AuditEntry)))
    assert len(stored) == 2 and not any(secret in trail for secret in stored)
    assert "token_hash" not in trail and "key_hash" not in trail
    entities = set(db.exec(select(AuditEntry.entity)))
    assert {"api_token", "user_session"} <= entities  # the sign-in and the token are recorded, their secrets not


def test_signing_in_again_ends_the_browsers_previous_session(app, db):
    user, other = factories.gen_user(db), factories.gen_user(db)
    db.commit()
    client = _sign_in(app, user)
    copy = _copy_cookie(client, app)
    assert client.post("/login", data={"email": other.email, "password": factories.PASSWORD}).status_code == 302
    assert copy.get("/").status_code == 302  # the first session ended with the new sign-in
    db.rollback()
    assert db.exec(select(UserSession.ended_reason).where(UserSession.user_id == user.id)).one() == "replaced"
