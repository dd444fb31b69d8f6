"""Every write route x every role x another user's ids, generated from ``app.url_map``.

On the demo portfolio, each write route (POST/PUT/PATCH/DELETE) is called by a user of each
role with the ids of records that are not theirs: for a vendor owner, the records of a
vendor assigned to someone else; for everyone, another user's API token. The body is a
plausible one: for an API route the smallest body its OpenAPI schema accepts (found by
hypothesis from schemathesis' strategy, its text fields given values that would change the record), with every ``*_id`` pointing at those records; for
a page, a form of the usual fields pointing at them. Then:

- no answer is a 500;
- a role the route's access rule does not admit (and an auditor, but for their own sign-in)
  gets 403;
- a refused role changes nothing; a vendor owner, whatever the route, changes nothing of
  the vendors' records (every table but the users' own accounts, tokens, feeds, sessions and
  second factor); on a self-service route, nobody changes another user's token or session
  (tables compared row by row).
"""
import hashlib

import pytest
import schemathesis
from hypothesis import Phase, given, settings
from sqlalchemy import text

from tests import factories
from tests.helpers import WRITE_METHODS, sign_in_session
from vendorrisk.core import sessions, users
from vendorrisk.core.access import SAFE_METHODS, rule_for
from vendorrisk.core.models import metadata
from vendorrisk.core.openapi import document
from vendorrisk.vendors.models import Vendor

# Those who must change nothing act first, on records nobody has changed yet.
ROLES = ("vendor_owner", "auditor", "procurement", "compliance", "admin")
# Bookkeeping that a refused request may write: the trail, sign-in attempts, a token's last use.
IGNORED = {"audit_entry", "login_attempt", "alembic_version"}
IGNORED_COLUMNS = {("api_token", "last_used_at"), ("user_account", "last_login_at"), ("user_session", "last_seen_at"),
                   ("user_session", "remote_addr"), ("user_session", "user_agent")}
# What users change of their own (account, tokens, feeds, sessions, second factor).
PERSONAL = {"user_account", "api_token", "calendar_feed", "user_session", "recovery_code"}
# Another user's personal records, by the argument that names them, and their table.
THEIRS = {"token_id": "api_token", "session_id": "user_session"}
# Where the record named by an argument is found, for "a record of the other vendor".
RECORDS = {
    "vendor_id": "SELECT :v",
    "arrangement_id": "SELECT id FROM arrangement WHERE vendor_id = :v ORDER BY id LIMIT 1",
    "link_id": "SELECT id FROM outsourcing_link WHERE arrangement_id IN (SELECT id FROM arrangement WHERE vendor_id = :v)"
               " ORDER BY id LIMIT 1",
    "location_id": "SELECT id FROM data_location ORDER BY id LIMIT 1",
    "contact_id": "SELECT id FROM vendor_contact WHERE vendor_id = :v ORDER BY id LIMIT 1",
    "owner_id": "SELECT id FROM vendor_owner WHERE vendor_id = :v ORDER BY id LIMIT 1",
    "certificate_id": "SELECT id FROM certificate WHERE vendor_id = :v ORDER BY id LIMIT 1",
    # open records first: a closed one would refuse the change for its state, not its owner
    "finding_id": "SELECT id FROM finding WHERE vendor_id = :v ORDER BY status = 'closed', id LIMIT 1",
    "review_id": "SELECT id FROM monitoring_review WHERE vendor_id = :v ORDER BY status = 'completed', id LIMIT 1",
    "assessment_id": "SELECT id FROM selection_assessment WHERE vendor_id = :v ORDER BY status <> 'draft', id LIMIT 1",
    "check_id": "SELECT cc.id FROM clause_check cc JOIN contract_version cv ON cv.id = cc.version_id JOIN contract c "
                "ON c.id = cv.contract_id JOIN arrangement a ON a.id = c.arrangement_id WHERE a.vendor_id = :v "
                "ORDER BY cc.id LIMIT 1",
    "contract_id": "SELECT c.id FROM contract c JOIN arrangement a ON a.id = c.arrangement_id WHERE a.vendor_id = :v "
                   "ORDER BY c.id LIMIT 1",
    "proposal_id": "SELECT id FROM subcontractor_proposal ORDER BY id LIMIT 1",
    "reminder_id": "SELECT id FROM reminder ORDER BY id LIMIT 1",
    "user_id": "SELECT :other_user",
    "token_id": "SELECT :other_token",
    "session_id": "SELECT :other_session",
}
TAGGED = ("name", "title", "service", "note", "summary", "description", "comment", "basis", "reason")
FORM = {"name": "Changed KK", "title": "Changed", "status": "closed", "service": "x", "note": "x",
        "summary": "x", "description": "x", "comment": "x", "email": "someone@example.jp", "country": "JP",
        "region": "Tokyo", "severity": "high", "outcome": "satisfactory", "decision": "approved", "basis": "x",
        "reason": "x", "risk_tier": "low", "role": "vendor_owner"}


