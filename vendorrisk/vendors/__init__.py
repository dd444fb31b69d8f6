"""Vendors and chains (Arts. 25(1)(4), 26(1)-(3)): vendors, outsourcing arrangements, the
sub-outsourcing links down to the final contractor, the register workbook, and the findings
raised about vendors by every area."""
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from vendorrisk.core import events, registry
from vendorrisk.core.api import add_api
from vendorrisk.core.web import add_pages


def init_app(app: Flask) -> None:
    """Wire the vendors area into ``app``."""
    from vendorrisk.vendors import (
        antisocial_reminders,
        chain_evidence,
        commands,
        counted,
        demo,
        findings,
        link_notes,
        models,  # noqa: F401  (the area's tables)
        names,
        rules,
        tasks,
    )
    from vendorrisk.vendors import api as vendors_api
    from vendorrisk.vendors import api_checks as checks_api
    from vendorrisk.vendors.pages import antisocial, approvals, chains, register, vendors
    from vendorrisk.vendors.pages import exits as exit_pages

    add_pages(app, vendors.bp, *vendors.NAV)
    add_pages(app, chains.bp, *chains.NAV)
    add_pages(app, register.bp)
    add_pages(app, approvals.bp)
    add_pages(app, antisocial.bp)
    add_pages(app, exit_pages.bp)
    add_api(app, checks_api.bp, "vendors")
    add_api(app, vendors_api.bp, "vendors")
    app.cli.add_command(commands.import_register)
    app.cli.add_command(commands.export_register)
    from vendorrisk.vendors import exit_tasks, exits, need_to_know, service
    # for every area's templates: offer a link only to those it would not refuse
    app.jinja_env.globals.update(may_read_files=need_to_know.may_read_files_here,
                                 may_change_vendor=service.may_change_here)
    # an arrangement's exit as the arrangement, vendor and list pages show it
    app.jinja_env.globals.update(exit_dispositions=lambda: dict(exits.DISPOSITION_LABELS),
                                 exit_disposal_open=exits.disposal_open)
    reg = registry.of(app)
    reg.add_obligations(rules.multi_stage_outsourcing, rules.staff_assigned, rules.user_data_traced,
                        rules.exit_plan_recorded)
    reg.evidence_sources["chains"] = chain_evidence.chain_evidence
    reg.add_demo_loader(11, demo.load)
    reg.task_sources["vendors"] = tasks.tasks_for
    reg.task_counts["vendors"] = tasks.count_for
    reg.task_pages["vendors"] = tasks.first_tasks
    reg.task_labels["vendors"] = _l("Sub-outsourcing to decide on")
    reg.task_sources["arrangement_ends"] = exit_tasks.tasks_for
    reg.task_counts["arrangement_ends"] = exit_tasks.count_for
    reg.task_labels["arrangement_ends"] = _l("Arrangements to renew or terminate, data disposal to confirm")
    # the navigation's and the dashboard's counts, kept with the records (core.counters)
    reg.counted.update(findings=counted.FINDINGS, vendors=counted.VENDORS, links=counted.LINKS)
    # 反社会的勢力チェック: the vendor page's section, reminders like reviews', tasks, the calendar.
    reg.add_vendor_panel("antisocial", 5, antisocial.panel)
    reg.reminder_sources["antisocial_checks"] = antisocial_reminders.check_reminders
    reg.task_sources["antisocial_checks_due"] = antisocial_reminders.check_tasks
    reg.task_counts["antisocial_checks_due"] = antisocial_reminders.count_check_tasks
    reg.task_pages["antisocial_checks_due"] = antisocial_reminders.first_check_tasks
    reg.task_labels["antisocial_checks_due"] = _l("Anti-social forces checks")
    reg.calendar_sources["antisocial_checks"] = antisocial_reminders.check_entries
    # a deactivated person's findings go to their vendor's owner now, or nobody (listed, compliance's)
    reg.subscribe(events.UserActiveChanged, findings.on_user_active_changed)
    reg.catalogues.append(Path(__file__).parent / "translations" / "ja.po")
    # Every page shows a finding's title, description and closure evidence in the reader's language.
    app.jinja_env.filters["finding_title"] = findings.display_title
    app.jinja_env.filters["finding_description"] = findings.display_description
    app.jinja_env.filters["finding_closure_evidence"] = findings.display_closure_evidence
    app.jinja_env.filters["finding_event_note"] = findings.display_event_note
    app.jinja_env.filters["approval_note"] = link_notes.display_approval_note
    # ... and a vendor's English name to an English reader (as the mails do), else its own.
    app.jinja_env.filters["vendor_name"] = names.vendor_name
    app.jinja_env.filters["vendor_other_name"] = names.other_name
    app.jinja_env.filters["vendor_other_lang"] = names.other_name_language
