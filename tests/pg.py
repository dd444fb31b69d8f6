"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl on a free local port."""
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
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"),
                  "-w", "start")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start")

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the cluster and remove its folder."""
        try:
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
