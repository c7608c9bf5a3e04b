"""cari with one of its recall features switched off, for measurement only.

Each switch replaces one module attribute in the process that runs the
topics (a benchmark child process), so the index and every other feature
stay as they are. Stemming cannot be switched this way (it is in the index):
``bench.stemming`` measures it.
"""
from __future__ import annotations

FEATURES = {
    "tail": "articles holding some of the words",
    "synonyms": "synonyms",
    "variants": "spelling variants",
    "near": "near spellings of rare names",
    "proximity": "phrase bonus",
    "lone": "the lone title word rule",
    "common": "the common word rule",
}


def switch_off(feature: str) -> None:
    import search.retrieval.expansion as expansion
    import search.retrieval.proximity as proximity
    import search.retrieval.run as run
    import search.retrieval.tail as tail

    def nothing(self, *args):
        return []

    if feature == "tail":
        run.min_should_match = lambda n: n          # every word required: no article holds "most" only
    elif feature == "synonyms":
        expansion.Expander.synonym_list = nothing
    elif feature == "variants":
        expansion.Expander.variants = nothing
    elif feature == "near":
        expansion.Expander.near = nothing
    elif feature == "proximity":
        proximity.WEIGHT = 0.0
    elif feature == "lone":
        proximity.lone_words = lambda *args: {}
    elif feature == "common":
        tail.COMMON_SHARE = 1.0
    else:
        raise ValueError(f"unknown feature {feature!r}: one of {', '.join(FEATURES)}")
