"""Issue 16, 9: sign-in throttling that hands attackers no lock-out.

20 failed sign-ins for made-up e-mails from one address locked every account from that
address for 15 minutes (behind a proxy, that address is everyone); 5 failures locked any
named account. Now each account (each e-mail typed) backs off exponentially on its own, a
browser the account signed in from before counts only its own failures, and the client
address comes from proxy headers only behind ``TRUSTED_PROXIES`` proxies."""
from datetime import timedelta

import pytest
from sqlmodel import select

from tests import factories
from vendorrisk.core import throttle
from vendorrisk.core.models import LoginAttempt, UserSession, utcnow


def _post(client, email, password, **kw):
    return client.post("/login", data={"email": email, "password": password}, **kw)


def _later(monkeypatch, seconds):
    """Let the throttle see the clock ``seconds`` ahead (attempts keep their real times)."""
    monkeypatch.setattr(throttle, "utcnow", lambda: utcnow() + timedelta(seconds=seconds))


def test_failures_for_made_up_emails_never_lock_real_accounts(app, db):
    user = factories.gen_user(db)
    db.commit()
    attacker = app.test_client()
    for n in range(25):  # same address as the real user (127.0.0.1)
        assert _post(attacker, f"nobody{n}@example.jp", "guess-guess-guess").status_code == 401
    assert _post(app.test_client(), user.email, factories.PASSWORD).status_code == 302


def test_a_named_account_backs_off_instead_of_locking(app, db, monkeypatch):
    user = factories.gen_user(db)
    db.commit()
    client = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert _post(client, user.email, "wrong-password-xx").status_code == 401
    # must wait now: even the right password is refused, unchecked and uncounted
    for _ in range(10):
        assert _post(client, user.email, factories.PASSWORD).status_code == 401
    db.rollback()
    attempts = db.exec(select(LoginAttempt).where(LoginAttempt.email == user.email)).all()
    assert sum(a.throttled for a in attempts) == 10 and sum(not a.throttled for a in attempts) == limit
    with app.test_request_context():
        wait = throttle.wait_seconds(db, email=user.email)
    assert 25 < wait <= app.config["LOGIN_BACKOFF_SECONDS"]  # the refused attempts did not extend it
    _later(monkeypatch, app.config["LOGIN_BACKOFF_SECONDS"] + 1)
    assert _post(client, user.email, factories.PASSWORD).status_code == 302  # no lock: after the wait, in


def test_the_wait_doubles_with_each_failure_up_to_the_cap(app, db):
    email = "someone@example.jp"  # not a user: unknown e-mails back off the same way, telling nothing
    limit, base, cap = (app.config[k] for k in ("LOGIN_MAX_FAILURES", "LOGIN_BACKOFF_SECONDS",
                                               "LOGIN_BACKOFF_MAX_SECONDS"))
    now = utcnow()
    waits = []
    with app.test_request_context():
        for failures in range(1, limit + 8):
            db.add(LoginAttempt(email=email, success=False, at=now - timedelta(seconds=1)))
            db.flush()
            waits.append(round(throttle.wait_seconds(db, email=email, now=now)) + 1)
    assert waits[:limit - 1] == [1] * (limit - 1)  # the first failures cost nothing
    assert waits[limit - 1:limit + 4] == [base, 2 * base, 4 * base, 8 * base, 16 * base]
    assert waits[-1] == cap and max(waits) == cap
    with app.test_request_context():  # a success ends the back-off for that browser scope
        db.add(LoginAttempt(email=email, success=True, at=now))
        db.flush()
        assert throttle.wait_seconds(db, email=email, now=now) == 0


def test_the_owners_usual_browser_is_never_slowed_by_someone_elses_guessing(app, db):
    user = factories.gen_user(db)
    db.commit()
    owner = app.test_client()
    assert _post(owner, user.email, factories.PASSWORD).status_code == 302  # gets its device cookie
    assert owner.get_cookie(throttle.DEVICE_COOKIE) is not None
    owner.post("/logout")
    attacker = app.test_client()
    for _ in range(30):
        _post(attacker, user.email, "wrong-password-xx")
    assert _post(attacker, user.email, factories.PASSWORD).status_code == 401  # the guesser waits
    assert _post(app.test_client(), user.email, factories.PASSWORD).status_code == 401  # so do new browsers
    assert _post(owner, user.email, factories.PASSWORD).status_code == 302  # the owner's browser does not


def test_a_device_cookie_counts_its_own_failures_and_only_for_its_account(app, db):
    user, other = factories.gen_user(db), factories.gen_user(db)
    db.commit()
    owner = app.test_client()
    _post(owner, user.email, factories.PASSWORD)
    owner.post("/logout")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _post(owner, user.email, "wrong-password-xx")
    assert _post(owner, user.email, factories.PASSWORD).status_code == 401  # its own typos slow it down
    with app.test_request_context():
        cookie = owner.get_cookie(throttle.DEVICE_COOKIE).value
        assert throttle.device_for(cookie, user.email) != ""
        assert throttle.device_for(cookie, other.email) == ""  # another account: an unknown browser
        assert throttle.device_for(cookie + "x", user.email) == ""  # forged


def _recorded_address(db, email):
    db.rollback()
    return db.exec(select(LoginAttempt.remote_addr).where(LoginAttempt.email == email)).one()


def test_forwarded_headers_are_ignored_without_trusted_proxies(app, db):
    _post(app.test_client(), "a@example.jp", "x", headers={"X-Forwarded-For": "203.0.113.9"})
    assert _recorded_address(db, "a@example.jp") == "127.0.0.1"


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_behind_one_trusted_proxy_the_client_is_the_address_it_saw(app, db, app_config):
    # the client may send its own X-Forwarded-For; the proxy appends what it saw: only that counts
    _post(app.test_client(), "b@example.jp", "x", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.9"})
    assert _recorded_address(db, "b@example.jp") == "203.0.113.9"
    user = factories.gen_user(db)
    db.commit()
    _post(app.test_client(), user.email, factories.PASSWORD, headers={"X-Forwarded-For": "198.51.100.7",
                                                                       "X-Forwarded-Proto": "https"})
    db.rollback()
    assert db.exec(select(UserSession.remote_addr).where(UserSession.user_id == user.id)).one() == "198.51.100.7"
