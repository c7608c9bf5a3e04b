"""What else a typed word stands for: synonyms, spelling variants, near spellings of names.

The query builder (``query_builder.py``) asks an :class:`Expander` for the
alternatives of each plain word it reads, and of each run of adjacent words,
and searches each alternative beside the words as typed, weighted below them.
Nothing here is stored in the index, so every rule can change without a
rebuild. Four kinds, each with its weight:

- ``synonym`` (``SYNONYM_WEIGHT``): the lists of ``search/analysis/synonyms.py``
  (cari's own and the user's ``CARI_SYNONYMS`` file): ``demo`` also finds
  ``demonstrasi`` and ``unjuk rasa``: an alternative of several words stands
  for the typed word only where its words stand together, so it is searched
  as a phrase, matched and scored through it alone (``phrases.py``: an
  article with *Man City* and *Newcastle United* is not found for ``MU``);
- ``variant`` (``VARIANT_WEIGHT``): the same word written another way, by rule,
  only when the other form is in the index: the spelling before 1972
  (``oe``/``u``, ``dj``/``j``, ``tj``/``c``, ``sj``/``sy``, ``nj``/``ny``,
  ``ch``/``kh``; ``j``/``y`` only beside one of those, since modern words
  differ by it: raja/raya, saja/saya), initials with and without dots
  (``B.J.``/``BJ``), two words written solid (``sepak bola``/``sepakbola``)
  and a short form's spaced acronym (``RUU KUHP``/``RKUHP``), each joined
  form only when the stories write it as a word (the spelling vocabulary
  of titles and ledes), not merely when it analyses to an indexed term;
- ``near`` (``NEAR_WEIGHT``): a rare word also matches the index's words
  within one edit, two from ``NEAR_LONG`` letters (Meilisearch's rule), with
  the same first letter and never a stopword. (A word in no article at all is
  left to the spelling correction, which shows the results for the corrected
  query and says so.) A word in a handful of articles
  (``NEAR_RARE_SHARE``) may be a misspelling of any near word; a word in more
  (up to ``NEAR_SHARE``) is a word in its own right, and a near one joins it
  only when ``NEAR_MORE_COMMON`` times as many articles use it (the usual
  spelling of the same name: ``Mohammad`` finds ``Muhammad``, ``gempa``
  does not find ``gema``); a word in more than ``NEAR_SHARE`` is common and
  gets none, and a common word (in more than ``NEAR_COMMON_SHARE``) is never
  a near spelling (``Matta`` does not find ``mata``). A word that has a
  synonym is a known word, not a misspelling: it gets no near spellings
  (``Korut`` does not find ``korup``); a spelling variant does not make it
  known (``mahfudz`` has the variant ``mahfoedz`` and the near ``mahfud``).

The spellings of one word are one term for the corpus statistics
(:meth:`Expander.blend`): the typed word and its variants and near
spellings all score with the idf of the group's largest document frequency,
as Lucene's SynonymQuery and BlendedTermQuery do, each times its weight (1
for the spelling typed, its kind's for the others). How often each spelling
is written is an accident of orthography, not a measure of how much the word
says: scored apart, a rare spelling (``Suharto`` in one article) outweighed
the usual one (``Soeharto`` in a hundred) by idf alone, whichever was typed.
Blended, the exact spelling still ranks above a variant in an otherwise
equal article (its weight is the larger), and no spelling outscores
another by its rarity alone.

Synonyms are not blended: they are other words, not other spellings. Their
frequencies measure real differences of use and sense (``demo`` is also a
product demo, ``kematian`` is broader than ``tewas``), a multi-word synonym is
scored as its words where they stand as the phrase, each with its own
statistics (the phrase's frequency for each word's), and the word the user
chose is the likelier one in the stories sought. A synonym's (and a joined
form's) weight is its kind's times ``min(1, idf(typed) / idf(alt))``, so a
rarer alternative never outscores the typed words it stands for. Near
spellings and variants draw on the request's expansion allowance
(``Budget.expansions_left``, shared with ``prefix*``) and stop when the
request's time is spent.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from search.analysis.stopwords import STOPWORDS
from search.analysis.synonyms import synonyms_for

SYNONYM_WEIGHT = 0.5      # a synonym found counts half the typed word
VARIANT_WEIGHT = 0.8      # the same word spelt otherwise
NEAR_WEIGHT = 0.3         # a near spelling: likely the same name, possibly another word
SPELLINGS = ("variant", "near")   # kinds that are the typed word spelt otherwise (blended statistics)
NEAR_RARE_SHARE = 0.001   # a word in at most this share of the articles is rare: any near spelling
NEAR_SHARE = 0.01         # ... up to this share, only a near spelling NEAR_MORE_COMMON times as frequent;
NEAR_MORE_COMMON = 3      # a word in more articles is common: no near spellings
NEAR_MIN_DF = 3           # in a small index, a word in this many articles is still rare
NEAR_COMMON_SHARE = 0.05  # a near word in more than this share is a common word, not a name's spelling
NEAR_MIN_LENGTH = 5       # one edit from 5 letters,
NEAR_LONG = 9             # two from 9 (Meilisearch's typo rule)
MAX_NEAR = 3              # near spellings per word, the closest and most frequent first
MAX_VARIANTS = 4          # spelling variants per word
MAX_SYNONYMS = 8          # synonyms per word or run of words
MAX_SITES = 5             # letters of a word that the old/new rules may change (2^5 spellings at most)
VARIANT_MIN_DF = 2        # a variant must be in this many articles (a single one is more often a typo)

# Old (before the 1972 reform) and new spellings. The first group marks a
# spelling as old by itself; j/y only counts beside one of them.
OLD_NEW = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("nj", "ny"), ("ch", "kh"))
OLD_NEW_WEAK = (("j", "y"),)
INITIALS = re.compile(r"(?:[A-Za-z]\.){1,4}[A-Za-z]?\.?")
ACRONYM = re.compile(r"[A-Z]{2,5}")


@dataclass(frozen=True)
class Alternative:
    """One thing a typed word (or run of words) also stands for."""

    typed: str                                  # the word or words as typed
    kind: str                                   # synonym | variant | near
    text: str                                   # as written in the list, or the index's word
    positions: tuple[tuple[str, ...], ...]      # analysed terms by position (2+: a phrase)
    weight: float

    @property
    def terms(self) -> set[str]:
        return {t for alts in self.positions for t in alts}

    def to_dict(self) -> dict:
        """As ``cari analyze --query --json`` shows it: a phrase's terms in order."""
        return {"typed": self.typed, "kind": self.kind, "text": self.text,
                "terms": [list(alts) for alts in self.positions], "phrase": len(self.positions) > 1,
                "weight": self.weight}


