"""The comparison point for bench/load.py: Flask + Whoosh as the tutorials write it.

A title/body index with Whoosh's default ``StandardAnalyzer`` (``build``), the
index opened at import, and a new searcher for every request, closed at its
end. Each new searcher copies the index segments from the mmap onto the heap,
which is what cari's per-thread searchers avoid. Served by gunicorn's default
sync workers: ``NAIVE_INDEX=dir gunicorn -w 2 bench.naive_app:app``.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, jsonify, request
from whoosh import index
from whoosh.qparser import MultifieldParser

app = Flask(__name__)
ix = index.open_dir(os.environ["NAIVE_INDEX"]) if os.environ.get("NAIVE_INDEX") else None


@app.get("/api/search")
def search():
    q = request.args.get("q", "")
    with ix.searcher() as searcher:
        query = MultifieldParser(["title", "body"], ix.schema).parse(q)
        results = searcher.search_page(query, 1, pagelen=10)
        hits = [{"id": hit["id"], "title": hit["title"], "snippet": hit.highlights("body")}
                for hit in results]
        return jsonify(query=q, total=len(results), hits=hits)


def build(articles, index_dir: Path) -> Path:
    """A StandardAnalyzer title/body index of ``articles`` (Article records)."""
    from whoosh.fields import ID, TEXT, Schema

    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(stored=True), body=TEXT(stored=True))
    ix_new = index.create_in(str(index_dir), schema)
    writer = ix_new.writer(limitmb=256)
    for a in articles:
        writer.add_document(id=a.id, title=a.title, body=a.body)
    writer.commit()
    return index_dir
