"""Stemming accuracy and speed: cari beside PySastrawi and Snowball (PyStemmer), one run.

Accuracy is exact match of the root on the word -> root pairs of Sastrawi's
functional and integration tests (../shared/lang, rows marked ``active``).
Speed is words per second over the distinct words of
../shared/lang/snowball_id_pairs.tsv: *cold* is the first pass with an empty
cache (every word computed), *warm* a second pass over the same words. Quick
mode times every 60th word only.

Run: ``python -m bench.stemming [--misses]`` (prints a table); ``run()`` returns
the numbers and ``markdown(results)`` renders them for docs/benchmarks.md.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LANG = REPO.parent / "shared" / "lang"
PAIR_FILES = {
    "functional": LANG / "sastrawi_functional_pairs.tsv",
    "integration": LANG / "sastrawi_integration_pairs.tsv",
}
SPEED_WORDS = LANG / "snowball_id_pairs.tsv"
QUICK_STEP = 60         # quick mode: every 60th distinct word for the speed passes
CLICKID = REPO.parent / "shared" / "corpus" / "clickid"


def read_pairs(path: Path, active_only: bool = True) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 2 or (active_only and len(cols) > 2 and cols[2] != "active"):
            continue
        pairs.append((cols[0], cols[1]))
    return pairs


def read_speed_words(path: Path = SPEED_WORDS, step: int = 1) -> list[str]:
    """Distinct alphabetic words, sorted; every ``step``-th of them (a spread sample)."""
    words = {line.split("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()}
    return sorted(w for w in words if w.isalpha())[::step]


def rooter(stemmer):
    """cari's root of a word with ``stemmer``, hyphenated words read as the
    analysis reads them (search/analysis/terms.py)."""
    from search.analysis.terms import root

    return lambda word: root(word, stemmer.stem)


def cari_factory():
    """cari's root finding: its stemmer without the kept-apart words, which
    are an index-term choice (see ``cari_terms_factory``), not a root."""
    from search.analysis.stemmer import Stemmer
    return rooter(Stemmer(kept={}))                    # a new stemmer has an empty cache


def cari_terms_factory():
    """cari's index terms: derived words with their own meaning kept apart."""
    from search.analysis.stemmer import Stemmer
    return rooter(Stemmer())


def sastrawi_factory():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    return StemmerFactory().create_stemmer().stem   # its CachedStemmer: cache per word


def snowball_factory():
    import Stemmer
    return Stemmer.Stemmer("indonesian").stemWord


def test_roots() -> frozenset[str]:
    roots = set()
    for path in PAIR_FILES.values():
        for _, root in read_pairs(path, active_only=False):
            roots.update(root.lower().split())
    return frozenset(roots)


def cari_held_out_factory():
    """cari with every expected root of the pair files removed from its lists:
    what the rules alone do on words whose root the lexicon does not know."""
    from search.analysis.lexicon import NAMES, ROOTS
    from search.analysis.stemmer import Stemmer
    held_out = test_roots()
    return rooter(Stemmer(roots=ROOTS - held_out, names=NAMES - held_out, kept={}))


# Words taken out of roots_news_id.txt by the one policy applied after reading
# this benchmark's misses (see that file's header): words our rules derive from
# a listed root with a loan suffix or an infix. The blind row puts them back.
POLICY_REMOVED = frozenset(
    "aktualisasi atletis dialogis digitalisasi ekstremis ekstremisme elitis finalis finalisasi "
    "hilirisasi humoris idealis idealisme industrialisasi internasionalisasi kaderisasi kanalisasi "
    "kapitalisasi kapitalisme karakterisasi kolonialisme komersialisasi komputerisasi kustomisasi "
    "labelisasi legalisasi lokalisasi loyalis militerisasi minimalis minimalisasi modernisasi "
    "mutualisme nasionalis nasionalisme naturalisasi normalisasi novelis operasionalisasi "
    "optimalisasi panelis premanisme profesionalisme radikalis radikalisme rasialis rasialisme "
    "rasionalisasi rasis rasisme seksis sentralisasi simbolis simbolisasi sinkronisasi sosialis "
    "sosialisme spesialis spesialisasi stabilisasi sterilisasi terorisme urbanisasi visualisasi "
    "vokalis kinerja lelaki leluhur rerata sinambung".split()
)


def cari_blind_factory():
    """cari with the lexicon as written, before the policy above."""
    from search.analysis.lexicon import NAMES, ROOTS
    from search.analysis.stemmer import Stemmer
    return rooter(Stemmer(roots=ROOTS | POLICY_REMOVED, names=NAMES, kept={}))


