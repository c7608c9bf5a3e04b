"""Indonesian stemmer: affix stripping checked against a root lexicon.

The rules follow the confix-stripping family (Nazief & Adriani; Asian et al.;
Arifin et al.'s ECS) but every candidate root is checked against a lexicon of
roots, which is what lets the stemmer put back the consonant that meN-/peN-
drop (mengatakan -> kata, memukul -> pukul, penyelidikan -> selidik):
each allomorph proposes the possible roots and the lexicon picks.

A word already in the lexicon (or the names list) is never touched (pantai,
berita, perlu, Bekasi). A word no decomposition explains is mostly a name or
a loanword: it only loses -nya and a verbal prefix whose form shows what it
stands before (menjarah -> jarah, terhenyak -> henyak); particles, se-, ke-
and pe- stay, since names end and begin so (Abdullah, Semarang, Kediri).

Lexicons: ``roots_id.txt`` and ``names_id.txt`` are written by us; a larger
lexicon learnt from the corpus being indexed can be added (``derive.derive``)
as a second tier consulted only when ours explains nothing.
"""
from __future__ import annotations

from search.analysis.lexicon import KEPT_APART, NAMES, ROOT_USE, ROOTS

PARTICLES = ("lah", "kah", "tah", "pun")
POSSESSIVES = ("nya", "ku", "mu")
DERIVATIONAL = ("kan", "an", "i")
# Loanword suffixes, only ever accepted when what is left is a known root.
LOAN_SUFFIXES = ("isasi", "isme", "is")
# Confixes whose prefix is tried before the suffix (ECS): dinilai is di+nilai
# (not di+nila+i), berimanlah is ber+iman+lah.
PREFIX_FIRST = (("be", "lah"), ("be", "an"), ("me", "i"), ("di", "i"), ("pe", "i"), ("te", "i"))
MIN_ROOT = 3                      # two-letter "roots" are function words (di, ke)
MAX_PREFIXES = 3
VOWELS = frozenset("aeiou")

# Prefix + suffix pairs that Indonesian morphology does not allow (ECS):
# they would otherwise produce spurious roots.
FORBIDDEN_CONFIXES = {("be", "i"), ("ke", "i"), ("se", "i"), ("se", "kan"), ("di", "an"), ("me", "an"), ("te", "an")}


def _me_pe(word: str, head: str) -> list[tuple[str, str]]:
    """Roots proposed by the nasal prefix ``head``N- (head is "me" or "pe").

    Returns ``(family, remainder)`` pairs, the most regular reading first.
    """
    out: list[tuple[str, str]] = []
    rest = word[len(head):]
    if not rest:
        return out
    first = rest[0]
    # me-/pe- before l r w y m n ny ng: no nasal, root starts here (melihat, menyanyi)
    if first in "lrwymn":
        out.append((head, rest))
    if rest.startswith("nge") and _one_syllable(rest[3:]):  # mengebom, mengecat, pengeboman
        out.append((head, rest[3:]))
    if rest.startswith("ng"):
        tail = rest[2:]
        if tail[:1] in VOWELS:
            out.append((head, tail))                        # mengambil, mengudara
            out.append((head, "k" + tail))                  # mengatakan -> kata
        elif tail[:1] in ("g", "h", "k", "q", "x"):
            out.append((head, tail))                        # menggila, mengkritik
    elif rest.startswith("ny"):
        tail = rest[2:]
        if tail[:1] in VOWELS:
            out.append((head, "s" + tail))                  # menyuarakan -> suara
    elif rest.startswith("m"):
        tail = rest[1:]
        if tail[:1] in ("b", "f", "v", "p"):
            out.append((head, tail))                        # membangun, memfitnah
        elif tail[:1] in VOWELS:
            out.append((head, "p" + tail))                  # memukul -> pukul
    elif rest.startswith("n"):
        tail = rest[1:]
        if tail[:1] in ("c", "d", "j", "s", "t", "z"):
            out.append((head, tail))                        # mencinta, mendua, mensyaratkan
        elif tail[:1] in VOWELS:
            out.append((head, "t" + tail))                  # menangkap -> tangkap
    return out


