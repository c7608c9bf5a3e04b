"""The cari web app: ``create_app()`` builds it; gunicorn serves it.

Flask and the search engine are imported inside ``create_app`` so that
gunicorn's master, which imports ``web.logs`` for its logger class, stays
free of application code: workers import it fresh, and ``kill -HUP`` brings
in new code.
"""
from __future__ import annotations


def create_app(config: dict | None = None):
    """The app, its ``CARI_*`` settings read from the environment (or given in
    ``config``), typed and checked here: a bad value raises SettingError, whose
    one-line message names the variable, before any request is served."""
    from flask import Flask

    from search import settings
    from web.engine import init_engine

    app = Flask(__name__)
    app.config.from_mapping(JSON_AS_ASCII=False)
    app.config.update(settings.read(settings.WEB_APP))
    if config:
        app.config.update(settings.parse_config(config))
    app.json.ensure_ascii = False

    init_engine(app)
    from web import api, export, follow, pages  # noqa: F401  (export and follow add routes to pages.bp)
    from web.params import ArticleIdConverter

    app.url_map.converters["article_id"] = ArticleIdConverter

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.health_bp)
    return app
