"""What every API module shares: registration, request bodies, the read models that shape
answers, and the declaration of each operation from which ``core.openapi`` writes the document.

An API view states its operation once, beside its route::

    @bp.get("/vendors/<int:vendor_id>")
    @allow(*ALL_ROLES)
    @operation("getVendor", "One vendor", ok=VendorPublic, errors=(404,))
    def get_vendor(vendor_id): ...

and answers with ``VendorPublic.dump(vendor)``: the model that documents the answer is the
one that writes it. API blueprints are exempt from CSRF because they accept bearer tokens
only, never cookies.
"""
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, Callable, Literal, Optional, Union, get_args, get_origin

from flask import Flask, current_app, request
from flask_babel import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError
from sqlmodel import SQLModel

from vendorrisk.core import registry
from vendorrisk.core.errors import MalformedJSON, ValidationFailed
from vendorrisk.core.textfields import unwritable_problem


def add_api(app: Flask, blueprint, tag: str) -> None:
    """Register an area's API blueprint (CSRF-exempt); its operations appear in the
    OpenAPI document under ``tag``."""
    app.register_blueprint(blueprint)
    app.extensions["csrf"].exempt(blueprint)
    registry.of(app).api_tags[blueprint.name] = tag


MAX_JSON_DEPTH = 32  # no request body of this API nests deeper than a few levels


def json_body() -> dict:
    """The request's JSON object; malformed or too deeply nested JSON is a 400, a non-object
    a 422, and so is text that cannot be stored (control characters, lone surrogates)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"Malformed JSON: {exc}")
    except RecursionError:
        raise MalformedJSON(f"Malformed JSON: nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(body, dict):
        raise ValidationFailed("The request body must be a JSON object.")
    _check_values(body)
    return body


def _check_values(body: dict) -> None:
    """Refuse a body nested too deeply, or holding a string (key or value) that cannot be stored."""
    problems, pending = [], [((), body, 1)]
    while pending:
        path, value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise MalformedJSON(f"Malformed JSON: nested deeper than {MAX_JSON_DEPTH} levels")
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            where = (*path, key)
            message = unwritable_problem(key) if isinstance(key, str) else None
            message = message or unwritable_problem(item)
            if message:
                problems.append({"field": ".".join(repr(p)[1:-1] if isinstance(p, str) else str(p) for p in where),
                                 "message": message})
            elif isinstance(item, (dict, list)):
                pending.append((where, item, depth + 1))
    if problems:
        raise ValidationFailed(_("The request holds characters that cannot be stored."), problems)


def check_query() -> None:
    """Before an API view runs, refuse query parameters its operation declares but that do
    not fit the declaration (``ValidationFailed``, 422, one detail per parameter): an
    unknown filter value or a malformed number would otherwise be ignored, and a typo'd
    filter answer the whole list as though it had matched."""
    view = current_app.view_functions.get(request.endpoint or "")
    op = getattr(view, "api_operation", None)
    if op is None or op.query is None:
        return
    fields = op.query.model_fields
    given = {name: value for name, value in request.args.items() if name in fields and value != ""}
    try:
        op.query.model_validate(given)
    except ValidationError as exc:
        details = [{"field": ".".join(str(p) for p in err["loc"]), "message": _query_message(err)}
                   for err in exc.errors()]
        raise ValidationFailed(_("Check the query parameters: %(names)s.",
                                 names=", ".join(d["field"] for d in details)), details) from None


# A yes/no query parameter reads the same on every route: true/false, 1/0 or yes/no (any case).
FLAG_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def query_flag(value: Any) -> Optional[bool]:
    """A yes/no query parameter's value: ``True``, ``False``, or ``None`` when absent or empty
    (no filter). Anything but the words of ``FLAG_WORDS`` raises ``ValueError``; ``check_query``
    has refused it (422) before the view reads it."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text not in FLAG_WORDS:
        raise ValueError(f"not a yes/no value: {value!r}")
    return FLAG_WORDS[text]


def flag_arg(values, name: str) -> Optional[bool]:
    """The yes/no parameter ``name`` of ``values`` (``request.args``, or a form's fields read
    the same way), refused (422) when it is not one of the words ``check_query`` accepts."""
    try:
        return query_flag(values.get(name))
    except ValueError:
        raise ValidationFailed(_("Check the query parameters: %(names)s.", names=name),
                               [{"field": name, "message": _("true or false (1 or 0, yes or no are accepted "
                                                             "too).")}]) from None


def _flag(value: Any) -> Optional[bool]:
    try:
        return query_flag(value)
    except ValueError:
        raise PydanticCustomError("query_flag", "true or false (also 1/0, yes/no)") from None


# The type of every yes/no query parameter of the API (``field: Flag = Field(None, description=...)``);
# the OpenAPI document calls it a boolean and names the other spellings accepted.
Flag = Annotated[Optional[bool], BeforeValidator(_flag),
                 WithJsonSchema({"type": ["boolean", "null"], "x-also-accepted": ["1", "0", "yes", "no"]})]


def _query_message(err: dict) -> str:
    ctx = err.get("ctx") or {}
    if err["type"] == "query_flag":
        return _("true or false (1 or 0, yes or no are accepted too).")
    if err["type"] == "literal_error":
        return _("Choose one of %(choices)s.", choices=ctx["expected"])
    if err["type"] == "greater_than_equal":
        return _("At least %(number)s.", number=ctx["ge"])
    if err["type"] == "less_than_equal":
        return _("At most %(number)s.", number=ctx["le"])
    if err["type"] in ("int_parsing", "int_from_float"):
        return _("A whole number.")
    return err.get("msg", "invalid")


