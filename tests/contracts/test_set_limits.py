"""What a contract set may cost and leave behind: one parse budget for the whole set, the
permission check before any file is read, nothing left on disk by a set refused part-way,
and a usable title for every file of the set."""
import time
from pathlib import Path

from sqlmodel import select

from tests.contracts.test_contracts import _stored
from tests.contracts.test_set_pages import _api_set, _send_set, _set_arrangement
from tests.contracts.test_sets import MASTER, SLA
from vendorrisk.contracts import checker, service
from vendorrisk.contracts.models import Contract, ContractVersion
from vendorrisk.core import storage, time_budget


def test_a_set_shares_one_parse_budget(client, login, db, app, monkeypatch):
    arrangement = _set_arrangement(db)
    app.config["PARSE_TIMEOUT_SECONDS"] = 1
    real, reads = checker.check, []

    def slow(*args, **kwargs):  # each file takes most of the budget
        reads.append(1)
        time.sleep(0.7)
        time_budget.check()
        return real(*args, **kwargs)

    monkeypatch.setattr(checker, "check", slow)
    login("compliance")
    response = _send_set(client, arrangement.id, [(SLA, f"doc{i}.txt") for i in range(4)])
    assert response.status_code == 422  # not 4 × 1 s
    assert len(reads) == 2  # files 3 and 4 refused without being read
    assert "took longer than 1 seconds" in response.get_data(as_text=True)
    assert _stored(db) == (0, 0, 0)


def test_a_refused_user_is_refused_before_any_file_is_read(client, login, api, db, monkeypatch):
    arrangement = _set_arrangement(db)
    reads = []
    real = service.prepare_version
    monkeypatch.setattr(service, "prepare_version", lambda *a, **k: reads.append(1) or real(*a, **k))
    login("vendor_owner")  # of another vendor
    assert _send_set(client, arrangement.id, [(SLA, f"doc{i}.txt") for i in range(3)]).status_code == 403
    assert _api_set(api("vendor_owner"), arrangement.id, [(SLA, "doc.txt")]).status_code == 403
    assert reads == []


def _files_on_disk(app):
    root = Path(app.instance_path) / "uploads"
    return sorted(p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_a_set_refused_part_way_leaves_no_file_on_disk(client, login, db, app, monkeypatch):
    arrangement = _set_arrangement(db)
    login("compliance")
    assert _send_set(client, arrangement.id, [(MASTER, "基本契約.txt")]).status_code == 302
    before, real_put, puts = _files_on_disk(app), storage.LocalBackend.put, []

    def put(self, sha256, data):  # the third file meets a full disk
        puts.append(sha256)
        if len(puts) == 3:
            raise storage.unavailable("ENOSPC", writing=True)
        return real_put(self, sha256, data)

    monkeypatch.setattr(storage.LocalBackend, "put", put)
    response = _send_set(client, arrangement.id, [(MASTER, "基本契約.txt"), (SLA, "SLA.txt"),
                                                  (SLA + b"\n", "DPA.txt")])
    assert response.status_code == 503 and len(puts) == 3
    assert _stored(db) == (1, 1, 1)
    assert _files_on_disk(app) == before  # SLA.txt's file went with its row; 基本契約's, still used, stays


def test_a_file_named_by_blanks_only_starts_its_own_document(client, login, db):
    arrangement = _set_arrangement(db)
    login("compliance")
    assert _send_set(client, arrangement.id, [(MASTER, "基本契約.txt"), (SLA, "SLA.txt")]).status_code == 302
    response = _send_set(client, arrangement.id, [(MASTER, "\u3000.txt"), (MASTER + b"\n", "\u00a0.md")])
    assert response.status_code == 302
    db.rollback()
    rows = db.exec(select(Contract.title, ContractVersion.number)
                   .join(ContractVersion, ContractVersion.contract_id == Contract.id)).all()
    first_line = MASTER.decode().strip().splitlines()[0].strip()
    # one title names one document: the second is numbered, and a file of that name is its next version
    assert sorted(rows) == sorted([("基本契約", 1), ("SLA", 1), (first_line, 1), (f"{first_line} (2)", 1)])
    assert _send_set(client, arrangement.id, [(MASTER, f"{first_line} (2).txt")]).status_code == 302
    db.rollback()
    numbered = db.exec(select(Contract).where(Contract.title == f"{first_line} (2)")).one()
    assert db.exec(select(ContractVersion.number).where(ContractVersion.contract_id == numbered.id)).all() == [1, 2]
