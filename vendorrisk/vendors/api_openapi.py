"""OpenAPI fragment of the chains API (``api/chains.py``): paths and schemas."""
from vendorrisk.core.api import error_responses, json_response


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _query(name: str, kind: str = "string", description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind}, "description": description}


def _page_of(name: str) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total"],
            "properties": {"items": {"type": "array", "items": _ref(name)}, "page": {"type": "integer"},
                           "per_page": {"type": "integer"}, "total": {"type": "integer"}}}


def _op(op_id: str, summary: str, ok: dict, errors=(401, 403), **extra) -> dict:
    status = extra.pop("status", "200")
    return {"operationId": op_id, "summary": summary, "tags": ["chains"],
            "responses": {status: ok, **error_responses(*errors)}, **extra}


S, I, B, N = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": ["string", "null"]}
DATE = {"type": ["string", "null"], "format": "date"}
PAGE = [_query("page", "integer"), _query("per_page", "integer")]

VENDOR_FIELDS = {"name": S, "name_en": S, "corporate_number": N, "lei": N, "country": S, "address": S,
                 "is_system_subsidiary": B, "is_cloud": B, "risk_tier": N, "notes": S}
ARRANGEMENT_FIELDS = {"title": S, "service": S, "business_function": S, "is_important": B, "is_cloud": B,
                      "handles_user_data": B, "user_data_categories": {"type": "array", "items": S},
                      "subcontracting_allowed": B, "substitutability": {"enum": ["easy", "medium", "hard"]},
                      "start_date": DATE, "end_date": DATE, "notice_period_days": {"type": ["integer", "null"]},
                      "exit_plan": S}
APPROVAL = {"approval_status": {"enum": ["approved", "pending", "unapproved"]},
            "approval_basis": {"enum": ["prior_consent", "notification", None]}, "approved_on": DATE,
            "approval_note": S}