def clickid_bodies():
    """Article bodies of CLICK-ID, read from ../shared at run time (never stored)."""
    import json

    for path in sorted(CLICKID.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line).get("body") or ""


_DERIVED: dict[str, frozenset[str]] = {}


def cari_derived_factory():
    """cari plus the roots ``derive.derive`` learns from the CLICK-ID bodies:
    what indexing that corpus with a derived lexicon would give."""
    from search.analysis.derive import derive
    from search.analysis.lexicon import NAMES, ROOTS
    from search.analysis.stemmer import Stemmer
    if "extra" not in _DERIVED:                      # about 10 s; once per run
        _DERIVED["extra"], _ = derive(clickid_bodies())
    return rooter(Stemmer(roots=ROOTS, extra_roots=_DERIVED["extra"], names=NAMES, kept={}))


STEMMERS = {
    "cari": cari_factory,
    "cari index terms (kept-apart words)": cari_terms_factory,
    "cari, lexicon as written (blind)": cari_blind_factory,
    "cari + roots derived from CLICK-ID bodies": cari_derived_factory,
    "cari, test roots held out": cari_held_out_factory,
    "Sastrawi": sastrawi_factory,
    "Snowball": snowball_factory,
}
if not CLICKID.is_dir():                             # the derived row needs the corpus
    del STEMMERS["cari + roots derived from CLICK-ID bodies"]


# --- what the stemmer of #14 changes on the words news uses --------------------------

TOP_WORDS = 30_000
BEFORE_COMMIT = "96b978e"       # the stemmer before kept-apart words and the ambiguity rules
EXAMPLES = 12


