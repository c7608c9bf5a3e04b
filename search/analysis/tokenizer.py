"""Split text into raw tokens: words (hyphenated ones whole), numbers, currency signs.

The tokenizer keeps the original case: the next stage needs it to tell the
acronym ``AS`` (the United States) from the word ``as``. Offsets are character
offsets into the text, for highlighting and ``cari analyze``.
"""
from __future__ import annotations

import re

# A word as cari reads text: letters and digits, inner apostrophes and hyphens
# kept so "Jum'at", "negara-negara" and "COVID-19" arrive whole. Highlighting
# finds words with it too (search/retrieval/highlight.py).
WORD = r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+(?:['’][^\W_]+)*)*"

# Order matters: a currency sign before digits, then a number that is not the
# start of a word like "5G", then a word.
TOKEN_PATTERN = re.compile(
    r"""
    (?P<currency>US\$|S\$|A\$|HK\$|\$|€|£|¥|Rp\.?(?=\s?\d))
  | (?P<number>\d+(?:[.,/:]\d+)*(?![^\W\d_]))
  | (?P<word>""" + WORD + r""")
    """,
    re.VERBOSE,
)


# The same pattern without capturing groups, so ``findall`` returns the token
# strings themselves (the index-time fast path in ``postings.py`` needs no offsets).
RAW_TOKEN_PATTERN = re.compile(re.sub(r"\(\?P<\w+>", "(?:", TOKEN_PATTERN.pattern), re.VERBOSE)
