"""Issue 16, defect 2: one slow upload must not block every write; a read never fails as a write.

- Uploads are read and checked outside the write transaction: while a contract, a
  questionnaire workbook or a 3,000-row register is being read (held open here, as a very
  slow file would be), 50 writes from other requests all succeed.
- Reading is bounded: an Office file holding more XML than ``MAX_XML_MB`` (a 25 MB .docx
  that expands to 150 MB of XML; a 3 MB one at ratio 50) is refused at once, by a real
  ``vendorrisk serve`` process, within 300 MB (its time is printed, never asserted: the
  machines are shared), while 50 writes succeed beside it;
  and ``PARSE_TIMEOUT_SECONDS`` bounds the time spent reading.
- A register dry run takes no write lock at all; an API read whose token "last used" is
  due answers 200 even while the database is locked, and so do 32 readers at once.
"""
import io
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile

import pytest
import requests
from sqlalchemy import func, select

from tests import factories
from tests.conftest import ENGINE
from tests.helpers import race
from tests.security.factories import docx_bomb, paragraphs, register_rows
from vendorrisk.core import users
from vendorrisk.core.models import ApiToken
from vendorrisk.vendors.models import Vendor

WRITES = 50
sqlite_only = pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's write lock")


@pytest.fixture(scope="module")
def bombs():
    """A 25 MB .docx expanding to 150+ MB of XML (ratio about 6), and a 3 MB one (ratio about 50)."""
    return {"varied": docx_bomb(150, paragraphs(1 << 20, 32)), "ratio": docx_bomb(150, paragraphs(1 << 20, 0))}


def _token(db, role="compliance"):
    user = factories.gen_user(db, role=role)
    _record, token = users.create_token(db, user, "locking")
    return user, token


