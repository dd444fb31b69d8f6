"""CLI of the compliance area: the monthly snapshot of the matrix, the rebuild and the daily
refresh of the maintained verdicts."""

import click
from flask import current_app
from flask.cli import with_appcontext

from vendorrisk.compliance import maintain
from vendorrisk.compliance import snapshots as compliance
from vendorrisk.core import clock
from vendorrisk.core.db import engine_of, transaction
from vendorrisk.core.errors import DomainError


@click.group("compliance", help="The compliance matrix.")
def compliance_group():
    """Compliance commands."""


@compliance_group.command("snapshot")
@click.option("--month", default=None, help="Month to record, YYYY-MM (default: this month).")
@with_appcontext
def snapshot(month):
    """Record this month's gap counts per obligation; running it again in the month replaces them."""
    try:
        chosen = compliance.parse_month(month) if month else compliance.month_start(clock.today())
        with transaction(engine=engine_of(current_app)) as session:
            rows = compliance.take_snapshot(session, chosen)
    except DomainError as exc:
        raise click.ClickException(exc.message)
    click.echo(f"Snapshot {chosen:%Y-%m}: {len(rows)} obligations, {sum(r.gap for r in rows)} gaps.")


@compliance_group.command("rebuild")
@with_appcontext
def rebuild():
    """Evaluate every vendor on every obligation and write the verdicts that differ from the
    maintained ones (after bulk loads, or when the rules changed; db upgrade runs it)."""
    with transaction(engine=engine_of(current_app)) as session:
        changed = maintain.rebuild(session)
    click.echo(f"Maintained verdicts rebuilt: {changed} rows written or removed.")


@compliance_group.command("refresh")
@with_appcontext
def refresh():
    """Re-evaluate the verdicts that depend on today's date (reviews falling overdue,
    certificates expiring); the scheduler runs it every day."""
    with transaction(engine=engine_of(current_app)) as session:
        changed = maintain.refresh_daily(session)
    click.echo(f"Date-dependent verdicts refreshed: {changed} rows written.")


@compliance_group.command("run-exports")
@with_appcontext
def run_exports():
    """Build the queued export jobs now (what the scheduler does every few seconds)."""
    from vendorrisk.compliance.jobs import run_pending
    ran = run_pending(current_app._get_current_object())
    click.echo(f"Export jobs built: {ran}.")