def previous_stemmer(commit: str = BEFORE_COMMIT):
    """The stemmer of ``commit`` (its stemmer.py from git, over today's lexicon files,
    which that change did not touch), or None without git history."""
    import subprocess
    import types
    try:
        source = subprocess.run(["git", "show", f"{commit}:search/analysis/stemmer.py"], cwd=REPO,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType(f"stemmer_{commit}")
    exec(compile(source, f"stemmer@{commit}", "exec"), module.__dict__)
    return module.Stemmer()


def change_kind(word: str, before: str, after: str, stemmer) -> str:
    terms = set(stemmer.kept.values())
    if any(part in terms for part in after.split("-")):          # anti-pemerintah too
        return "kept apart: its own term"
    if before == word or before not in stemmer.roots:
        return "newly explained by the lexicon"
    if after.startswith(before) or after.endswith(before):
        return "a longer root of another reading"
    return "another root"


def stem_changes(top: int = TOP_WORDS) -> dict | None:
    """How the stems of the ``top`` most frequent corpus words differ from the
    stemmer before (``BEFORE_COMMIT``), by kind, with the most used examples."""
    from collections import Counter

    from bench.stem_data import CORPUS, tokenised
    from search.analysis.stemmer import Stemmer
    from search.analysis.terms import root
    old = previous_stemmer()
    if old is None or not CORPUS.is_dir():
        return None
    counts = Counter(w for doc in tokenised() for w in doc)
    words = [w for w, _ in counts.most_common(top)]
    new = Stemmer()
    kinds: dict[str, list] = {}
    for word in words:
        before, after = root(word, old.stem), root(word, new.stem)
        if before != after:
            kinds.setdefault(change_kind(word, before, after, new), []).append((word, before, after, counts[word]))
    return {"top": len(words), "commit": BEFORE_COMMIT,
            "tokens": sum(counts[w] for w in words),
            "kinds": {kind: {"words": len(rows), "tokens": sum(r[3] for r in rows), "examples": rows[:EXAMPLES]}
                      for kind, rows in kinds.items()}}


def changes_markdown(changes: dict | None) -> list[str]:
    if not changes:
        return ["", "Changes on the corpus words: not measured (needs ../shared/corpus and git history)."]
    total = sum(k["words"] for k in changes["kinds"].values())
    tokens = sum(k["tokens"] for k in changes["kinds"].values())
    lines = ["", f"**Stems changed since commit {changes['commit']}** among the {changes['top']:,} most "
                 f"frequent words of CLICK-ID and IndoSum (titles and bodies): {total:,} words "
                 f"({total / changes['top']:.1%}), {tokens:,} of their {changes['tokens']:,} tokens "
                 f"({tokens / changes['tokens']:.1%}). Examples are the most used words of each kind "
                 "(word: before → after, uses).", "",
             "| kind | words | tokens | examples |", "|---|---:|---:|---|"]
    for kind, row in sorted(changes["kinds"].items(), key=lambda item: -item[1]["tokens"]):
        examples = ", ".join(f"{w}: {b} → {a} ({n:,})" for w, b, a, n in row["examples"])
        lines.append(f"| {kind} | {row['words']:,} | {row['tokens']:,} | {examples} |")
    return lines


def stem_text(fn, text: str) -> str:
    """Pairs may hold several words ("siapakah memberdayakan ..."): stem each."""
    return " ".join(fn(word.lower()) for word in text.split())


def accuracy(fn, pairs: list[tuple[str, str]]) -> tuple[float, list[tuple[str, str, str]]]:
    misses = []
    for word, root in pairs:
        got = stem_text(fn, word)
        if got != root.lower():
            misses.append((word, root, got))
    return 1 - len(misses) / len(pairs), misses


def words_per_second(fn, words: list[str]) -> float:
    start = time.perf_counter()
    for word in words:
        fn(word)
    return len(words) / (time.perf_counter() - start)


def run(speed_words: list[str] | None = None, quick: bool = False) -> dict:
    pairs = {name: read_pairs(path) for name, path in PAIR_FILES.items()}
    words = speed_words if speed_words is not None else read_speed_words(step=QUICK_STEP if quick else 1)
    results: dict = {"pairs": {k: len(v) for k, v in pairs.items()}, "speed_words": len(words),
                     "all_words": len(read_speed_words()), "stemmers": {}}
    for name, factory in STEMMERS.items():
        row: dict = {}
        for set_name, set_pairs in pairs.items():
            acc, misses = accuracy(factory(), set_pairs)
            row[set_name] = acc
            row[set_name + "_misses"] = misses
        fn = factory()                      # fresh cache for the cold pass
        row["cold_wps"] = words_per_second(fn, words)
        row["warm_wps"] = words_per_second(fn, words)
        results["stemmers"][name] = row
    results["changes"] = None if quick else stem_changes()
    return results


def markdown(results: dict) -> str:
    pairs = results["pairs"]
    lines = [
        f"| stemmer | functional ({pairs['functional']}) | integration ({pairs['integration']}) "
        f"| words/s cold | words/s warm |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in results["stemmers"].items():
        lines.append(
            f"| {name} | {row['functional']:.1%} | {row['integration']:.1%} "
            f"| {row['cold_wps']:,.0f} | {row['warm_wps']:,.0f} |"
        )
    lines.append("")
    every = results.get("all_words", results["speed_words"])
    sample = f" (a spread sample of the {every:,})" if every != results["speed_words"] else ""
    lines.append(f"Speed over {results['speed_words']:,} distinct words{sample}; "
                 "accuracy is exact root match on active pairs.")
    lines.append("cari's lexicon is written by us: `roots_id.txt` (a hand-written core) and "
                 "`roots_news_id.txt` (the roots of the frequent word forms of the news corpora, written "
                 "word by word without looking at stemming test data). The '(blind)' row is that lexicon "
                 f"as written; the 'cari' row applies one policy chosen after reading the blind row's misses "
                 f"({len(POLICY_REMOVED)} words our rules derive with a loan suffix or an infix, such as "
                 "idealisme and kinerja, are not listed as roots), so it is not blind.")
    lines.append("'roots derived from CLICK-ID bodies' adds the roots "
                 "`derive.derive` learns from ../shared/corpus/clickid at run time (nothing stored).")
    lines.append("'test roots held out' removes every expected root of both pair files from cari's "
                 "root and name lists: the score of the rules on roots the lexicon does not know.")
    lines.append("Since #14 cari's lists include two learnt from the news corpora by "
                 "`python -m bench.stem_data --write` (its docstring states the principle): derived words "
                 "kept apart as their own term (`kept_apart_id.txt`) and how much news uses each root "
                 "(`root_use_id.txt`, deciding between -kan and k + -an, and ter-/ber-/per- before r). "
                 "The cari rows find roots without the kept-apart words; 'cari index terms' is what the "
                 "index stores, where a kept word is its own term and so misses its pair by design.")
    lines.extend(changes_markdown(results.get("changes")))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not LANG.is_dir():
        print(f"../shared/lang not found at {LANG}", file=sys.stderr)
        return 1
    results = run()
    print(markdown(results))
    if "--misses" in argv:
        for name, row in results["stemmers"].items():
            for set_name in PAIR_FILES:
                for word, root, got in row[set_name + "_misses"]:
                    print(f"{name}\t{set_name}\t{word}\t{root}\t{got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
