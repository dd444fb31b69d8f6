"""Monitoring command: one reminder sweep (the scheduler process runs it at an interval)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from vendorrisk.core import clock


@click.command("remind")
@click.option("--once", is_flag=True, help="Run one sweep and exit (what the command always does; for cron lines).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Sweep as if today were this date (YYYY-MM-DD).")
@click.option("--no-send", is_flag=True, help="Plan and store reminders but send nothing.")
@with_appcontext
def remind(once, today, no_send):
    """Plan reviews, store due reminders and send the pending ones, exactly once each."""
    from vendorrisk.monitoring.sweep import run_sweep
    result = run_sweep(current_app._get_current_object(), today=today.date() if today else clock.today(),
                       send=not no_send)
    plans = result.plans
    click.echo(f"Plans: {plans.get('created', 0)} created, {plans.get('updated', 0)} updated, "
               f"{plans.get('dropped', 0)} dropped.")
    click.echo(f"Reminders: {result.created} new, {result.sent} sent, "
               f"{result.failed} failed, {result.released} interrupted claims released.")
    if result.failed:
        raise SystemExit(1)

