"""One title names one document of an arrangement's contract set, also when uploads that
start the same document arrive at the same moment (issue 13, item 3).

The requests are sent together (``tests.helpers.race``) to the app served live. On
PostgreSQL (``VENDORRISK_TEST_DB=postgres``) each has its own connection and READ COMMITTED
snapshot: all read the set before any of them starts the document, and without the unique
key on the title each started its own. On SQLite the writers queue on the write lock, so
each reads the set after the one before it committed; the outcome must be the same there."""
import io
from collections import Counter

from sqlmodel import select

from tests import factories
from tests.contracts.test_set_pages import _set_arrangement
from tests.contracts.test_sets import MASTER, SLA
from tests.helpers import race
from vendorrisk.contracts.models import Contract, ContractVersion
from vendorrisk.core import users

N = 6


def _tokens(db, count: int = N) -> list[str]:
    tokens = [users.create_token(db, factories.gen_user(db, role="compliance"), "race")[1] for _ in range(count)]
    db.commit()
    return tokens


def _documents(db, arrangement_id: int) -> dict[str, list[int]]:
    """Each document of the arrangement's set and its version numbers."""
    db.rollback()
    rows = db.exec(select(Contract.title, ContractVersion.number)
                   .join(ContractVersion, ContractVersion.contract_id == Contract.id)
                   .where(Contract.arrangement_id == arrangement_id)
                   .order_by(Contract.id, ContractVersion.number)).all()
    out: dict[str, list[int]] = {}
    for title, number in rows:
        out.setdefault(title, []).append(number)
    return out


def _file(data: bytes, name: str, i: int) -> tuple:
    # each request's own bytes (a line of its own), so that only the title is shared
    return ("files", (name, io.BytesIO(data + f"\n送信{i}\n".encode()), "text/plain"))


def test_sets_that_start_the_same_documents_at_once_make_one_document_of_each(app, db, live_server):
    arrangement = _set_arrangement(db)
    calls = [("POST", f"/api/v1/arrangements/{arrangement.id}/contract-set", token,
              {"files": [_file(SLA, "SLA.txt", i), _file(MASTER, "業務委託基本契約.txt", i)]})
             for i, token in enumerate(_tokens(db))]
    answers = race(live_server, calls)
    assert Counter(getattr(a, "status_code", repr(a)) for a in answers) == Counter({201: N}), \
        [getattr(a, "text", a) for a in answers]
    # every request's files went into the same two documents, each request one version of each
    assert _documents(db, arrangement.id) == {"SLA": list(range(1, N + 1)), "業務委託基本契約": list(range(1, N + 1))}
    for answer in answers:
        body = answer.json()
        assert [d["title"] for d in body["documents"]] == ["SLA", "業務委託基本契約"]
        assert [d["title"] for d in body["uploaded"]] == ["SLA", "業務委託基本契約"]
        covered = {c["clause_id"]: c["document"] for c in body["set_checks"] if c["status"] == "found"}
        assert covered["service_levels"] == "SLA" and covered["subcontracting"] == "業務委託基本契約"


def test_an_arrangements_first_contract_sent_twice_at_once_is_one_document(app, db, live_server):
    arrangement = _set_arrangement(db)
    calls = [("POST", f"/api/v1/arrangements/{arrangement.id}/contracts", token,
              {"files": {"file": ("基本契約.txt", io.BytesIO(MASTER + f"\n送信{i}\n".encode()), "text/plain")}})
             for i, token in enumerate(_tokens(db))]
    answers = race(live_server, calls)
    assert Counter(getattr(a, "status_code", repr(a)) for a in answers) == Counter({201: N}), \
        [getattr(a, "text", a) for a in answers]
    assert _documents(db, arrangement.id) == {"基本契約": list(range(1, N + 1))}


def test_a_new_contract_titled_twice_at_once_is_started_once_the_others_are_told(app, db, live_server):
    arrangement = _set_arrangement(db)
    calls = [("POST", f"/api/v1/arrangements/{arrangement.id}/contracts", token,
              {"data": {"title": "サービスレベル合意書", "document_kind": "sla"},
               "files": {"file": ("sla.txt", io.BytesIO(SLA + f"\n送信{i}\n".encode()), "text/plain")}})
             for i, token in enumerate(_tokens(db))]
    answers = race(live_server, calls)
    assert Counter(getattr(a, "status_code", repr(a)) for a in answers) == Counter({201: 1, 422: N - 1}), \
        [getattr(a, "text", a) for a in answers]
    for answer in answers:
        if answer.status_code == 422:
            error = answer.json()["error"]
            assert error["message"].startswith("The contract set already has a document titled サービスレベル合意書")
            assert error["details"][0]["field"] == "title"
    assert _documents(db, arrangement.id) == {"サービスレベル合意書": [1]}


def test_next_versions_of_one_document_sent_at_once_are_numbered_one_after_the_other(app, db, live_server, api):
    arrangement = _set_arrangement(db)
    first = api("compliance").post(f"/api/v1/arrangements/{arrangement.id}/contract-set",
                                   data={"files": [(io.BytesIO(SLA), "SLA.txt")]}, content_type="multipart/form-data")
    assert first.status_code == 201, first.get_json()
    # the same file again (a double submit): stored already, so nothing but the database sets the pace
    calls = [("POST", f"/api/v1/arrangements/{arrangement.id}/contract-set", token,
              {"files": [("files", ("SLA.txt", io.BytesIO(SLA), "text/plain"))]}) for token in _tokens(db)]
    answers = race(live_server, calls)
    assert Counter(getattr(a, "status_code", repr(a)) for a in answers) == Counter({201: N}), \
        [getattr(a, "text", a) for a in answers]
    assert _documents(db, arrangement.id) == {"SLA": list(range(1, N + 2))}
