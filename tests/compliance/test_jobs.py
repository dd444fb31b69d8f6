"""Exports as background jobs: the export URL answers 202 with the job's URL, the runner (the
scheduler's) builds the file, the job's URL answers its status and then the file; a job that
crashes is marked failed and can be restarted; each distinct reason is translated once."""
from datetime import timedelta

from sqlalchemy import select, update

from vendorrisk.compliance import jobs
from vendorrisk.compliance.models import ExportJob
from vendorrisk.core.models import AuditEntry, utcnow


def test_page_export_answers_202_with_a_progress_page_then_the_file(app, client, login, db, portfolio):
    login("auditor")
    started = client.get("/compliance/export/matrix.xlsx?status=gap")
    assert started.status_code == 202
    job_url = started.headers["Location"]
    page = started.get_data(as_text=True)
    assert 'data-test="export-progress"' in page and "job.js" in page
    again = client.get("/compliance/export/matrix.xlsx?status=gap")  # the same job, not a second one
    assert again.headers["Location"] == job_url
    assert len(db.scalars(select(ExportJob)).all()) == 1
    status = client.get(job_url + "?status").get_json()
    assert status["status"] == "queued" and status["kind"] == "matrix"
    assert jobs.run_pending(app) == 1
    done = client.get(job_url)
    assert done.status_code == 200 and done.mimetype.endswith("spreadsheetml.sheet")
    assert client.get(job_url + "?status").get_json()["status"] == "done"
    db.rollback()
    actions = {(e.action, e.entity) for e in db.scalars(select(AuditEntry))}
    assert {("create", "export_job"), ("export", "compliance_matrix"), ("download", "export_job")} <= actions


def test_api_export_job_status_then_file(app, api, portfolio):
    client = api("compliance")
    started = client.get("/api/v1/exports/dora?template=b0502")
    assert started.status_code == 202
    body = started.get_json()
    assert body["status"] == "queued" and body["url"] == started.headers["Location"]
    pending = client.get(body["url"])
    assert pending.status_code == 202 and pending.get_json()["progress"] == 0
    jobs.run_pending(app)
    done = client.get(body["url"])
    assert done.status_code == 200 and done.mimetype == "text/csv"
    assert done.data.decode("utf-8-sig").startswith("c0010,")
    assert client.get("/api/v1/exports/dora").status_code == 422
    assert client.get("/api/v1/exports/nothing").status_code == 404
    assert client.get("/api/v1/jobs/999999").status_code == 404


def test_a_crashed_job_is_marked_failed_and_can_be_restarted(app, api, db, portfolio):
    client = api("compliance")
    url = client.get("/api/v1/exports/register").get_json()["url"]
    job_id = int(url.rsplit("/", 1)[1])
    # a runner claimed it and died: its heartbeat stopped long ago
    db.execute(update(ExportJob.__table__).where(ExportJob.id == job_id)
               .values(status="running", runner="gone:1", heartbeat_at=utcnow() - timedelta(hours=1)))
    db.commit()
    assert jobs.run_pending(app) == 0  # nothing queued; the stalled one is reaped
    failed = client.get(url)
    assert failed.status_code == 409 and "restart it" in failed.get_json()["error"]["technical"]
    restarted = client.post(f"/api/v1/jobs/{job_id}/restart")
    assert restarted.status_code == 202 and restarted.get_json()["status"] == "queued"
    assert jobs.run_pending(app) == 1
    assert client.get(url).status_code == 200
    assert client.post(f"/api/v1/jobs/{job_id}/restart").status_code == 409  # done: nothing to restart


def test_a_failing_build_fails_its_job_and_the_runner_goes_on(app, api, portfolio, monkeypatch):
    client = api("compliance")

    def broken(session, params, out, progress):
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.KINDS, "register", jobs.KINDS["register"].__class__(
        "register", broken, jobs.KINDS["register"].filename, jobs.KINDS["register"].mimetype, "outsourcing_register"))
    first = client.get("/api/v1/exports/register").get_json()["url"]
    second = client.get("/api/v1/exports/dora?template=b0501").get_json()["url"]
    assert jobs.run_pending(app) == 2
    failed = client.get(first)
    assert failed.status_code == 409
    # the reader's sentence and the program's error side by side, never one inside the other
    error = failed.get_json()["error"]
    assert error["technical"] == "RuntimeError: disk full"
    assert "disk full" not in error["message"] and "Restart it" in error["message"]
    japanese = client.get(first, headers={"Accept-Language": "ja"}).get_json()["error"]
    assert "再実行" in japanese["message"] and "disk full" not in japanese["message"]
    assert japanese["technical"] == error["technical"]
    assert "disk full" in client.get(first + "?status").get_json()["error"]
    assert client.get(second).status_code == 200