def _contract_docx(text="第1条（目的）本契約は、委託業務の内容を定める。") -> bytes:
    import docx
    document = docx.Document()
    for n in range(1, 6):
        document.add_paragraph(f"第{n}条 {text}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _vendor_calls(token: str, count: int, offset: int = 0) -> list[tuple]:
    """``count`` vendor registrations, as calls for ``race``."""
    return [("POST", "/api/v1/vendors", token, {"json": {"name": f"並行書込{offset + i}株式会社",
             "corporate_number": factories.corporate_number(880000 + offset + i)}}) for i in range(count)]


def _vendor_writes(base: str, token: str, count: int, offset: int = 0) -> list:
    """``count`` vendor registrations sent at once; their answers (or exceptions)."""
    return race(base, _vendor_calls(token, count, offset))


def _codes(answers) -> list:
    return [getattr(a, "status_code", repr(a)) for a in answers]


# --- the size gate -------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["varied", "ratio"])
def test_office_files_holding_too_much_xml_are_refused_before_any_parser_runs(app, bombs, kind):
    from vendorrisk.core.errors import ValidationFailed
    from vendorrisk.core.uploads import inspect_upload
    data = bombs[kind]
    part = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    assert part.file_size > 150 * 1024 * 1024 and len(data) <= 25 * 1024 * 1024  # passes the old gates
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            inspect_upload(data, "contract.docx", {"docx"})
    assert "word/document.xml" in refused.value.message and "16 MB" in refused.value.message


def test_many_xml_parts_count_together_but_streamed_worksheets_do_not(app):
    from vendorrisk.core.errors import ValidationFailed
    from vendorrisk.core.uploads import inspect_upload
    base = io.BytesIO()
    import docx
    docx.Document().save(base)
    source = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        for n in range(1, 5):  # four headers of 5 MB: each small enough, 20 MB together
            archive.writestr(f"word/header{n}.xml", b"<w:hdr>" + b" " * (5 * 1024 * 1024) + b"</w:hdr>")
    sheet = io.BytesIO()
    with zipfile.ZipFile(sheet, "w", zipfile.ZIP_DEFLATED) as archive:
        book = zipfile.ZipFile(io.BytesIO(factories.workbook({"vendors": [["name"], ["x"]]})))
        for info in book.infolist():
            data = book.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":  # a 20 MB worksheet: streamed, allowed
                data = data.replace(b"<sheetData>", b"<sheetData>" + paragraphs(1 << 20, 32) * 20)
            archive.writestr(info.filename, data)
    with app.test_request_context():
        with pytest.raises(ValidationFailed):
            inspect_upload(out.getvalue(), "headers.docx", {"docx"})
        assert inspect_upload(sheet.getvalue(), "big.xlsx", {"xlsx"}).kind == "xlsx"


# --- a real server: the bomb refused at once while 50 writes succeed ----------------------

def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture
def served(db, database_url, tmp_path):
    """``vendorrisk serve`` in its own process on the test database; yields (base URL, pid)."""
    from tests.ports import bound_port
    env = dict(os.environ, VENDORRISK_DATABASE_URL=database_url, VENDORRISK_SECRET_KEY=secrets.token_hex(32),
               VENDORRISK_INSTANCE_PATH=str(tmp_path / "served"), VENDORRISK_LOG_LEVEL="WARNING")
    # port 0: the server binds one the system chooses, read back from /proc (no port found free
    # here and taken by another process before the server binds it)
    process = subprocess.Popen([sys.executable, "-m", "vendorrisk", "serve", "--port", "0", "--threads", "8"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        port = bound_port(process, 60)
    except AssertionError:
        process.kill()
        raise AssertionError(process.communicate()[0].decode()) from None
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError(process.communicate()[0].decode())
    yield base, process.pid
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def test_bombs_refused_within_300_mb_while_50_writes_succeed(db, served, bombs):
    base, pid = served
    _user, token = _token(db, "compliance")
    arrangement = factories.gen_arrangement(db)
    db.commit()
    outcome = {}

    def upload(kind):
        data = bombs[kind]
        started = time.monotonic()
        response = requests.post(f"{base}/api/v1/arrangements/{arrangement.id}/contracts", timeout=120,
                                 headers={"Authorization": f"Bearer {token}"},
                                 files={"file": ("contract.docx", data, "application/octet-stream")})
        outcome[kind] = (response, time.monotonic() - started)

    uploads = [threading.Thread(target=upload, args=(kind,)) for kind in ("varied", "ratio")]
    for thread in uploads:
        thread.start()
    writes = _vendor_writes(base, token, WRITES)
    for thread in uploads:
        thread.join(timeout=180)
    assert _codes(writes) == [201] * WRITES
    for kind in ("varied", "ratio"):
        response, _seconds = outcome[kind]
        assert response.status_code == 422 and "XML" in response.json()["error"]["message"], response.text
    peak = _peak_rss_mb(pid)
    assert peak <= 300, f"server peak memory {peak:.0f} MB"
    print(f"\nbombs refused in {outcome['varied'][1]:.2f} s / {outcome['ratio'][1]:.2f} s; "
          f"server peak RSS {peak:.0f} MB; {WRITES} writes: 201")
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Vendor).where(Vendor.name.like("並行書込%"))) == WRITES


# --- a slow read: the write lock is not held while a file is read --------------------------


def _hold_reading(monkeypatch, target: str):
    """Make the reader at ``target`` (module path, attribute) wait, as a very slow file would,
    until released; returns (started, release) events."""
    import importlib
    module_name, attribute = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    real = getattr(module, attribute)
    started, release = threading.Event(), threading.Event()

    def slow(*args, **kwargs):
        started.set()
        assert release.wait(timeout=120), "never released"
        return real(*args, **kwargs)

    monkeypatch.setattr(module, attribute, slow)
    return started, release


def _contract_upload(base, token, db):
    arrangement = factories.gen_arrangement(db)
    db.commit()
    return lambda: requests.post(f"{base}/api/v1/arrangements/{arrangement.id}/contracts", timeout=300,
                                 headers={"Authorization": f"Bearer {token}"},
                                 files={"file": ("contract.docx", _contract_docx(), "application/octet-stream")})


def _questionnaire_upload(base, token, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    data = factories.workbook({"Questions": [["ID", "Question", "Answer", "Comment"],
                                   ["Q1", "Do you encrypt data at rest?", "Yes", ""],
                                   ["Q2", "Do you have an ISMS?", "Yes", ""]]})
    # A plain question/answer sheet is a layout no profile recognises: imported as confirmed.
    return lambda: requests.post(f"{base}/api/v1/vendors/{vendor.id}/questionnaire-responses", timeout=300,
                                 headers={"Authorization": f"Bearer {token}"}, data={"confirmed": "1"},
                                 files={"file": ("answers.xlsx", data, "application/octet-stream")})


def _register_upload(base, token, db):
    data = factories.workbook(register_rows(1500, 500, 1000))  # 3,000 rows
    return lambda: requests.post(f"{base}/api/v1/register/import", data=data, timeout=300,
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/octet-stream"})


@sqlite_only
@pytest.mark.parametrize("kind,reader", [
    ("contract", "vendorrisk.contracts.checker.extract"),
    ("questionnaire", "vendorrisk.questionnaires.service.parse_workbook"),
    ("register", "vendorrisk.vendors.api.check_register"),
])
def test_writes_go_on_while_an_upload_is_being_read(db, live_server, monkeypatch, kind, reader):
    _user, token = _token(db, "compliance")
    db.commit()
    send = {"contract": _contract_upload, "questionnaire": _questionnaire_upload,
            "register": _register_upload}[kind](live_server, token, db)
    started, release = _hold_reading(monkeypatch, reader)
    result = {}
    uploader = threading.Thread(target=lambda: result.setdefault("upload", send()))
    uploader.start()
    try:
        assert started.wait(timeout=60), "the upload never reached its reader"
        writes = _vendor_writes(live_server, token, WRITES)
    finally:
        release.set()
        uploader.join(timeout=300)
    assert _codes(writes) == [201] * WRITES  # none waited for the upload being read
    assert result["upload"].status_code in (200, 201), result["upload"].text
    if kind == "register":
        assert result["upload"].json()["vendors"] == 1500


@sqlite_only
def test_register_dry_run_takes_no_write_lock(app, db, api, database_url):
    client = api("procurement")
    data = factories.workbook(register_rows(1500, 500, 1000))
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock throughout
    try:
        response = client.post("/api/v1/register/import?dry_run=true", data=data,
                               content_type="application/octet-stream")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["vendors"], response.get_json()["links"]) == (1500, 1000)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Vendor)) == 0