def _fingerprint(db, me: int) -> dict[str, str]:
    """A hash of every domain table's rows (bookkeeping columns left out; of the users' own
    tables, the rows of user ``me``, whose own sign-in the request may renew, left out)."""
    prints = {}
    for name, table in metadata.tables.items():
        if name in IGNORED:
            continue
        columns = [c.name for c in table.columns if (name, c.name) not in IGNORED_COLUMNS]
        mine = "user_id" if name in PERSONAL and "user_id" in table.c else "id" if name == "user_account" else None
        where = f' WHERE "{mine}" <> {int(me)}' if mine else ""
        rows = db.execute(text(f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{name}"{where} '
                               f'ORDER BY 1')).all()
        prints[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


@pytest.fixture
def world(app, db, runner):
    """The demo portfolio; a vendor owned by someone else; one user of each role with a token
    and a signed-in browser; another user's token."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    someone = factories.gen_user(db, role="vendor_owner")
    vendor_id = db.execute(text("SELECT vendor_id FROM arrangement ORDER BY id LIMIT 1")).scalar_one()
    db.execute(text("DELETE FROM vendor_owner WHERE vendor_id = :v"), {"v": vendor_id})
    db.commit()
    factories.gen_owner(db, db.get(Vendor, vendor_id), someone)
    other_token, _secret = users.create_token(db, someone, "theirs")
    other_session, _key = sessions.start(db, someone, second_factor=True)
    actors = {}
    for role in ROLES:
        user = factories.gen_user(db, role=role)
        _record, token = users.create_token(db, user, "mine")
        browser = app.test_client()
        actors[role] = (user, token, browser)
    db.commit()
    for _user, _token, browser in actors.values():
        sign_in_session(browser, _user)
    values = {}
    for name, query in RECORDS.items():
        values[name] = db.execute(text(query), {"v": vendor_id, "other_user": someone.id, "other_token": other_token.id,
                                                 "other_session": other_session.id}).scalar()
    return {"actors": actors, "values": values, "vendor_id": vendor_id}


def _first(strategy):
    """The first (simplest) example hypothesis draws from ``strategy``: no search, no shrinking."""
    drawn = []

    @settings(max_examples=1, database=None, derandomize=True, phases=[Phase.generate])
    @given(strategy)
    def draw(example):
        drawn.append(example)
    draw()
    return drawn[0]


def _api_bodies(app) -> dict[tuple[str, str], dict]:
    """The smallest JSON body each API write operation's schema accepts."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    components = document(app)["components"]["schemas"]
    bodies = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() in SAFE_METHODS:
            continue
        case = _first(operation.as_strategy())
        body = case.body if isinstance(case.body, dict) and case.media_type == "application/json" else {}
        # The smallest body may change nothing (PATCH {}): give every text field the schema
        # knows a value that would change the record.
        request = operation.definition.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = request.get("schema", {}).get("$ref", "")
        properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}) if ref else {}
        body = {**body, **{k: v for k, v in FORM.items() if k in properties}}
        bodies[(operation.method.upper(), operation.path)] = body
    return bodies


def _pointed(body: dict, values: dict, role: str) -> dict:
    """The body with every known ``*_id`` pointing at the other vendor's records, and its
    free text naming the role (so that each role's change differs from the last)."""
    return {k: values.get(k, v) if k.endswith("_id") else f"{v} ({role})" if k in TAGGED else v
            for k, v in body.items()}


def _watched(role: str, admitted: bool, rule, access) -> set[str] | None:
    """The tables this request must leave as they were (None: all of them)."""
    if not admitted:
        return None
    watched = set()
    if role == "vendor_owner":
        watched |= set(metadata.tables) - IGNORED - PERSONAL
    if set(access.roles) - {"admin"}:  # a self-service route: never another user's records
        watched |= {table for argument, table in THEIRS.items() if argument in rule.arguments}
    return watched


def test_every_write_route_by_every_role_on_records_that_are_not_theirs(app, db, world):
    bodies, values = _api_bodies(app), world["values"]
    checked, guarded = 0, 0
    form = {**FORM, **{k: v for k, v in values.items() if v is not None and k in ("vendor_id", "arrangement_id")}}
    forms = {role: _pointed(form, values, role) for role in ROLES}
    for rule in app.url_map.iter_rules():
        access = rule_for(app, rule.endpoint)
        if access.public:
            continue
        url = rule.build({name: values.get(name) or 1 for name in rule.arguments}, append_unknown=False)[1]
        openapi_path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in sorted(rule.methods & set(WRITE_METHODS)):
            for role, (user, token, browser) in world["actors"].items():
                own_sign_in = getattr(app.view_functions[rule.endpoint], "own_sign_in", False)
                admitted = access.admits(role) and (role != "auditor" or own_sign_in)
                watched = _watched(role, admitted, rule, access)
                if not url.startswith("/api/"):
                    sign_in_session(browser, user)  # a previous route may have signed it out
                before = _fingerprint(db, user.id) if watched != set() else None
                db.rollback()
                if url.startswith("/api/"):
                    body = _pointed(bodies.get((method, openapi_path), {}), values, role)
                    answer = browser.open(url, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
                else:
                    answer = browser.open(url, method=method, data=forms[role])
                where = f"{method} {url} as {role}: {answer.status_code} {answer.get_data(as_text=True)[:200]}"
                assert answer.status_code < 500, where
                if not admitted:
                    assert answer.status_code == 403, where
                db.rollback()
                if before is not None:
                    after = _fingerprint(db, user.id)
                    changed = sorted(t for t in before if (watched is None or t in watched) and before[t] != after[t])
                    assert not changed, f"{changed} changed: {where}"
                    db.rollback()
                    guarded += 1
                checked += 1
    assert checked > 300 and guarded > 150, (checked, guarded)