# The rules as lookups (the first rule that applies, in the order above):
# an old pair and its new form, a new form and its old one.
_OLD_PAIRS = re.compile("|".join(old for old, _ in OLD_NEW))
_OLD_PAIRS_AND_WEAK = re.compile("|".join(old for old, _ in OLD_NEW + OLD_NEW_WEAK))
_NEW_OF = dict(OLD_NEW + OLD_NEW_WEAK)
_OLD_OF_TWO: dict[str, str] = {}
_OLD_OF_ONE: dict[str, str] = {}
for _old, _new in OLD_NEW + OLD_NEW_WEAK:
    (_OLD_OF_TWO if len(_new) == 2 else _OLD_OF_ONE).setdefault(_new, _old)
del _old, _new
_SURE = set(OLD_NEW)


def modern_spelling(word: str) -> str:
    """``word`` (lowercase) in today's spelling: soerabaja -> surabaya, djakarta -> jakarta.
    The old j (today's y) is read as y only in a word with another old mark."""
    old_word = _OLD_PAIRS.search(word) is not None
    pattern = _OLD_PAIRS_AND_WEAK if old_word else _OLD_PAIRS
    return pattern.sub(lambda m: _NEW_OF[m.group()], word)


def old_spellings(modern: str) -> set[str]:
    """The spellings before 1972 of a word in today's spelling, each with at least one
    sure mark (oe, dj, tj, sj, nj, ch): surabaya -> soerabaja, soerabaya; never raya -> raja."""
    sites = []                       # (start, length, old form, sure)
    i = 0
    while i < len(modern) and len(sites) < MAX_SITES:
        old = _OLD_OF_TWO.get(modern[i:i + 2])
        if old is not None:
            sites.append((i, 2, old, True))
            i += 2
            continue
        old = _OLD_OF_ONE.get(modern[i])
        if old is not None:
            sites.append((i, 1, old, (old, modern[i]) in _SURE))
        i += 1
    if not any(site[3] for site in sites):
        return set()                 # j/y alone: modern words differ by it
    found = set()
    for mask in range(1, 1 << len(sites)):
        chosen = [site for bit, site in enumerate(sites) if mask >> bit & 1]
        if not any(site[3] for site in chosen):
            continue
        out, pos = [], 0
        for start, length, old, _ in chosen:
            out.append(modern[pos:start])
            out.append(old)
            pos = start + length
        out.append(modern[pos:])
        found.add("".join(out))
    return found


