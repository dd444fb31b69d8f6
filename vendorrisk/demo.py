"""The demo portfolio: every area's demo loader, in order, in one transaction.

Loaders take ``(session, ctx)``; ``ctx`` is shared by them: ``users`` (by key), ``vendors``
(by key), ``arrangements`` (by key) and ``today``.
"""
from datetime import date

from flask import Flask
from sqlmodel import func, select

from vendorrisk.accounts.demo import DEMO_PASSWORD, USERS
from vendorrisk.core import clock, registry
from vendorrisk.core.db import engine_of, transaction
from vendorrisk.core.models import User
from vendorrisk.vendors.models import Vendor


def load_demo(app: Flask, force: bool = False, today: date | None = None) -> tuple[bool, list]:
    """Load every area's demo data into an empty portfolio; return (loaded, logins)."""
    with transaction(engine=engine_of(app)) as session:
        if not force and session.exec(select(func.count()).select_from(Vendor)).one():
            return False, []
        ctx = {"users": {}, "vendors": {}, "arrangements": {}, "today": today or clock.today()}
        for _order, load in sorted(registry.of(app).demo_loaders, key=lambda item: item[0]):
            load(session, ctx)
        logins = [(u.email, u.role, DEMO_PASSWORD) for u in ctx["users"].values()]
    return True, logins


def demo_logins(app: Flask) -> list[tuple[str, str, str]]:
    """The demo users still present in the database, with the demo password."""
    emails = [email for _key, email, *_rest in USERS]
    with transaction(engine=engine_of(app)) as session:
        rows = session.exec(select(User.email, User.role).where(User.email.in_(emails))).all()
    return [(email, role, DEMO_PASSWORD) for email, role in rows]
