"""Storing an imported response: the file, the response with its scores per article, every
answer (the unanswered ones too, blank), the subcontractors listed, and a finding per
flagged answer — ours, or a foreign answer as one of our questions."""
from sqlmodel import Session

from vendorrisk.core import audit, storage
from vendorrisk.core.uploads import Upload
from vendorrisk.questionnaires.models import QuestionnaireAnswer, QuestionnaireResponse, SubcontractorProposal
from vendorrisk.questionnaires.native import ParsedWorkbook
from vendorrisk.questionnaires.profiles import load_profiles
from vendorrisk.questionnaires.template_files import catalogue
from vendorrisk.vendors.findings import FindingSpec, english_title, raise_findings
from vendorrisk.vendors.models import Vendor

INSERT_BATCH = 500


def store_response(session: Session, vendor: Vendor, upload: Upload, sha256: str, parsed: ParsedWorkbook, result,
                   mapped: list[dict], user_id: int | None) -> tuple[QuestionnaireResponse, int]:
    """Add the response and everything it raises; return it and how many findings were created."""
    stored, _duplicate = storage.store(session, upload, user_id)
    response = QuestionnaireResponse(
        vendor_id=vendor.id, template_id=result.template_id, template_version=result.template_version,
        format=result.format, profile_id=result.profile_id, confidence=result.confidence, layout=parsed.layout,
        article_scores=result.article_scores, mapped=mapped, file_id=stored.id, file_sha256=sha256,
        filename=upload.filename[:300], questions=result.questions, answered=result.answered, score=result.score,
        flags=result.flags, imported_by_id=user_id)
    session.add(response)
    session.flush()
    _insert_answers(session, response.id, parsed.answers)
    for proposal in parsed.proposals:
        session.add(SubcontractorProposal(response_id=response.id, vendor_id=vendor.id, **proposal))
    specs = _native_findings(vendor, response, parsed) if parsed.template else _mapped_findings(vendor, response,
                                                                                                parsed, mapped)
    created = len(raise_findings(session, specs, raised_by_id=user_id))
    audit.add_event(session, action="import", entity="questionnaire_response", entity_id=response.id,
                    after={"vendor_id": vendor.id, "sha256": sha256, "format": result.format,
                           "profile": result.profile_id, "template": result.template_id,
                           "answers": len(parsed.answers), "answered": result.answered, "score": result.score,
                           "flags": result.flags})
    session.flush()
    return response, created


ANSWER_COLUMNS = ("response_id", "position", "question_id", "source_id", "sheet", "cell", "question_text", "value",
                  "raw", "comment", "points", "max_points", "flagged", "severity")


def _insert_answers(session: Session, response_id: int, answers) -> None:
    """Thousands of answers in a few executemany batches (bounded memory); the import itself
    is audited by the caller. On SQLite the rows go to the driver as tuples (no per-row
    parameter processing, a third of the time); elsewhere through SQLAlchemy Core, which
    batches them into multi-row INSERTs."""
    connection = session.connection()
    rows = [(response_id, a.position, a.question_id, a.source_id, a.sheet, a.cell, a.question_text, a.value, a.raw,
             a.comment, a.evaluation.points if a.evaluation else None,
             a.evaluation.max_points if a.evaluation else None, bool(a.evaluation and a.evaluation.flagged),
             a.evaluation.severity if a.evaluation else None) for a in answers]
    if connection.dialect.name == "sqlite":
        statement = (f"INSERT INTO {QuestionnaireAnswer.__tablename__} ({', '.join(ANSWER_COLUMNS)}) "
                     f"VALUES ({', '.join('?' * len(ANSWER_COLUMNS))})")
        for start in range(0, len(rows), INSERT_BATCH):
            connection.exec_driver_sql(statement, rows[start:start + INSERT_BATCH])
        return
    insert = QuestionnaireAnswer.__table__.insert()
    for start in range(0, len(rows), INSERT_BATCH):
        connection.execute(insert, [dict(zip(ANSWER_COLUMNS, row)) for row in rows[start:start + INSERT_BATCH]])


def _native_findings(vendor: Vendor, response: QuestionnaireResponse, parsed: ParsedWorkbook) -> list[FindingSpec]:
    """One finding per flagged answer of our own workbook."""
    template = parsed.template
    specs = []
    for answer in parsed.answers:
        if answer.evaluation is None or not answer.evaluation.flagged:
            continue
        question = template.question(answer.question_id)
        specs.append(FindingSpec(
            vendor_id=vendor.id, source="questionnaire", severity=answer.evaluation.severity,
            source_ref=f"questionnaire_response:{response.id}:{answer.question_id}",
            # Each reader sees the title and the description in their own language: stored as
            # keys and parameters (vendors.finding_titles, vendors.finding_texts).
            title=english_title("questionnaire_answer", params := {
                "question": answer.question_id, "answer": answer.raw,
                "text": {"ja": question.text_ja, "en": question.text_en}}),
            title_key="questionnaire_answer", title_params=params,
            description_key="questionnaire_answer", description_params={
                "questionnaire": _both(template.title), "version": template.version,
                "citation": _both(question.citation), "question": _both(question.text),
                "answer": answer.raw, "comment": answer.comment}))
    return specs


def _mapped_findings(vendor: Vendor, response: QuestionnaireResponse, parsed: ParsedWorkbook,
                     mapped: list[dict]) -> list[FindingSpec]:
    """One finding per question of ours that a foreign workbook's answers flag, naming the
    foreign questions and answers it was read from."""
    flagged = [m for m in mapped if m["flagged"]]
    if not flagged:
        return []
    templates = {t.id: t for t in catalogue().latest()}
    profile = next((p for p in load_profiles() if p.id == parsed.profile_id), None)
    name_ja, name_en = (profile.title_ja, profile.title_en) if profile else (parsed.format, parsed.format)
    rows = {(a.sheet, int(a.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") or 0)): a for a in parsed.answers}
    specs = []
    for item in flagged:
        question = templates[item["template_id"]].question(item["question_id"])
        sources = [rows.get((sheet, row)) for sheet, row, _id in item["sources"]]
        given = "; ".join(f"{a.source_id}: {a.raw}" for a in sources if a is not None and a.raw)
        specs.append(FindingSpec(
            vendor_id=vendor.id, source="questionnaire", severity=item["severity"],
            source_ref=f"questionnaire_response:{response.id}:{item['question_id']}",
            title=english_title("questionnaire_answer_mapped", params := {
                "format": {"ja": name_ja, "en": name_en}, "question": item["question_id"], "answer": given[:150],
                "text": {"ja": question.text_ja, "en": question.text_en}}),
            title_key="questionnaire_answer_mapped", title_params=params,
            description_key="questionnaire_answer_mapped", description_params={
                "format": {"ja": name_ja, "en": name_en}, "questionnaire": _both(templates[item["template_id"]].title),
                "citation": _both(question.citation), "question": _both(question.text), "answers": given}))
    return specs


def _both(text_in) -> dict:
    """A text of the questionnaire content in both languages (``text_in(language)``)."""
    return {"ja": text_in("ja"), "en": text_in("en")}
