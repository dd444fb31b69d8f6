"""Ports for the servers the tests start, without the race of picking a free port and binding
it later (another process may take it in between, and a readiness check then talks to *its*
server): a server started with port 0 binds one the system chooses, read back from /proc
(Linux) as the port that very process listens on. A test that needs a port where nothing
listens holds one (``refusing_port``) rather than trusting a port found free a moment ago."""
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path


def listening_port(pid: int) -> int | None:
    """The TCP port process ``pid`` listens on (IPv4 or IPv6), from its sockets in /proc;
    None while it listens on none."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                return int(fields[1].rsplit(":", 1)[1], 16)
    return None


@contextmanager
def refusing_port(host: str = "127.0.0.1"):
    """A port on ``host`` where nothing listens for as long as the block runs: a socket bound
    to it and never listening holds it, so no other process can take it and a connection is
    refused at once (a port merely found free may be bound by another test meanwhile, and
    the "unreachable" server then answers)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        yield sock.getsockname()[1]


def bound_port(process, seconds: float, output=lambda: "") -> int:
    """The port a server started with port 0 (``process``, a ``Popen``) listens on, once it
    does; an ``AssertionError`` with ``output()`` when it stops first or takes ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped before it listened (exit {process.returncode}): {output()}")
        try:
            port = listening_port(process.pid)
        except FileNotFoundError:  # the process is ending: poll() says so next
            port = None
        if port:
            return port
        if time.monotonic() > deadline:
            raise AssertionError(f"the server did not listen within {seconds} s: {output()}")
        time.sleep(0.1)
