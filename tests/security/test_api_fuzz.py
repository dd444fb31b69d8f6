"""The API fuzzed from its own generated OpenAPI document (schemathesis), on both engines:
no request schemathesis builds, valid or not, may get a 500, and every answer has a status
the document declares for the operation.

One app per module, with the demo portfolio loaded so that small ids name real records,
and an admin token (admins pass every access rule; the role matrix is
``test_write_routes.py``). Examples are bounded per operation (``MAX_EXAMPLES``) and
derandomised, so the run fits the suite's time budget and fails the same way twice."""
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy import create_engine, text

from tests.conftest import ENGINE, _make_app

MAX_EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzzed_app(template_db, tmp_path_factory, pg_cluster):
    """An app on its own copy of the migrated database, with the demo portfolio."""
    folder = tmp_path_factory.mktemp("fuzz")
    if ENGINE == "postgres":
        name = f"fuzz_{os.getpid()}"
        admin = create_engine(pg_cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE vr_template'))
        url = pg_cluster.url(name)
    else:
        import shutil
        shutil.copyfile(template_db.removeprefix("sqlite:///"), folder / "fuzz.sqlite")
        url = f"sqlite:///{folder / 'fuzz.sqlite'}"
    (folder / "instance").mkdir()
    app = _make_app(url, Path(folder / "instance"))
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    token = app.test_cli_runner().invoke(args=["create-token", "admin@example.jp"]).output.strip().splitlines()[-1]
    app.config["FUZZ_TOKEN"] = token
    yield app
    app.extensions["vendorrisk.engine"].dispose()
    if ENGINE == "postgres":
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_built_from_the_document_gets_a_500(fuzzed_app, api_schema, mode):
    """Valid requests (positive) and requests that break the document (negative) alike."""
    headers = {"Authorization": f"Bearer {fuzzed_app.config['FUZZ_TOKEN']}"}
    failures, operations = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=MAX_EXAMPLES)
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # collected: every operation tried, all failures reported
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert operations > 50
    assert not failures, "\n\n".join(failures)
