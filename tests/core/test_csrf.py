"""Forms are protected against cross-site request forgery."""
import pytest

from tests import factories
from tests.helpers import sample_url, sign_in_session, table_counts, write_rules


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_every_form_post_without_csrf_token_is_400_and_changes_nothing(app, db):
    admin = factories.gen_user(db, role="admin")
    db.commit()
    before = table_counts(db)
    db.rollback()
    client = app.test_client()
    sign_in_session(client, admin)
    checked = 0
    for rule, method in write_rules(app):
        url = sample_url(rule)
        if url.startswith("/api/"):
            continue
        response = client.open(url, method=method, data={"email": "x@example.jp"})
        assert response.status_code == 400, f"{method} {url} answered {response.status_code} without CSRF"
        checked += 1
    assert checked >= 5
    db.rollback()
    assert table_counts(db) == before