SCHEMAS = {
    "Vendor": {"type": "object", "required": ["id", "name"], "properties": {
        "id": I, **VENDOR_FIELDS, "status": S, "created_at": S, "updated_at": S}},
    "VendorCreate": {"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
        **VENDOR_FIELDS, "confirm_duplicate": {**B, "description": "Register even though another vendor has the same normalised name."}}},
    "VendorUpdate": {"type": "object", "additionalProperties": False, "properties": {
        **VENDOR_FIELDS, "status": {"enum": ["prospect", "under_assessment", "approved", "conditionally_approved",
                                             "rejected", "terminated"]}, "confirm_duplicate": B}},
    "Arrangement": {"type": "object", "required": ["id", "vendor_id", "title"], "properties": {
        "id": I, "vendor_id": I, **ARRANGEMENT_FIELDS, "status": S, "created_at": S,
        "data_locations": {"type": "array", "items": _ref("DataLocation")}}},
    "ArrangementCreate": {"type": "object", "required": ["vendor_id", "title"], "additionalProperties": False,
                          "properties": {"vendor_id": I, **ARRANGEMENT_FIELDS}},
    "ArrangementUpdate": {"type": "object", "additionalProperties": False,
                          "properties": {**ARRANGEMENT_FIELDS, "status": {"enum": ["active", "terminated"]}}},
    "Link": {"type": "object", "required": ["id", "arrangement_id", "parent_vendor_id", "vendor_id"], "properties": {
        "id": I, "arrangement_id": I, "parent_vendor_id": I, "vendor_id": I, "service": S, "touches_user_data": B,
        **APPROVAL, "approved_by_id": {"type": ["integer", "null"]}, "created_at": S}},
    "LinkCreate": {"type": "object", "required": ["parent_vendor_id", "vendor_id"], "additionalProperties": False,
                   "properties": {"parent_vendor_id": I, "vendor_id": I, "service": S, "touches_user_data": B}},
    "LinkUpdate": {"type": "object", "additionalProperties": False,
                   "properties": {"service": S, "touches_user_data": B, **APPROVAL}},
    "DataLocation": {"type": "object", "properties": {
        "id": I, "arrangement_id": {"type": ["integer", "null"]}, "link_id": {"type": ["integer", "null"]},
        "country": S, "region": S, "purpose": S}},
    "LocationCreate": {"type": "object", "required": ["country"], "properties": {
        "link_id": {"type": "integer", "description": "A link of this arrangement; omit for the arrangement itself."},
        "country": S, "region": S, "purpose": {"enum": ["storage", "processing", "both"]}}},
    "ChainNode": {"type": "object", "required": ["vendor_id", "parent_vendor_id", "tier", "is_final"], "properties": {
        "vendor_id": I, "parent_vendor_id": {"type": ["integer", "null"]}, "link_id": {"type": ["integer", "null"]},
        "tier": I, "path": {"type": "array", "items": I}, "path_names": {"type": "array", "items": S},
        "is_final": B, "vendor_name": S, "service": N, "approval_status": N,
        "touches_user_data": {"type": ["boolean", "null"]}}},
    "Chain": {"type": "object", "required": ["arrangement_id", "nodes"], "properties": {
        "arrangement_id": I, "tier1_vendor_id": I, "depth": I, "final_contractor_ids": {"type": "array", "items": I},
        "nodes": {"type": "array", "items": _ref("ChainNode")}}},
    "Exposure": {"type": "object", "required": ["vendor_id", "arrangements"], "properties": {
        "vendor_id": I, "arrangements": {"type": "array", "items": {"type": "object", "properties": {
            "arrangement_id": I, "title": S, "tier1_vendor_id": I, "tiers": {"type": "array", "items": I},
            "is_important": B, "handles_user_data": B, "status": S}}}}},
    "Concentration": {"type": "object", "required": ["vendors"], "properties": {
        "limit": I, "offset": I, "vendors": {"type": "array", "items": {"type": "object", "properties": {
            "vendor_id": I, "name": S, "name_en": S, "is_cloud": B, "country": S, "status": S,
            "arrangement_count": I, "important_count": I, "user_data_count": I, "direct_count": I,
            "indirect_count": I}}}}},
    "Gaps": {"type": "object", "required": ["arrangements"], "properties": {
        "arrangements": {"type": "array", "items": {"type": "object", "properties": {
            "arrangement_id": I, "title": S, "vendor_id": I, "vendor_name": S, "is_important": B,
            "unapproved_links": I, "links_without_location": I, "arrangement_without_location": B}}}}},
    "ImportReport": {"type": "object", "properties": {
        "dry_run": B, "vendors": I, "arrangements": I, "links": I, "locations": I}},
    "VendorPage": _page_of("Vendor"),
    "ArrangementPage": _page_of("Arrangement"),
}

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