def _one_syllable(root: str) -> bool:
    """menge-/penge- stand only before one-syllable roots (bom, cat, tik):
    mengeluarkan is meN- + keluar, not menge- + luar."""
    return len(root) >= MIN_ROOT and sum(ch in VOWELS for ch in root) == 1


def _drops_r(root: str) -> bool:
    """ber-/ter- lose their r before a root starting with r (be+rambut) or
    whose first syllable ends in -er (be+kerja, be+ternak)."""
    return root[:1] == "r" or (root[1:3] == "er" and root[:1] not in VOWELS)


def prefix_readings(word: str) -> list[tuple[str, str]]:
    """Every way to take one derivational prefix off ``word``: ``(family, remainder)``."""
    out: list[tuple[str, str]] = []
    if word.startswith("me"):
        out.extend(_me_pe(word, "me"))
    elif word.startswith("pe"):
        if word.startswith("per"):
            out.append(("pe", word[3:]))                    # perbaikan, peradilan
        out.extend(_me_pe(word, "pe"))
        if word.startswith("pelajar"):
            out.append(("pe", word[3:]))                    # pel- occurs only in pelajar
        out.append(("pe", word[2:]))                        # pekerja, petani, pelaku
    elif word.startswith("be"):
        if word.startswith("ber"):
            out.append(("be", word[3:]))                    # bersuara, berimanlah
        if word.startswith("belajar"):
            out.append(("be", word[3:]))                    # bel- occurs only in belajar
        if _drops_r(word[2:]):
            out.append(("be", word[2:]))                    # berambut, bekerja
    elif word.startswith("te"):
        if word.startswith("ter"):
            out.append(("te", word[3:]))                    # terasing, terpercaya
        if _drops_r(word[2:]):
            out.append(("te", word[2:]))                    # teraup, teterbang
    elif word.startswith("di"):
        out.append(("di", word[2:]))
    elif word.startswith("ke"):
        out.append(("ke", word[2:]))
    elif word.startswith("se"):
        out.append(("se", word[2:]))
    elif word.startswith("kau"):
        out.append(("kau", word[3:]))
    elif word.startswith("ku"):
        out.append(("ku", word[2:]))
    return [(fam, rest) for fam, rest in out if len(rest) >= MIN_ROOT]


def _strip_one(word: str, suffixes: tuple[str, ...], keep: int = 3) -> str | None:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)]
    return None


def suffix_readings(word: str) -> list[tuple[str, str]]:
    """``(stem, derivational suffix)`` readings of ``word``, most stripped first.

    Suffixes stack in a fixed order, root + derivational + possessive +
    particle (berikanku, miliknyalah); each layer is optional so the prefix
    search also sees the word with a layer left on (pemerintah is not
    pemerin + -tah, berimanlah is ber + iman + -lah).
    """
    out: list[tuple[str, str]] = []
    no_particle = _strip_one(word, PARTICLES)
    for base in ((no_particle, word) if no_particle else (word,)):
        no_possessive = _strip_one(base, POSSESSIVES)
        for inner in ((no_possessive, base) if no_possessive else (base,)):
            for suffix in DERIVATIONAL + LOAN_SUFFIXES:
                if inner.endswith(suffix) and len(inner) - len(suffix) >= 3:
                    out.append((inner[: -len(suffix)], suffix))
            out.append((inner, ""))
    out.sort(key=lambda reading: len(reading[0]))
    if _prefix_first(_uninflected(word)):
        out.sort(key=lambda reading: reading[1] in DERIVATIONAL)
    return out


def _uninflected(word: str) -> str:
    """``word`` less a particle and a possessive (dinilainya -> dinilai)."""
    base = _strip_one(word, PARTICLES) or word
    return _strip_one(base, POSSESSIVES) or base


def _prefix_first(word: str) -> bool:
    if word.endswith("kan"):
        return False                   # -kan is a suffix of its own, not ber-an
    for prefix, suffix in PREFIX_FIRST:
        if word.startswith(prefix) and word.endswith(suffix):
            return True
    return False


