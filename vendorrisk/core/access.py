"""Who may use which route: every view declares a rule, and one hook enforces it.

``@allow("compliance", "procurement")`` lets signed-in users with those roles (and
admins) in; ``@allow(*ALL_ROLES)`` lets every signed-in user read; ``@public`` marks
the few routes open to anyone. A route without a rule is refused (and a test walks the
URL map to keep every route declared). Auditors read everything and change nothing: any
non-safe method is refused for them whatever the rule says, but for the few marked
``@own_sign_in`` (signing out, ending one's own sessions, one's second factor), which change
no record, only how the user signs in.
"""
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from vendorrisk.core.models import ROLES

log = logging.getLogger("vendorrisk.access")

ALL_ROLES = ROLES
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class AccessRule:
    """The roles allowed on a route, or ``public`` for routes open to anyone."""

    roles: tuple[str, ...] = ()
    public: bool = False

    def admits(self, role: str) -> bool:
        """Tell whether a user with ``role`` passes this rule."""
        return self.public or role == "admin" or role in self.roles


def allow(*roles: str):
    """Declare the roles that may use a view (admins always may)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def mark(view):
        view.access_rule = AccessRule(roles=tuple(roles))
        return view
    return mark


def own_sign_in(view):
    """Mark a write that changes only the signed-in user's own sign-in (signing out, their
    sessions, their second factor): auditors may use it too."""
    view.own_sign_in = True
    return view


def before_two_factor(view):
    """Let a signed-in user whose role must use two-factor sign-in, and who has not yet set it
    up, reach this page (the set-up itself, sign-out, the language switch)."""
    view.before_two_factor = True
    return view


def public(view):
    """Declare a view open to anyone, signed in or not."""
    view.access_rule = AccessRule(public=True)
    return view


def rule_for(app: Flask, endpoint: str | None) -> AccessRule | None:
    """Return the access rule declared on an endpoint's view, if any."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return AccessRule(public=True)
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def may_open(href: str) -> bool:
    """Whether the signed-in user's role may open the page at ``href`` (a path of this app),
    so that a page offers no link that would only answer 403 (and record a refusal). Paths
    that are not pages of the app are left to the link."""
    user = g.get("user")
    try:
        endpoint, _args = current_app.url_map.bind("").match(urlsplit(href).path, method="GET")
    except HTTPException:
        return True
    rule = rule_for(current_app, endpoint)
    return user is not None and rule is not None and rule.admits(user.role)


def enforce() -> None:
    """Before each request: authenticate, then apply the endpoint's access rule."""
    from flask import current_app

    from vendorrisk.core import auth, logs, two_factor

    if request.endpoint is None:
        return  # unknown URL: routing answers 404 / 405
    rule = rule_for(current_app, request.endpoint)
    if rule is None:
        log.error("route %s has no access rule; refused", request.endpoint)
        abort(403)
    g.user = auth.authenticate_request()
    if rule.public:
        return
    if g.user is None:
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    view = current_app.view_functions[request.endpoint]
    row = auth.current_session()
    if (row is not None and not row.second_factor and two_factor.required(g.user)
            and not getattr(view, "before_two_factor", False)):
        return redirect(url_for("two_factor.setup"))  # API tokens are their own factor: pages only
    writing = request.method not in SAFE_METHODS and not getattr(view, "own_sign_in", False)
    if (g.user.role == "auditor" and writing) or not rule.admits(g.user.role):
        path = logs.logged_path()
        log.warning("access denied: user=%s role=%s %s %s", g.user.email, g.user.role, request.method, path)
        abort(403)  # recorded in the trail by record_refusal, as every other 403


def record_refusal(response):
    """After each request: record every 403 answered to a signed-in user in the audit trail,
    whoever refused it (this access rule, or a service's need-to-know or four-eyes check that
    raised ``Forbidden``, whether the error handler or the view answered it)."""
    user = g.get("user")
    if response.status_code == 403 and user is not None:
        from vendorrisk.core import audit, logs
        audit.record_denied(user, request.method, logs.logged_path())
    return response


def init_app(app: Flask) -> None:
    """Register the access hook; behind ``TRUSTED_PROXIES`` proxies, take the client's address
    and scheme from their ``X-Forwarded-For``/``-Proto`` (never from anyone else's)."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    app.before_request(enforce)
    app.after_request(record_refusal)
    app.jinja_env.globals["may_open"] = may_open
