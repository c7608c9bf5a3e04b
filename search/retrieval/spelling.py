"""Spelling: "Maksud Anda: …" built from the index's own vocabulary.

The title and body terms are stems (``pemerintah`` is stored as
``perintah``), so a correction cannot come from them: a user who typed
``pemerinth`` must be offered ``pemerintah``, a word people write. The
``spell`` field holds the surface words of each article's title and the first
``SPELL_LEDE_CHARS`` (400) characters of its body, lowercased, with document
frequencies only (no positions, no lengths, not stored).

Candidates come from that vocabulary by symmetric deletion (``Words``: every
word under each form with one letter deleted, built once per index
generation), checked with the real Damerau-Levenshtein distance. Only a word
the index has never seen, when the query found nothing, may also be looked
up among the body terms with Whoosh's ``terms_within`` (a Levenshtein
automaton walk, slower; ``MAX_BODY_WALKS`` per query).

A word is corrected when the index knows nothing of it (none of its analysed
terms occurs), or, for a "did you mean" beside results that were found, when
the word is rare and a close word is far more common: a typo that a few
articles share (``Jokowu``), or a name a few dozen articles misspell
(``Anis Baswedan``, 3 articles, beside ``Anies Baswedan``, 283). A word in
more than a few articles is offered a correction only when the corrected
query, with the query's other words, finds ``TOGETHER_MORE`` times as many
articles (``Anis Matta`` is a name of its own: not corrected). A correction
is never a stopword: it could not be searched.

The functions take what they need (a reader, the analyzer, the generation's
``Words``), never the engine.
"""
from __future__ import annotations

import re
import threading

from search.analysis.stopwords import STOPWORDS
from search.fields import SPELL_FIELD, WORD_PATTERN
from search.retrieval.kept import keep

LARGE_INDEX = 2000         # documents above which single-article words are not suggested
MIN_LENGTH = 4             # shorter words are too ambiguous to correct
RARE = 2                   # a known word this rare may still be a typo
MORE_COMMON = 30           # ... when a close word is this many times more common
MAX_CORRECT_LENGTH = 30    # longer words are not corrected (no vocabulary word is near them,
                           # and the candidate search grows with the square of the length)
DID_YOU_MEAN_SHARE = 0.002  # beside results, a word in more than this share of the articles
DID_YOU_MEAN_MIN = 10        # (or, in a small index, this many) is not corrected
TOGETHER_MORE = 10         # ... and one in more than RARE needs this many times the matches, corrected
MAX_BODY_WALKS = 1         # words per query looked up in the body terms (a walk of the terms
BODY_WALK_LENGTH = 12      # of its first letter, 10-200 ms a word), and only words up to this length
WALK_CHECK_EVERY = 256     # best_word: terms walked between two looks at the request's clock
KEPT_CANDIDATES = 4096     # words whose near spellings a vocabulary keeps for the next searches


_WORDS = re.compile(WORD_PATTERN)


