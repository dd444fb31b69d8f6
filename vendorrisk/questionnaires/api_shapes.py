"""The shapes of the questionnaire API (``questionnaires/api.py``): what it answers — templates,
formats, imports with their scores per article, responses, the chain the listed
subcontractors build — and what it accepts."""
from typing import Literal, Optional

from pydantic import BaseModel, Field, create_model

from vendorrisk.core.api import Flag, Public, columns
from vendorrisk.questionnaires.foreign import ROLES
from vendorrisk.questionnaires.models import (
    RESPONSE_FORMATS,
    QuestionnaireAnswer,
    QuestionnaireResponse,
    SubcontractorProposal,
)
from vendorrisk.vendors.api_shapes import LinkPublic


class QuestionFlag(Public):
    """Answers that raise a finding, and its severity."""

    answers: list[str]
    severity: str


class QuestionPublic(Public):
    """A question of a template."""

    id: str
    section: str
    text_ja: str
    text_en: str
    article: str
    citation_ja: str
    citation_en: str
    type: str
    required: bool
    weight: float
    expected: list[str]
    choices: list[str]
    flag: Optional[QuestionFlag]


class TemplatePublic(Public):
    """The latest version of a questionnaire template."""

    id: str
    version: int
    title_ja: str
    title_en: str
    questions: list[QuestionPublic]


class ProfilePublic(Public):
    """A questionnaire format recognised by its structure (CAIQ, HECVAT, SIG, Japanese check
    lists), and the templates of ours its answers are mapped onto."""

    id: str
    format: str
    title_ja: str
    title_en: str
    templates: list[str]


class QuestionnaireList(Public):
    """Templates and the formats recognised."""

    items: list[TemplatePublic]
    profiles: list[ProfilePublic]


class ArticleScorePublic(Public):
    """The answers serving one article: questions counted, answered, points and score (%)."""

    questions: int
    answered: int
    points: float
    possible: float
    score: Optional[float]


class UnansweredPublic(Public):
    """A question left blank: its id (or row), sheet, answer cell and text."""

    id: str
    sheet: str
    cell: str
    question: str


class QuestionnaireImport(Public):
    """What the import found (and stored, unless a dry run or a duplicate): the format and
    where it was read, answered and unanswered questions, scores overall and per article."""

    id: Optional[int] = Field(description="The stored response; null in a dry run")
    format: Literal[RESPONSE_FORMATS]
    profile_id: Optional[str] = Field(description="The format's profile that mapped and scored the answers")
    confidence: Optional[float] = Field(description="How surely the layout was detected (0-1); null for ours")
    template_id: Optional[str]
    template_version: Optional[int]
    layout: dict = Field(description="The sheets read: header row, columns by role (letters), counts")
    questions: int
    answered: int
    unanswered: list[UnansweredPublic] = Field(description="Questions left blank (at most 500)")
    score: Optional[float]
    article_scores: dict[str, ArticleScorePublic] = Field(description="By article served: '27(1)' ... '26(3)'")
    flags: int
    flagged: list[dict]
    subcontractors: int
    dry_run: bool
    duplicate: bool
    findings_created: int


class AnswerPublic(columns(QuestionnaireAnswer, exclude=("response_id",))):
    """An answer as imported, with its points and flag."""


class ProposalPublic(columns(SubcontractorProposal)):
    """A subcontractor the vendor listed, proposed for an arrangement's chain."""


class ResponsePublic(columns(QuestionnaireResponse)):
    """An imported response; with its answers and proposals when one is read."""

    answers: list[AnswerPublic] = Field(default_factory=list)
    proposals: list[ProposalPublic] = Field(default_factory=list)


class ResponsePage(Public):
    """A page of a vendor's responses, newest first."""

    items: list[ResponsePublic]
    page: int
    pages: int
    total: int


class ComparedAnswerPublic(Public):
    """A question's answer now and before."""

    key: str
    question: str
    change: Literal["added", "removed", "changed", "same"]
    previous: Optional[str]
    current: Optional[str]


class Comparison(Public):
    """Answer by answer, against the vendor's previous response to the same questionnaire."""

    response_id: int
    previous_id: Optional[int]
    answers: list[ComparedAnswerPublic]


class AcceptedProposal(Public):
    """The link created in the arrangement's chain."""

    link: LinkPublic


class PlannedLinkPublic(Public):
    """A listed subcontractor as the chain would take it: the registered vendor it matched
    (by corporate number or name; null: a new vendor), who contracts it, the tier, and what
    accepting does: add, linked (already recorded there), elsewhere (in the chain at
    another tier: not added twice), self, blocked (its contractor is not in the chain),
    skipped, or the proposal's status when reviewed."""

    proposal_id: int
    row: int
    name: str
    contracted_by: str
    vendor_id: Optional[int]
    matched_by: str
    parent_vendor_id: Optional[int]
    parent_row: Optional[int]
    parent_name: str
    tier: Optional[int]
    tiers: list[int]
    action: str


class TreeNodePublic(Public):
    """A node of the chain as it would be once accepted: existing, or to be added."""

    name: str
    tier: int
    state: Literal["existing", "add"]
    vendor_id: Optional[int]
    proposal_id: Optional[int]
    service: str
    children: list["TreeNodePublic"]


class ChainPlanPublic(Public):
    """The response's subcontractors planned into an arrangement's chain, before accepting."""

    response_id: int
    arrangement_id: int
    links: list[PlannedLinkPublic]
    tree: list[TreeNodePublic]


class AcceptedChain(Public):
    """The links created, parents first."""

    links: list[LinkPublic]


QuestionnaireUpload = create_model(
    "QuestionnaireUpload", __base__=BaseModel,
    __doc__="A filled questionnaire: our workbook, or a vendor's own (.xlsx or CSV) (multipart form). A layout "
            "not recognised is refused (422, the best guess in the details) until the form names sheets, a header "
            "row or columns, a profile, or confirmed=1.",
    file=(bytes, ...), dry_run=(Flag, Field(default=None, description="true: check only")),
    sheets=(Optional[list[str]], Field(default=None, description="Sheets to read (repeat the field)")),
    sheet=(Optional[str], Field(default=None, description="One sheet to read")),
    header_row=(Optional[int], None),
    profile=(Optional[str], Field(default=None, description="Profile id to score with, or 'none'")),
    confirmed=(Optional[Literal["0", "1"]], Field(default=None, description="1: import the detected layout")),
    **{f"{r}_column": (Optional[str], Field(default=None, description="Column letter ('' removes the role)"))
       for r in ROLES})


class WorkbookQuery(BaseModel):
    """Whom the workbook is for."""

    vendor_id: int


class ProposalAccept(BaseModel):
    """The arrangement whose chain the subcontractor joins."""

    arrangement_id: int


class ProposalReject(BaseModel):
    """Why the subcontractor is not added."""

    note: str = ""


class ChainQuery(BaseModel):
    """The arrangement whose chain the plan is for."""

    arrangement_id: int


class ChainAccept(BaseModel):
    """The arrangement, and the proposals to add (all the plan adds when omitted)."""

    arrangement_id: int
    proposal_ids: Optional[list[int]] = None


class ProposalWithdraw(BaseModel):
    """Why the link is removed from the chain."""

    reason: str