def _r_sibling(readings: list[tuple[str, str]], family: str, rest: str) -> str | None:
    """The other reading of a ber-/ter-/per- word before r: ter- + asa and
    te- + rasa both spell terasa."""
    for other_family, other_rest in readings:
        if other_family == family and (other_rest == "r" + rest or "r" + other_rest == rest):
            return other_rest
    return None


def _strip_prefixes(word: str, suffix: str, roots, depth: int, used: tuple, use) -> str | None:
    """Depth-first search for a root under up to MAX_PREFIXES prefixes.

    A remainder that is a root is not taken apart further (pesan is a root,
    not pe + san). When the first reading that reaches a root has an r-sibling
    that reaches one too (terasa), the root news uses more is taken.
    """
    if depth >= MAX_PREFIXES:
        return None
    options = prefix_readings(word)
    for family, rest in options:
        found = _reach(family, rest, suffix, roots, depth, used, use)
        if not found:
            continue
        sibling = _r_sibling(options, family, rest) if use else None
        if sibling:
            other = _reach(family, sibling, suffix, roots, depth, used, use)
            if other and use.get(other, 0) > use.get(found, 0):
                return other
        return found
    return None


def _reach(family: str, rest: str, suffix: str, roots, depth: int, used: tuple, use) -> str | None:
    """The root reached by taking prefix ``family`` off, leaving ``rest``."""
    if family in used or (depth == 0 and (family, suffix) in FORBIDDEN_CONFIXES):
        return None
    if rest in roots:
        return rest
    return _strip_prefixes(rest, suffix, roots, depth + 1, used + (family,), use)


def inflection_base(word: str, roots) -> str | None:
    """``word`` less a particle and/or a possessive, when that is a known root.

    As in ECS, the lexicon is asked before any derivational suffix comes off:
    suaminya is suami + -nya, not suam + -i + -nya; kursinya is not kurs + -i.
    """
    no_particle = _strip_one(word, PARTICLES)
    for base in ((no_particle, word) if no_particle else (word,)):
        no_possessive = _strip_one(base, POSSESSIVES)
        for candidate in (base, no_possessive):
            if candidate and candidate != word and candidate in roots:
                return candidate
    return None


def _suffix_roots(word: str, roots, use) -> list[tuple[str, str, str]]:
    """``(base, suffix, root)`` for each suffix reading of ``word`` that reaches
    the lexicon, in the rules' order (most stripped suffix first)."""
    out = []
    for base, suffix in suffix_readings(word):
        found = base if base in roots else _strip_prefixes(base, suffix, roots, 0, (), use)
        if found:
            out.append((base, suffix, found))
    return out


def lexicon_roots(word: str, roots=ROOTS) -> list[str]:
    """Every root any reading of ``word`` reaches, in the rules' order: the
    evidence that a word is ambiguous (bench/stem_data.py counts use only
    from words with one)."""
    if word in roots:
        return [word]
    inflected = inflection_base(word, roots)
    if inflected:
        return [inflected]
    found: list[str] = []
    for base, suffix in suffix_readings(word):
        if base in roots:
            found.append(base)
        else:
            _all_prefix_roots(base, suffix, roots, 0, (), found)
    return list(dict.fromkeys(found))


def _all_prefix_roots(word: str, suffix: str, roots, depth: int, used: tuple, out: list) -> None:
    if depth >= MAX_PREFIXES:
        return
    for family, rest in prefix_readings(word):
        if family in used or (depth == 0 and (family, suffix) in FORBIDDEN_CONFIXES):
            continue
        if rest in roots:
            out.append(rest)
        else:
            _all_prefix_roots(rest, suffix, roots, depth + 1, used + (family,), out)


def _k_sibling(found: list[tuple[str, str, str]]) -> str | None:
    """perbankan is perban + -kan or perbank + -an: the second reading's root,
    when the first took -kan and the one keeping the k reaches a root too."""
    base, suffix, _ = found[0]
    if suffix != "kan":
        return None
    for other_base, other_suffix, root in found[1:]:
        if other_suffix == "an" and other_base == base + "k":
            return root
    return None


