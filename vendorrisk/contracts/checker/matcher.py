"""Deciding, for each required clause, found / needs review / not found in one contract.

Every sentence of the contract (``reading.Unit``: located, parties marked) is scored by
the learned scorer for every clause; the clause library's patterns are features of that
scorer, not the decision. For a clause:

- the document's evidence for the clause (``evidence``: the best sentences, the best
  article taken together, the library's phrases and headings, who owes the best sentence)
  gives its score;
- **found** when that score reaches the ``found`` threshold of the document's language
  (chosen in training so that on documents without the clause a false *found* is rare),
  the best sentence is the provider's obligation where direction matters (a duty of the
  customer towards the provider — ``利用者は…直ちに当社に通知`` — is not the provider's
  incident notification; such sentences never count for those clauses), carries no
  negative pattern of the library and does not merely refer to another document;
- **not found** below the ``review`` threshold;
- **needs review** between the two, or when direction, a negative pattern or a reference
  stops a document that would otherwise be found.

The reason is a key with parameters (``reasons.render`` writes it in Japanese or English);
in a PDF or a scan, ``page`` names the page the evidence sentence starts on.
A scanned PDF, or one whose text is neither Japanese nor English (a font without a character
map), gets *needs review* for every clause; in a PDF of which some pages are
scanned, a clause not found in the text is *needs review* (it may be on those pages). Reviewer examples (``scorer.Example``)
change the scores of the sentences near them (``scorer.Memory``) before the document is
judged.
"""
import re
from dataclasses import dataclass, field

from vendorrisk.contracts.checker import evidence, reasons
from vendorrisk.contracts.checker.document import Structure
from vendorrisk.contracts.checker.library import Clause
from vendorrisk.contracts.checker.parties import CUSTOMER, EACH, NOBODY, PROVIDER
from vendorrisk.contracts.checker.reading import Reading, read
from vendorrisk.contracts.checker.scorer import Model, ModelMissing, load_model
from vendorrisk.core import time_budget

FOUND, NOT_FOUND, NEEDS_REVIEW = "found", "not_found", "needs_review"
STATUSES = (FOUND, NOT_FOUND, NEEDS_REVIEW)
EXCERPT_CHARS = 360
# Clauses that are obligations of the provider: a customer's duty never counts for them.
# Confidentiality since round 12: the labels count a confidentiality owed only by the customer
# (keeping the provider's secrets) as absent, as for the other duties here.
PROVIDER_DUTIES = frozenset({
    "incident_notification", "subcontracting", "service_levels", "security_requirements", "key_management",
    "business_continuity", "monitoring_reporting", "user_data_handling", "data_location", "confidentiality"})
# Clauses that are rights of the customer: the provider's own right ("Ⓟ may audit Ⓒ's
# records", a licensor auditing its licensee) never counts for them (round 12).
CUSTOMER_RIGHTS = frozenset({"audit_rights"})


def counts(unit, clause_id: str) -> bool:
    """Whether ``unit`` may count as evidence of ``clause_id``: not a customer's duty for a
    provider's duty, not a provider's right for a customer's right."""
    if clause_id in PROVIDER_DUTIES and unit.obligor == (CUSTOMER, "shall"):
        return False
    return not (clause_id in CUSTOMER_RIGHTS and unit.obligor == (PROVIDER, "may"))


@dataclass(frozen=True)
class ClauseResult:
    """The automatic answer for one clause: status, confidence, reason and evidence."""

    clause_id: str
    status: str
    confidence: float
    reason: str
    evidence: str = ""
    location: str = ""
    article: str = ""
    reason_key: str = ""
    reason_params: dict = field(default_factory=dict, hash=False, compare=False)
    sentence: str = ""  # the sentence judged, parties marked (kept as a reviewer's example)
    heading: str = ""

    def reason_in(self, lang: str) -> str:
        """The reason in ``lang`` (``ja`` or ``en``)."""
        return reasons.render(self.reason_key, self.reason_params, lang) if self.reason_key else self.reason


