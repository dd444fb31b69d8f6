"""Words for the audit trail page: what each recorded action, kind of record and field is
called in the reader's language (the trail stores table and column names)."""
from flask_babel import lazy_gettext as _l

from vendorrisk.vendors.exits import DISPOSITION_LABELS

ACTIONS = {
    "create": _l("Record created"), "update": _l("Record changed"), "delete": _l("Deleted"), "download": _l("Downloaded"),
    "export": _l("Exported"), "import": _l("Imported"), "denied": _l("Refused (not allowed)"),
    "approve": _l("Approved"), "reject": _l("Rejected"), "submit": _l("Submitted for approval"),
    "plan": _l("Review plans updated"), "link_decision": _l("Sub-outsourcing decision"),
    "remove_link": _l("Sub-outsourcing removed, with its reason"),
    "end_link": _l("Sub-outsourcing ended, with its reason"),
    "antisocial_check": _l("Anti-social forces check recorded"), "send": _l("Sent"), "withdraw": _l("Withdrawn"),
    "restart": _l("Export restarted"), "findings_passed_on": _l("Findings passed on (their owner was deactivated)"),
}

# What a step in a finding's history was (``finding_event.action``), as the finding page names it.
FINDING_ACTIONS = {
    "raised": _l("raised"), "status": _l("status"), "assigned": _l("assigned"), "plan": _l("Action plan"),
    "response": _l("Vendor response"), "evidence": _l("Evidence added"),
    "acceptance_requested": _l("Risk acceptance requested"), "acceptance_approved": _l("Risk acceptance approved"),
    "acceptance_rejected": _l("Risk acceptance rejected"), "acceptance_withdrawn": _l("Risk acceptance withdrawn"),
    "acceptance_expired": _l("Risk acceptance expired"), "acceptance_ended": _l("Risk acceptance ended"),
}

ENTITIES = {
    "vendor": _l("Vendor"), "vendor_contact": _l("Vendor contact"), "vendor_owner": _l("Assigned staff"),
    "arrangement": _l("Arrangement"), "outsourcing_link": _l("Sub-outsourcing"), "data_location": _l("Data location"),
    "user_account": _l("User"), "api_token": _l("API token"), "calendar_feed": _l("Calendar feed (.ics)"),
    "stored_file": _l("File"), "monitoring_review": _l("Monitoring review"), "review_attachment": _l("Review attachment"),
    "finding": _l("Finding"), "finding_event": _l("Finding history"),
    "selection_assessment": _l("Selection assessment"), "assessment_score": _l("Assessment score"),
    "assessment_evidence": _l("Assessment evidence"), "risk_tier_override": _l("Risk tier override"),
    "certificate": _l("Certificate or report"), "certificate_review": _l("Certificate review"),
    "certificate_subservice": _l("Subservice organisation"), "contract": _l("Contract"),
    "contract_version": _l("Contract version"), "clause_check": _l("Clause check"), "clause_review": _l("Clause review"),
    "questionnaire_response": _l("Questionnaire response"), "questionnaire_answer": _l("Answer to one question of a questionnaire"),
    "questionnaire_workbook": _l("Questionnaire workbook"), "subcontractor_proposal": _l("Proposed subcontractor"),
    "compliance_snapshot": _l("Compliance snapshot"),
    # the chains' register workbook (imported and exported on the Arrangements pages), not the
    # compliance export below: one name for the two read as one record in the filter
    "register": _l("Register workbook of the chains (import and export)"),
    "audit_entry": _l("Audit trail"), "route": _l("Page or API call"), "user_session": _l("Sign-in session"),
    "recovery_code": _l("Recovery code"),
    "antisocial_check": _l("Anti-social forces check"), "risk_acceptance": _l("Risk acceptance"),
    "finding_evidence": _l("Remediation evidence"), "questionnaire_campaign": _l("Questionnaire campaign"),
    "questionnaire_campaign_vendor": _l("Vendor of a questionnaire campaign"), "export_job": _l("Export"),
    "clause_example": _l("Clause example kept from a review"), "compliance_matrix": _l("Compliance matrix"),
    "outsourcing_register": _l("Outsourcing register"), "board_report": _l("Board report"),
    "dora_register": _l("DORA register of information"), "compliance_verdict": _l("Compliance verdict"),
    "compliance_vendor": _l("Facts of a vendor for the compliance matrix"),
    "compliance_count": _l("Count of the compliance matrix"), "compliance_state": _l("State of the compliance matrix"),
    "maintained_count": _l("Maintained count"),
    "test_mail": _l("Test e-mail"),
}

