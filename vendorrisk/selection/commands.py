"""``vendorrisk risk recompute``: recompute every vendor's inherent risk tier."""
import click
from flask import current_app
from flask.cli import with_appcontext

from vendorrisk.core.db import engine_of, transaction


@click.group("risk", help="Inherent risk tiers of vendors.")
def risk_group():
    """Risk tier commands."""


@risk_group.command("recompute")
@with_appcontext
def recompute():
    """Recompute and store every vendor's risk tier (overrides stay in force)."""
    from vendorrisk.selection import risk_tier
    with transaction(engine=engine_of(current_app)) as session:
        changed = risk_tier.recompute(session)
    for vendor_id, (old, new) in sorted(changed.items()):
        click.echo(f"vendor {vendor_id}: {old or '-'} -> {new}")
    click.echo(f"Risk tiers recomputed; {len(changed)} changed.")


