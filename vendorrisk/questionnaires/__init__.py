"""Questionnaires (Arts. 25-27): templates as content, workbooks sent out and imported back
(ours or the vendors' own formats), scores, flags and proposed subcontractors."""
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from vendorrisk.core import events, registry
from vendorrisk.core.api import add_api
from vendorrisk.core.web import add_pages


def init_app(app: Flask) -> None:
    """Wire the questionnaires area into ``app``."""
    from vendorrisk.questionnaires import api as questionnaires_api
    from vendorrisk.questionnaires import (
        api_campaigns,
        campaign_reminders,
        campaigns,
        commands,
        demo,
        models,  # noqa: F401  (the area's tables)
        models_campaigns,  # noqa: F401
        pages,
        pages_campaigns,
        reviews,
        tasks,
        template_files,
    )

    add_pages(app, pages.bp, *pages.NAV)
    add_pages(app, pages_campaigns.bp)
    add_api(app, questionnaires_api.bp, "questionnaires")
    add_api(app, api_campaigns.bp, "questionnaires")
    app.cli.add_command(commands.import_questionnaire)
    reg = registry.of(app)
    reg.content_checkers["questionnaires"] = template_files.check_questionnaires
    reg.content_checkers["questionnaire_formats"] = template_files.check_formats
    reg.evidence_sources["questionnaires"] = reviews.latest_workbooks
    # A link that came from a proposal and is removed from the chain withdraws the proposal.
    reg.subscribe(events.ChainChanged, reviews.on_chain_changed)
    reg.add_vendor_panel("questionnaires", 40, pages.questionnaires_panel)
    reg.task_sources["questionnaires"] = tasks.tasks_for
    reg.task_counts["questionnaires"] = tasks.count_for
    reg.task_pages["questionnaires"] = tasks.first_tasks
    reg.task_labels["questionnaires"] = _l("Subcontractors listed in questionnaires")
    # Campaigns: the request e-mails and reminders (exactly once, by the reminder machinery),
    # the delivery of a request noted, and the campaigns awaiting returns as tasks.
    reg.reminder_sources["questionnaire_campaigns"] = campaign_reminders.campaign_reminders
    reg.subscribe(events.ReminderSent, campaigns.on_reminder_sent)
    reg.task_sources["questionnaires_awaiting_return"] = campaign_reminders.campaign_tasks
    reg.task_labels["questionnaires_awaiting_return"] = _l("Questionnaires awaiting return")
    reg.calendar_sources["questionnaire_campaigns"] = campaign_reminders.campaign_entries
    reg.add_demo_loader(40, demo.load)
    reg.subscribe(events.LinkRemoved, reviews.on_link_removed)
    reg.catalogues.append(Path(__file__).parent / "translations" / "ja.po")
