"""Monitoring commands: the scheduler process and a single reminder sweep."""
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("scheduler")
@with_appcontext
def scheduler():
    """Run the reminder scheduler in the foreground (its own process; Ctrl+C stops it)."""
    from ..scheduler import build_scheduler
    app = current_app._get_current_object()
    click.echo(f"Scheduler started: sweep every {app.config['SCHEDULER_SWEEP_MINUTES']} minutes.")
    try:
        build_scheduler(app).start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@click.command("remind")
@click.option("--once", is_flag=True, required=True, help="Run one sweep and exit (for cron and tests).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Sweep as if today were this date (YYYY-MM-DD).")
@click.option("--no-send", is_flag=True, help="Plan and store reminders but send nothing.")
@with_appcontext
def remind(once, today, no_send):
    """Plan reviews, store due reminders and send the pending ones, exactly once each."""
    from ..services.monitoring_sweep import run_sweep
    result = run_sweep(current_app._get_current_object(), today=today.date() if today else date.today(),
                       send=not no_send)
    plans = result.plans
    click.echo(f"Plans: {plans.get('created', 0)} created, {plans.get('updated', 0)} updated, "
               f"{plans.get('dropped', 0)} dropped.")
    click.echo(f"Reminders: {result.created} new, {result.sent} sent, "
               f"{result.failed} failed, {result.released} interrupted claims released.")
    if result.failed:
        raise SystemExit(1)


COMMANDS = [scheduler, remind]