def jsonable(value: Any) -> Any:
    """``value`` with dates and datetimes as ISO 8601 text, recursively (Flask's JSON would
    write them as HTTP dates)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


class Public(BaseModel):
    """Base of the API's read models (full-stack-fastapi-template's ``ItemPublic``): the
    documented shape of an answer, and what writes it."""

    model_config = ConfigDict(json_schema_extra={"additionalProperties": False})

    @classmethod
    def dump(cls, source: Any = None, /, **fields) -> dict:
        """The JSON body for ``source`` (an object or a mapping) and ``fields``: the declared
        fields they hold (nested read models written the same way), values as they are and
        dates as ISO 8601. Nothing is converted or refused here: the tests check every
        answer against the documented schema."""
        writers, keep_all = _plan(cls)
        if isinstance(source, dict):
            values = source if keep_all else {k: v for k, v in source.items() if k in writers}
        elif source is not None:
            values = {name: getattr(source, name) for name in writers if hasattr(source, name)}
        else:
            values = {}
        if fields:
            values = {**values, **fields}
        body = {}
        for name, value in values.items():
            write = writers.get(name, jsonable)
            body[name] = value if write is None else write(value)
        return body


@lru_cache(maxsize=None)
def _plan(model: type[Public]) -> tuple[dict[str, Callable | None], bool]:
    """How ``model.dump`` writes each field (None: as it is), and whether undeclared keys are kept."""
    writers = {name: _writer(info.annotation) for name, info in model.model_fields.items()}
    return {k: (None if w is _as_it_is else w) for k, w in writers.items()}, model.model_config.get("extra") == "allow"


def _writer(annotation) -> Callable[[Any], Any]:
    """How a value of ``annotation`` is written: read models (also in lists, dicts and
    optionals) by their ``dump``, anything else by ``jsonable``."""
    if isinstance(annotation, type) and issubclass(annotation, Public):
        return lambda value: None if value is None else annotation.dump(value)
    origin, args = get_origin(annotation), get_args(annotation)
    kinds = [a for a in args if a is not type(None)]
    if origin is Union and len(kinds) == 1:
        return _writer(kinds[0])
    if annotation in (str, int, float, bool) or origin is Literal:
        return _as_it_is
    if origin is list and _holds_read_model(args[0]):
        item = _writer(args[0])
        return lambda value: None if value is None else [item(v) for v in value]
    if origin is dict and _holds_read_model(args[1]):
        item = _writer(args[1])
        return lambda value: None if value is None else {k: item(v) for k, v in value.items()}
    return jsonable


def _as_it_is(value):
    return value


def _holds_read_model(annotation) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, Public):
        return True
    return any(_holds_read_model(a) for a in get_args(annotation))


def _required(annotation):
    """``Optional[X]`` -> ``X``."""
    if get_origin(annotation) is Union and type(None) in get_args(annotation):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        return rest[0] if len(rest) == 1 else Union[tuple(rest)]
    return annotation


def columns(table: type[SQLModel], *, exclude: tuple[str, ...] = ()) -> type[Public]:
    """A read-model base holding the columns of ``table`` (all present in an answer; the
    primary key never null), less ``exclude``; subclass it to add what the API computes."""
    fields = {}
    for name, info in table.model_fields.items():
        if name in exclude:
            continue
        column = table.__table__.c.get(name)
        annotation = _required(info.annotation) if column is not None and column.primary_key else info.annotation
        fields[name] = (annotation, ...)
    return create_model(f"{table.__name__}Columns", __base__=Public, **fields)


def page_of(item: type[Public], name: str) -> type[Public]:
    """The read model of a page of ``item``: ``items``, ``page``, ``per_page``, ``total``
    (``dump`` it from a ``core.pagination.Page``)."""
    return create_model(name, __base__=Public, __doc__=f"A page of {item.__name__}, with the page's position.",
                        items=(list[item], ...), page=(int, ...), per_page=(int, ...), total=(int, ...))


class PageQuery(BaseModel):
    """Query parameters of a paginated list."""

    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=50, ge=1, le=500, description="At most 500")


class ErrorDetail(Public):
    """What went wrong: a stable code, a message in the user's language and the details
    (one entry per field, or per sheet/row/cell of a workbook)."""

    code: str
    message: str
    details: Union[list, dict]
    technical: Optional[str] = Field(default=None, description="The program's own words of what failed (an "
                                     "export job's error), not translated: for an administrator; absent when none")


class Error(Public):
    """Every refusal of the API."""

    error: ErrorDetail


@dataclass(frozen=True)
class Binary:
    """A file in a request or an answer: its media type and what it is."""

    media_type: str
    description: str = "A file"


Answer = Union[type[BaseModel], Binary, None]


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says of one API route (see ``operation``)."""

    id: str
    summary: str
    ok: Answer = None
    status: int = 200
    body: Optional[type[BaseModel]] = None
    body_required: bool = True
    form: Optional[type[BaseModel]] = None
    upload: Optional[Binary] = None
    query: Optional[type[BaseModel]] = None
    errors: tuple[int, ...] = ()
    also: dict[int, tuple[str, Answer]] = field(default_factory=dict)
    description: str = ""


def operation(operation_id: str, summary: str, **declared):
    """Declare a view's API operation: ``ok`` (the read model or ``Binary`` of the success
    answer, none for 204) with ``status``; the request as ``body`` (JSON model),
    ``form`` (multipart model) or ``upload`` (a raw file); ``query`` (a model of the query
    parameters); ``errors`` the refusal statuses beyond those the access rule and the
    request kind imply; ``also`` other success answers ``{status: (description, ok)}``."""
    declared["errors"] = tuple(declared.get("errors", ()))
    op = Operation(operation_id, summary, **declared)

    def mark(view):
        view.api_operation = op
        return view
    return mark
