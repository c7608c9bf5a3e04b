"""The stemmer's data learnt from the news corpora: root use and kept-apart words.

Reads every article (title and body) of ../shared/corpus (CLICK-ID and
IndoSum) at run time and writes two word lists of our own into
search/analysis/ (nothing of the corpora is stored but counts of roots and a
list of words):

``root_use_id.txt`` -- how much news uses each root. When two readings of a
word both reach the lexicon (terasa: ter- + asa or te- + rasa; perbankan:
perban + -kan or per- + bank + -an), the stemmer takes the root news uses
more. A root's use is the number of corpus tokens that only that root
explains: the bare root and the derived words no other root could explain.
Words that are themselves ambiguous count for neither side.

``kept_apart_id.txt`` -- derived words that keep their own meaning and are
their own term. The principle: **merging a derived word with its root helps
a searcher only when the words are used about the same things**, judged for
the searcher of each side. A word's usage is its PPMI context vector (the
FEATURES most frequent stems within WINDOW content words; the family's own
root left out). "Unrelated" is measured against a null: the families of all
the other candidates. A word is unrelated to X when more than
UNRELATED_SHARE (5%) of those other families are at least as close to it as
X is, i.e. X is no closer to it than the closest twentieth of unrelated
families. A derived word D (a corpus word the stemmer, without this list,
takes to a root R other than itself) is kept apart when

1. D is a word in its own right: at least MIN_COUNT uses, and the rest of
   its family (every other word stemmed to R) has MIN_COUNT too, so the
   merge would join two sets of stories of real size; and
2. D is unrelated to the rest of its family (the searcher of D would get
   stories about something else: kemenangan is not tangan, pendekatan is
   not dekat): D is its own term, shared only with such words of its family
   used alike (each close to the other by the same test); or
3. R is itself a word of MIN_COUNT uses and D is unrelated to it (the
   searcher of R would get D's stories: meninggal, died, is not tinggal,
   stay; pemerintah, government, is not perintah, order). The family then
   splits in two: the derived words unrelated to R are one term (the most
   used of them names it: melakukan, dilakukan and lakukan apart from laku,
   sell well), the words used like R stay with it.

The affix alone decides nothing: mengungsi and pengungsi are used about the
same disasters and stay one term. The decision is one pass over the
families as the stemmer without this list makes them; a kept word's term
also takes its -nya and particles (meninggalnya).

Run: ``python -m bench.stem_data`` prints the figures and the list;
``--write`` rewrites both files. The stemming benchmark (bench/stemming.py)
reports what the lists change.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SOURCES = ("clickid/*.jsonl", "indosum/*.jsonl")
ANALYSIS = REPO / "search" / "analysis"

MIN_COUNT = 100          # "a word in its own right": about once in 250 articles
WINDOW = 5               # content words each side
FEATURES = 5000          # most frequent stems used as context dimensions
UNRELATED_SHARE = 0.05
SMOOTHING = 0.75         # context distribution smoothing of PPMI (Levy et al. 2015)


def articles():
    """Title + body of each article of the news corpora, one string each."""
    for pattern in SOURCES:
        for path in sorted(CORPUS.glob(pattern)):
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    record = json.loads(line)
                    yield f"{record.get('title') or ''}\n{record.get('body') or ''}"


def tokenised() -> list[list[str]]:
    """Lowercase alphabetic tokens as the analysis sees them (hyphenated words whole)."""
    from search.analysis.tokenizer import TOKEN_PATTERN
    docs = []
    for text in articles():
        words = (m.group().lower() for m in TOKEN_PATTERN.finditer(text))
        docs.append([w for w in words if w.replace("-", "").isalpha()])
    return docs


def plain_stemmer(use=None):
    """cari's stemmer without the kept-apart list (and without root use
    unless given): what the lists are learnt from."""
    from search.analysis.stemmer import Stemmer
    return Stemmer(kept=frozenset(), use=use or {})


# --- root use -------------------------------------------------------------------------

def root_use(counts: Counter) -> dict[str, int]:
    """Tokens each root alone explains (see the module docstring)."""
    from search.analysis.lexicon import NAMES
    from search.analysis.stemmer import lexicon_roots
    from search.analysis.stopwords import STOPWORDS
    roots = plain_stemmer().roots
    use: Counter = Counter()
    for word, n in counts.items():
        if len(word) < 3 or word in STOPWORDS or word in NAMES:
            continue
        found = lexicon_roots(word, roots)
        if len(found) == 1:
            use[found[0]] += n
    return dict(use)


# --- kept-apart words -----------------------------------------------------------------

def candidates(counts: Counter, stem_of: dict[str, str]) -> tuple[list[str], dict[str, int]]:
    """Derived words passing test 1, and the token count of each family."""
    from search.analysis.stopwords import STOPWORDS
    family: Counter = Counter()
    for word, n in counts.items():
        family[stem_of[word]] += n
    found = [w for w, n in counts.items()
             if n >= MIN_COUNT and stem_of[w] != w and w not in STOPWORDS and stem_of[w] not in STOPWORDS
             and "-" not in w
             and family[stem_of[w]] - n >= MIN_COUNT]
    return sorted(found), dict(family)


def context_counts(docs, stem_of, words: list[str], counts: Counter):
    """Co-occurrence counts (rows: each candidate word, then each candidate's
    family; columns: the FEATURES most frequent stems) within WINDOW content words."""
    import numpy as np
    from search.analysis.stopwords import STOPWORDS

    stems = sorted({stem_of[w] for w in words})
    stem_freq: Counter = Counter()
    for doc in docs:
        for word in doc:
            if word not in STOPWORDS:
                stem_freq[stem_of[word]] += 1
    features = [s for s, _ in stem_freq.most_common(FEATURES)]
    feature_id = {s: i for i, s in enumerate(features)}
    centres = words + [s for s in stems if counts.get(s, 0) >= MIN_COUNT and s not in words]
    word_row = {w: i for i, w in enumerate(centres)}
    stem_row = {s: len(centres) + i for i, s in enumerate(stems)}

    word_rows, stem_rows, feats = [], [], []
    for doc in docs:
        content = [w for w in doc if w not in STOPWORDS]
        word_rows.extend([-1] * WINDOW)
        stem_rows.extend([-1] * WINDOW)
        feats.extend([-1] * WINDOW)                 # documents do not touch
        for word in content:
            stem = stem_of[word]
            word_rows.append(word_row.get(word, -1))
            stem_rows.append(stem_row.get(stem, -1))
            feats.append(feature_id.get(stem, -1))
    word_rows, stem_rows, feats = (np.array(a, dtype=np.int64) for a in (word_rows, stem_rows, feats))
    size = (len(centres) + len(stems)) * len(features)
    table = np.zeros(size, dtype=np.int64)
    for offset in range(1, WINDOW + 1):
        for rows in (word_rows, stem_rows):
            for centre, context in ((rows[:-offset], feats[offset:]), (rows[offset:], feats[:-offset])):
                keep = (centre >= 0) & (context >= 0)
                table += np.bincount(centre[keep] * len(features) + context[keep], minlength=size)
    table = table.reshape(len(centres) + len(stems), len(features))
    column_weight = np.array([stem_freq[s] for s in features], dtype=np.float64) ** SMOOTHING
    return table, word_row, stem_row, feature_id, column_weight / column_weight.sum()


def ppmi(row, column_p):
    import numpy as np
    total = row.sum()
    if total == 0:
        return np.zeros_like(column_p)
    with np.errstate(divide="ignore"):
        pmi = np.log(row / total / column_p)
    return np.where(row > 0, np.maximum(pmi, 0.0), 0.0)


def _unit(matrix):
    import numpy as np
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def similarities(words, stem_of, table, row_of, stem_row, feature_id, column_p):
    """For each candidate word: how many unrelated families (every other
    candidate's family) are at least as close to it in usage, as a share,
    (a) as the rest of its own family is and (b) as its bare root word is
    (None when the root is not a word of MIN_COUNT uses)."""
    import numpy as np
    rows = {w: ppmi(table[i].astype(np.float64), column_p) for w, i in row_of.items()}
    stems, families = family_matrix(table, stem_row, feature_id, column_p)
    out = {}
    for word in words:
        stem = stem_of[word]
        column = feature_id.get(stem)
        own = rows[word].copy()
        rest = ppmi((table[stem_row[stem]] - table[row_of[word]]).astype(np.float64), column_p)
        bare = rows[stem].copy() if stem in rows else None
        for vector in (own, rest, bare):
            if vector is not None and column is not None:
                vector[column] = 0.0                        # the root itself says nothing
        own, rest = _unit(own[None])[0], _unit(rest[None])[0]
        others = np.delete(families @ own, stems.index(stem))
        family_cos = float(own @ rest)
        share_family = float((others >= family_cos).mean())
        share_root = None
        if bare is not None:
            root_cos = float(own @ _unit(bare[None])[0])
            share_root = float((others >= root_cos).mean())
        out[word] = (family_cos, share_family, share_root)
    return out


def family_matrix(table, stem_row, feature_id, column_p):
    """``(stems, unit PPMI vectors of each candidate family, own column zeroed)``."""
    import numpy as np
    stems = sorted(stem_row, key=stem_row.get)
    families = np.array([ppmi(table[stem_row[s]].astype(np.float64), column_p) for s in stems])
    for j, stem in enumerate(stems):
        column = feature_id.get(stem)
        if column is not None:
            families[j, column] = 0.0
    return stems, _unit(families)


def word_closeness(a: str, b: str, table, row_of, feature_id, column_p, stem, stems, families) -> float:
    """Share of unrelated families at least as close to ``a`` as ``b`` is."""
    import numpy as np
    column = feature_id.get(stem)
    vectors = []
    for word in (a, b):
        vector = ppmi(table[row_of[word]].astype(np.float64), column_p)
        if column is not None:
            vector[column] = 0.0
        vectors.append(_unit(vector[None])[0])
    others = np.delete(families @ vectors[0], stems.index(stem))
    return float((others >= float(vectors[0] @ vectors[1])).mean())


def group_terms(apart_words: list[str], root_split: list[str], stem_of, counts, close) -> dict[str, str]:
    """The term of each kept word. Words unrelated to the rest of their family
    (``apart_words``) are their own term, shared only with such words used
    alike (``close(a, b)`` both ways). Words kept only because they are
    unrelated to the bare root word (``root_split``) split the family in two:
    together they are one term, the most used of them (melakukan, dilakukan
    and lakukan apart from laku, sell well), the rest stay with the root."""
    terms: dict[str, str] = {}
    groups: dict[str, list[list[str]]] = {}
    for word in sorted(apart_words, key=lambda w: -counts[w]):
        family = groups.setdefault(stem_of[word], [])
        _join(word, family, close) or family.append([word])
    halves: dict[str, list[str]] = {}
    for word in root_split:
        if word not in apart_words:
            halves.setdefault(stem_of[word], []).append(word)
    for family in [g for gs in groups.values() for g in gs] + list(halves.values()):
        term = max(family, key=lambda w: (counts[w], w))
        for word in family:
            terms[word] = term
    return terms


def drop_inflected(terms: dict[str, str]) -> dict[str, str]:
    """Leaves out an inflected form whose base has a term (menariknya follows
    menarik at run time: the stemmer takes -nya off a kept word)."""
    from search.analysis.stemmer import _uninflected
    return {w: t for w, t in terms.items() if _uninflected(w) == w or _uninflected(w) not in terms}


def _join(word: str, family: list[list[str]], close) -> bool:
    for group in family:
        if all(close(word, other) and close(other, word) for other in group):
            group.append(word)
            return True
    return False


def learn() -> dict:
    from search.analysis.terms import root
    docs = tokenised()
    counts = Counter(w for doc in docs for w in doc)
    use = root_use(counts)
    stemmer = plain_stemmer(use)
    stem_of = {w: root(w, stemmer.stem) for w in counts}
    words, family = candidates(counts, stem_of)
    table, row_of, stem_row, feature_id, column_p = context_counts(docs, stem_of, words, counts)
    scores = similarities(words, stem_of, table, row_of, stem_row, feature_id, column_p)
    apart_words = [w for w in words if scores[w][1] > UNRELATED_SHARE]
    root_split = [w for w in words if scores[w][2] is not None and scores[w][2] > UNRELATED_SHARE]

    stems, families = family_matrix(table, stem_row, feature_id, column_p)

    def close(a: str, b: str) -> bool:
        share = word_closeness(a, b, table, row_of, feature_id, column_p, stem_of[a], stems, families)
        return share <= UNRELATED_SHARE

    terms = drop_inflected(group_terms(apart_words, root_split, stem_of, counts, close))
    return {"articles": len(docs), "tokens": sum(counts.values()), "use": use, "kept": terms,
            "scores": scores, "counts": {w: counts[w] for w in words},
            "stem_of": {w: stem_of[w] for w in words}, "family": family,
            "root_counts": {w: counts.get(stem_of[w], 0) for w in words}}


HEADER_USE = """# How much Indonesian news uses each root: tokens of CLICK-ID and IndoSum
# (titles and bodies) that only this root explains. Written by
# `python -m bench.stem_data --write`; the stemmer takes the more used root
# when two readings of a word reach the lexicon. Counts only, no text.
"""
HEADER_KEPT = """# Derived words that are their own term, learnt by `python -m bench.stem_data --write`
# from CLICK-ID and IndoSum (the principle is in bench/stem_data.py; do not edit
# by hand). One word a line, then the term it shares with derived words used
# alike when that is another word (dilakukan melakukan); meninggal is not tinggal.
"""


def write(result: dict) -> None:
    use_lines = [f"{root} {n}" for root, n in sorted(result["use"].items())]
    (ANALYSIS / "root_use_id.txt").write_text(HEADER_USE + "\n".join(use_lines) + "\n", "utf-8")
    kept_lines = [word if term == word else f"{word} {term}" for word, term in sorted(result["kept"].items())]
    (ANALYSIS / "kept_apart_id.txt").write_text(HEADER_KEPT + "\n".join(kept_lines) + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not CORPUS.is_dir():
        print(f"../shared/corpus not found at {CORPUS}", file=sys.stderr)
        return 1
    result = learn()
    scores, kept = result["scores"], result["kept"]
    print(f"{result['articles']:,} articles, {result['tokens']:,} tokens; {len(result['use']):,} roots used; "
          f"{len(scores):,} derived words pass the counts; kept apart {len(kept)} "
          f"in {len(set(kept.values()))} terms")
    print("kept\tword\troot\tterm\tuses\tfamily rest\troot word uses\tcos family\tshare family\tshare root")
    for word in sorted(scores, key=lambda w: -scores[w][1]):
        cos, share_family, share_root = scores[word]
        root_share = "-" if share_root is None else f"{share_root:.3f}"
        print(f"{'KEPT' if word in kept else ''}\t{word}\t{result['stem_of'][word]}\t{kept.get(word, '')}"
              f"\t{result['counts'][word]}\t{result['family'][result['stem_of'][word]] - result['counts'][word]}"
              f"\t{result['root_counts'][word]}\t{cos:.3f}\t{share_family:.3f}\t{root_share}")
    if "--write" in argv:
        write(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
