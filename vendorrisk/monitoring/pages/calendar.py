"""Calendar feed: the user's secret iCalendar URL (create, replace, revoke) and the feed."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from vendorrisk.core import auth
from vendorrisk.core.access import ALL_ROLES, allow, public
from vendorrisk.core.db import get_session
from vendorrisk.monitoring import calendar as feeds

bp = Blueprint("calendar_feed", __name__, template_folder="../templates", url_prefix="/calendar")
WRITERS = ("admin", "compliance", "procurement", "vendor_owner")


@bp.get("/")
@allow(*ALL_ROLES)
def settings():
    """Show whether the user has a feed URL, and the buttons to create or revoke it."""
    return render_template("monitoring/calendar_feed.html", feed=feeds.active_feed(get_session(), auth.current_user()),
                           new_url=None)


@bp.post("/")
@allow(*WRITERS)
def create():
    """Create a new secret feed URL (the previous one stops working); shown once."""
    db = get_session()
    token = feeds.create_feed(db, auth.current_user())
    db.commit()
    url = url_for("calendar_feed.feed", token=token, _external=True)
    return render_template("monitoring/calendar_feed.html", feed=feeds.active_feed(db, auth.current_user()),
                           new_url=url)


@bp.post("/revoke")
@allow(*WRITERS)
def revoke():
    """Revoke the feed URL."""
    db = get_session()
    feeds.revoke_feeds(db, auth.current_user())
    db.commit()
    flash(_("The calendar URL was revoked."), "info")
    return redirect(url_for("calendar_feed.settings"))


@bp.get("/feed/<token>.ics")
@public
def feed(token):
    """The iCalendar feed; the secret token in the URL is the only credential."""
    db = get_session()
    user = feeds.user_for_token(db, token)
    if user is None:
        abort(404)
    body = feeds.build_ics(db, user)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="vendorrisk.ics"', "Cache-Control": "private, max-age=300"})
