"""Issue 16, finding 13: a full disk or read-only storage is a clear 503 with nothing partial
left in ``uploads/``, and ``/readyz`` says the app cannot work.

The faults are real: the upload folder (and, for SQLite, the database's folder) is a small
tmpfs mounted for the test, filled up or remounted read-only. Mounting needs root, which
the test machines and CI have."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from tests import factories
from tests.certificates.factories import upload_certificate
from tests.conftest import ENGINE, ApiClient, _make_app
from tests.openapi_contract import ContractCheckingClient
from vendorrisk.certificates.models import Certificate
from vendorrisk.core import users
from vendorrisk.core.models import StoredFile

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (as on CI)")


class Mount:
    """A tmpfs of ``size`` at ``path``, remountable read-only; unmounted at the end."""

    def __init__(self, path: Path, size: str):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)], check=True)

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.path)], check=False)


@pytest.fixture
def uploads(app):
    mount = Mount(Path(app.instance_path) / "uploads", "512k")
    yield mount
    mount.unmount()


def _leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _counts(db):
    db.rollback()
    return (db.scalar(select(func.count()).select_from(StoredFile)),
            db.scalar(select(func.count()).select_from(Certificate)))


def test_a_full_disk_is_a_503_and_leaves_no_partial_file(app, api, db, uploads):
    vendor = factories.gen_vendor(db)
    db.commit()
    client = api("compliance")
    small = upload_certificate(client, vendor.id)
    assert small.status_code == 201, small.get_data(as_text=True)
    kept = _leftovers(uploads.path)
    before = _counts(db)
    big = b"%PDF-1.4\n" + os.urandom(900 * 1024) + b"\n%%EOF\n"  # more than the 512 KB disk holds
    answer = upload_certificate(client, vendor.id, data=big, filename="big.pdf")
    assert answer.status_code == 503, answer.get_data(as_text=True)
    error = answer.get_json()["error"]
    assert error["code"] == "storage_unavailable" and "ENOSPC" in error["message"]
    assert _leftovers(uploads.path) == kept  # no temporary file left behind
    assert _counts(db) == before
    assert client.get(f"/api/v1/certificates/{small.get_json()['id']}/file").status_code == 200  # still reads


def test_read_only_storage_is_a_503_and_readyz_says_so(app, api, client, db, uploads):
    vendor = factories.gen_vendor(db)
    db.commit()
    assert client.get("/readyz").status_code == 200
    uploads.read_only()
    answer = upload_certificate(api("compliance"), vendor.id)
    assert answer.status_code == 503
    assert "EROFS" in answer.get_json()["error"]["message"]
    assert _counts(db) == (0, 0)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["storage"] == "not writable: EROFS" and ready.json["status"] == "unavailable"


def test_a_japanese_user_reads_the_503_in_japanese(app, api, db, uploads):
    vendor = factories.gen_vendor(db)
    db.commit()
    uploads.read_only()
    user = factories.gen_user(db, role="compliance", language="ja")
    _record, token = users.create_token(db, user, "ja")
    db.commit()
    answer = upload_certificate(ApiClient(app.test_client(), token), vendor.id)
    assert answer.status_code == 503
    assert "ファイル保存先が利用できません" in answer.get_json()["error"]["message"]


@pytest.fixture
def sqlite_on_tmpfs(template_db, tmp_path):
    """The app with its SQLite database in an instance folder on a tmpfs."""
    if ENGINE != "sqlite":
        pytest.skip("the SQLite file's folder")
    mount = Mount(tmp_path / "instance", "64m")
    shutil.copyfile(template_db.removeprefix("sqlite:///"), mount.path / "vendorrisk.sqlite")
    application = _make_app(f"sqlite:///{mount.path / 'vendorrisk.sqlite'}", mount.path)
    application.test_client_class = ContractCheckingClient
    yield application, mount
    application.extensions["vendorrisk.engine"].dispose()
    mount.unmount()


def test_a_read_only_instance_folder_makes_readyz_503(sqlite_on_tmpfs):
    app, mount = sqlite_on_tmpfs
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    app.extensions["vendorrisk.engine"].dispose()
    mount.read_only()
    ready = client.get("/readyz", headers={"Accept": "application/json"})
    assert ready.status_code == 503, ready.json
    # the probe's own answer, or the 503 every request gets when the database cannot be opened
    assert (ready.json.get("database", "").startswith(("not writable", "unreachable"))
            or ready.json["error"]["code"] == "database_unavailable"), ready.json
    page = client.get("/vendors/")
    assert page.status_code in (302, 503)  # never a 500


def test_a_read_only_postgresql_database_makes_readyz_503(app, client, database_url, pg_cluster):
    if ENGINE != "postgres":
        pytest.skip("PostgreSQL's read-only transactions")
    assert client.get("/readyz").status_code == 200
    name = database_url.rsplit("/", 1)[1]
    admin = create_engine(pg_cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    admin.dispose()
    app.extensions["vendorrisk.engine"].dispose()  # new connections take the setting
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["database"] == "not writable: read-only"
