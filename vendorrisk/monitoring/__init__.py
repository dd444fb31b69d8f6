"""Monitoring (Arts. 26(1)(2), 24): review plans for every vendor of every tier, recorded
reviews, findings followed up to closure, reminders sent exactly once, calendar feeds."""
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from vendorrisk.core import events, registry
from vendorrisk.core.api import add_api
from vendorrisk.core.web import add_pages


def init_app(app: Flask) -> None:
    """Wire the monitoring area into ``app``."""
    from vendorrisk.monitoring import api as monitoring_api
    from vendorrisk.monitoring import (
        api_remediation,
        commands,
        counted,
        demo,
        models,  # noqa: F401  (the area's tables)
        models_remediation,  # noqa: F401  (the area's tables)
        models_reminders,  # noqa: F401  (the area's tables)
        plans,
        reminders,
        rules,
        sweep,
        tasks,
    )
    from vendorrisk.monitoring.pages import calendar, findings, outbox, remediation, reviews, settings, worklist
    from vendorrisk.monitoring.remediation import on_finding_settled

    add_pages(app, reviews.bp, *reviews.NAV)
    add_pages(app, findings.bp, *findings.NAV)
    add_pages(app, remediation.bp)
    add_pages(app, outbox.bp, *outbox.NAV)
    add_pages(app, calendar.bp)
    add_pages(app, settings.bp)
    add_api(app, monitoring_api.bp, "monitoring")
    add_api(app, api_remediation.bp, "monitoring")
    app.cli.add_command(commands.remind)
    reg = registry.of(app)
    reg.add_obligations(rules.reviews_on_schedule)
    reg.link_targets[rules.OPEN_REVIEW] = rules.open_review_hrefs
    reg.cell_notes["26-1"] = rules.review_dates
    reg.evidence_sources["monitoring"] = rules.monitoring_evidence
    reg.reminder_sources["monitoring_reviews"] = reminders.review_reminders
    reg.reminder_sources["monitoring_findings"] = reminders.finding_reminders
    reg.reminder_sources["monitoring_arrangements"] = reminders.arrangement_reminders
    reg.reminder_sources["monitoring_acceptances"] = reminders.acceptance_reminders
    reg.send_now = sweep.send_now
    reg.add_vendor_panel("monitoring", 30, reviews.monitoring_panel)
    reg.add_home_panel("monitoring", 20, worklist.home_panel)
    reg.task_sources["monitoring"] = tasks.tasks_for
    reg.task_counts["monitoring"] = tasks.count_for
    reg.task_pages["monitoring"] = tasks.first_tasks
    reg.task_labels["monitoring"] = _l("Reviews and findings")
    reg.counted["monitoring_reviews"] = counted.REVIEWS
    # Selection (wired earlier) recomputes the tiers first; the plans follow them.
    reg.subscribe(events.ChainChanged, plans.on_chain_changed)
    reg.subscribe(events.VendorChanged, plans.on_vendor_changed)
    reg.subscribe(events.UserActiveChanged, plans.on_user_active_changed)
    reg.subscribe(events.FindingSettled, on_finding_settled)
    reg.add_demo_loader(80, demo.load)  # after the areas that set risk tiers
    reg.catalogues.append(Path(__file__).parent / "translations" / "ja.po")
