"""Helpers for tests that walk the URL map, compare database contents or serve the app live."""
import io
import socket
import threading
from contextlib import contextmanager

from sqlalchemy import func, select
from werkzeug.routing import FloatConverter, IntegerConverter
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from vendorrisk.core.models import metadata

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
BOOKKEEPING_TABLES = {"audit_entry", "login_attempt", "alembic_version", "user_session"}


def sample_url(rule) -> str:
    """A concrete URL for a rule, with placeholder values for its arguments."""
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if isinstance(converter, (IntegerConverter, FloatConverter)) else "x"
    return rule.build(values, append_unknown=False)[1]


def write_rules(app):
    """(rule, method) for every rule that accepts a write method."""
    for rule in app.url_map.iter_rules():
        for method in WRITE_METHODS:
            if method in rule.methods:
                yield rule, method


def table_counts(session) -> dict[str, int]:
    """Row count of every domain table (bookkeeping tables left out)."""
    return {name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items() if name not in BOOKKEEPING_TABLES}


def sign_in_session(client, user) -> None:
    """Sign a test client in without the form (no CSRF): a session in force on the server,
    its key written into the client's cookie."""
    from vendorrisk.core import sessions
    from vendorrisk.core.db import new_session
    with client.application.app_context():
        db = new_session(writes=True)
        _row, key = sessions.start(db, user, second_factor=True)
        db.commit()
        db.close()
    with client.session_transaction() as sess:
        sess["sk"] = key


def exported(app, client, url: str, headers: dict | None = None):
    """Start an export the way a user does (its URL answers 202 and the job's URL), build
    the queued job as the scheduler would, then fetch the job's URL: the file."""
    from vendorrisk.compliance.jobs import run_pending

    started = client.get(url, headers=headers)
    assert started.status_code == 202, (url, started.status_code)
    job_url = started.headers["Location"]
    pending = client.get(job_url, headers={**(headers or {}), "Accept": "application/json"})
    assert pending.status_code == 202 and pending.get_json()["status"] == "queued", pending.get_json()
    assert run_pending(app) >= 1
    return client.get(job_url, headers=headers)


_answers = threading.local()


def _closing(app):
    """``app`` noting, per request thread, the answers it returns, for ``_ClosingHandler``."""
    def noted(environ, start_response):
        answer = app(environ, start_response)
        _answers.__dict__.setdefault("open", []).append(answer)
        return answer
    return noted


class _ClosingHandler(WSGIRequestHandler):
    """werkzeug's handler with every answer closed once the connection is done. werkzeug
    drains the request body after answering and skips the answer's ``close()`` when the
    client resets the connection there, as a browser dropping a favicon request does; the
    static file left open then failed whichever test was running with a ResourceWarning."""

    def handle(self):
        try:
            super().handle()
        finally:
            for answer in _answers.__dict__.pop("open", ()):
                if hasattr(answer, "close"):
                    answer.close()


class _LiveServer(ThreadedWSGIServer):
    """werkzeug's threaded server that keeps its connections and their threads, so that
    ``served`` can end them: a request still running after the block (a browser's poll or
    favicon on a kept-alive connection, a page closed after the server) would otherwise
    reach the app once its test was over, and whatever it left open would fail a later
    test."""

    daemon_threads = False  # ThreadingMixIn keeps the threads (server_close joins them)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()

    def process_request(self, request, client_address):
        with self.lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def close_request(self, request):
        with self.lock:
            self.connections.discard(request)
        super().close_request(request)

    def server_close(self):
        # called by serve_forever once shut down: end the kept-alive connections' reading side
        # (a handler waiting for the next request reads the end; one answering a request still
        # sends its answer, then reads the end), then ThreadingMixIn joins the threads
        with self.lock:
            open_connections = list(self.connections)
        for connection in open_connections:
            try:
                connection.shutdown(socket.SHUT_RD)
            except OSError:  # closed meanwhile
                pass
        super().server_close()


