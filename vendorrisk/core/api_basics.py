"""API basics: the OpenAPI document and who-am-I."""
from typing import Literal, Optional

from flask import Blueprint, Flask, current_app, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from vendorrisk.core import auth
from vendorrisk.core.access import ALL_ROLES, allow, public
from vendorrisk.core.api import Public, add_api, check_query, json_body, operation
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.openapi import document

bp = Blueprint("api_core", __name__, url_prefix="/api/v1")


class UserPublic(Public):
    """The user owning the token."""

    id: int
    email: str
    role: str
    display_name: str
    language: Optional[str]


class MeUpdate(BaseModel):
    """Changes to one's own account; only the fields given change."""

    display_name: str = Field(default="", max_length=200)
    language: Optional[Literal["ja", "en"]] = Field(default=None, description="null: follow the browser")


class OpenAPIDocument(BaseModel):
    """An OpenAPI 3.1 document."""

    model_config = ConfigDict(extra="allow")
    openapi: str
    info: dict
    paths: dict
    components: dict


@bp.get("/openapi.json")
@public
@operation("getOpenAPI", "This document", ok=OpenAPIDocument)
def openapi():
    """The OpenAPI 3.1 document of the whole API."""
    return jsonify(document(current_app))


@bp.get("/me")
@allow(*ALL_ROLES)
@operation("getMe", "The user owning the token", ok=UserPublic)
def me():
    """The user owning the token."""
    return jsonify(UserPublic.dump(auth.current_user()))


@bp.patch("/me")
@allow("admin", "compliance", "procurement", "vendor_owner")
@operation("patchMe", "Change one's own display name or language", ok=UserPublic, body=MeUpdate)
def update_me():
    """Change one's own display name or language; any other field (the e-mail, the role) is
    refused, never ignored as though it had been changed."""
    body = json_body()
    user = auth.current_user()
    problems = [{"field": name, "message": _("Unknown field.")} for name in sorted(set(body) - set(MeUpdate.model_fields))]
    if "language" in body:
        if body["language"] not in ("ja", "en", None):
            problems.append({"field": "language", "message": _("Use 'ja', 'en' or null (follow the browser).")})
        else:
            user.language = body["language"]
    if "display_name" in body:
        if not isinstance(body["display_name"], str) or len(body["display_name"]) > 200:
            problems.append({"field": "display_name", "message": _("A text of at most 200 characters.")})
        else:
            user.display_name = body["display_name"]
    if problems:
        raise ValidationFailed(_("The changes are invalid."), problems)
    get_session().commit()
    return jsonify(UserPublic.dump(user))


def init_app(app: Flask) -> None:
    """Serve the OpenAPI document and who-am-I; check every API request's declared query
    parameters (after the access rule: an anonymous request is a 401 whatever it asks)."""
    add_api(app, bp, "account")
    app.before_request(check_query)
