"""Certificates and reports (Art. 26(4)): SOC 2/SOC 3, ISO/IEC 27001/27017 and similar,
stored with their periods and scope; expiry and coverage gaps raise alerts."""
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from vendorrisk.core import registry
from vendorrisk.core.api import add_api
from vendorrisk.core.web import add_pages


def init_app(app: Flask) -> None:
    """Wire the certificates area into ``app``."""
    from vendorrisk.certificates import api as certificates_api
    from vendorrisk.certificates import (
        models,  # noqa: F401  (the area's tables)
        pages,
        reminders,
        rules,
        service,
        tasks,
    )

    add_pages(app, pages.bp, *pages.NAV)
    add_api(app, certificates_api.bp, "certificates")
    reg = registry.of(app)
    reg.add_obligations(rules.audit_or_report_covers_today)
    reg.evidence_sources["certificates"] = service.certificate_evidence
    reg.reminder_sources["certificates"] = reminders.certificate_reminders
    reg.add_vendor_panel("certificates", 60, pages.panel)
    reg.task_sources["certificates"] = tasks.tasks_for
    reg.task_counts["certificates"] = tasks.count_for
    reg.task_pages["certificates"] = tasks.first_tasks
    reg.task_labels["certificates"] = _l("Certificates to renew")
    reg.add_demo_loader(60, _load_demo)
    reg.catalogues.append(Path(__file__).parent / "translations" / "ja.po")


def _load_demo(session, ctx) -> None:
    """The area's demo data; its module (and the document library it uses) is imported only
    when the demo is loaded, not at every start-up."""
    from vendorrisk.certificates import demo
    demo.load(session, ctx)

