"""gunicorn entry point: `gunicorn wsgi:app` (the index comes from CARI_INDEX)."""
from web import create_app

app = create_app()
