"""``vendorrisk contracts ocr``: read the scanned contract versions queued for OCR now.
``vendorrisk contracts train``: fit the clause scorer on the labelled corpora and write
``contract_clauses/scorer_model.json`` (needs scikit-learn: ``pip install -e '.[train]'``)."""
import time
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.group("contracts", help="The contract clause checker.")
def contracts_group():
    """Contract checker commands."""


@contracts_group.command("train")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model (default: contract_clauses/scorer_model.json).")
def train(output: Path | None):
    """Train the clause scorer on the real corpus (less its held-out split) and the own corpus."""
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise click.ClickException("Training needs scikit-learn: pip install -e '.[train]'") from exc
    from vendorrisk.contracts import training
    from vendorrisk.contracts.checker import scorer

    start = time.perf_counter()
    model = training.train(log=click.echo)
    path = output or scorer.model_path()
    training.write(model, path)
    click.echo(f"Model {model['version']} written to {path} ({path.stat().st_size // 1024} KiB, "
               f"{len(model['features'])} features) in {time.perf_counter() - start:.1f} s.")


@contracts_group.command("ocr")
@with_appcontext
@click.option("--version", "version_id", type=int, default=None, help="Only this contract version (when queued).")
def ocr(version_id: int | None):
    """Read the contract PDFs queued for OCR (scans, pages of glyph numbers) now, as the scheduler does, and
    check them again."""
    from flask import current_app

    from vendorrisk.contracts import ocr_jobs
    from vendorrisk.contracts.checker import ocr as engine

    if not engine.available():
        click.echo("OCR is not available: install tesseract-ocr, tesseract-ocr-jpn and tesseract-ocr-eng.")
    count = ocr_jobs.run_pending(current_app._get_current_object(), version_id=version_id)
    click.echo(f"{count} contract version(s) read by OCR.")