def lexicon_stem(word: str, roots=ROOTS, use=None) -> str | None:
    """The root of ``word`` if some decomposition reaches the lexicon, else None.

    The rules' order decides (ECS), except where two readings differ only in
    which side of a boundary a letter falls and the rules cannot tell: -kan
    or k + -an (penegakan: tega or tegak; perbankan: perban or bank) and
    ber-/ter-/per- before r (terasa: asa or rasa). There ``use`` (root ->
    tokens of news only that root explains) picks the root news uses more.

    A bare verb (the passive of *yang perlu Anda ketahui*, *kami lakukan*) has
    the root of its di- passive, so when the word alone is not explained,
    di- + word is tried: ketahui is read as diketahui, whose ke- + -i is part
    of the verb and not a forbidden confix.
    """
    found = _lexicon_root(word, roots, use)
    if found is None and not word.startswith("di"):
        passive = _lexicon_root("di" + word, roots, use)
        if passive and not passive.startswith("di"):      # skusi is not (di)skusi
            found = passive
    return found


def _lexicon_root(word: str, roots, use) -> str | None:
    if word in roots:
        return word
    inflected = inflection_base(word, roots)
    if inflected:
        return inflected
    found = _suffix_roots(word, roots, use)
    if not found:
        return None
    other = _k_sibling(found) if use else None
    if other and use.get(other, 0) > use.get(found[0][2], 0):
        return other
    return found[0][2]


def reduplication_stem(word: str, roots=ROOTS) -> str | None:
    """Partial reduplication (dwipurwa: rerata -> rata, lelembut -> lembut)
    and the infix -in- (kinerja -> kerja), accepted only onto a known root."""
    if len(word) > 4 and word[1] == "e" and word[0] == word[2] and word[0] not in VOWELS:
        found = lexicon_stem(word[2:], roots)
        if found:
            return found
    if len(word) > 5 and word[1:3] == "in" and word[0] not in VOWELS:
        candidate = word[0] + word[3:]
        if candidate in roots:
            return candidate
    return None


# Prefixes stripped from a word no lexicon explains: the verbal ones whose
# allomorph is unambiguous without a lexicon (the nasal keeps its own sound:
# mengerti -> erti). se-, ke-, pe- are left alone: too many names start so
# (Semarang, Kediri, Pekalongan).
FALLBACK_PREFIXES = (("meng", ""), ("meny", "s"), ("mem", ""), ("men", ""), ("me", ""),
                     ("ber", ""), ("ter", ""), ("di", ""))
FALLBACK_MIN_ROOT = 4


def _plausible_start(root: str) -> bool:
    """A root starts with a vowel, one consonant, or a consonant + r/l/y/w cluster."""
    if len(root) < FALLBACK_MIN_ROOT or not root.isalpha():
        return False
    return root[0] in VOWELS or root[1] in VOWELS or root[1] in "rlyw" or root[:2] in ("ng", "ny", "sp", "st", "sk", "kh")


# The sounds each meN- allomorph stands before, when nothing was dropped (or,
# for meny-, after restoring s-). mem+vowel and men+vowel dropped p-/t- or not:
# without a lexicon that cannot be told, so those stay whole.
ALLOMORPH_ONSETS = {"meng": "aeioughkqx", "meny": "s", "mem": "bfpv", "men": "cdjstz", "me": "lrwy"}


def _fits_allomorph(prefix: str, rest: str) -> bool:
    onsets = ALLOMORPH_ONSETS.get(prefix)
    return onsets is None or (rest[:1] != "" and rest[0] in onsets)


def fallback_stem(word: str) -> str:
    """Unknown word: drop -nya, and a verbal prefix with its suffix when what
    is left still looks like a root (menjarah -> jarah, terhenyak -> henyak).
    Particles stay (Subarkah, Abdullah are names, not subar + -kah)."""
    if word.endswith("nya") and len(word) - 3 >= 4:
        word = word[:-3]
    for prefix, restore in FALLBACK_PREFIXES:
        if not word.startswith(prefix):
            continue
        rest = restore + word[len(prefix):]
        if not _fits_allomorph(prefix, rest):
            break
        for suffix in ("kan", "i"):
            if rest.endswith(suffix) and _plausible_start(rest[: -len(suffix)]):
                rest = rest[: -len(suffix)]
                break
        if _plausible_start(rest):
            return rest
        break
    return word


