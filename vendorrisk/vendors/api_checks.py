"""反社会的勢力チェック API: a vendor's checks and whether one is current, and recording one
(evidence as text here; a file is attached on the vendor's page)."""
from datetime import date
from typing import Optional

from flask import Blueprint, g, jsonify

from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Public, columns, json_body, operation
from vendorrisk.core.db import get_session
from vendorrisk.vendors import antisocial
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.antisocial import CheckCreate
from vendorrisk.vendors.models import AntisocialCheck

bp = Blueprint("api_checks", __name__, url_prefix="/api/v1")


class CheckPublic(columns(AntisocialCheck)):
    """A check: when, how, what it found, the evidence, the next due date."""


class CheckList(Public):
    """A vendor's checks, newest first, and whether it has a current one (needed to approve it)."""

    vendor_id: int
    current: bool
    next_due: Optional[date]
    items: list[CheckPublic]


@bp.get("/vendors/<int:vendor_id>/antisocial-checks")
@allow(*ALL_ROLES)
@operation("listAntisocialChecks", "A vendor's 反社会的勢力チェック", ok=CheckList, errors=(404,))
def list_checks(vendor_id):
    """The vendor's checks and its standing."""
    session = get_session()
    vendor = vendor_service.get_vendor(session, vendor_id)
    found = antisocial.standing(session, vendor.id)
    return jsonify(CheckList.dump(vendor_id=vendor.id, current=found.current, next_due=found.due,
                                  items=antisocial.checks_of(session, vendor.id)))


@bp.post("/vendors/<int:vendor_id>/antisocial-checks")
@allow("compliance", "procurement", "vendor_owner")
@operation("recordAntisocialCheck", "Record a 反社会的勢力チェック", ok=CheckPublic, status=201, body=CheckCreate,
           errors=(404,))
def record(vendor_id):
    """Record a check (JSON ``checked_on``, ``method``, ``result``, ``evidence_text``,
    optional ``next_due``); vendor owners for their own vendors."""
    session = get_session()
    vendor = vendor_service.get_vendor(session, vendor_id)
    vendor_service.require_edit(session, g.user, vendor.id)
    check = antisocial.record_check(session, vendor, json_body(), g.user.id)
    session.commit()
    return jsonify(CheckPublic.dump(check)), 201
