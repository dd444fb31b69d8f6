"""Every API answer a test receives is checked against the OpenAPI document: the status must
be one its operation documents, a JSON body must match the documented schema, a file must
be of a documented media type. The ``app`` fixture's test clients do this on every call."""
import fnmatch
import re

from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from werkzeug.exceptions import MethodNotAllowed, NotFound

from vendorrisk.core.openapi import document

_ARGUMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
_KEY = "tests.openapi"


def _document(app) -> dict:
    if _KEY not in app.extensions:
        with app.app_context():
            app.extensions[_KEY] = {"document": document(app), "validators": {}}
    return app.extensions[_KEY]


def _validator(app, schema: dict, key) -> Draft202012Validator:
    cache = _document(app)["validators"]
    if key not in cache:
        cache[key] = Draft202012Validator({**schema, "components": _document(app)["document"]["components"]})
    return cache[key]


def check_answer(app, method: str, path: str, response) -> None:
    """Fail unless ``response`` to ``method path`` is what the OpenAPI document promises."""
    if not path.startswith("/api/v1/") or method in ("HEAD", "OPTIONS"):
        return
    try:
        rule, _args = app.url_map.bind("localhost").match(path, method=method, return_rule=True)
    except (NotFound, MethodNotAllowed):
        return  # routing answered; no operation is involved
    template = _ARGUMENT.sub(r"{\1}", rule.rule)
    operation = _document(app)["document"]["paths"].get(template, {}).get(method.lower())
    assert operation is not None, f"{method} {template} is served but not documented"
    status = str(response.status_code)
    answer = operation["responses"].get(status)
    assert answer is not None, (f"{method} {template} answered {status}, which it does not document "
                                f"(documented: {sorted(operation['responses'])}): "
                                f"{response.get_data(as_text=True)[:300]}")
    content = answer.get("content")
    if not content:
        assert not response.get_data(), f"{method} {template} {status} documents no body but sent one"
        return
    media = next((m for m in content if fnmatch.fnmatch(response.mimetype, m)), None)
    assert media is not None, f"{method} {template} {status} sent {response.mimetype}, documented {sorted(content)}"
    if media == "application/json":
        validator = _validator(app, content[media]["schema"], (template, method, status))
        errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.absolute_path))
        assert not errors, (f"{method} {template} {status} does not match its documented schema: "
                            + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]))


class ContractCheckingClient(FlaskClient):
    """A test client that checks every API answer against the OpenAPI document."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        check_answer(self.application, response.request.method, response.request.path, response)
        return response