def distance(a: str, b: str, most: int | None = None) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance; with ``most``,
    any distance over ``most`` may come back as ``most + 1`` (found sooner).

    Hyyrö's bit-vector algorithm (2003): one column of the distance table
    per letter of ``b``, held as bits of Python integers (a bit per letter of
    ``a``), a few integer operations each: a fifth of the time of the table
    filled cell by cell, the same distances.
    """
    if a == b:
        return 0
    if most is not None and abs(len(a) - len(b)) > most:
        return most + 1         # each letter more or less is an edit
    if not a or not b:
        return len(a) or len(b)
    letters: dict[str, int] = {}            # letter -> bits of the positions of ``a`` holding it
    bit = 1
    for ch in a:
        letters[ch] = letters.get(ch, 0) | bit
        bit <<= 1
    last = 1 << (len(a) - 1)
    # Vertical differences (+1 / -1) down the current column, the diagonal
    # zeros, and the previous letter's positions (for transpositions).
    plus, minus, zero, before = (1 << len(a)) - 1, 0, 0, 0
    found = len(a)
    get = letters.get
    for ch in b:
        match = get(ch, 0)
        swap = (((~zero) & match) << 1) & before
        zero = (((match & plus) + plus) ^ plus) | match | minus | swap
        up = minus | ~(zero | plus)
        down = zero & plus
        if up & last:
            found += 1
        elif down & last:
            found -= 1
        up = (up << 1) | 1
        down <<= 1
        plus = down | ~(zero | up)
        minus = up & zero
        before = match
    return found


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


class Words:
    """The ``spell`` field's vocabulary with document frequencies, one index generation.

    In a large archive a word found in a single article is more often a typo
    than a correction target, so such words are left out (small indexes keep
    them all). Shared by corrections and autocomplete.
    """

    def __init__(self, reader, live=None):
        min_df = 2 if reader.doc_count() >= LARGE_INDEX else 1
        counts: dict[str, int] = {}
        if SPELL_FIELD in reader.schema.names():
            # Segment by segment: a MultiReader's iter_field looks every term
            # up in every segment, ten times slower than reading each in turn.
            for leaf, _ in reader.leaf_readers():
                for term, info in leaf.iter_field(SPELL_FIELD):
                    term = term.decode("utf-8") if isinstance(term, bytes) else term
                    counts[term] = counts.get(term, 0) + info.doc_frequency()
        if live is not None:
            # Words of deleted articles do not count (search/retrieval/live.py).
            for word, n in live.deleted_words(SPELL_FIELD).items():
                counts[word] = counts.get(word, 0) - n
        self._fill(counts, min_df)

    @classmethod
    def from_counts(cls, counts: dict[str, int], min_df: int = 1) -> "Words":
        """A vocabulary of the given words and document frequencies."""
        words = cls.__new__(cls)
        words._fill(counts, min_df)
        return words

    def _fill(self, counts: dict[str, int], min_df: int) -> None:
        self.words = sorted(w for w, df in counts.items() if df >= min_df)
        self.freq = {w: counts[w] for w in self.words}
        self.freqs = [self.freq[w] for w in self.words]
        self._deletes: dict[str, object] | None = None
        # Near spellings found, by (word, edits): a vocabulary never changes,
        # and the words people search for recur far more than their queries.
        self._near: dict[tuple[str, int], tuple] = {}
        self._near_lock = threading.Lock()

    def deletes(self) -> dict:
        """Each word under every form with one letter deleted (built on first use).

        Symmetric deletion: a typo within one edit of a word, or two when the
        typo has the extra letters, shares a deleted form with it; candidates
        found that way are checked with the real distance.
        """
        if self._deletes is None:
            index: dict[str, object] = {}
            for word in self.words:
                for form in {word[:i] + word[i + 1:] for i in range(len(word))}:
                    found = index.get(form)
                    if found is None:
                        index[form] = word
                    elif isinstance(found, str):
                        index[form] = [found, word]
                    else:
                        found.append(word)
            self._deletes = index
        return self._deletes

    def candidates(self, word: str, maxdist: int) -> tuple[tuple[int, int, str], ...]:
        """(distance, -df, word) for vocabulary words close to ``word``, closest
        and most frequent first; kept for the next searches (``KEPT_CANDIDATES``
        words, the oldest out first)."""
        key = (word, maxdist)
        found = self._near.get(key)
        if found is None:
            found = tuple(self._candidates(word, maxdist))
            keep(self._near, self._near_lock, KEPT_CANDIDATES, key, found)
        return found

    def _candidates(self, word: str, maxdist: int) -> list[tuple[int, int, str]]:
        index = self.deletes()
        forms = {word}
        frontier = {word}
        for _ in range(maxdist):
            frontier = {f[:i] + f[i + 1:] for f in frontier for i in range(len(f))}
            forms |= frontier
        seen: set[str] = set()
        for form in forms:
            if form in self.freq:
                seen.add(form)
            found = index.get(form)
            if found is None:
                continue
            if isinstance(found, str):
                seen.add(found)
            else:
                seen.update(found)
        seen.discard(word)
        out = []
        for cand in seen:
            d = distance(word, cand, maxdist)
            if d <= maxdist:
                out.append((d, -self.freq[cand], cand))
        out.sort()
        return out


def best_spelling(words: Words, word: str, own_df: int = 0) -> str | None:
    """The closest, then most frequent, vocabulary word for ``word``; when
    ``word`` itself occurs, the candidate must be ``MORE_COMMON`` times commoner."""
    for dist, neg_df, cand in words.candidates(word, max_edits(word)):
        if -neg_df <= own_df or cand in STOPWORDS:
            continue
        if own_df and -neg_df < own_df * MORE_COMMON:
            return None
        return cand
    return None


def best_word(reader, word: str, own_df: int = 0, fieldname: str = SPELL_FIELD,
              budget=None) -> str | None:
    """The most likely intended word for ``word`` (lowercase) among the terms of
    ``fieldname``, or None. Closer beats more frequent; among equally close
    words the most frequent wins, and a candidate must be more common than
    ``word`` (``MORE_COMMON`` times when ``word`` itself occurs)."""
    found = []
    most = max_edits(word)
    to_text = reader.schema[fieldname].from_bytes
    # The first letter is rarely the wrong one; fixing it speeds the walk a
    # lot. Whoosh's terms_within walks the same terms and keeps the same ones
    # (its Damerau-Levenshtein is ``distance``'s, cell by cell), but yields
    # only those kept, so a request could not look at its budget for the
    # whole walk (80 ms for a 12-letter word in the 23k body terms, a light
    # request beside it waiting as long): here the clock is read every
    # WALK_CHECK_EVERY terms walked.
    for count, term in enumerate(reader.expand_prefix(fieldname, word[:1])):
        if budget is not None and not count % WALK_CHECK_EVERY and budget.expired():
            return None
        candidate = to_text(term)
        if distance(candidate, word, most) > most:
            continue
        if candidate == word or not candidate.isalpha() or candidate in STOPWORDS:
            continue
        df = reader.doc_frequency(fieldname, candidate)
        if df <= own_df:
            continue
        found.append((distance(word, candidate), -df, candidate))
    if not found:
        return None
    found.sort()
    dist, neg_df, candidate = found[0]
    if own_df and -neg_df < own_df * MORE_COMMON:
        return None
    return candidate


def query_terms(analyzer, text: str, analysed: dict | None = None) -> list[str]:
    """``text``'s terms as the query analyzer makes them, in order: from
    ``analysed`` (the parse's analyses of the request, query.Budget:
    text -> terms by position) when it holds ``text``, else analysed here."""
    positions = analysed.get(text) if analysed is not None else None
    if positions is not None:
        return [term for alternatives in positions for term in alternatives]
    return [token.text for token in analyzer(text, mode="query")]


def term_frequency(reader, analyzer, text: str, analysed: dict | None = None) -> int:
    """The largest body document frequency of ``text``'s analysed terms."""
    return max((reader.doc_frequency("body", t) for t in query_terms(analyzer, text, analysed)), default=0)


