"""A real SMTP server for tests (aiosmtpd), and one that accepts connections and never answers."""
import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collect:
    def __init__(self, server):
        self.server = server

    async def handle_DATA(self, _server, _session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.server.lock:
            self.server.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                         "message": message})
        return "250 OK"


class SmtpServer:
    """aiosmtpd on a fixed local port; ``messages`` collects what it received. Can be
    stopped and started again on the same port (server down, then back)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        self._controller = None

    def start(self) -> "SmtpServer":
        """Start listening."""
        self._controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

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