@contextmanager
def served(app):
    """Serve ``app`` on a free local port from a thread (werkzeug, a thread per connection)
    while the block runs; yields its base URL. The one live server of the browser tests and
    of the requests that must really overlap (races, SQLite's write lock). On leaving, the
    connections still open are ended and every request thread is joined: no request of the
    test reaches the app after it."""
    server = _LiveServer("127.0.0.1", 0, _closing(app), handler=_ClosingHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=120)  # a request may be mid-way on a loaded machine
        if thread.is_alive():
            raise RuntimeError("the live server's request threads were still running 120 s after its test")


def pdf_document(objects: list[bytes], version: bytes = b"1.4") -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalogue), with its
    cross-reference table and trailer: the hand-built PDFs of the tests."""
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def race(base: str, calls: list[tuple]) -> list:
    """Send every (method, path, token, requests kwargs) to the live server at ``base`` at the
    same moment (each from its own thread and connection, released by one barrier); the
    answers in order, or the exception a call raised."""
    import requests
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(index, method, path, token, kwargs):
        # closed at the end: a session left to the garbage collector closes its pooled
        # socket whenever that runs, with a ResourceWarning that fails whichever test runs then
        with requests.Session() as session:
            session.get(f"{base}/healthz", timeout=30)  # connect first, so that only the call races
            barrier.wait(timeout=60)
            try:
                answers[index] = session.request(method, f"{base}{path}", timeout=120,
                                                 headers={"Authorization": f"Bearer {token}"}, **kwargs)
            except requests.RequestException as exc:  # recorded, then reported by the assertions
                answers[index] = exc

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return answers


def across_migration(app, db, revision: str, query: str) -> tuple[dict, dict]:
    """What a data migration does to the rows there: commit and close ``db``, take the
    database down to ``revision``, read ``query`` (two columns: key, value) as a dict, upgrade
    to the head and read it again. Returns (before, after)."""
    from alembic import command
    from sqlalchemy import text

    from vendorrisk.core import migrate
    db.commit()
    db.close()
    engine = app.extensions["vendorrisk.engine"]
    engine.dispose()

    def read() -> dict:
        with engine.connect() as connection:
            return dict(connection.execute(text(query)).all())
    command.downgrade(migrate.alembic_config(app), revision)
    before = read()
    migrate.upgrade(app)
    return before, read()


def streamed_sheet_case(rows: list[tuple]):
    """What the tests of the streamed matrix sheet (``compliance.sheet_xml``) share: the
    workbook openpyxl's write-only sheet makes of ``rows`` cell by cell (bytes, the
    reference), and the ``skeleton(count)`` a streamed build fills: an empty "Matrix" sheet
    with its auto filter over ``count`` rows, then an "Other" sheet of one row."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from vendorrisk.core.xlsx import add_table_sheet

    headers = [f"h{i}" for i in range(len(rows[0]))]
    reference = Workbook(write_only=True)
    add_table_sheet(reference, "Matrix", headers, rows)
    expected = io.BytesIO()
    reference.save(expected)

    def skeleton(count):
        book = Workbook(write_only=True)
        add_table_sheet(book, "Matrix", headers, ())
        book["Matrix"].auto_filter.ref = f"A1:{get_column_letter(len(headers))}{(count or 0) + 1}"
        add_table_sheet(book, "Other", ["x"], [("y",)])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    return expected.getvalue(), skeleton


def assert_reads_back_like(data: bytes, expected: bytes):
    """The streamed workbook ``data`` holds the reference's Matrix cells (value and type)
    and the skeleton's Other sheet; returns it loaded."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    want = load_workbook(io.BytesIO(expected))["Matrix"]
    assert [[(c.value, c.data_type) for c in r] for r in book["Matrix"].iter_rows()] == \
        [[(c.value, c.data_type) for c in r] for r in want.iter_rows()]
    assert [r for r in book["Other"].iter_rows(values_only=True)] == [("x",), ("y",)]
    return book
