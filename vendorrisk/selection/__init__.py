"""Selection (Arts. 25(1), 27, 8(5)): criteria as content, assessments with four-eyes
approval, and the inherent risk tier of every vendor."""
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from vendorrisk.core import events, registry
from vendorrisk.core.api import add_api
from vendorrisk.core.web import add_pages


def init_app(app: Flask) -> None:
    """Wire the selection area into ``app``."""
    from vendorrisk.selection import api as selection_api
    from vendorrisk.selection import (
        commands,
        criteria,
        demo,
        models,  # noqa: F401  (the area's tables)
        pages,
        records,
        risk_tier,
        rules,
        tasks,
    )

    add_pages(app, pages.bp, *pages.NAV)
    add_api(app, selection_api.bp, "selection")
    app.cli.add_command(commands.risk_group)
    reg = registry.of(app)
    reg.content_checkers["selection_criteria"] = criteria.check_criteria
    reg.add_obligations(rules.selected_against_criteria, *rules.CLOUD_OBLIGATIONS)
    reg.evidence_sources["selection"] = records.selection_evidence
    reg.add_vendor_panel("selection", 20, pages.vendor_panel)
    reg.task_sources["selection"] = tasks.tasks_for
    reg.task_labels["selection"] = _l("Selection assessments to decide on")
    reg.add_demo_loader(40, demo.load)
    reg.subscribe(events.ChainChanged, risk_tier.on_chain_changed)
    reg.subscribe(events.VendorChanged, risk_tier.on_vendor_changed)
    reg.catalogues.append(Path(__file__).parent / "translations" / "ja.po")