def old_new_spellings(word: str) -> set[str]:
    """Spellings of ``word`` (lowercase) under the old/new rules, itself left out."""
    modern = modern_spelling(word)
    return ({modern} | old_spellings(modern)) - {word}


def initials_solid(typed: str) -> str | None:
    """``B.J.`` -> ``bj``: initials written with dots, as one word; None for anything else."""
    if "." not in typed or not INITIALS.fullmatch(typed):
        return None
    letters = "".join(ch for ch in typed if ch.isalpha())
    return letters.lower() if len(letters) >= 2 else None


def joined_forms(first: str, second: str) -> list[str]:
    """Two adjacent typed words as one: ``sepak bola`` -> ``sepakbola``; an acronym
    before another keeps its first letter: ``RUU KUHP`` -> ``ruukuhp``, ``rkuhp``."""
    if not (first.isalpha() and second.isalpha()):
        return []
    forms = [(first + second).lower()]
    if ACRONYM.fullmatch(first) and ACRONYM.fullmatch(second):
        forms.append((first[0] + second).lower())
    return forms


def idf(docs: int, df: int) -> float:
    return math.log(1 + (docs - df + 0.5) / (df + 0.5))


def scoring_idf(docs: int, df: int) -> float:
    """The idf the scorer gives a term (Whoosh's, search/retrieval/live.py)."""
    return math.log(docs / (df + 1)) + 1


def weight_of_kind(kind: str) -> float:
    return {"synonym": SYNONYM_WEIGHT, "variant": VARIANT_WEIGHT, "near": NEAR_WEIGHT}[kind]


def is_spelling(alternative) -> bool:
    """An alternative that is the typed word spelt otherwise: one term, blended."""
    return alternative.kind in SPELLINGS and len(alternative.positions) == 1