# Fields never shown on the page (kept in the CSV export): bookkeeping and fingerprints.
HIDDEN = {"id", "password_hash", "token_hash", "name_normalized", "open_vendor_id", "session_version", "sha256",
          "file_sha256", "criteria_hash", "title_key", "title_params", "description_key", "description_params",
          "closure_evidence_key", "closure_evidence_params", "note_key", "note_params", "approval_note_key",
          "approval_note_params", "updated_at", "last_used_at", "prefix",
          "library_version", "position", "key_hash", "code_hash", "secret", "totp_secret", "reason_key",
          "reason_params", "kana_key", "kana_missing", "heartbeat_at", "runner", "totp_last_step",
          "due_on"}  # due_on: a certificate's end kept from its expiry date or period end

# Fields that name a person or a vendor: shown by name.
PEOPLE = {"actor_id", "added_by_id", "approved_by_id", "closed_by_id", "completed_by_id", "created_by_id",
          "decided_by_id", "imported_by_id", "owner_id", "prepared_by_id", "raised_by_id", "recorded_by_id",
          "reviewed_by_id", "reviewer_id", "set_by_id", "uploaded_by_id", "user_id", "checked_by_id",
          "requested_by_id"}
VENDORS = {"vendor_id", "parent_vendor_id"}
VENDOR_LISTS = {"gap_vendor_ids"}

