"""CLI: import a filled questionnaire workbook (``vendorrisk import-questionnaire``)."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from vendorrisk.core.db import engine_of, transaction


@click.command("import-questionnaire")
@click.argument("vendor_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; store nothing.")
@click.option("--profile", default=None,
              help="Format profile to score a foreign workbook with ('none' to keep it unscored); default: recognised.")
@click.option("--sheet", "sheets", multiple=True, help="Read the answers from this sheet (repeatable).")
@click.option("--confirm", is_flag=True, help="Import a layout that was not recognised as detected.")
@with_appcontext
def import_questionnaire(vendor_id, file, dry_run, profile, sheets, confirm):
    """Import FILE (.xlsx or CSV) as VENDOR_ID's questionnaire response; exit 1 listing every problem."""
    from vendorrisk.core.errors import DomainError
    from vendorrisk.questionnaires import service
    key = service.signing_key(current_app.config["SECRET_KEY"])
    try:
        with transaction(engine=engine_of(current_app)) as session:
            upload = service.inspect_questionnaire(file.read_bytes(), file.name)
            params = {"profile": profile, "sheets": list(sheets) or None, "confirmed": "1" if confirm else ""}
            result = service.import_response(session, vendor_id=vendor_id, upload=upload, key=key,
                                             dry_run=dry_run, layout_params=params)
    except DomainError as exc:
        click.echo(exc.message, err=True)
        for d in exc.details if isinstance(exc.details, list) else []:
            where = "!".join(p for p in (d.get("sheet"), d.get("cell")) if p)
            click.echo(f"  {where + ': ' if where else ''}{d.get('message')}", err=True)
        raise SystemExit(1)
    if result.duplicate:
        click.echo(f"Already imported as response {result.response.id} (same SHA-256); nothing added.")
        return
    verb = "Valid (dry run, nothing stored)" if dry_run else f"Imported as response {result.response.id}"
    click.echo(f"{verb}: format {result.format}, {result.answered}/{result.questions} answered, "
               f"score {result.score if result.score is not None else '-'}, {result.flags} flagged, "
               f"{result.subcontractors} subcontractors listed.")


