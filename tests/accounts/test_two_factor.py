"""Two-factor sign-in (issue 16): TOTP with recovery codes, enrolment from the Account page,
required per role by TWO_FACTOR_ROLES, API tokens a factor of their own, audited."""
import re
import time

import pyotp
import pytest
from sqlmodel import select

from tests import factories
from vendorrisk.core import two_factor, users
from vendorrisk.core.models import AuditEntry, RecoveryCode, User, UserSession, utcnow


def _enrolled(db, role="compliance"):
    user = factories.gen_user(db, role=role)
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = utcnow()
    db.commit()
    return user, pyotp.TOTP(user.totp_secret)


def _password(client, user, next_=None):
    return client.post("/login" + (f"?next={next_}" if next_ else ""),
                       data={"email": user.email, "password": factories.PASSWORD})


def test_enrolment_shows_the_key_as_text_and_qr_and_gives_recovery_codes_once(app, client, login, db):
    user = login("procurement")
    other_browser = app.test_client()
    _password(other_browser, user)
    assert "Off." in client.get("/account/two-factor").get_data(as_text=True)
    client.post("/account/two-factor/start")
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'data-test="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert f"otpauth://totp/vendorrisk:{user.email.replace('@', '%40')}?secret={secret}" in page
    assert 'src="data:image/svg+xml' in page
    assert client.post("/account/two-factor/confirm", data={"code": "000000"}).status_code == 422
    done = client.post("/account/two-factor/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "<li>" not in client.get("/account/two-factor").get_data(as_text=True)  # shown once
    db.rollback()
    db.expire_all()
    stored = db.exec(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert db.get(User, user.id).totp_enabled_at is not None
    assert client.get("/").status_code == 200  # this session proved the second factor
    assert other_browser.get("/").status_code == 302  # sessions without it ended
    trail = " ".join(f"{e.before} {e.after}" for e in db.exec(select(AuditEntry).where(
        AuditEntry.entity.in_(["user_account", "recovery_code"]))))
    assert "totp_enabled_at" in trail and secret not in trail and not any(h in trail for h in stored)


def test_sign_in_asks_for_the_code_after_the_password(app, client, db):
    user, totp = _enrolled(db)
    response = _password(client, user, next_="/vendors/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/code")
    assert client.get("/").status_code == 302  # not signed in yet
    assert client.post(response.headers["Location"], data={"code": "123456"}).status_code == 401
    done = client.post(response.headers["Location"], data={"code": totp.now()})
    assert done.status_code == 302 and done.headers["Location"] == "/vendors/"
    assert client.get("/").status_code == 200
    db.rollback()
    assert db.exec(select(UserSession.second_factor).where(UserSession.user_id == user.id)).one() is True


def test_a_code_works_once(app, db):
    user, totp = _enrolled(db)
    code = totp.now()
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        _password(c, user)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    assert second.post("/login/code", data={"code": code}).status_code == 401  # replayed


def test_a_recovery_code_works_once(app, client, login, db):
    user, _totp = _enrolled(db)
    with app.test_request_context():
        codes = two_factor.new_recovery_codes(db, user)
    db.commit()
    _password(client, user)
    response = client.post("/login/code", data={"code": codes[3].upper()})
    assert response.status_code == 302
    assert "9 are left" in client.get("/").get_data(as_text=True)  # flashed on the next page
    again = app.test_client()
    _password(again, user)
    assert again.post("/login/code", data={"code": codes[3]}).status_code == 401


def test_the_code_step_is_throttled_and_expires(app, db):
    user, totp = _enrolled(db)
    client = app.test_client()
    _password(client, user)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 401
    assert client.post("/login/code", data={"code": totp.now()}).status_code == 401  # must wait first
    late = app.test_client()
    _password(late, user)
    from vendorrisk.core import auth
    with late.session_transaction() as sess:  # the password was given longer ago than allowed
        sess["pending"] = {**sess["pending"], "at": sess["pending"]["at"] - auth.PENDING_SECONDS - 1}
    response = late.post("/login/code", data={"code": totp.now()})
    assert response.status_code == 302 and response.headers["Location"] == "/login"


@pytest.mark.parametrize("app_config", [{"TWO_FACTOR_ROLES": "compliance,admin"}])
def test_required_role_reaches_only_the_enrolment_until_enrolled(app, client, login, db, app_config):
    user = login("compliance")
    for path in ("/", "/vendors/", "/account/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor", path
    assert client.post("/account/tokens", data={"name": "sneaky"}).status_code == 302
    db.rollback()
    from vendorrisk.core.models import ApiToken
    assert db.exec(select(ApiToken)).all() == []  # no token made around the requirement
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Your role must sign in with two factors" in page
    client.post("/account/two-factor/start")
    db.rollback()
    db.expire_all()
    secret = db.get(User, user.id).totp_secret
    assert client.post("/account/two-factor/confirm", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert client.get("/vendors/").status_code == 200
    refused = client.post("/account/two-factor/disable", data={"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert refused.status_code == 409  # the role requires it
    # other roles are not asked
    login("procurement")
    assert client.get("/vendors/").status_code == 200


@pytest.mark.parametrize("app_config", [{"TWO_FACTOR_ROLES": "compliance"}])
def test_api_tokens_are_their_own_factor(api, app_config):
    assert api("compliance").get("/api/v1/me").status_code == 200


def test_turning_it_off_needs_a_code_and_an_admin_can_reset_it(app, client, login, db):
    user, totp = _enrolled(db, role="procurement")
    browser = app.test_client()
    _password(browser, user)
    assert browser.post("/login/code", data={"code": totp.now()}).status_code == 302
    assert browser.post("/account/two-factor/disable", data={"code": "000000"}).status_code == 422
    login("admin")
    assert client.post(f"/admin/users/{user.id}/two-factor/reset").status_code == 302
    assert browser.get("/").status_code == 302  # its sessions ended with the reset
    db.rollback()
    db.expire_all()
    reset = db.get(User, user.id)
    assert reset.totp_secret is None and reset.totp_enabled_at is None
    assert db.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    assert _password(app.test_client(), user).headers["Location"] == "/"  # password alone again


def test_new_recovery_codes_replace_the_old_ones(app, db):
    user, totp = _enrolled(db)
    client = app.test_client()
    _password(client, user)
    client.post("/login/code", data={"code": totp.now()})
    page = client.post("/account/two-factor/recovery-codes",
                       data={"code": totp.at(time.time() + 30)}).get_data(as_text=True)
    assert len(re.findall(r"<li>[a-z2-9-]{19}</li>", page)) == 10
    with app.test_request_context():
        assert two_factor.remaining_recovery_codes(db, users.get_user_by_email(db, user.email)) == 10