FIELDS = {
    "action": _l("Action"), "added_at": _l("Added"), "address": _l("Address"), "answered": _l("Answered"),
    "approval_basis": _l("Basis"), "approval_note": _l("Note"), "approval_status": _l("Approval"),
    "approved_on": _l("Approved on"), "arrangement_id": _l("Arrangement"), "article": _l("Article"),
    "assessment_id": _l("Selection assessment"), "assigned_at": _l("Assigned"), "at": _l("When"),
    "auto_status": _l("Automatic result"), "business_function": _l("Business function supported"),
    "cell": _l("Cell"), "certificate_id": _l("Certificate or report"), "check_id": _l("Clause check"),
    "checks": _l("Checks"), "clause_id": _l("Clause"), "closed_at": _l("Closed"),
    "closure_evidence": _l("Closure evidence"), "closure_file_id": _l("Closure file"), "comment": _l("Comment"),
    "completed_at": _l("Completed"), "computed_tier": _l("Computed"), "conclusion": _l("Conclusion"),
    "conditions": _l("Conditions"), "confidence": _l("Confidence"), "contract_id": _l("Contract"),
    "corporate_number": _l("Corporate number"), "country": _l("Country"), "covers_services": _l("Covers our services"),
    "created_at": _l("Created"), "criteria_snapshot": _l("Criteria"), "criteria_versions": _l("Criteria versions"),
    "criterion_id": _l("Criterion"), "cuecs": _l("Complementary user entity controls"),
    "cuecs_follow_up": _l("Follow-up of complementary controls"), "data_location": _l("Data location"),
    "decided_at": _l("Decided"), "decision": _l("Decision"), "decision_note": _l("Decision note"),
    "description": _l("Description"), "display_name": _l("Name"), "due_date": _l("Due date"), "email": _l("E-mail"),
    "end_date": _l("End date"), "ended_on": _l("Ended on"), "end_reason": _l("Reason for ending"), "evidence": _l("Evidence"), "exceptions_follow_up": _l("Follow-up of exceptions"),
    "exceptions_noted": _l("Exceptions noted"), "exit_plan": _l("Exit plan"), "exit_note": _l("Note on the exit"),
    "terminated_on": _l("Termination date"), "data_disposition": _l("What became of the data"),
    "data_disposition_confirmed_on": _l("Disposal confirmed on"), "expiry_date": _l("Expiry date"),
    "extracted_text": _l("Extracted text"), "extraction_note": _l("Extraction note"),
    "extraction_status": _l("Text extraction"), "ocr_state": _l("State of the OCR"), "ocr_reason": _l("Why the OCR failed"),
    "ocr_pages": _l("Pages read by OCR"), "ocr_claimed_at": _l("OCR started"), "file_id": _l("File"), "file_kind": _l("Kind of file"),
    "filename": _l("File name"), "finding_id": _l("Finding"), "flagged": _l("Flagged"), "flags": _l("Flags"),
    "format": _l("Format"), "frequency_months": _l("Months between reviews"), "from_status": _l("Status before"),
    "gap": _l("Gaps"), "gap_vendor_ids": _l("Vendors with a gap"), "handles_user_data": _l("Handles user data"),
    "is_active": _l("Active"), "is_cloud": _l("Cloud service"), "is_important": _l("Important function"),
    "is_primary": _l("primary"), "is_system_subsidiary": _l("System subsidiary"), "issue_date": _l("Issue date"),
    "issuer": _l("Issuer or auditor"), "knockouts": _l("Knock-out criteria"), "language": _l("Language"),
    "last_login_at": _l("Last sign-in"), "layout": _l("Layout"), "lei": _l("LEI"), "link_id": _l("Sub-outsourcing"),
    "location": _l("Location"), "mapping_id": _l("Mapping"), "max_points": _l("Maximum points"), "media_type": _l("File type"),
    "met": _l("Met"), "method": _l("Method"), "month": _l("Month"), "name": _l("Name"), "name_en": _l("English name"),
    "not_applicable": _l("Not applicable"), "note": _l("Note"), "notes": _l("Notes"),
    "notice_period_days": _l("Notice period (days)"), "number": _l("Version"), "obligation": _l("Obligation"),
    "opinion": _l("Opinion"), "original_filename": _l("File name"), "outcome": _l("Outcome"),
    "performed_on": _l("Performed on"), "period_end": _l("Period end"), "period_start": _l("Period start"),
    "phone": _l("Phone"), "planned_at": _l("Planned"), "points": _l("Points"), "previous_status": _l("Previous status"),
    "purpose": _l("Purpose"), "question_id": _l("Question"), "question_text": _l("Question"), "questions": _l("Questions"),
    "raised_at": _l("Raised"), "raw": _l("Answer as written"), "reason": _l("Reason"), "recommendation": _l("Recommendation"),
    "region": _l("Region"), "regions_covered": _l("Regions covered"), "resolved_at": _l("Resolved"),
    "response_id": _l("Questionnaire response"), "review_id": _l("Monitoring review"), "reviewed_at": _l("Reviewed"),
    "reviewed_on": _l("Reviewed on"), "reviewer_comment": _l("Reviewer's comment"), "reviewer_status": _l("Reviewer's result"),
    "revoked_at": _l("Revoked"), "risk_tier": _l("Risk tier"), "role": _l("Role"), "row": _l("Row"),
    "scope": _l("Scope"), "score": _l("Score"), "service": _l("Service"), "services": _l("Services"),
    "services_covered": _l("Services covered"), "set_at": _l("Set"), "severity": _l("Severity"), "sheet": _l("Sheet"),
    "size": _l("Size"), "source": _l("Source"), "source_id": _l("Question number in the file"),
    "source_ref": _l("Raised by"), "start_date": _l("Start date"), "started_at": _l("Started"), "status": _l("Status"),
    "structure_style": _l("Document structure"), "subcontracting_allowed": _l("Sub-outsourcing allowed"),
    "submitted_at": _l("Submitted"), "substitutability": _l("Substitutability"), "summary": _l("Summary"),
    "taken_at": _l("Recorded"), "template_id": _l("Questionnaire"), "template_version": _l("Questionnaire version"),
    "tier": _l("Risk tier"), "title": _l("Title"), "to_status": _l("Status after"), "total_percent": _l("Total score"),
    "touches_user_data": _l("Touches user data"), "treatment": _l("Treatment"), "type": _l("Type"),
    "uploaded_at": _l("Uploaded"), "user_data_categories": _l("User data categories"), "value": _l("Answer"),
    "vendor_facts": _l("Facts about the vendor"), "version_id": _l("Contract version"),
    "path": _l("Page address"), "bytes": _l("Size"), "search": _l("Search words"), "file": _l("File"), "user_agent": _l("Browser"),
    "remote_addr": _l("IP address"), "expires_at": _l("Expires"), "last_seen_at": _l("Last seen"),
    "ended_at": _l("Ended"), "ended_reason": _l("Why it ended"), "second_factor": _l("Second factor used"),
    "created": _l("Created"), "updated": _l("Changed"), "dropped": _l("Dropped"), "kind": _l("Kind"),
    "checked_on": _l("Checked on"), "result": _l("Result"), "evidence_text": _l("Evidence"),
    "evidence_file_id": _l("Evidence file"), "evidence_filename": _l("File name"), "next_due": _l("Next check due"),
    "evidence_sentence": _l("Sentence judged"), "evidence_heading": _l("Heading of the sentence"),
    "sentence": _l("Sentence judged"), "heading": _l("Heading of the sentence"), "label": _l("Carries the clause"),
    "document_kind": _l("Kind of document"), "params": _l("What was asked for"), "progress": _l("Progress"),
    "total": _l("In all"), "attempts": _l("Attempts"), "finished_at": _l("Finished"), "error": _l("Error"),
    "action_plan": _l("Action plan"), "vendor_response": _l("Vendor response"), "sent_on": _l("Sent on"),
    "message": _l("Message to the vendors"), "reply_to": _l("Reply-to address"),
    "campaign_id": _l("Questionnaire campaign"), "emails": _l("Sent to"), "sent_at": _l("Sent"),
    "returned_at": _l("Returned"), "profile_id": _l("Questionnaire format"), "article_scores": _l("Scores by article"),
    "mapped": _l("Answers read"), "used_at": _l("Used"), "rationale": _l("Rationale"), "expires_on": _l("Expires on"),
    "finding_status": _l("Status of the finding"), "requested_at": _l("Requested"),
    "contracted_by": _l("Contracted by"), "parent_row": _l("Row of the contracting subcontractor"),
    "totp_enabled_at": _l("Two-factor sign-in set up"), "name_kana": _l("Reading (フリガナ)"),
    "representative": _l("Representative (代表者)"), "links": _l("Proof"), "vendors": _l("Vendors"),
    "obligations": _l("Obligations"), "refreshed_on": _l("Refreshed on"), "rebuilt_at": _l("Rebuilt"),
    "arrangements": _l("Arrangements"), "important": _l("Important"), "cloud": _l("Cloud service"),
    "user_data": _l("User data"), "day": _l("Day"), "n": _l("Count"),
    "nominal_due_date": _l("Date asked for, before moving to a business day"),
    "nominal_next_due": _l("Date asked for, before moving to a business day"),
    "nominal_expires_on": _l("Date asked for, before moving to a business day"),
    # what a download or an export recorded beside its file
    "lang": _l("Language"), "checklist": _l("Checklist"), "set_checklist": _l("Checklist of the contract set"),
    "documents": _l("Documents"), "job_id": _l("Export"), "to": _l("Sent to"), "sent": _l("Sent without error"),
    "template": _l("Template"), "version": _l("Version"),
    "findings": _l("Findings"),  # how many findings a deactivated owner's were passed on
}
for _name in PEOPLE:
    FIELDS.setdefault(_name, _l("Person"))
