"""Compliance (Arts. 25-27, 6(2), 24(3)): the matrix of every vendor against every
obligation the areas define, the dashboard and its trend, and the exports (matrix, board
report, DORA register, evidence packs)."""
from pathlib import Path

from flask import Flask

from vendorrisk.core import registry
from vendorrisk.core.api import add_api
from vendorrisk.core.web import add_pages


def init_app(app: Flask) -> None:
    """Wire the compliance area into ``app``."""
    from vendorrisk.compliance import api as compliance_api
    from vendorrisk.compliance import (
        api_exports,
        commands,
        demo,
        maintain,
        models,  # noqa: F401  (the area's tables)
    )
    from vendorrisk.compliance.pages import dashboard, exports, matrix

    add_pages(app, matrix.bp, *matrix.NAV)
    add_pages(app, dashboard.bp, *dashboard.NAV)
    add_pages(app, exports.bp)
    add_api(app, compliance_api.bp, "compliance")
    add_api(app, api_exports.bp, "exports")
    app.cli.add_command(commands.compliance_group)
    reg = registry.of(app)
    reg.add_demo_loader(90, demo.load)
    reg.add_rebuilder(10, "Maintained compliance verdicts", maintain.rebuild)
    # The maintained matrix follows every change, in the writing transaction.
    for event_type in maintain.MAINTAINED_EVENTS:
        reg.subscribe(event_type, maintain.on_event)
    maintain.init_listeners()
    reg.catalogues.append(Path(__file__).parent / "translations" / "ja.po")
