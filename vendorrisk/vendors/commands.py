"""CLI for the register: ``vendorrisk import-register FILE [--dry-run]`` and ``export-register``."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from vendorrisk.core.db import engine_of, new_session
from vendorrisk.core.errors import ValidationFailed


@click.command("import-register")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the workbook and store nothing.")
@with_appcontext
def import_register(path: Path, dry_run: bool):
    """Import vendors, arrangements and links from an .xlsx workbook (all or nothing)."""
    from vendorrisk.core import audit
    from vendorrisk.vendors.register_reader import import_register as run_import
    session = new_session(engine_of(current_app), writes=True)
    try:
        report = run_import(session, path.read_bytes(), path.name)
        if dry_run:
            session.rollback()
        else:
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


