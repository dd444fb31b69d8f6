"""Errors answer JSON or HTML by what the client accepts; health and readiness probes."""
from sqlalchemy import text


def test_unknown_route_html_and_json(client):
    html = client.get("/no-such-page")
    assert html.status_code == 404 and html.mimetype == "text/html"
    as_json = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and as_json.json["error"]["code"] == "not_found"
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and set(api.json["error"]) == {"code", "message", "details"}


def test_malformed_json_is_a_400_with_a_message_and_nothing_changes(api, db):
    client = api("compliance")
    response = client.patch("/api/v1/me", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_json"
    assert "Malformed JSON" in response.json["error"]["message"]


def test_api_validation_errors_list_the_fields(api):
    client = api("compliance")
    response = client.patch("/api/v1/me", json={"language": "fr"})
    assert response.status_code == 422
    assert response.json["error"]["details"] == [{"field": "language", "message": "Use 'ja', 'en' or null (follow the browser)."}]
    assert client.patch("/api/v1/me", json={"language": "en"}).json["language"] == "en"


def test_changing_ones_account_refuses_fields_it_cannot_change_in_the_readers_language(api, db):
    """An integrator sending the e-mail or the role is told, not answered 200 as though done."""
    client = api("vendor_owner")
    refused = client.patch("/api/v1/me", json={"role": "admin", "display_name": "新しい名前"},
                           headers={"Accept-Language": "ja"})
    assert refused.status_code == 422
    assert refused.json["error"] == {"code": "validation_failed", "message": "変更内容に誤りがあります。",
                                     "details": [{"field": "role", "message": "不明な項目です。"}]}
    me = client.get("/api/v1/me").json
    assert me["role"] == "vendor_owner" and me["display_name"] != "新しい名前"  # nothing of it is kept


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["database"] == "writable" and ready.json["storage"] == "writable"


def test_readyz_reports_missing_migrations(app, client, db):
    db.execute(text("DELETE FROM alembic_version"))
    db.commit()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["migrations"]["current"] == []


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_a_deadlock_between_writers_is_a_409_to_retry_not_an_unavailable_database(app):
    import psycopg.errors
    from sqlalchemy.exc import OperationalError

    for orig in (psycopg.errors.DeadlockDetected("deadlock detected"), psycopg.errors.SerializationFailure("x")):
        with app.test_request_context("/api/v1/vendors", headers={"Accept": "application/json"}):
            response = app.make_response(app.handle_user_exception(OperationalError("UPDATE", {}, orig)))
        assert response.status_code == 409 and response.json["error"]["code"] == "concurrent_write"
    with app.test_request_context("/api/v1/vendors", headers={"Accept": "application/json"}):
        response = app.make_response(app.handle_user_exception(
            OperationalError("UPDATE", {}, psycopg.errors.DiskFull("no space left"))))
    assert response.status_code == 503 and response.json["error"]["code"] == "database_unavailable"