FIELDS.update({"actor_id": _l("Person"), "owner_id": _l("Owner"), "user_id": _l("User"),
               "vendor_id": _l("Vendor"), "parent_vendor_id": _l("Vendor that sub-outsources"),
               "approved_by_id": _l("Approved by"), "raised_by_id": _l("Raised by"),
               "reviewer_id": _l("Reviewer"), "prepared_by_id": _l("Prepared by"), "set_by_id": _l("By"),
               "checked_by_id": _l("Checked by"), "requested_by_id": _l("Requested by")})

# Fields holding a code shown through the catalogue (``under_assessment`` → "under assessment").
CODES = {"status", "risk_tier", "tier", "computed_tier", "severity", "approval_status", "approval_basis", "method",
         "outcome", "decision", "recommendation", "purpose", "substitutability", "role", "from_status", "to_status",
         "auto_status", "reviewer_status", "previous_status", "opinion", "treatment", "source", "extraction_status",
         "finding_status"}

# Fields whose values are the program's or a machine's, not prose — a file's name or type, a
# page address, a network address, a browser, a fingerprint, an e-mail address, an identifier:
# shown as code (``<code lang="en">``), never put through the catalogue. A value with words of
# its own in ``VALUES`` (a download's ``format``) shows those words instead.
TECHNICAL = {"filename", "original_filename", "evidence_filename", "file", "media_type", "path", "user_agent",
             "remote_addr", "sha256", "file_sha256", "request_id", "email", "emails", "reply_to", "to", "format",
             "template", "profile_id", "lei", "corporate_number"}

