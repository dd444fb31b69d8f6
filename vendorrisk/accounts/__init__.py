"""Accounts: users and their roles, sign-in, one's own account and API tokens, user
administration, the home page and the audit trail's pages."""
from flask import Flask

from vendorrisk.core import registry
from vendorrisk.core.web import add_pages


def init_app(app: Flask) -> None:
    """Wire the accounts area into ``app``."""
    from vendorrisk.accounts import commands, demo, pages, pages_admin, pages_audit, pages_auth, pages_home

    add_pages(app, pages_home.bp)
    add_pages(app, pages_auth.bp)
    add_pages(app, pages.bp)
    add_pages(app, pages_admin.bp, *pages_admin.NAV)
    add_pages(app, pages_audit.bp, *pages_audit.NAV)
    app.cli.add_command(commands.create_user)
    app.cli.add_command(commands.create_token)
    registry.of(app).add_demo_loader(10, demo.load)
