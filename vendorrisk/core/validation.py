"""Validating input with pydantic models: unknown fields refused, errors turned into
``ValidationFailed`` with one detail per field, in the user's language where known."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError

from vendorrisk.core.errors import ValidationFailed

# Pydantic's own messages for the usual mistakes, in its exact English words, so that they
# can be shown in the user's language; our validators' ValueErrors are translated where raised.
_PYDANTIC_MESSAGES = {
    "missing": _l("Field required"),
    "int_parsing": _l("Input should be a valid integer, unable to parse string as an integer"),
    "int_type": _l("Input should be a valid integer"),
    "int_from_float": _l("Input should be a valid integer, got a number with a fractional part"),
    "float_parsing": _l("Input should be a valid number, unable to parse string as a number"),
    "bool_parsing": _l("Input should be a valid boolean, unable to interpret input"),
    "bool_type": _l("Input should be a valid boolean"),
    "string_type": _l("Input should be a valid string"),
    "date_type": _l("Input should be a valid date"),
    "literal_error": _l("Choose one of the options."),
    "enum": _l("Choose one of the options."),
}


def _pydantic_message(err: dict) -> str:
    text = err.get("msg", "invalid")
    kind, ctx = err.get("type"), err.get("ctx") or {}
    if kind in _PYDANTIC_MESSAGES:
        return str(_PYDANTIC_MESSAGES[kind])
    if kind == "string_too_long" and text == f"String should have at most {ctx.get('max_length')} characters":
        return _("String should have at most %(max_length)s characters", max_length=ctx["max_length"])
    if kind in ("date_parsing", "date_from_datetime_parsing"):
        # pydantic's reason ("invalid date separator, expected `-`") is English whatever the reader's
        return _("Enter the date as YYYY-MM-DD.")
    return text.removeprefix("Value error, ")


def too_long(value: str | None, limit: int) -> str | None:
    """The message for a text over ``limit`` characters ("At most 2,000 characters."), or None."""
    if value and len(value) > limit:
        return _("At most %(count)s characters.", count=f"{limit:,}")
    return None


def within(value: str, limit: int) -> str:
    """``value`` stripped, or ``ValueError`` (a field validator's refusal) when it is over
    ``limit`` characters."""
    value = value.strip()
    if problem := too_long(value, limit):
        raise ValueError(problem)
    return value


def validation_error(exc: ValidationError, message: str | None = None) -> ValidationFailed:
    """Turn a pydantic error into our ``ValidationFailed`` with one detail per field, in the
    user's language where the message is known."""
    details = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ())) or "body"
        details.append({"field": field, "message": _pydantic_message(err)})
    return ValidationFailed(message or _("The input is invalid."), details)


def parse(model: type[BaseModel], data: dict) -> BaseModel:
    """Validate ``data`` with ``model``; unknown fields are refused."""
    unknown = sorted(set(data) - set(model.model_fields))
    if unknown:
        raise ValidationFailed(_("Unknown fields."), [{"field": k, "message": _("Unknown field.")} for k in unknown])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None
