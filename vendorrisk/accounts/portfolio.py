"""Headline figures of the portfolio for the start page."""
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor


def headline_counts(session: Session) -> dict[str, int]:
    """Vendors, arrangements, links, links not approved and findings not closed, in one query."""
    def count(model, *conditions):
        return select(func.count()).select_from(model).where(*conditions).scalar_subquery()

    row = session.execute(select(
        count(Vendor).label("vendors"),
        count(Arrangement).label("arrangements"),
        count(OutsourcingLink).label("links"),
        count(OutsourcingLink, OutsourcingLink.approval_status != "approved").label("unapproved"),
        count(Finding, Finding.status != "closed").label("open_findings"),
    )).one()
    return dict(row._mapping)
