"""Demo data: each module here has ``ORDER`` and ``load(session, ctx)``; loaded in order.

``ctx`` is a dict shared by the loaders: ``users`` (by key), ``vendors`` (by key),
``arrangements`` (by key) and ``today``. Every loader works within one transaction.
"""
import importlib
import pkgutil
from datetime import date

from flask import Flask
from sqlmodel import func, select

from ..db import engine_of, transaction
from ..models.vendors import Vendor

DEMO_PASSWORD = "demo-password-2026"


def load_demo(app: Flask, force: bool = False, today: date | None = None) -> tuple[bool, list]:
    """Load every demo module into an empty portfolio; return (loaded, logins)."""
    with transaction(engine=engine_of(app)) as session:
        if not force and session.exec(select(func.count()).select_from(Vendor)).one():
            return False, []
        ctx = {"users": {}, "vendors": {}, "arrangements": {}, "today": today or date.today()}
        modules = []
        for info in pkgutil.iter_modules(__path__):
            module = importlib.import_module(f"{__name__}.{info.name}")
            if hasattr(module, "load"):
                modules.append(module)
        for module in sorted(modules, key=lambda m: getattr(m, "ORDER", 50)):
            module.load(session, ctx)
        logins = [(u.email, u.role, DEMO_PASSWORD) for u in ctx["users"].values()]
    return True, logins


def demo_logins(app: Flask) -> list[tuple[str, str, str]]:
    """The demo users still present in the database, with the demo password."""
    from ..models.users import User
    from .core import USERS

    emails = [email for _key, email, *_rest in USERS]
    with transaction(engine=engine_of(app)) as session:
        rows = session.exec(select(User.email, User.role).where(User.email.in_(emails))).all()
    return [(email, role, DEMO_PASSWORD) for email, role in rows]