def documents(reader, analyzer, text: str, body_docs=None, analysed: dict | None = None):
    """Documents whose body holds every analysed term of ``text`` (deleted
    ones too: a ratio only), as a set or a dict's keys: use set operations
    only. ``body_docs(term)``: the documents of a body term, when the caller
    holds them decoded (scoring.Stats), as a set or a dict's keys (not
    copied: ``&`` between them goes through the smaller one)."""
    found = None
    for term in query_terms(analyzer, text, analysed):
        if (("body", term)) not in reader:
            return set()
        if body_docs is not None:
            ids = body_docs(term)
        else:
            ids = set(reader.postings("body", term).all_ids())
        found = ids if found is None else found & ids
        if not found:
            return set()
    return found or set()


def confirmed(reader, analyzer, parsed, word, typed: str, fix: str, body_docs=None,
              analysed: dict | None = None) -> bool:
    """With the query's other words, ``fix`` finds ``TOGETHER_MORE`` times the articles ``typed`` does."""
    others = [w for w in parsed.words if w is not word]
    if not others:
        return True             # one word: its frequencies are all there is
    context = None
    for other in others:
        found = documents(reader, analyzer, parsed.text[other.start:other.end], body_docs, analysed)
        context = found if context is None else context & found
    if not context:
        return False
    fixed = len(documents(reader, analyzer, fix, body_docs, analysed) & context)
    return fixed >= TOGETHER_MORE * max(1, len(documents(reader, analyzer, typed, body_docs, analysed) & context))