# Codes whose words are not the code itself, field by field (the pages name them so too).
VALUES = {
    "document_kind": {"master": _l("Master agreement"), "dpa": _l("Data processing agreement (DPA)"),
                      "sla": _l("Service level agreement (SLA)"), "security": _l("Security exhibit"),
                      "memorandum": _l("Memorandum"), "order": _l("Individual contract or order"),
                      "other": _l("Other document")},
    "language": {"ja": _l("Japanese"), "en": _l("English")},
    # what became of an ended arrangement's data (``vendors.exits``, Art. 27(3)), as its page says it
    "data_disposition": DISPOSITION_LABELS,
    # a download's kind of file (``format: docx``), or the layout a questionnaire workbook was
    # read in (the questionnaires' own words; a recognised format's id shows as code)
    "format": {"xlsx": _l("Excel file"), "docx": _l("Word document"), "pdf": _l("PDF file"), "csv": _l("CSV file"),
               "zip": _l("ZIP archive"), "ics": _l("Calendar file (.ics)"), "json": _l("JSON file"),
               "native": _l("our workbook"), "caiq": _l("CSA CAIQ layout"), "generic": _l("another layout")},
}
# the OCR of a scanned contract version (``contracts.ocr_jobs``)
VALUES["ocr_state"] = {"queued": _l("Waiting for OCR"), "running": _l("OCR in progress"), "done": _l("read by OCR"),
                       "failed": _l("OCR failed"), "unavailable": _l("OCR not available")}
VALUES["lang"] = VALUES["language"]
# the kind of a stored contract file, as the upload form names the kinds
VALUES["file_kind"] = {"docx": _l("Word document"), "doc": _l("Word 97–2003 document"), "pdf": _l("PDF file"),
                       "txt": _l("Text file"), "md": _l("Markdown file"), "html": _l("Web page (HTML)"),
                       "rtf": _l("RTF document"), "png": _l("PNG image"), "jpeg": _l("JPEG image"),
                       "tiff": _l("TIFF image")}

