"""The cari web app: ``create_app()`` builds it; gunicorn serves it.

Flask and the search engine are imported inside ``create_app`` so that
gunicorn's master, which imports ``web.logs`` for its logger class, stays
free of application code: workers import it fresh, and ``kill -HUP`` brings
in new code.
"""
from __future__ import annotations


def create_app(config: dict | None = None):
    from flask import Flask

    from search import settings as settings
    from web.engine import init_engine

    app = Flask(__name__)
    app.config.from_mapping(
        CARI_INDEX=settings.get("CARI_INDEX"),
        JSON_AS_ASCII=False,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False

    init_engine(app)
    from web import api, pages
    from web.params import ArticleIdConverter

    app.url_map.converters["article_id"] = ArticleIdConverter

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.health_bp)
    return app