@sqlite_only
def test_page_and_cli_dry_runs_take_no_write_lock(app, db, login, client, runner, database_url, tmp_path):
    data = factories.workbook(register_rows(30, 10, 20))
    login("procurement")
    path = tmp_path / "dry.xlsx"
    path.write_bytes(data)
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        page = client.post("/arrangements/import", data={"file": (io.BytesIO(data), "r.xlsx"), "dry_run": "1"},
                           content_type="multipart/form-data")
        cli = runner.invoke(args=["import-register", str(path), "--dry-run"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert page.status_code == 200 and 'data-test="import-report"' in page.get_data(as_text=True)
    assert cli.exit_code == 0 and "Would import 30 vendors" in cli.output, cli.output


# --- reads never become failed writes ------------------------------------------------------

def _lock_everything(db, database_url, token_id):
    """Hold what recording a token's use needs: SQLite's write lock, or the token's row on PostgreSQL."""
    if ENGINE == "sqlite":
        holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=1, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        return lambda: (holder.execute("ROLLBACK"), holder.close())
    from sqlalchemy import create_engine, text
    engine = create_engine(database_url)
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(text("SELECT id FROM api_token WHERE id = :id FOR UPDATE"), {"id": token_id})
    return lambda: (transaction.rollback(), connection.close(), engine.dispose())


def test_api_read_with_a_due_token_answers_while_the_database_is_busy(app, db, api, database_url):
    client = api("auditor")
    token_id = db.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()))
    db.commit()
    release = _lock_everything(db, database_url, token_id)
    try:
        busy = client.get("/api/v1/vendors")
    finally:
        release()
    assert busy.status_code == 200, busy.get_json()
    db.rollback()
    assert db.get(ApiToken, token_id).last_used_at is None  # given up quietly, tried again later
    assert client.get("/api/v1/vendors").status_code == 200
    db.rollback()
    db.expire_all()
    assert db.get(ApiToken, token_id).last_used_at is not None


def test_thirty_two_readers_with_due_tokens_all_answer(app, db, live_server):
    tokens = [_token(db, "auditor")[1] for _ in range(32)]
    _writer, writer_token = _token(db, "procurement")
    factories.gen_vendor(db)
    db.commit()
    readers = [("GET", "/api/v1/vendors", token, {}) for token in tokens]
    answers = race(live_server, readers + _vendor_calls(writer_token, 8))  # writers beside the readers
    assert _codes(answers[:len(tokens)]) == [200] * len(tokens)
    writes = answers[len(tokens):]
    assert _codes(writes) == [201] * 8


# --- the time budget -----------------------------------------------------------------------

@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"PARSE_TIMEOUT_SECONDS": 0}], indirect=True)
def test_reading_stops_when_its_time_budget_is_spent(app, db, api):
    client = api("compliance")
    arrangement = factories.gen_arrangement(db)
    db.commit()
    contract = client.post(f"/api/v1/arrangements/{arrangement.id}/contracts",
                           data={"file": (io.BytesIO(_contract_docx()), "contract.docx")},
                           content_type="multipart/form-data")
    assert contract.status_code == 422 and "took longer than 0 seconds" in contract.get_json()["error"]["message"]
    register = client.post("/api/v1/register/import?dry_run=true",
                           data=factories.workbook(register_rows(3, 1, 1)), content_type="application/octet-stream")
    assert register.status_code == 422 and "took longer" in register.get_json()["error"]["message"]
    vendor = factories.gen_vendor(db)
    db.commit()
    answers = factories.workbook({"Questions": [["ID", "Question", "Answer"],
                                                ["Q1", "Do you encrypt data at rest?", "Yes"]]})
    questionnaire = client.post(f"/api/v1/vendors/{vendor.id}/questionnaire-responses",
                                data={"file": (io.BytesIO(answers), "answers.xlsx"), "dry_run": "1"},
                                content_type="multipart/form-data")
    assert questionnaire.status_code == 422 and "took longer" in questionnaire.get_json()["error"]["message"]
