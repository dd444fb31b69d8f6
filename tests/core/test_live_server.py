"""The tests' live server (``tests.helpers.served``) itself: a browser that resets a
connection must not leave the response's file open."""
import http.client
import socket
import struct
import threading
import time
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


def _server_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread is not threading.main_thread()}


def test_leaving_the_server_ends_kept_alive_connections_and_running_requests():
    # A browser keeps its connections open, and may have a request under way (a poll, the
    # favicon) when its test ends: served() used to return with their threads still running,
    # reaching the app (and leaving what they opened) during the next test.
    from tests.helpers import served

    started, finished = threading.Event(), threading.Event()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            started.set()
            time.sleep(0.5)
            finished.set()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    before = _server_threads()
    with served(app) as url:
        host, port = url.removeprefix("http://").split(":")
        kept = http.client.HTTPConnection(host, int(port), timeout=10)
        kept.request("GET", "/")
        assert kept.getresponse().read() == b"ok"  # the connection stays open (HTTP/1.1)
        slow = threading.Thread(target=lambda: urllib.request.urlopen(f"{url}/slow", timeout=10).close())
        slow.start()
        assert started.wait(10)
    assert finished.is_set()  # the request under way was answered before served() returned
    assert _server_threads() - {slow} <= before  # and no thread of the server is left
    slow.join(10)
    kept.close()
