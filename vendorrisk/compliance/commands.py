"""CLI of the compliance area: the monthly snapshot of the matrix."""
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from vendorrisk.compliance import snapshots as compliance
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
        chosen = compliance.parse_month(month) if month else compliance.month_start(date.today())
        with transaction(engine=engine_of(current_app)) as session:
            rows = compliance.take_snapshot(session, chosen)
    except DomainError as exc:
        raise click.ClickException(exc.message)
    click.echo(f"Snapshot {chosen:%Y-%m}: {len(rows)} obligations, {sum(r.gap for r in rows)} gaps.")


