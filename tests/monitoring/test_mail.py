"""E-mail over TLS against real aiosmtpd servers with throwaway certificates: STARTTLS and
implicit TLS with authentication, untrusted certificates refused and recorded, no silent
downgrade, and credentials never sent over a plain connection."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.smtp import SmtpServer, make_certificates
from vendorrisk.core.models import utcnow
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.sweep import deliver, run_sweep
from vendorrisk.vendors.findings import raise_finding

TODAY = date(2026, 3, 2)
USERS = {"mailer": "s3cret-Passw0rd"}
ESCALATION = "compliance-desk@member.example.jp"


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def serve():
    """``serve(**options)`` starts an ``SmtpServer``; every one is stopped after the test."""
    servers = []

    def start(**options):
        server = SmtpServer(**options).start()
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.stop()


def _configure(app, server, security, **extra):
    settings = dict(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY=security, SMTP_TIMEOUT=5,
                    SMTP_USERNAME="mailer", SMTP_PASSWORD=USERS["mailer"], SMTP_SENDER="vendorrisk@member.example.jp",
                    COMPLIANCE_EMAIL=ESCALATION)
    app.config.update(settings, **extra)


def _one_overdue_finding(db):
    """A finding without an owner, past due: one reminder, to COMPLIANCE_EMAIL."""
    vendor = factories.gen_vendor(db)
    raise_finding(db, vendor_id=vendor.id, source="manual", title="暗号鍵の管理不備",
                  due_date=TODAY - timedelta(days=2))
    db.commit()


def _reminder(db) -> Reminder:
    db.rollback()
    return db.scalars(select(Reminder)).one()


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_delivered_over_verified_tls_with_authentication(app, db, certs, serve, implicit):
    server = serve(certificate=(certs.server_cert, certs.server_key), implicit_tls=implicit, users=USERS)
    _configure(app, server, "tls" if implicit else "starttls", SMTP_CA_FILE=str(certs.ca))
    _one_overdue_finding(db)
    result = run_sweep(app, today=TODAY)
    assert (result.sent, result.failed) == (1, 0), _reminder(db).last_error
    (received,) = server.messages
    assert received["tls"] is True and received["login"] == "mailer"
    assert received["to"] == [ESCALATION] and "暗号鍵の管理不備" in received["message"]["Subject"]
    assert server.auth_attempts == [{"login": "mailer", "password": USERS["mailer"], "tls": True,
                                     "mechanism": server.auth_attempts[0]["mechanism"]}]
    assert _reminder(db).status == "sent"


SELF_SIGNED, UNKNOWN_ISSUER = "self-signed certificate", "unable to get local issuer certificate"


@pytest.mark.parametrize("implicit,ca,reason", [(False, "ca", SELF_SIGNED), (True, "ca", SELF_SIGNED),
                                                (False, None, UNKNOWN_ISSUER), (True, None, UNKNOWN_ISSUER)],
                         ids=["starttls-rogue", "tls-rogue", "starttls-private-ca-not-in-system-store",
                              "tls-private-ca-not-in-system-store"])
def test_untrusted_certificate_is_refused_and_recorded(app, db, certs, serve, implicit, ca, reason):
    # With SMTP_CA_FILE, a self-signed certificate outside that CA is refused; without it,
    # the system trust store does not know our test CA either.
    certificate = (certs.rogue_cert, certs.rogue_key) if ca else (certs.server_cert, certs.server_key)
    server = serve(certificate=certificate, implicit_tls=implicit, users=USERS)
    _configure(app, server, "tls" if implicit else "starttls", SMTP_CA_FILE=str(certs.ca) if ca else "")
    _one_overdue_finding(db)
    result = run_sweep(app, today=TODAY)
    assert (result.sent, result.failed) == (0, 1)
    reminder = _reminder(db)
    assert reminder.status == "failed" and reminder.attempts == 1 and reminder.next_attempt_at is not None
    assert f"is not trusted ({reason})" in reminder.last_error
    assert server.messages == [] and server.auth_attempts == []


def test_unsafe_verify_false_accepts_an_untrusted_certificate(app, db, certs, serve):
    server = serve(certificate=(certs.rogue_cert, certs.rogue_key), users=USERS)
    _configure(app, server, "starttls", SMTP_VERIFY=False)
    _one_overdue_finding(db)
    assert run_sweep(app, today=TODAY).sent == 1
    assert server.messages[0]["tls"] is True and server.messages[0]["login"] == "mailer"


def test_starttls_not_offered_is_refused_never_downgraded(app, db, serve):
    plain = serve(users=USERS)  # offers AUTH over plain text, no STARTTLS
    _configure(app, plain, "starttls")
    _one_overdue_finding(db)
    result = run_sweep(app, today=TODAY)
    assert (result.sent, result.failed) == (0, 1)
    assert "does not offer STARTTLS" in _reminder(db).last_error
    assert plain.auth_attempts == [] and plain.messages == []


def test_credentials_are_never_sent_over_a_plain_connection(app, db, serve):
    plain = serve(users=USERS)
    _configure(app, plain, "none")
    _one_overdue_finding(db)
    result = run_sweep(app, today=TODAY)
    assert (result.sent, result.failed) == (0, 1)
    assert "Refusing to send SMTP credentials over an unencrypted connection" in _reminder(db).last_error
    assert plain.auth_attempts == [] and plain.messages == []
    # Without credentials, plain delivery stays possible (a local relay).
    app.config.update(SMTP_USERNAME="", SMTP_PASSWORD="")
    assert deliver(app, now=utcnow() + timedelta(hours=1))[:2] == (1, 0)  # the retry, after its backoff
    assert plain.messages[0]["tls"] is False and plain.messages[0]["login"] is None


def test_wrong_password_and_missing_ca_file_are_recorded(app, db, certs, serve, tmp_path):
    server = serve(certificate=(certs.server_cert, certs.server_key), users=USERS)
    _configure(app, server, "starttls", SMTP_CA_FILE=str(certs.ca), SMTP_PASSWORD="wrong")
    _one_overdue_finding(db)
    assert run_sweep(app, today=TODAY).failed == 1
    assert "SMTP authentication failed for 'mailer'" in _reminder(db).last_error
    assert {a["tls"] for a in server.auth_attempts} == {True} and server.messages == []  # smtplib tries PLAIN, then LOGIN
    app.config.update(SMTP_PASSWORD=USERS["mailer"], SMTP_CA_FILE=str(tmp_path / "missing.pem"))
    assert deliver(app, now=utcnow() + timedelta(hours=1))[:2] == (0, 1)  # the retry, after its backoff
    assert "Cannot load SMTP_CA_FILE" in _reminder(db).last_error and server.messages == []


def test_a_tls_handshake_failure_is_not_blamed_on_host_and_port(app, db, serve):
    plain = serve(users=USERS)  # speaks plain SMTP: implicit TLS cannot start
    _configure(app, plain, "tls")
    _one_overdue_finding(db)
    assert run_sweep(app, today=TODAY).failed == 1
    error = _reminder(db).last_error
    assert "TLS handshake with SMTP server" in error and "SMTP_SECURITY (tls)" in error
    assert "VENDORRISK_SMTP_HOST" not in error and "Cannot reach" not in error