def memo(cache: dict, limit: int, key, compute):
    """``cache[key]``, computed on a miss; the cache is emptied when it holds ``limit`` entries."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= limit:
            cache.clear()
        found = cache[key] = compute(key)
    return found


class Stemmer:
    """The stemmer over one lexicon, with a cache of stems per distinct word.

    ``roots`` are the trusted roots (ours), tried first; ``extra_roots`` (for
    instance derived from the corpus being indexed) are tried only when no
    decomposition reaches a trusted root; ``names`` are proper nouns never
    stemmed (Bekasi is not bekas + -i). ``kept`` maps derived words that keep
    their own meaning in news to their own term (meninggal is not tinggal;
    they only lose -nya and particles); ``use`` counts how much news
    uses each root, to choose between two readings the lexicon allows (see
    bench/stem_data.py for both). Pickles without its cache.
    """

    CACHE_LIMIT = 500_000

    def __init__(self, roots: frozenset[str] = ROOTS, extra_roots: frozenset[str] = frozenset(),
                 names: frozenset[str] = NAMES, kept=None, use: dict[str, int] | None = None):
        self.roots = roots | _function_words(roots)
        self.extra_roots = frozenset(extra_roots)
        self.names = frozenset(names)
        kept = KEPT_APART if kept is None else kept
        self.kept = dict(kept) if isinstance(kept, dict) else {word: word for word in kept}
        self.use = dict(ROOT_USE if use is None else use)
        self._all = self.roots | self.extra_roots
        self._cache: dict[str, str] = {}

    def __getstate__(self):
        return {"roots": self.roots, "extra_roots": self.extra_roots, "names": self.names,
                "kept": self.kept, "use": self.use}

    def __setstate__(self, state):
        # Indexes pickled before kept/use existed stem as they were built.
        self.__init__(state["roots"], state["extra_roots"], state["names"],
                      state.get("kept", {}), state.get("use", {}))

    def __eq__(self, other):
        return (isinstance(other, Stemmer) and other.roots == self.roots
                and other.extra_roots == self.extra_roots and other.names == self.names
                and other.kept == self.kept and other.use == self.use)

    def __hash__(self):
        return hash((len(self.roots), len(self.extra_roots), len(self.names), len(self.kept)))

    def stem(self, word: str) -> str:
        """Root of one lowercase word; cached per distinct word.

        Hyphenated words are read by the analysis (``terms.root``:
        reduplication, lexical units, compounds); given here, each part is
        stemmed on its own.
        """
        return memo(self._cache, self.CACHE_LIMIT, word, self.compute)

    def compute(self, word: str) -> str:
        if "-" in word:
            return self._stem_hyphenated(word)
        if len(word) <= 3 or not word.isalpha() or word in self.roots or word in self.names:
            return word
        # meninggalnya follows meninggal; umumnya (generally) is kept itself
        kept = self.kept.get(inflection_base(word, self.kept) or "") or self.kept.get(word)
        if kept:
            return kept
        found = lexicon_stem(word, self.roots, self.use) or reduplication_stem(word, self.roots)
        if not found and self.extra_roots:
            found = lexicon_stem(word, self._all, self.use) or reduplication_stem(word, self._all)
        return found or fallback_stem(word)

    def _stem_hyphenated(self, word: str) -> str:
        # Reduplication and compounds (negara-negara, Israel-Palestina) are
        # read in search/analysis/terms.py, which calls stem() on the parts;
        # a hyphenated word given here directly is stemmed part by part.
        return "-".join(self.stem(part) for part in word.split("-") if part)


def _function_words(roots: frozenset[str]) -> frozenset[str]:
    """Stopwords that are roots themselves (siapa, mereka), so siapapun -> siapa;
    stopwords built on a root (melainkan -> lain) are left to the rules."""
    from search.analysis.stopwords import STOPWORDS

    return frozenset(w for w in STOPWORDS if lexicon_stem(w, roots) is None)


DEFAULT_STEMMER = Stemmer()


def stem(word: str) -> str:
    """Root of one lowercase word with cari's own lexicon (cached per word)."""
    return DEFAULT_STEMMER.stem(word)
