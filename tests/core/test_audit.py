"""The audit trail: every change recorded in the same transaction, chained, append-only."""
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import select

from tests import factories
from vendorrisk.core import audit
from vendorrisk.core.models import AuditEntry


def _entries(db, entity):
    return db.exec(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)).all()


def test_create_update_delete_are_recorded_with_before_and_after(db):
    db.info.update(actor_id=None, actor="tester@example.jp")
    vendor = factories.gen_vendor(db, name="株式会社監査")
    db.commit()
    vendor.country = "US"
    db.commit()
    db.delete(vendor)
    db.commit()
    create, update, delete = _entries(db, "vendor")
    assert create.action == "create" and json.loads(create.after)["name"] == "株式会社監査"
    assert create.entity_id == update.entity_id == delete.entity_id == str(vendor.id)
    assert update.action == "update"
    assert json.loads(update.before) == {"country": "JP"} and json.loads(update.after) == {"country": "US"}
    assert delete.action == "delete" and json.loads(delete.before)["country"] == "US"
    assert {e.actor for e in (create, update, delete)} == {"tester@example.jp"}
    assert create.at.tzinfo is not None


def test_rolled_back_changes_leave_no_entry(db):
    factories.gen_vendor(db)
    db.rollback()
    assert _entries(db, "vendor") == []


def test_password_hashes_never_reach_the_trail(db):
    factories.gen_user(db)
    db.commit()
    (entry,) = _entries(db, "user_account")
    assert "password_hash" not in json.loads(entry.after)


def test_requests_record_the_signed_in_user_and_request_id(client, login, db):
    user = login("admin")
    client.post("/admin/users", data={"email": "x@example.jp", "role": "auditor",
                                      "password": "a long enough passphrase"},
                headers={"X-Request-ID": "req-123"})
    db.rollback()
    entry = _entries(db, "user_account")[-1]
    assert entry.actor == user.email and entry.actor_id == user.id and entry.request_id == "req-123"


def test_chain_verifies_and_a_tampered_entry_is_named(app, db, runner):
    for _ in range(3):
        factories.gen_vendor(db)
    db.commit()
    checked, broken, _reason = audit.verify(db)
    assert broken is None and checked == 3
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    target = _entries(db, "vendor")[1]
    db.rollback()
    _bypass_append_only(db, f"UPDATE audit_entry SET after = '{{}}' WHERE id = {target.id}")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {target.id}" in result.output and "edited" in result.output


def test_a_removed_entry_breaks_the_link(db):
    for _ in range(3):
        factories.gen_vendor(db)
    db.commit()
    second = _entries(db, "vendor")[1]
    db.rollback()
    _bypass_append_only(db, f"DELETE FROM audit_entry WHERE id = {second.id}")
    _checked, broken, reason = audit.verify(db)
    assert broken == second.id + 1 and "removed" in reason


def test_database_refuses_changes_to_the_trail(db):
    factories.gen_vendor(db)
    db.commit()
    with pytest.raises((DBAPIError, IntegrityError)) as caught:
        db.execute(text("UPDATE audit_entry SET actor = 'mallory'"))
        db.commit()
    db.rollback()
    assert "append-only" in str(caught.value)
    with pytest.raises(DBAPIError):
        db.execute(text("DELETE FROM audit_entry"))
        db.commit()
    db.rollback()


def test_auditor_browses_and_exports_the_trail(client, login, db):
    factories.gen_vendor(db, name="株式会社エクスポート")
    db.commit()
    login("auditor")
    page = client.get("/audit/?entity=vendor").get_data(as_text=True)
    assert "株式会社エクスポート" in page
    export = client.get("/audit/export.csv?entity=vendor")
    assert export.status_code == 200 and export.data.startswith("\ufeff".encode())
    assert "株式会社エクスポート" in export.get_data(as_text=True)


def _bypass_append_only(db, statement):
    """Tamper as an attacker with database access would (triggers disabled)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change"))
        db.execute(text(statement))
        db.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_no_change"))
    else:
        db.execute(text("DROP TRIGGER audit_entry_no_update"))
        db.execute(text("DROP TRIGGER audit_entry_no_delete"))
        db.execute(text(statement))
    db.commit()
