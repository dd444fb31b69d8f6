"""Which registered vendor a report's subservice organisation names.

A SOC report writes a company as its auditor does: full- or half-width, spaced or not, with
or without its legal form (「さくらデータセンター 株式会社」, "ＡＷＳ Japan"). The register keeps
each vendor's name normalised for exactly this comparison (``Vendor.name_normalized``, made
by ``vendors.service.normalise_name``: NFKC, case, spacing, punctuation, legal-form words), so
the organisation's name is normalised the same way and looked up there, on the index.

Several vendors can share a normalised name (株式会社さくら and さくら有限会社): then the one
spelled as the report spells it (``spelling_key``: width, case, spacing and punctuation
folded, the legal form kept) is meant; when none is, the match is ambiguous and no link is
added for it — a person chooses.
"""
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.service import normalise_name


def spelling_key(name: str) -> str:
    """A company name with only its spelling folded: NFKC, case-folded, without spaces and
    common punctuation. Unlike ``normalise_name`` it keeps legal-form words, so that of
    株式会社さくら and さくら有限会社, both registered, the one a report names is told apart."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(c for c in text if not c.isspace() and c not in ".,・()（）")


@dataclass(frozen=True)
class Match:
    """The vendor a name means (``None``: none registered), or ``ambiguous``: several could be."""

    vendor: Vendor | None = None
    ambiguous: bool = False


def match_vendor(session: Session, name: str) -> Match:
    """The registered vendor whose Japanese name, or English name, is ``name`` once normalised
    as the register normalises names; of several, the one spelled the same."""
    normalised = normalise_name(name)
    if not normalised:
        return Match()
    by_name = session.exec(select(Vendor).where(Vendor.name_normalized == normalised).order_by(Vendor.id)).all()
    # English names have no normalised column: compare those starting with the same letter
    # (either case), a few rows, not the whole register.
    first = unicodedata.normalize("NFKC", name).strip()[:1].lower()
    by_english = session.exec(select(Vendor).where(
        func.lower(func.substr(Vendor.name_en, 1, 1)) == first).order_by(Vendor.id)).all() if first else []
    candidates = list({v.id: v for v in [*by_name, *(v for v in by_english
                                                     if normalise_name(v.name_en) == normalised)]}.values())
    if len(candidates) <= 1:
        return Match(candidates[0] if candidates else None)
    key = spelling_key(name)
    spelled = [v for v in candidates if key in (spelling_key(v.name), spelling_key(v.name_en))]
    return Match(spelled[0]) if len(spelled) == 1 else Match(ambiguous=True)
