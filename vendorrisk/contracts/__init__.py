"""Contracts (Art. 25(2)(3)): the clause library, contract versions checked clause by
clause with the evidence shown, reviewers' confirmations, and the Word checklist."""
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from vendorrisk.core import events, registry
from vendorrisk.core.api import add_api
from vendorrisk.core.web import add_pages


def init_app(app: Flask) -> None:
    """Wire the contracts area into ``app``."""
    from vendorrisk.contracts import api as contracts_api
    from vendorrisk.contracts import (
        commands,
        models,  # noqa: F401  (the area's tables)
        pages,
        rules,
        set_findings,
        tasks,
    )
    from vendorrisk.contracts.checker import library

    add_pages(app, pages.bp, *pages.NAV)
    add_api(app, contracts_api.bp, "contracts")
    reg = registry.of(app)
    reg.content_checkers["contract_clauses"] = library.check_contract_clauses
    reg.add_obligations(*rules.CLAUSE_OBLIGATIONS)
    reg.evidence_sources["contracts"] = rules.contract_checklists
    reg.task_sources["contracts"] = tasks.tasks_for
    reg.task_counts["contracts"] = tasks.count_for
    reg.task_pages["contracts"] = tasks.first_tasks
    reg.task_labels["contracts"] = _l("Contract checks to confirm")
    reg.add_demo_loader(30, _load_demo)
    # an arrangement that ends closes its contract set's open findings (vendors.exits)
    reg.subscribe(events.ArrangementEnded, set_findings.on_arrangement_ended)
    app.cli.add_command(commands.contracts_group)
    reg.catalogues.append(Path(__file__).parent / "translations" / "ja.po")


def _load_demo(session, ctx) -> None:
    """The area's demo data; its module (and the document library it uses) is imported only
    when the demo is loaded, not at every start-up."""
    from vendorrisk.contracts import demo
    demo.load(session, ctx)