def excerpt(text: str, focus: str = "", limit: int = EXCERPT_CHARS) -> str:
    """A passage cut to ``limit`` characters around ``focus`` (the sentence or phrase)."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    at = text.lower().find(focus.lower()[:80]) if focus else 0
    start = max(0, min(at - limit // 3, len(text) - limit)) if at > 0 else 0
    cut = text[start:start + limit]
    return ("…" if start else "") + cut + ("…" if start + limit < len(text) else "")


def _result(clause: Clause, status: str, confidence: float, key: str, params: dict, unit=None) -> ClauseResult:
    if unit is not None:
        params = {"location": unit.passage.location, **params}
        if (page := unit.passage.page_of(unit.text)) is not None:  # a PDF's or a scan's page
            params["page"] = page
    text = reasons.render(key, params, "en")
    if unit is None:
        return ClauseResult(clause.id, status, round(confidence, 3), text, reason_key=key, reason_params=params)
    return ClauseResult(clause.id, status, round(confidence, 3), text, excerpt(unit.passage.text, unit.text),
                        unit.passage.location, unit.passage.label or "", key, params, unit.marked, unit.heading)


# A sentence that only sends the reader to another document of the set (an SLA, a DPA, a
# security exhibit) is not the clause itself: that document must be uploaded to the set.
REFERENCE = re.compile(
    r"(別途(締結|定め|合意)\S{0,20}?(合意書|契約|覚書|規程|規定|仕様書|sla|dpa)\S{0,6}?(に定める|による|のとおり|に従)"
    r"|(as|to the extent) (set (forth|out)|described|defined|specified|provided|outlined) in (the |a |any |each )?(separate |applicable )?"
    r"(service level agreement|sla|dpa|data processing (agreement|addendum)|security (exhibit|addendum|schedule|policy)"
    r"|statement of work|order form|master agreement|(support )?service (annex|description)|annex [a-z0-9]+))"
    # a duty that depends on a document which may not exist: "comply with the Security Policy, if any"
    r"|\b(policy|policies|agreement|addendum|exhibit|schedule|annex|sla|dpa),? if any\b", re.I)
REFERENCE_MAX = {"ja": 90, "en": 220}


def _only_refers(unit) -> str:
    """The reference when the sentence does no more than refer to another document."""
    m = REFERENCE.search(unit.text)
    japanese = bool(re.search(r"[\u3040-\u30ff]", unit.text))
    return m.group(0) if m and len(unit.text) <= REFERENCE_MAX["ja" if japanese else "en"] else ""


def _pattern_phrase(unit, clause: Clause) -> str:
    lowered = unit.text.lower()
    for recognition in clause.recognition.values():
        for pattern in recognition.key_phrases:
            if m := pattern.search(lowered):
                return m.group(0)
    return ""


def _has_essential(clause: Clause, reading: Reading, unit) -> bool:
    """Whether the clause's essential element is written in the article of ``unit``."""
    label, part = unit.passage.label, unit.passage.part
    text = " ".join(u.text for u in reading.units if u.passage is unit.passage or
                    (label is not None and u.passage.label == label and u.passage.part == part)).lower()
    return any(p.search(text) for r in clause.recognition.values() for p in r.essential)


def _first_best(probabilities: list[float], usable: list[bool], wanted: bool) -> int | None:
    """The first unit of the highest probability among those whose ``usable`` is ``wanted``."""
    chosen = [p for p, ok in zip(probabilities, usable) if ok is wanted]
    if not chosen:
        return None
    top = max(chosen)
    i = probabilities.index(top)
    while usable[i] is not wanted:
        i = probabilities.index(top, i + 1)
    return i


