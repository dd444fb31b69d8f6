"""A real SMTP server for tests (aiosmtpd) — plain, STARTTLS or implicit TLS, with or
without authentication — throwaway certificates for it, and a server that never answers."""
import errno
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

START_TRIES = 5


def free_port() -> int:
    """A TCP port nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Certificates:
    """PEM files: a test CA, a server certificate it issued for 127.0.0.1, and a self-signed
    ("rogue") certificate for the same address that no one trusts."""

    ca: Path
    server_cert: Path
    server_key: Path
    rogue_cert: Path
    rogue_key: Path


def make_certificates(folder: Path) -> Certificates:
    """Generate throwaway EC certificates with the ``openssl`` command line."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=vendorrisk test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                                       "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    run("req", "-x509", *key, "-keyout", "rogue.key", "-out", "rogue.pem", "-days", "2",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
    return Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key",
                        folder / "rogue.pem", folder / "rogue.key")


def _is_tls(server) -> bool:
    return server.transport is not None and server.transport.get_extra_info("ssl_object") is not None


class _Collect:
    def __init__(self, server):
        self.server = server

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        login = session.auth_data.login.decode() if session.authenticated else None
        with self.server.lock:
            self.server.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                         "message": message, "tls": _is_tls(server), "login": login})
        return "250 OK"

    def authenticate(self, server, _session, _envelope, mechanism, auth_data):
        """aiosmtpd authenticator: check the test users, and record every attempt."""
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        with self.server.lock:
            self.server.auth_attempts.append({"login": login, "password": password, "tls": _is_tls(server),
                                              "mechanism": mechanism})
        ok = self.server.users.get(login) == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class SmtpServer:
    """aiosmtpd on a fixed local port; ``messages`` collects what it received (with whether
    it came over TLS and who authenticated). Can be stopped and started again on the same
    port (server down, then back).

    ``certificate`` (cert, key) turns on TLS: STARTTLS, required before anything else, or
    implicit TLS with ``implicit_tls``. ``users`` ({login: password}) turns on AUTH; every
    attempt lands in ``auth_attempts``. Without TLS, AUTH is still offered, so that a client
    that would send credentials over plain text is caught doing it.
    """

    def __init__(self, port: int | None = None, *, certificate: tuple[Path, Path] | None = None,
                 implicit_tls: bool = False, users: dict[str, str] | None = None):
        self.port, self._picked = port or free_port(), not port
        self.messages: list[dict] = []
        self.auth_attempts: list[dict] = []
        self.users = users or {}
        self.certificate, self.implicit_tls = certificate, implicit_tls
        self.lock = threading.Lock()
        self._controller = None

    def _options(self, handler) -> dict:
        options = {}
        if self.users:
            # Plain servers offer AUTH too (auth_require_tls=False) so a leak would be seen;
            # aiosmtpd counts only STARTTLS as TLS, so implicit TLS needs the same flag (and
            # cannot then require AUTH without a warning: tests check ``login`` instead).
            starttls = bool(self.certificate) and not self.implicit_tls
            options.update(authenticator=handler.authenticate, auth_require_tls=starttls, auth_required=starttls)
        if self.certificate:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, self.certificate))
            if self.implicit_tls:
                options["ssl_context"] = context
            else:
                options.update(tls_context=context, require_starttls=True)
        return options

    def start(self) -> "SmtpServer":
        """Start listening. A port picked free (none given) that another process took before
        the server bound it is replaced by another, ``START_TRIES`` times at most."""
        handler = _Collect(self)
        tried = []
        for _attempt in range(START_TRIES):
            tried.append(self.port)
            controller = Controller(handler, hostname="127.0.0.1", port=self.port, **self._options(handler))
            try:
                controller.start()
            except OSError as exc:
                controller.loop.close()  # its thread ended at the refused bind; its loop stays open otherwise
                if exc.errno != errno.EADDRINUSE or not self._picked:
                    raise
                self.port = free_port()
                continue
            self._controller = controller
            return self
        raise RuntimeError(f"the test SMTP server did not start: each of the {START_TRIES} ports tried "
                           f"({', '.join(map(str, tried))}) was taken between being found free and being bound")

    def stop(self) -> None:
        """Stop listening (connections are then refused)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def by_recipient(self, address: str) -> list:
        """The messages delivered to one address."""
        return [m["message"] for m in self.messages if address in m["to"]]


class SilentServer:
    """Accepts TCP connections and never sends a byte (an SMTP server that hangs)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def stop(self) -> None:
        """Close every connection and the listening socket."""
        for conn in self.accepted:
            conn.close()
        self.sock.close()