OPENAPI = {
    "paths": {
        "/api/v1/vendors": {
            "get": _op("listVendors", "Vendors, searched and filtered", json_response("A page of vendors", _ref("VendorPage")),
                       parameters=[_query("q", description="Name in Japanese or English, or corporate number"),
                                   _query("status"), _query("risk_tier"),
                                   _query("position", description="tier1, subcontractor or none"),
                                   _query("cloud"), _query("subsidiary"), *PAGE]),
            "post": _op("createVendor", "Register a vendor", json_response("The vendor", _ref("Vendor")),
                        (400, 401, 403, 409, 422), status="201", requestBody=_body("VendorCreate"))},
        "/api/v1/vendors/{vendor_id}": {
            "get": _op("getVendor", "One vendor", json_response("The vendor", _ref("Vendor")), (401, 403, 404),
                       parameters=[_id("vendor_id")]),
            "patch": _op("updateVendor", "Change a vendor (and its lifecycle status)", json_response("The vendor", _ref("Vendor")),
                         (400, 401, 403, 404, 409, 422), parameters=[_id("vendor_id")], requestBody=_body("VendorUpdate"))},
        "/api/v1/vendors/{vendor_id}/exposure": {
            "get": _op("getVendorExposure", "Arrangements whose chains contain the vendor, with tiers",
                       json_response("Exposure", _ref("Exposure")), (401, 403, 404), parameters=[_id("vendor_id")])},
        "/api/v1/arrangements": {
            "get": _op("listArrangements", "Outsourcing arrangements", json_response("A page of arrangements", _ref("ArrangementPage")),
                       parameters=[_query("vendor_id", "integer"), *PAGE]),
            "post": _op("createArrangement", "Record an arrangement (its vendor is tier 1)",
                        json_response("The arrangement", _ref("Arrangement")), (400, 401, 403, 422), status="201",
                        requestBody=_body("ArrangementCreate"))},
        "/api/v1/arrangements/{arrangement_id}": {
            "get": _op("getArrangement", "One arrangement", json_response("The arrangement", _ref("Arrangement")),
                       (401, 403, 404), parameters=[_id("arrangement_id")]),
            "patch": _op("updateArrangement", "Change an arrangement", json_response("The arrangement", _ref("Arrangement")),
                         (400, 401, 403, 404, 422), parameters=[_id("arrangement_id")], requestBody=_body("ArrangementUpdate"))},
        "/api/v1/arrangements/{arrangement_id}/chain": {
            "get": _op("getArrangementChain", "The chain: every node with tier, path and final contractors",
                       json_response("The chain", _ref("Chain")), (401, 403, 404), parameters=[_id("arrangement_id")])},
        "/api/v1/arrangements/{arrangement_id}/links": {
            "post": _op("addLink", "Add a sub-outsourcing link", json_response("The link", _ref("Link")),
                        (400, 401, 403, 404, 409, 422), status="201", parameters=[_id("arrangement_id")],
                        requestBody=_body("LinkCreate"),
                        description="409 when the link would link a vendor to itself or close a cycle; 422 when "
                                    "the parent is not in this arrangement's chain. Nothing changes on refusal.")},
        "/api/v1/arrangements/{arrangement_id}/locations": {
            "post": _op("addDataLocation", "Record where user data is stored or processed",
                        json_response("The location", _ref("DataLocation")), (400, 401, 403, 404, 422), status="201",
                        parameters=[_id("arrangement_id")], requestBody=_body("LocationCreate"))},
        "/api/v1/links/{link_id}": {
            "get": _op("getLink", "One sub-outsourcing link", json_response("The link", _ref("Link")), (401, 403, 404),
                       parameters=[_id("link_id")]),
            "patch": _op("updateLink", "Change a link or record its approval (compliance)",
                         json_response("The link", _ref("Link")), (400, 401, 403, 404, 422),
                         parameters=[_id("link_id")], requestBody=_body("LinkUpdate")),
            "delete": _op("deleteLink", "Remove a link", {"description": "Removed"}, (401, 403, 404, 409),
                          status="204", parameters=[_id("link_id")])},
        "/api/v1/concentration": {
            "get": _op("getConcentration", "Vendors most depended on, at any tier",
                       json_response("Most depended-on first", _ref("Concentration")),
                       parameters=[_query("limit", "integer"), _query("offset", "integer")])},
        "/api/v1/gaps": {
            "get": _op("getGaps", "Arrangements with unapproved links or unrecorded user-data locations",
                       json_response("Arrangements with gaps", _ref("Gaps")))},
        "/api/v1/register.xlsx": {
            "get": _op("exportRegister", "The register as an Excel workbook",
                       {"description": "The workbook", "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}})},
        "/api/v1/register/import": {
            "post": _op("importRegister", "Import vendors, arrangements and links from a workbook (all or nothing)",
                        json_response("What was (or would be) stored", _ref("ImportReport")), (400, 401, 403, 422),
                        parameters=[_query("dry_run", description="true: check only"), _query("filename")],
                        requestBody={"required": True, "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}})},
    },
    "components": {"schemas": SCHEMAS},
}