def decide(clause: Clause, reading: Reading, scored: list[list[float]], model: Model, lang: str = "",
           shared: dict | None = None) -> ClauseResult:
    """The result for ``clause`` from the per-unit probabilities ``scored`` (``shared``: a
    dictionary kept between the clauses of one reading, for what they have in common)."""
    slot = model.slot(clause.id)
    if slot is None:
        return _result(clause, NEEDS_REVIEW, 0.0, "not_trained", {})
    if not reading.units:
        return _result(clause, NEEDS_REVIEW, 0.0, "no_sentences", {})
    lang = lang or evidence.language(reading.units)
    found_t, review_t = model.found(lang), model.review(lang)
    probabilities = [row[slot] for row in scored]
    shared = {} if shared is None else shared
    # which units may count depends on the clause only through these two (speed22: computed once)
    kind = (clause.id in PROVIDER_DUTIES, clause.id in CUSTOMER_RIGHTS)
    if kind not in shared:
        shared[kind] = [counts(u, clause.id) for u in reading.units]
    usable = shared[kind]
    if "sections" not in shared:
        shared["sections"] = evidence.sections(reading.units)
    base = 1 / (1 + pow(2.718281828, -max(-30.0, min(30.0, model.bias[slot]))))
    features = evidence.document_features(reading.units, probabilities, clause.id, usable, lang, base,
                                          shared["sections"])
    value = evidence.stacker_score(model.stacker, features, slot, len(model.clause_ids))
    confidence = 1 / (1 + pow(2.718281828, -max(-30.0, min(30.0, value))))
    best = _first_best(probabilities, usable, True)
    blocked = _first_best(probabilities, usable, False)
    if best is None or value < review_t:
        if blocked is not None and probabilities[blocked] >= 0.5 and (best is None or
                                                                      probabilities[blocked] > probabilities[best]):
            unit = reading.units[blocked]
            return _result(clause, NEEDS_REVIEW, probabilities[blocked], "direction", {}, unit)
        return _result(clause, NOT_FOUND, 1 - confidence, "not_found", {"score": f"{confidence:.2f}"})
    unit = reading.units[best]
    params = {"score": f"{confidence:.2f}", "heading": unit.heading[:60], "owner": unit.obligor[0] or ""}
    if clause.id in unit.negative_hits:
        # the best sentence says the opposite of the clause (may freely subcontract) or only obeys
        # the law: needs review for that reason, whether or not the score would have been found (round 14)
        phrase = next((m.group(0) for r in clause.recognition.values() for pat in r.negative
                       if (m := pat.search(unit.text.lower()))), "")
        return _result(clause, NEEDS_REVIEW, confidence, "negative", {**params, "phrase": phrase}, unit)
    if reference := _only_refers(unit):  # found or not, the clause is in the document it points to
        return _result(clause, NEEDS_REVIEW, confidence, "referenced", {**params, "reference": reference}, unit)
    if value >= found_t:
        if unit.obligor[0] in (PROVIDER, EACH, NOBODY, "") or clause.id not in PROVIDER_DUTIES:
            params["pattern"] = _pattern_phrase(unit, clause)
            if clause.essential_label and not _has_essential(clause, reading, unit):
                # found, but its essential element (a deadline, a named place, exit
                # assistance, return or deletion) is not in the article: the reason says so
                params["essential"] = clause.essential_label
                return _result(clause, FOUND, confidence, "found_without_essential", params, unit)
            return _result(clause, FOUND, confidence, "found", params, unit)
    return _result(clause, NEEDS_REVIEW, confidence, "weak", params, unit)


def score_units(reading: Reading, model: Model, memory=None) -> list[list[float]]:
    """Every unit's probability for every clause of the model (``memory``: the
    installation's reviewer examples, ``Model.adapt``)."""
    scored = []
    base = model.scores(())
    for i, unit in enumerate(reading.units):
        if i % 256 == 0:
            time_budget.check()
        scored.append(model.scores(unit.features, memory) if unit.candidate else base)
    return scored


def check_contract(structure: Structure, clauses, unread: str = "", examples=(), model: Model | None = None,
                   reading: Reading | None = None, scanned_pages: tuple[int, ...] = (),
                   unreadable_pages: tuple[int, ...] = ()) -> list[ClauseResult]:
    """Check every clause of ``clauses`` in a parsed contract (``unread``: the reason key when
    its text was not read — ``scanned``, ``unreadable_text`` —, every clause then needs review;
    ``examples``: reviewer examples of this installation, which adapt the scorer before it
    scores; ``scanned_pages``: pages of a PDF that are images, where a clause not found in the
    text may be written; ``unreadable_pages``: pages whose text was glyph numbers, left out, likewise)."""
    clauses = list(clauses)
    if unread:
        return [_result(c, NEEDS_REVIEW, 0.0, unread, {}) for c in clauses]
    try:
        model = model or load_model()
    except ModelMissing:
        return [_result(c, NEEDS_REVIEW, 0.0, "no_model", {}) for c in clauses]
    reading = reading or read(structure, clauses)
    memory = model.adapt(list(examples)) if examples else None
    scored = score_units(reading, model, memory)
    lang = evidence.language(reading.units)
    shared: dict = {}
    results = [decide(clause, reading, scored, model, lang, shared) for clause in clauses]
    if scanned_pages or unreadable_pages:
        key = "partly_scanned" if scanned_pages else "partly_unreadable"
        pages = ", ".join(str(n) for n in scanned_pages or unreadable_pages)
        results = [_result(clause, NEEDS_REVIEW, r.confidence, key, {"pages": pages})
                   if r.status == NOT_FOUND else r for clause, r in zip(clauses, results)]
    return results


def check_clause(structure: Structure, clause: Clause, lang: str = "en") -> ClauseResult:
    """Decide found / not found / needs review for one clause in one contract (the contract
    is read with the whole library, as ``check_contract`` reads it)."""
    from vendorrisk.contracts.checker.library import library
    return check_contract(structure, [clause], reading=read(structure, library()))[0]
