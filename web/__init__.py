"""The cari web app: ``create_app()`` builds it; gunicorn serves it."""
from __future__ import annotations

import os

from flask import Flask

from web.engine import init_engine


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        CARI_INDEX=os.environ.get("CARI_INDEX", "index"),
        JSON_AS_ASCII=False,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False

    init_engine(app)
    from web import api, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    return app