def match_case(typed: str, word: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def correct_query(parsed, reader, analyzer, vocabulary, force: bool, budget=None, body_docs=None) -> str | None:
    """The query text with misspelt words replaced, or None when nothing changes.

    ``reader``: the index's; ``analyzer``: its body analyzer; ``vocabulary``:
    returns the generation's ``Words`` (built on first use). ``force``: the
    query found nothing, so any word the index does not know is corrected;
    otherwise only rare words with a far more common neighbour. ``budget``
    (search.retrieval.query.Budget): the request's; with no time left the
    words not yet looked at stay as typed. Building the vocabulary and its
    deletion index (once per index generation) is not charged to it.
    """
    if SPELL_FIELD not in reader.schema.names():
        return None
    if budget is not None:
        words = budget.excuse(vocabulary)
        budget.excuse(words.deletes)
    else:
        words = vocabulary()
    text = parsed.text
    replacements = []
    walks = 0
    # A far commoner spelling is offered beside results only for a word this rare
    # (the count summed over the segments once, not per word).
    did_you_mean_max = max(DID_YOU_MEAN_MIN, reader.doc_count() * DID_YOU_MEAN_SHARE)
    # The words as the parse analysed them: the same analyzer and mode, so the same terms.
    analysed = budget.analysed if budget is not None else None
    for word in parsed.words:
        if budget is not None and budget.expired():
            note = "the search took too long: some words were not checked for spelling"
            parsed.partial = True
            if note not in parsed.notes:
                parsed.notes.append(note)
            break
        typed = text[word.start:word.end]
        lower = typed.lower()
        if not MIN_LENGTH <= len(lower) <= MAX_CORRECT_LENGTH or not lower.isalpha():
            continue
        own_df = reader.doc_frequency(SPELL_FIELD, lower)
        body_df = term_frequency(reader, analyzer, typed, analysed)
        if own_df > RARE or body_df > RARE * 3:
            # A real word, or a name some articles misspell: only a "did you mean"
            # for a far commoner near spelling that the other words confirm.
            if not force and own_df <= did_you_mean_max:
                fix = best_spelling(words, lower, own_df)
                if fix and confirmed(reader, analyzer, parsed, word, typed, fix, body_docs, analysed):
                    replacements.append((word.start, word.end, match_case(typed, fix)))
            continue
        fix = best_spelling(words, lower, max(own_df, body_df))
        if (fix is None and force and not own_df and not body_df
                and walks < MAX_BODY_WALKS and len(lower) <= BODY_WALK_LENGTH):
            walks += 1
            fix = best_word(reader, lower, fieldname="body", budget=budget)
        if fix:
            replacements.append((word.start, word.end, match_case(typed, fix)))
    if not replacements:
        return None
    out, pos = [], 0
    for start, end, fix in sorted(replacements):
        out.append(text[pos:start])
        out.append(fix)
        pos = end
    out.append(text[pos:])
    return "".join(out)
