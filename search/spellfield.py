"""The ``spell`` field's type: surface words, document frequency only, indexed fast.

Whoosh indexes such a field by running its analyzer (a regex tokenizer and a
lowercase filter), building a Token per word, and keeping the set of texts.
:class:`WordSetField` gets the same set from one ``findall`` when the analyzer
is exactly that pair and the format is ``Existence``; otherwise it is
Whoosh's own FieldType. It lives in a module of its own because Whoosh
pickles the schema, field classes included.
"""
from __future__ import annotations

from whoosh import fields, formats
from whoosh.analysis import LowercaseFilter, RegexTokenizer

from search.analysis.postings import plain_index_call


class WordSetField(fields.FieldType):
    def index(self, value, **kwargs):
        findall = self._findall()
        if findall is None or not plain_index_call(value, kwargs):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [(word.encode("utf-8"), 1, boost, b"")
                for word in {match.lower() for match in findall(value)}]

    def _findall(self):
        """The tokenizer pattern's ``findall`` when the fast path applies, else None."""
        if type(self.format) is not formats.Existence:
            return None
        items = getattr(self.analyzer, "items", None)
        if not items or tuple(type(item) for item in items) != (RegexTokenizer, LowercaseFilter):
            return None
        tokenizer = items[0]
        if tokenizer.gaps or tokenizer.expression.groups:
            return None           # findall would not return the whole matches
        return tokenizer.expression.findall
