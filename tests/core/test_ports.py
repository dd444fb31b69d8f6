"""The test servers' ports without a race: a PostgreSQL cluster whose port is taken between
being found free and being bound starts on another (``tests.pg``), and says so plainly when
every port it tries is taken; a server started with port 0 is found on the port it bound
(``tests.ports``), not on one another process holds."""
import socket
import subprocess
import sys

import pytest

from tests import pg
from tests.ports import bound_port, listening_port, refusing_port


def _held():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_a_cluster_whose_port_was_taken_meanwhile_starts_on_another():
    with _held() as held:
        taken = held.getsockname()[1]
        cluster = pg.Cluster()
        cluster.port = taken  # as if another process took the free port before PostgreSQL bound it
        try:
            cluster.start()
            assert cluster.ports_tried[0] == taken and len(cluster.ports_tried) == 2
            assert cluster.port == cluster.ports_tried[1] != taken
            with socket.create_connection(("127.0.0.1", cluster.port), timeout=5):
                pass
        finally:
            cluster.stop()


def test_a_cluster_says_which_ports_were_taken_when_none_was_free(monkeypatch):
    held = [_held() for _ in range(pg.START_TRIES)]
    ports = iter(sock.getsockname()[1] for sock in held)
    monkeypatch.setattr(pg, "_free_port", lambda: next(ports))
    try:
        cluster = pg.Cluster()
        try:
            with pytest.raises(RuntimeError, match="was taken by another process") as refused:
                cluster.start()
        finally:
            cluster.stop()
        assert all(str(sock.getsockname()[1]) in str(refused.value) for sock in held)
    finally:
        for sock in held:
            sock.close()


def test_a_port_held_for_nothing_refuses_connections_and_cannot_be_taken():
    """``refusing_port``: a test that needs "nothing listens there" holds the port, so no other
    test's server binds it meanwhile, and a client is refused at once (no timeout)."""
    with refusing_port() as port:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        with socket.socket() as other, pytest.raises(OSError):
            other.bind(("127.0.0.1", port))  # another server cannot take it while the test runs


def test_a_server_started_on_port_zero_is_found_on_the_port_it_bound():
    code = ("import socket, sys; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); "
            "print(s.getsockname()[1], flush=True); sys.stdin.read()")
    with _held() as other:  # a port someone else listens on is not taken for the server's
        process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True)
        try:
            said = int(process.stdout.readline())
            assert bound_port(process, 30) == said != other.getsockname()[1]
            assert listening_port(process.pid) == said
        finally:
            process.stdin.close()
            process.wait(timeout=30)
            process.stdout.close()
    stopped = subprocess.Popen([sys.executable, "-c", "pass"])
    stopped.wait(timeout=30)
    with pytest.raises(AssertionError, match="stopped before it listened"):
        bound_port(stopped, 30)


def test_the_test_smtp_server_whose_port_was_taken_meanwhile_listens_on_another():
    import gc

    from tests.smtp import SmtpServer
    with _held() as held:
        taken = held.getsockname()[1]
        server = SmtpServer()
        server.port = taken  # picked free, then taken by another process before the server bound it
        server.start()
        try:
            assert server.port != taken
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
                assert connection.recv(100).startswith(b"220")
        finally:
            server.stop()
        given = SmtpServer(taken)  # a port the test chose is not replaced: the refusal is its answer
        with pytest.raises(OSError):
            given.start()
    gc.collect()  # the refused attempts' event loops were closed: nothing left to warn about
