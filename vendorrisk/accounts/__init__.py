"""Accounts: users and their roles, sign-in (with two-factor), one's own account, sessions
and API tokens, user administration, the home page and the audit trail's pages."""
from pathlib import Path

from flask import Flask

from vendorrisk.core import registry
from vendorrisk.core.web import add_pages


def init_app(app: Flask) -> None:
    """Wire the accounts area into ``app``."""
    from vendorrisk.accounts import commands, demo, devices
    from vendorrisk.accounts.pages import account, admin, audit_trail, home, sign_in, two_factor

    add_pages(app, home.bp, *home.NAV)
    add_pages(app, sign_in.bp)
    add_pages(app, two_factor.bp)
    add_pages(app, account.bp)
    add_pages(app, admin.bp, *admin.NAV)
    add_pages(app, audit_trail.bp, *audit_trail.NAV)
    app.cli.add_command(commands.create_user)
    app.cli.add_command(commands.create_token)
    registry.of(app).add_demo_loader(10, demo.load)
    app.jinja_env.filters["device"] = devices.device_label
    registry.of(app).catalogues.append(Path(__file__).parent / "translations" / "ja.po")
