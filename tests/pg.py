"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl on a free local port.

The port is picked free, then PostgreSQL binds it a moment later: another process (a test
server, another worker's cluster) may take it in between. PostgreSQL cannot be asked to
choose one itself (port 0 is refused), so a start refused because the address is in use is
tried again on another free port, ``START_TRIES`` times at most, then refused with the ports
tried; any other failure is raised at once with the server's log."""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise RuntimeError(f"{name} not found: install PostgreSQL (Debian package postgresql)")
    return candidates[-1]


START_TRIES = 5
PORT_TAKEN = "Address already in use"  # PostgreSQL's log when it could not bind (EADDRINUSE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary folder, owned by the ``postgres`` user when run as root."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="vr-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.ports_tried: list[int] = []
        self.running = False

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--"] + command
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> "Cluster":
        """Create and start the cluster; returns self."""
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        for attempt in range(START_TRIES):
            if attempt:
                self.port = _free_port()
            self.ports_tried.append(self.port)
            log = self.dir / f"log.{attempt}"
            try:
                self._pg_ctl_start(log)
                self.running = True
                break
            except subprocess.CalledProcessError as exc:
                written = log.read_text(errors="replace") if log.exists() else ""
                if PORT_TAKEN not in written:
                    raise RuntimeError(f"PostgreSQL did not start on port {self.port}: "
                                       f"{(exc.stderr or b'').decode(errors='replace')}{written[-2000:]}") from exc
        else:
            raise RuntimeError(f"PostgreSQL did not start: each of the {START_TRIES} ports tried "
                               f"({', '.join(map(str, self.ports_tried))}) was taken by another process "
                               "between being found free and PostgreSQL binding it")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start")

    def _pg_ctl_start(self, log: Path) -> None:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the cluster (when it started) and remove its folder."""
        try:
            if self.running:
                self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def throwaway_database(engine: str, folder: str):
    """The URL of an empty database for one run: a SQLite file in ``folder``, or (``engine``
    "postgres") a throwaway cluster, stopped when the block ends."""
    if engine != "postgres":
        yield f"sqlite:///{folder}/bench.sqlite"
        return
    cluster = Cluster().start()
    try:
        yield cluster.url()
    finally:
        cluster.stop()
