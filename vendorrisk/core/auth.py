"""Who is making this request: the signed-in browser session or an API bearer token."""
from flask import g, request, session

from vendorrisk.core import users as users_service
from vendorrisk.core.db import get_session
from vendorrisk.core.models import User


def authenticate_request() -> User | None:
    """Return the user behind the request, or ``None``.

    The JSON API accepts only ``Authorization: Bearer`` tokens (no cookies, so no CSRF
    exposure); pages accept only the signed session cookie.
    """
    db = get_session()
    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        user = users_service.user_for_token(db, token.strip())
        db.commit()  # only the token's "last used" time can be pending here
        if user is not None:
            db.info["actor_id"] = user.id
            db.info["actor"] = user.email
        return user
    user_id = session.get("uid")
    if user_id is None:
        return None
    user = db.get(User, user_id)
    if user is None or not user.is_active or session.get("sv") != user.session_version:
        session.clear()
        return None
    db.info["actor_id"] = user.id
    db.info["actor"] = user.email
    return user


def sign_in(user: User) -> None:
    """Start a fresh browser session for the user (the old session's data is dropped)."""
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["sv"] = user.session_version


def sign_out() -> None:
    """End the browser session."""
    session.clear()


def current_user() -> User | None:
    """The user of this request, as found by the access hook."""
    return g.get("user")
