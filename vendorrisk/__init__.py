"""vendorrisk: outsourcing-risk management under the JVCEA system-risk rules, Arts. 25-27."""
from flask import Flask

from vendorrisk.core import config

APP_TEMPLATES = config.PROJECT_ROOT / "templates"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, the core (database, i18n, errors, access, pages, API basics,
    CLI), then every area of ``areas.AREAS`` in order, then the content check."""
    app = Flask(__name__, instance_path=config.instance_path(test_config), instance_relative_config=True,
                template_folder=str(APP_TEMPLATES))
    config.load(app, test_config)

    from vendorrisk import areas, cli
    from vendorrisk.core import (
        access,
        api_basics,
        audit,
        business_days,
        content,
        counters,
        db,
        errors,
        headers,
        health,
        i18n,
        input_guard,
        logs,
        tasks,
        web,
    )

    audit.init_listeners()
    counters.init_listeners()
    db.init_app(app)
    business_days.init_app(app)
    logs.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    access.init_app(app)
    input_guard.init_app(app)  # before any route is added: it bounds <int:...>
    web.init_app(app)
    tasks.init_app(app)
    health.init_app(app)
    api_basics.init_app(app)
    cli.init_app(app)
    for area in areas.AREAS:
        area.init_app(app)
    i18n.init_app(app)
    content.init_app(app)
    return app
