"""CLI for the register: ``vendorrisk import-register FILE [--dry-run]`` and ``export-register``."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from vendorrisk.core.db import engine_of, new_session
from vendorrisk.core.errors import DomainError, ValidationFailed


@click.command("import-register")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the workbook and store nothing.")
@click.option("--user", "email", default="", help="E-mail of the person importing: recorded as the "
              "links' recorder (who may then not approve them, Art. 8(5)) and in the audit trail.")
@with_appcontext
def import_register(path: Path, dry_run: bool, email: str):
    """Import vendors (as prospect), arrangements and links (unapproved) from an .xlsx
    workbook (all or nothing); rows carrying an approval or status decision are refused."""
    from vendorrisk.core import audit
    from vendorrisk.core.db_phases import reading
    from vendorrisk.core.users import get_user_by_email
    from vendorrisk.vendors.register_check import check_register
    from vendorrisk.vendors.register_reader import read_register
    from vendorrisk.vendors.register_store import apply_register
    session = new_session(engine_of(current_app), writes=True)
    try:
        user = None
        sheets = read_register(path.read_bytes(), path.name)
        with reading(session):  # no write lock while reading and checking; a dry run takes none
            if email:
                try:
                    user = get_user_by_email(session, email)
                except DomainError as exc:
                    raise click.ClickException(exc.message)
                session.info["actor_id"], session.info["actor"] = user.id, user.email
            report = check_register(session, sheets)
        if not dry_run:
            report = apply_register(session, sheets, user)
            audit.add_event(session, action="import", entity="register",
                            after={"file": path.name, "vendors": report.vendors,
                                   "arrangements": report.arrangements, "links": report.links})
            session.commit()
    except ValidationFailed as exc:
        session.rollback()
        for d in exc.details:
            if isinstance(d, dict):
                click.echo(f"{d.get('sheet', '')}!row {d.get('row', '')} [{d.get('column', '') or d.get('field', '')}]: "
                           f"{d.get('message', '')}", err=True)
        raise click.ClickException(exc.message)
    finally:
        session.close()
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {report.vendors} vendors, {report.arrangements} arrangements, {report.links} links, "
               f"{report.locations} data locations.")


@click.command("export-register")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_register(path: Path):
    """Write the register (every node of every chain) to an .xlsx workbook."""
    from vendorrisk.core import audit
    from vendorrisk.core.db import transaction
    from vendorrisk.vendors.register_export import register_workbook
    with transaction(engine=engine_of(current_app)) as session:
        data = register_workbook(session)
        audit.add_event(session, action="export", entity="register", after={"file": path.name})
    path.write_bytes(data)
    click.echo(f"Register written: {path} ({len(data)} bytes)")