class Expander:
    """The alternatives of one query's words, within the request's budget.

    ``terms(text)`` is the builder's analysis (cached per request); ``reader``
    gives document frequencies (live documents only); ``budget`` is the
    request's ``query.Budget`` (its vocabulary, allowance and deadline).
    """

    def __init__(self, reader, analyzer, terms, budget):
        self.reader = reader
        self.terms = terms
        self.budget = budget
        self.synonyms = budget.excuse(synonyms_for, analyzer)
        self.docs = max(1, reader.doc_count())
        self._df: dict[str, int] = {}
        self._vocabulary = False

    # -- helpers -----------------------------------------------------------------------------
    def df(self, term: str) -> int:
        found = self._df.get(term)
        if found is None:
            found = self._df[term] = self.reader.doc_frequency("body", term)
        return found

    def vocabulary(self):
        """The spelling vocabulary (search.retrieval.spelling.Words) or None."""
        if self._vocabulary is False:
            self._vocabulary = self.budget.words()
        return self._vocabulary

    def weight(self, kind_weight: float, typed: set[str], alternative) -> float:
        """``kind_weight`` scaled so the alternative never outweighs the typed terms."""
        typed_idf = sum(idf(self.docs, self.df(t)) for t in typed)
        alt_idf = sum(idf(self.docs, self.df(alts[0])) for alts in alternative)
        if alt_idf <= typed_idf or alt_idf <= 0:
            return kind_weight
        return round(kind_weight * typed_idf / alt_idf, 4)

    def blend(self, field: str, typed: list[str], spellings: list[Alternative]) -> list[tuple[str, float]]:
        """(term, boost) in ``field`` for a typed word's terms and its ``spellings``',
        scored as one term: each boost turns the term's own idf into the idf of
        the group's largest document frequency, times the term's weight (1 typed,
        its kind's otherwise; a term both typed and a spelling keeps 1)."""
        weights = dict.fromkeys(typed, 1.0)
        for alt in spellings:
            for term in alt.positions[0]:
                weights.setdefault(term, weight_of_kind(alt.kind))
        df = {t: self.reader.doc_frequency(field, t) for t in weights}
        blended = scoring_idf(self.docs, max(df.values()))
        return [(t, w * blended / scoring_idf(self.docs, df[t])) for t, w in weights.items()]

    def take(self, count: int) -> bool:
        """Draw ``count`` from the request's expansion allowance; False when it is spent."""
        if count <= 0:
            return True
        if self.budget.expansions_left < count or self.budget.expired():
            return False
        self.budget.expansions_left -= count
        return True

    def exists(self, word: str) -> tuple | None:
        """``word``'s analysed positions when the index holds it (``VARIANT_MIN_DF`` articles)."""
        positions = self.terms(word)
        if not positions or not all(self.df(alts[0]) >= VARIANT_MIN_DF for alts in positions):
            return None
        return tuple(tuple(alts) for alts in positions)

    # -- a word --------------------------------------------------------------------------------
    def word(self, typed: str, positions) -> list[Alternative]:
        """Alternatives of one typed word (``positions``: its analysed terms); a
        reparse of the same request (correction, any-word retry) reuses them."""
        key = ("alternatives", typed)
        found = self.budget.expanded.get(key)
        if found is None:
            found = self.budget.expanded[key] = self._word(typed, positions)
        return found

    def _word(self, typed: str, positions) -> list[Alternative]:
        typed_terms = {t for alts in positions for t in alts}
        found: list[Alternative] = []
        seen = {tuple(tuple(alts) for alts in positions)}

        def add(kind, text, alt_positions, base):
            alt_positions = tuple(tuple(a) for a in alt_positions)
            if alt_positions in seen or typed_terms & {a[0] for a in alt_positions}:
                return
            seen.add(alt_positions)
            found.append(Alternative(typed, kind, text, alt_positions,
                                     self.weight(base, typed_terms, alt_positions)))

        for expansion in self.synonym_list(tuple(alts[0] for alts in positions), typed_terms):
            add("synonym", expansion.text, expansion.positions, SYNONYM_WEIGHT)
        for text, alt_positions in self.variants(typed):
            add("variant", text, alt_positions, VARIANT_WEIGHT)
        # A word of the synonym lists is a known word, not a typo; a spelling
        # variant found by rule only says an old or new spelling exists
        # (mahfudz -> mahfoedz), not that the typed form is right.
        if len(positions) == 1 and not any(a.kind == "synonym" for a in found):
            for text, alt_positions in self.near(typed.lower(), positions[0]):
                add("near", text, alt_positions, NEAR_WEIGHT)
        return self.blended_weights(positions, found)

    def blended_weights(self, positions, found: list[Alternative]) -> list[Alternative]:
        """``found`` with each spelling's weight as blended in the body (what
        ``cari analyze --query`` shows; the query builder blends per field)."""
        spellings = [a for a in found if is_spelling(a)]
        if len(positions) != 1 or not spellings:
            return found
        boosts = dict(self.blend("body", positions[0], spellings))
        return [replace(a, weight=round(boosts[a.positions[0][0]], 4)) if is_spelling(a) else a
                for a in found]

    def synonym_list(self, key: tuple[str, ...], typed_terms: set[str]):
        """The list's expansions of ``key``, less those that hold the typed terms
        (an article with them already matches)."""
        kept = []
        for expansion in self.synonyms.lookup(key):
            if all(any(t in alts for alts in expansion.positions) for t in key):
                continue
            kept.append(expansion)
            if len(kept) >= MAX_SYNONYMS:
                break
        return kept

    def variants(self, typed: str) -> list[tuple[str, tuple]]:
        """Other spellings of ``typed`` the index holds: initials without dots, old/new spelling."""
        out = []
        solid = initials_solid(typed)
        if solid is not None:
            found = self.exists(solid)
            if found and self.take(1):
                out.append((solid, found))
            return out
        word = typed.lower()
        if len(word) < 4 or not word.isalpha() or word in STOPWORDS:
            return out
        words = self.vocabulary()
        for spelling in sorted(old_new_spellings(word)):
            if len(out) >= MAX_VARIANTS:
                break
            if words is not None and spelling not in words.freq:
                continue
            found = self.exists(spelling)
            if found and self.take(1):
                out.append((spelling, found))
        return out

    def near(self, word: str, typed_terms) -> list[tuple[str, tuple]]:
        """Index words within one edit (two for long words) of a rare ``word``."""
        if len(word) < NEAR_MIN_LENGTH or not word.isalpha() or word in STOPWORDS:
            return []
        own = max(self.df(t) for t in typed_terms)
        if not own or own > max(NEAR_MIN_DF, self.docs * NEAR_SHARE) or self.budget.expired():
            return []       # a word no article holds is a typo: the spelling correction replaces it, saying so
        # Beyond a handful of articles, only a far more frequent spelling (vocabulary frequencies
        # are titles and ledes; the typed word's is compared there too).
        floor = 0 if own <= max(NEAR_MIN_DF, self.docs * NEAR_RARE_SHARE) else None
        words = self.vocabulary()
        if words is None:
            return []
        if floor is None:
            floor = NEAR_MORE_COMMON * max(1, words.freq.get(word, 0))
        out = []
        edits = 2 if len(word) >= NEAR_LONG else 1
        for _, neg_df, candidate in words.candidates(word, edits):
            if candidate[0] != word[0] or candidate in STOPWORDS or not candidate.isalpha():
                continue
            if -neg_df < floor:
                continue
            found = self.terms(candidate)
            if len(found) != 1 or set(found[0]) & set(typed_terms):
                continue
            if self.df(found[0][0]) > self.docs * NEAR_COMMON_SHARE:
                continue        # matta is not mata: a common word is not another spelling of a rare one
            if not self.take(1):
                break
            out.append((candidate, (tuple(found[0]),)))
            if len(out) >= MAX_NEAR:
                break
        return out

    # -- a run of words ----------------------------------------------------------------------------
    def longest_key(self) -> int:
        return max(2, self.synonyms.longest)

    def run(self, typed: list[str], positions: list) -> list[Alternative]:
        """Alternatives of adjacent typed words taken together (``positions``: the
        analysed terms of each word, positions concatenated)."""
        memo = ("alternatives", tuple(typed))
        found = self.budget.expanded.get(memo)
        if found is None:
            found = self.budget.expanded[memo] = self._run(typed, positions)
        return found

    def _run(self, typed: list[str], positions: list) -> list[Alternative]:
        key = tuple(alts[0] for alts in positions)
        typed_terms = set(key)
        found = []
        for expansion in self.synonym_list(key, typed_terms):
            found.append(Alternative(" ".join(typed), "synonym", expansion.text, expansion.positions,
                                     self.weight(SYNONYM_WEIGHT, typed_terms, expansion.positions)))
        if len(typed) == 2:
            words = self.vocabulary()
            for form in joined_forms(*typed):
                # Written as one word by the stories, not only analysed like one:
                # ``MU kalah`` -> ``mukalah`` stems to ``muka`` (face).
                if words is not None and form not in words.freq:
                    continue
                alt = self.exists(form)
                if (alt and not typed_terms & {a[0] for a in alt}
                        and all(a.positions != alt for a in found) and self.take(1)):
                    found.append(Alternative(" ".join(typed), "variant", form, alt,
                                             self.weight(VARIANT_WEIGHT, typed_terms, alt)))
        return found