def test_a_failed_jobs_page_says_so_in_words_and_shows_the_error_as_code(app, client, login, db, portfolio,
                                                                          monkeypatch):
    """The job's page put the program's error into the reader's sentence (「エクスポートに失敗しました:
    RuntimeError: disk full」): the sentence is the reader's, the error is marked as code."""
    def broken(session, params, out, progress):
        raise RuntimeError("disk full")

    kind = jobs.KINDS["matrix"]
    monkeypatch.setitem(jobs.KINDS, "matrix", kind.__class__("matrix", broken, kind.filename, kind.mimetype, kind.entity))
    login("compliance")
    job_url = client.get("/compliance/export/matrix.xlsx?status=gap").headers["Location"]
    assert jobs.run_pending(app) == 1
    page = client.get(job_url, headers={"Accept-Language": "ja"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "エクスポートに失敗しました。再実行してください。" in text
    assert '<code lang="en" data-test="export-error">RuntimeError: disk full</code>' in text


def test_each_distinct_reason_is_translated_once(app, db, monkeypatch):
    """The matrix export translates each distinct message once, not once per cell."""
    import io
    import json

    from tests.compliance.test_equivalence import _portfolio
    from vendorrisk.compliance import maintain, matrix, matrix_xlsx, store
    from vendorrisk.compliance.matrix_xlsx import spool_matrix

    ids = _portfolio(db)
    maintain.rebuild(db)
    db.commit()

    def nodes(value) -> int:  # messages in a stored text: each is translated once when shown
        if isinstance(value, dict):
            if "ja" in value:  # a name given in both languages: chosen, not translated
                return 1
            inner = value["p"].values() if "m" in value else value["i"]
            return 1 + sum(nodes(v) for v in inner)
        return 0

    reasons, labels = set(), set()
    obligation_ids = [o.id for o in matrix.all_obligations()]
    for _vid, _ob, _status, reason, links in store.raw_cells(db, ids, obligation_ids):
        reasons.add(reason)
        labels |= {json.dumps(label, sort_keys=True) for label, _href in json.loads(links)}
    bound = sum(nodes(json.loads(r)) for r in reasons) + sum(nodes(json.loads(label)) for label in labels)
    cells = len(ids) * len(obligation_ids)
    calls = []

    class Counting:  # the export looks the catalogue up once, then translates through it
        def get_translations(self):
            return self

        def gettext(self, key):
            calls.append(key)
            return key

    monkeypatch.setattr(matrix_xlsx, "get_domain", Counting)
    with app.test_request_context():
        assert spool_matrix(db, matrix.MatrixFilters(), io.BytesIO()) == cells
    assert 0 < len(calls) <= bound + 1 < cells  # + 1: the text of an unanswered cell, rendered once


def test_a_build_reads_one_snapshot_while_others_write(app, api, db, portfolio, monkeypatch):
    """An export read in batches is one moment's data: a vendor added while the job is being
    built is in none of its batches (PostgreSQL: the build reads in REPEATABLE READ)."""
    from sqlalchemy import func

    from tests import factories
    from vendorrisk.core.db import new_session
    from vendorrisk.vendors.models import Vendor
    seen = []

    def build(session, params, out, progress):
        seen.append(session.execute(select(func.count()).select_from(Vendor)).scalar_one())
        writer = new_session(writes=True)
        factories.gen_vendor(writer)
        writer.commit()
        writer.close()
        seen.append(session.execute(select(func.count()).select_from(Vendor)).scalar_one())
        out.write(b"ok")

    monkeypatch.setitem(jobs.KINDS, "register", jobs.KINDS["register"].__class__(
        "register", build, jobs.KINDS["register"].filename, jobs.KINDS["register"].mimetype, "outsourcing_register"))
    client = api("compliance")
    url = client.get("/api/v1/exports/register").get_json()["url"]
    assert jobs.run_pending(app) == 1
    assert client.get(url + "?status").get_json()["status"] == "done"
    assert seen == [seen[0], seen[0]] and db.scalar(select(func.count()).select_from(Vendor)) == seen[0] + 1
