"""Per-document column values, aligned to document numbers in every segment.

Facets, date filters, ``sort=newest`` and the indexer's record of which file
each document came from all read one value per document number. Whoosh's
``MultiReader.column_reader`` leaves out the segments that have no file for
a column (a segment whose documents never had a date, say) and then chains
the others, so the combined column comes back shorter than the document
count and every value after the gap sits against the wrong document. Here
each segment is read on its own: a segment without the column contributes
"no value" for each of its documents, so position ``n`` is always document
``n``.

Whoosh pads each segment's column file to the segment's document count when
it writes it, so segments written by Whoosh are consistent on disk. A
segment whose column holds more values than it has documents cannot be
read safely; ``check_columns`` refuses it with the rebuild message.
"""
from __future__ import annotations

from search.errors import MisalignedIndex


def read_column(reader, name: str, translate: bool = True, missing=None) -> list:
    """One value per document number of ``reader`` (``missing`` where a
    segment has no value for the field)."""
    values: list = []
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        if offset != len(values):
            raise MisalignedIndex(_message(name, offset, len(values)))
        if name not in leaf.schema or not leaf.has_column(name):
            values.extend([missing] * count)
            continue
        column = leaf.column_reader(name, translate=translate)
        _check_length(column, count, name)
        values.extend(column)
    if len(values) != reader.doc_count_all():
        raise MisalignedIndex(_message(name, reader.doc_count_all(), len(values)))
    return values


def check_columns(reader) -> None:
    """Raise MisalignedIndex when any segment's column holds more values than
    the segment has documents (cheap: no values are read)."""
    for leaf, _ in reader.leaf_readers():
        count = leaf.doc_count_all()
        for name, field in leaf.schema.items():
            if field.column_type and leaf.has_column(name):
                _check_length(leaf.column_reader(name, translate=False), count, name)


def _check_length(column, count: int, name: str) -> None:
    # Fixed-width columns know how many values their file holds (``_count``);
    # fewer is fine (Whoosh reads the default past the end), more is not.
    stored = getattr(column, "_count", None)
    if len(column) != count or (isinstance(stored, int) and stored > count):
        raise MisalignedIndex(_message(name, count, stored if stored is not None else len(column)))


def _message(name: str, documents: int, values: int) -> str:
    return (f"the index's {name!r} column holds {values} values for {documents} documents: "
            "rebuild it with `cari index DIR --index PATH --rebuild`")
