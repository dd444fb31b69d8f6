"""The one way vendorrisk sends e-mail: SMTP with the configured security, credentials,
sender and timeout.

``SMTP_SECURITY`` is ``none`` (plain), ``starttls`` (upgrade after EHLO; refused if the
server does not offer it) or ``tls`` (implicit TLS, usually port 465). The server's
certificate is verified against the system trust store, or ``SMTP_CA_FILE`` when set; a
certificate that does not verify ends the connection (never a fallback to plain text).
Credentials are only ever sent over TLS: with ``SMTP_SECURITY=none`` and a user name set,
nothing is sent at all. Every message gets a Message-ID; reminders pass a stable one so a
re-sent reminder can be recognised.
"""
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from .textfields import control_character, fold

SECURITY_MODES = ("none", "starttls", "tls")


class MailError(Exception):
    """Sending failed; ``connection`` tells whether the server could not be reached at all
    (so that a sweep stops trying further messages until the next run)."""

    def __init__(self, message: str, connection: bool = False):
        super().__init__(message)
        self.connection = connection


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send, read from the app's settings."""

    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str
    timeout: float
    ca_file: str = ""
    verify: bool = True

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        """Build from a Flask config; an unknown security mode is refused."""
        security = str(config["SMTP_SECURITY"]).lower()
        if security not in SECURITY_MODES:
            raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
        return cls(config["SMTP_HOST"], int(config["SMTP_PORT"]), security, config["SMTP_USERNAME"],
                   config["SMTP_PASSWORD"], config["SMTP_SENDER"], float(config["SMTP_TIMEOUT"]),
                   str(config.get("SMTP_CA_FILE") or ""), bool(config.get("SMTP_VERIFY", True)))


def _address(value: str, header: str) -> str:
    if control_character(value) is not None:
        raise MailError(f"Invalid {header} address {value!r}: an address cannot hold a line break or "
                        "control character; correct it (user's e-mail or settings) and retry.")
    return value


def build_message(*, to: str, subject: str, body: str, sender: str, language: str = "ja",
                  message_id: str | None = None, reply_to: str = "",
                  attachments: tuple[tuple[str, bytes, str], ...] = ()) -> EmailMessage:
    """A plain-text UTF-8 message with Date, Message-ID and Content-Language; ``reply_to``
    adds a Reply-To, ``attachments`` are (file name, bytes, media type) — the name may be
    Japanese (RFC 2231).

    Header values never carry a line break (no header injection): the subject, which is
    made from names, is folded into one line; an address holding a line break or control
    character raises ``MailError`` (that message cannot be sent; others can)."""
    message = EmailMessage()
    message["From"] = _address(sender, "sender")
    message["To"] = _address(to, "recipient")
    message["Subject"] = fold(subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = fold(message_id or make_msgid(domain=domain))
    if reply_to:
        message["Reply-To"] = _address(reply_to, "reply-to")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(body, charset="utf-8")
    for filename, data, media_type in attachments:
        maintype, _slash, subtype = media_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=fold(filename))
    # after set_content and add_attachment, which move Content-* headers into the parts
    message["Content-Language"] = fold(language)
    return message


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """The client TLS context: verify the server's certificate and host name against
    ``SMTP_CA_FILE`` (or the system trust store); ``SMTP_VERIFY=false`` turns checks off."""
    try:
        context = ssl.create_default_context(cafile=settings.ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"Cannot load SMTP_CA_FILE {settings.ca_file!r}: {exc}", connection=True) from exc
    if not settings.verify:  # unsafe, documented as such: anyone on the path can read the mail
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.username and settings.security == "none":
        raise MailError("Refusing to send SMTP credentials over an unencrypted connection: set "
                        "SMTP_SECURITY to starttls or tls.", connection=True)
    context = tls_context(settings) if settings.security != "none" else None
    if settings.security == "tls":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        client.ehlo()
        if settings.security == "starttls":
            if not client.has_extn("starttls"):
                raise MailError("The SMTP server does not offer STARTTLS, which SMTP_SECURITY requires.",
                                connection=True)
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password)
    except BaseException:
        client.close()
        raise
    return client


class Mailer:
    """An SMTP session reused for several messages; use as a context manager."""

    def __init__(self, settings: SmtpSettings | None = None):
        self.settings = settings or SmtpSettings.from_config(current_app.config)
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        """End the SMTP session (politely if the server still answers)."""
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                self._client.close()
            self._client = None

    def send(self, message: EmailMessage) -> None:
        """Send one message; raise ``MailError`` naming what went wrong."""
        try:
            if self._client is None:
                self._client = _connect(self.settings)
        except MailError:
            raise
        except ssl.SSLCertVerificationError as exc:
            raise MailError(f"The certificate of SMTP server {self.settings.host}:{self.settings.port} "
                            f"is not trusted ({exc.verify_message}); nothing was sent. Set SMTP_CA_FILE "
                            "to the CA that issued it.", connection=True) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"SMTP authentication failed for {self.settings.username!r}: "
                            f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}", connection=True) from exc
        except ssl.SSLError as exc:  # the server answered, but the TLS handshake failed: host and port are not it
            raise MailError(f"The TLS handshake with SMTP server {self.settings.host}:{self.settings.port} failed: "
                            f"{type(exc).__name__}: {exc}; nothing was sent. Check that SMTP_SECURITY "
                            f"({self.settings.security}) is what the server speaks on that port (tls: implicit "
                            "TLS, usually port 465; starttls: usually 587).", connection=True) from exc
        except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, OSError) as exc:  # refused, timed out
            raise MailError(f"Cannot reach SMTP server {self.settings.host}:{self.settings.port}: "
                            f"{type(exc).__name__}: {exc}. Set VENDORRISK_SMTP_HOST and VENDORRISK_SMTP_PORT "
                            "to a reachable server (README, 'E-mail').", connection=True) from exc
        except smtplib.SMTPException as exc:  # the server answered but refused to open the session
            raise MailError(f"SMTP server {self.settings.host}:{self.settings.port} refused the session: "
                            f"{type(exc).__name__}: {exc}; nothing was sent.", connection=True) from exc
        try:
            refused = self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"Recipient refused: {exc.recipients}") from exc
        except (smtplib.SMTPServerDisconnected, TimeoutError, OSError) as exc:
            self._client.close()
            self._client = None
            raise MailError(f"SMTP connection lost: {type(exc).__name__}: {exc}", connection=True) from exc
        except smtplib.SMTPException as exc:
            raise MailError(f"SMTP error: {exc}") from exc
        if refused:
            raise MailError(f"Recipient refused: {refused}")
