"""The schema comes only from migrations, and the migrations match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from vendorrisk.core import migrate
from vendorrisk.core.models import metadata


def test_migrations_match_the_models(app):
    engine = app.extensions["vendorrisk.engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        differences = [d for d in compare_metadata(context, metadata)
                       if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == "alembic_version")]
    assert differences == [], "models and migrations differ; write a migration:\n" + "\n".join(map(str, differences))


def test_database_is_at_every_head(app):
    current, heads = migrate.schema_status(app)
    assert current == heads and heads


def test_upgrade_is_idempotent(app, runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    # the kept state is brought in line: the compliance area's rebuilder (registered by its
    # init_app), then the maintained counts
    assert "Maintained compliance verdicts: 0 rows written or removed." in result.output
    assert "Maintained counts: 0 rows written." in result.output
    assert runner.invoke(args=["db", "current"]).exit_code == 0


def test_no_migration_imports_the_apps_code():
    """A migration keeps its meaning when the app's code changes: the rules a data migration
    applies are written out in it (as 0028 and 0029 do), never imported from the app."""
    import ast
    from pathlib import Path

    import vendorrisk
    folder = Path(vendorrisk.__file__).parent / "migrations" / "versions"
    importing = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            importing += [f"{path.name}: {name}" for name in names if name.split(".")[0] == "vendorrisk"]
    assert not importing, importing
