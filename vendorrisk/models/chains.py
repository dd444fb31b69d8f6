"""Indexes that the chain queries need, declared here so the foundation models stay as they are.

The unique constraint ``uq_link_once`` (arrangement, parent, vendor) already serves the walk
down a chain; walking up (a vendor's exposure) needs (arrangement, vendor).
"""
from sqlalchemy import Index

from .vendors import Arrangement, OutsourcingLink

Index("ix_link_arrangement_vendor", OutsourcingLink.__table__.c.arrangement_id,
      OutsourcingLink.__table__.c.vendor_id, OutsourcingLink.__table__.c.parent_vendor_id)
Index("ix_arrangement_status_vendor", Arrangement.__table__.c.status, Arrangement.__table__.c.vendor_id)