# Where one field name means different things in different kinds of record, the meaning of
# one kind: its label (``FIELDS``), the words of its codes (``VALUES``) and whether its values
# are code (``TECHNICAL``), each over the field's common entry; and which of its fields are
# counts or lists of vendors. ``label``, ``values``, ``is_technical_field``, ``is_vendor_list``
# and ``is_count`` below are the only readers.
ENTITY_FIELDS = {
    # a refused request: the HTTP method, not how an anti-social forces check was done
    "route": {"method": _l("HTTP method")},
    # a contact's job title, not a record's title
    "vendor_contact": {"title": _l("Job title")},
    # an import of the chains' register counts the sub-outsourcing links it read (not the
    # proof a compliance verdict links to)
    "register": {"links": _l("Sub-outsourcing links")},
    # a monitoring review's checks, each named as the review page names it
    "monitoring_review": {"service_levels": _l("Service levels met"),
                          "incidents": _l("Incidents and their handling"),
                          "sub_outsourcing_changes": _l("Changes in sub-outsourcing"),
                          "certificates_reports": _l("Certificates and reports (ISO/IEC 27001, SOC2, ...)"),
                          "user_data_handling": _l("Handling of user data (Art. 26(3))"),
                          "data_locations": _l("Locations of user data")},
}
# Fields holding named parts, each part a result and a note (a review's ``checks``): by kind of record.
ENTITY_CHECKS = {"monitoring_review": {"checks"}}
CHECK_RESULTS = {"ok": _l("ok"), "issue": _l("issue"), "not_applicable": _l("not applicable")}
ENTITY_VALUES = {
    "antisocial_check": {
        "result": {"clear": _l("nothing found"), "concern": _l("needs review"), "hit": _l("match found")},
        "method": {"database": _l("database search"), "news": _l("news article search"),
                   "police_center": _l("enquiry to the police or 暴追センター"), "credit_agency": _l("credit agency"),
                   "declaration": _l("written declaration (表明確約書)"), "other": _l("other method")},
    },
    "finding_event": {"action": FINDING_ACTIONS},
    # an export job: what it builds, how far it is
    "export_job": {
        "kind": {"matrix": ENTITIES["compliance_matrix"], "register": ENTITIES["outsourcing_register"],
                 "board_report": ENTITIES["board_report"], "dora": ENTITIES["dora_register"],
                 "evidence_pack": _l("Evidence pack")},
        "status": {"queued": _l("Waiting to start"), "running": _l("In progress"), "done": _l("Ready")},
    },
}
ENTITY_TECHNICAL = {"route": {"method"}}
# Fields an event records as a number of records, by kind of record: shown as a count
# (「再委託 3 件」, as the import's own report says it; a bare 「再委託 3」 reads as a number naming one).
ENTITY_COUNTS = {
    "register": {"vendors", "arrangements", "links"},  # what an import of the register read
    "user_account": {"findings"},  # how many findings a deactivated owner's were passed on
    "arrangement": {"documents"},  # the documents a contract set's checklist covered
}
# Fields that list vendors by id in one kind of record (elsewhere the same name is a count).
ENTITY_VENDOR_LISTS = {"questionnaire_campaign": {"vendors"}}  # the vendors a campaign was sent to


def label(entity: str | None, key: str):
    """What a field is called in a kind of record (None: a field without words)."""
    return ENTITY_FIELDS.get(entity or "", {}).get(key) or FIELDS.get(key)


def values(entity: str | None, key: str) -> dict:
    """The words of a field's codes in a kind of record ({}: none)."""
    own = ENTITY_VALUES.get(entity or "", {})
    return own[key] if key in own else VALUES.get(key, {})


def is_technical_field(entity: str | None, key: str) -> bool:
    """Whether a field's values are code in a kind of record."""
    return key in TECHNICAL or key in ENTITY_TECHNICAL.get(entity or "", set())


def is_vendor_list(entity: str | None, key: str) -> bool:
    """Whether a field's value is a list of vendor ids in a kind of record."""
    return key in VENDOR_LISTS or key in ENTITY_VENDOR_LISTS.get(entity or "", set())


def is_count(entity: str | None, key: str) -> bool:
    """Whether a field's value is a number of records in a kind of record."""
    return key in ENTITY_COUNTS.get(entity or "", set())


def is_checks(entity: str | None, key: str) -> bool:
    """Whether a field's value names checks, each with its result and note, in a kind of record."""
    return key in ENTITY_CHECKS.get(entity or "", set())
