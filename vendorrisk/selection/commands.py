"""``vendorrisk risk recompute``: recompute every vendor's inherent risk tier;
``vendorrisk risk override``: a compliance officer's override, with its reason."""
import click
from flask import current_app
from flask.cli import with_appcontext

from vendorrisk.core.db import engine_of, transaction
from vendorrisk.vendors.models import RISK_TIERS


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




@risk_group.command("override")
@click.argument("vendor_id", type=int)
@click.option("--tier", type=click.Choice(RISK_TIERS), default=None,
              help="The tier to set; leave out with --clear.")
@click.option("--clear", is_flag=True, help="End the override: the computed tier applies again.")
@click.option("--reason", required=True, help="Why (kept in the override history).")
@click.option("--user", "email", required=True, help="E-mail of the compliance officer or admin deciding it.")
@with_appcontext
def override(vendor_id, tier, clear, reason, email):
    """Override a vendor's computed risk tier, by the same rules as the page and the API."""
    from vendorrisk.core import users
    from vendorrisk.core.errors import DomainError
    from vendorrisk.selection import risk_tier
    if (tier is None) == (not clear):
        raise click.UsageError("Give either --tier or --clear.")
    try:
        with transaction(engine=engine_of(current_app)) as session:
            user = users.get_user_by_email(session, email)
            session.info["actor_id"], session.info["actor"] = user.id, user.email
            row = risk_tier.set_override(session, vendor_id, tier=tier, reason=reason, user_id=user.id)
            effective = row.tier or row.computed_tier
    except DomainError as exc:
        details = "".join(f"\n  - {d.get('message', d)}" for d in exc.details if isinstance(d, dict))
        raise click.ClickException(exc.message + details)
    click.echo(f"vendor {vendor_id}: risk tier {effective} ({'override' if tier else 'computed'}).")
