"""The tests' live server (``tests.helpers.served``) itself: a browser that resets a
connection must not leave the response's file open."""
import socket
import struct
import urllib.request

import pytest


def _reset_after_headers(url: str, path: str, etag: str | None) -> None:
    """Request ``path``, read the first bytes of the answer, then close with a TCP reset
    (SO_LINGER 0), the way a browser drops a request it no longer needs."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conditional = f"If-None-Match: {etag}\r\n" if etag else ""
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{conditional}\r\n".encode())
        conn.recv(64)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@pytest.mark.parametrize("conditional", [False, True], ids=["full", "not-modified"])
def test_a_reset_connection_leaves_no_static_file_open(live_server, conditional):
    # werkzeug drains the request body after the answer; a reset there skipped the
    # answer's close(), and the open file surfaced later as a ResourceWarning in
    # whichever test ran (pytest turns it into a failure).
    with urllib.request.urlopen(f"{live_server}/static/favicon.svg") as first:
        etag = first.headers["ETag"] if conditional else None
    for _ in range(40):
        _reset_after_headers(live_server, "/static/favicon.svg", etag)
    # An ordinary request afterwards: the server still answers.
    with urllib.request.urlopen(f"{live_server}/static/favicon.svg") as last:
        assert last.status == 200 and last.read().startswith(b"<svg")
