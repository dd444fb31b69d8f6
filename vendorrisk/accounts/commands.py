"""Account commands: create a user, create a personal API token."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from vendorrisk.core.db import engine_of, transaction


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "compliance", "procurement",
                                                          "vendor_owner", "auditor"]))
@click.option("--name", default="")
@click.option("--language", type=click.Choice(["ja", "en"]), default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(email, role, name, language, password_stdin):
    """Create a user; the password is prompted for, or read from standard input."""
    from vendorrisk.core import users
    from vendorrisk.core.errors import DomainError
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(engine=engine_of(current_app)) as session:
            user = users.create_user(session, email=email, role=role, password=password,
                                     display_name=name, language=language)
    except DomainError as exc:
        details = "".join(f"\n  - {d.get('message', d)}" for d in exc.details if isinstance(d, dict))
        raise click.ClickException(exc.message + details)
    click.echo(f"Created {user.email} ({user.role}).")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="cli")
@with_appcontext
def create_token(email, name):
    """Create a personal API token; the token is printed alone on the last line."""
    from vendorrisk.core import users
    from vendorrisk.core.errors import DomainError
    try:
        with transaction(engine=engine_of(current_app)) as session:
            user = users.get_user_by_email(session, email)
            _record, token = users.create_token(session, user, name)
    except DomainError as exc:
        raise click.ClickException(exc.message)
    click.echo(f"Token for {email} (shown once; store it now):")
    click.echo(token)
