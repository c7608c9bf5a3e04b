"""`cari` command line: a thin layer over the library.

Each command prints for people by default and, with ``--json``, the same
shapes as the HTTP API. Exit codes: 0 fine, 1 something failed (a file that
could not be read, no index), 2 bad usage (a query that cannot run, a bad
setting). Commands raise cari's errors (search/errors.py); ``main`` turns
them into one line and an exit code (``EXIT_CODES``). Defaults come from
search/settings.py.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from search import settings
from search.errors import CariError, QueryError
from search.settings import SettingError

# The exit code of each kind of cari error (the first that matches); any other: 1.
EXIT_CODES = ((QueryError, 2), (SettingError, 2))


def exit_code(exc: CariError) -> int:
    return next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), 1)


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 1) -> int:
    print(f"cari: {message}", file=sys.stderr)
    return code


# -- index -----------------------------------------------------------------
def printable(text: str) -> str:
    """``text`` safe for one report line: control characters (newline, CR, tab,
    ESC...), line and paragraph separators, format characters (bidi overrides,
    zero-width marks) and lone surrogates are shown escaped (``\\n``,
    ``\\x1b``, ``\\u202e``), so a file name cannot forge or hide report lines."""
    import unicodedata

    out = []
    for char in str(text):
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            escaped = char.encode("unicode_escape", "backslashreplace").decode("ascii")
            if escaped == char:  # unicode_escape leaves some as they are
                escaped = f"\\u{ord(char):04x}"
            out.append(escaped)
        else:
            out.append(char)
    return "".join(out)


def cmd_index(args) -> int:
    from search.article import MAX_BODY_CHARS
    from search.indexing.indexer import index_corpus
    from search.indexing.progress import Progress

    progress = Progress(sys.stderr)
    try:
        report = index_corpus(Path(args.dir), Path(args.index), rebuild=args.rebuild,
                              procs=args.procs, progress=progress.update, lock_timeout=args.wait,
                              follow_symlinks=args.follow_symlinks)
    finally:
        progress.finish()
    if args.json:
        print_json(report.to_dict())
    else:
        for line in skip_lines(report, args.verbose):
            print(line, file=sys.stderr)
        for path, reason in report.errors:
            print(f"error: {printable(path)}: {printable(reason)}", file=sys.stderr)
        for path, article_id in report.truncated:
            print(f"note: {printable(path)}: article {printable(article_id)} cut to "
                  f"{MAX_BODY_CHARS:,} characters of body", file=sys.stderr)
        print(
            f"indexed {report.articles} articles in {report.seconds:.1f}s: "
            f"files added {report.added}, updated {report.updated}, removed {report.removed}, "
            f"unchanged {report.unchanged}, skipped {report.skipped}, failed {report.failed}; "
            f"{report.doc_count} documents in {printable(args.index)}"
        )
    return 1 if report.errors else 0


# Paths shown on a skip line without --verbose.
SKIP_EXAMPLES = 3


def skip_lines(report, verbose: bool = False) -> list[str]:
    """One line per kind of skip reason: the count, then the first
    SKIP_EXAMPLES paths (every path, each with its reason's details, when
    ``verbose``)."""
    lines = []
    for group in report.skips_by_reason():
        shown = group.paths if verbose else group.paths[:SKIP_EXAMPLES]
        paths = ", ".join(printable(f"{path} ({detail})" if verbose and detail else path)
                          for path, detail in shown)
        if len(shown) < len(group.paths):
            paths += f" and {len(group.paths) - len(shown)} more (--verbose lists them)"
        counted = f"{group.count} {group.unit}" + ("" if group.count == 1 else "s")
        joint = " in" if group.unit == "record" else ":"     # an archive's pages: "3 records in a.warc"
        lines.append(f"skipped: {printable(group.reason)}: {counted}{joint} {paths}")
    return lines


# -- search, stats -----------------------------------------------------------
def open_engine(index: str):
    """The Engine of ``index``; IndexNotFound / IndexVersionError when it cannot be served."""
    from search.retrieval.engine import Engine

    return Engine(Path(index))


def cmd_search(args) -> int:
    filters = {"source": args.source, "category": args.category,
               "date_from": args.date_from, "date_to": args.date_to}
    with open_engine(args.index) as engine:
        results = engine.search(args.query, page=args.page, per_page=args.per_page,
                                sort=args.sort, filters=filters,
                                facets=not args.no_facets, highlight=not args.no_highlight)
    if args.json:
        from search.retrieval.responses import search_response

        print_json(search_response(results))
        return 0
    print_results(results)
    for note in results.notes:      # why results are partial, or why a page past the ranked ones is empty
        print(f"note: {note}", file=sys.stderr)
    return 0


def print_results(results) -> None:
    import re

    mode = "" if results.matched_all else " (no article has every word; showing articles with any)"
    if results.total_some_words:
        mode += f" ({results.total_all_words} with every word, {results.total_some_words} with some of them)"
    # A total that stopped counting is a lower bound: say so, as the page does.
    total = f"{results.total}" if results.total_exact else f"more than {results.total}"
    print(f"{total} results{mode}, {results.took_ms:.0f} ms")
    first = (results.page - 1) * results.per_page
    bold = sys.stdout.isatty()
    previous = True
    for n, hit in enumerate(results.hits, first + 1):
        if previous and not hit.all_words:
            print("\n-- articles with some of the words, not all --")
        previous = hit.all_words
        date = (hit.date or "")[:10]
        print(f"\n{n}. {hit.title}")
        print(f"   {hit.source} {date}  id={hit.id}  score={hit.score:.2f}")
        snippet = hit.snippet_text
        if bold:
            snippet = re.sub(r"<mark[^>]*>(.*?)</mark>", "\033[1m\\1\033[0m", hit.snippet)
            import html

            snippet = html.unescape(snippet)
        print(f"   {snippet}")


def cmd_stats(args) -> int:
    with open_engine(args.index) as engine:
        stats = engine.stats()
    if args.json:
        print_json(stats)
    else:
        print(f"index:            {stats['index']}")
        print(f"documents:        {stats['documents']}")
        print(f"size:             {stats['index_size_bytes'] / 1e6:.1f} MB")
        print(f"last indexed:     {stats['last_indexed']}")
        print(f"analysis version: {stats['analysis_version']}")
    return 0


# -- analyze, extract --------------------------------------------------------
def cmd_analyze(args) -> int:
    from search.analysis import analyze

    tokens = analyze(args.text)
    expansions = problems = None
    if args.query:
        expansions, problems = query_expansions(args.text, args.index)
    if args.json:
        print_json({"text": args.text, "tokens": tokens,
                    **({"expansions": expansions, "problems": problems} if args.query else {})})
        return 0
    for t in tokens:
        print(f"{t['position']:>4}  {t['term']:<24} {t['start']}-{t['end']}  {args.text[t['start']:t['end']]}")
    for e in expansions or []:
        terms = " ".join(alts[0] for alts in e["terms"])
        shown = f'"{terms}"' if e["phrase"] else terms
        print(f"  {e['typed']} -> {shown}  ({e['kind']}: {e['text']}, weight {e['weight']:g})")
    for problem in problems or []:
        print(f"cari: synonyms: {printable(problem)}", file=sys.stderr)
    return 0


def query_expansions(text: str, index_dir=None) -> tuple[list[dict], list[str]]:
    """What ``text`` stands for as a query (retrieval.query.expansions_in): in the
    index at ``index_dir`` (variants and near spellings are looked up there) or,
    with none, in an empty one (the synonym lists alone)."""
    from search.retrieval.query import expansions_in

    if index_dir is None:
        from whoosh.filedb.filestore import RamStorage

        from search.schema import build_schema

        ix = RamStorage().create_index(build_schema())
        with ix.reader() as reader:
            return expansions_in(text, reader, ix.schema, ix.schema["body"].analyzer)
    from search.retrieval.engine import Engine
    from search.retrieval.live import live_reader

    with Engine(index_dir) as engine:
        searcher = engine.searcher()
        generation = engine.generation(searcher)
        reader = live_reader(searcher.reader(), generation.stats.live)
        return expansions_in(text, reader, engine.schema, engine.analyzer,
                             lambda: generation.words(searcher.reader()))


def cmd_extract(args) -> int:
    from search.readers import extract

    path = Path(args.file)
    result = extract(path)
    if args.json:
        print_json({
            "file": str(path),
            "articles": [a.to_dict() for a in result.articles],
            "errors": result.errors,
            "skipped": result.skipped,
            "skipped_records": dict(sorted(result.skipped_records.items())),
        })
    else:
        if result.skipped:
            print(f"skipped: {result.skipped}")
        for reason, count in sorted(result.skipped_records.items()):   # an archive's pages
            print(f"skipped records: {count} {reason}")
        for error in result.errors:
            print(f"error: {error}", file=sys.stderr)
        for article in result.articles:
            print_article(article)
    return 1 if result.errors and not result.articles else 0


def print_article(article) -> None:
    print(f"id:       {article.id}")
    print(f"title:    {article.title}")
    print(f"date:     {article.date.isoformat() if article.date else ''}")
    for name in ("source", "author", "url", "category"):
        print(f"{name + ':':<9} {getattr(article, name)}")
    for title in article.related:
        print(f"related:  {title}")
    print()
    print(article.body)
    print("-" * 72)


# -- eval, serve -----------------------------------------------------------------
def cmd_eval(args) -> int:
    from search.evaluation import run_eval

    with open_engine(args.index) as engine:
        return run_eval(args, engine)


def cmd_serve(args) -> int:
    from search.serve import serve

    return serve(index=args.index, host=args.host, port=args.port, workers=args.workers,
                 threads=args.threads)


# -- parser ------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cari", description="Search engine for Indonesian news.")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_index(p):
        p.add_argument("--index", default=settings.value("CARI_INDEX"),
                       help=f"index directory (default: $CARI_INDEX or ./{settings.default('CARI_INDEX')})")
        return p

    p = with_index(sub.add_parser("index", help="index a directory of articles (incremental)"))
    p.add_argument("dir", nargs="?", default=settings.value("CARI_CORPUS"),
                   help="corpus directory: .txt, .html, .json, .jsonl files (also gzipped: .html.gz...), "
                        ".warc/.warc.gz web archives, searched recursively "
                        f"(default: $CARI_CORPUS or ./{settings.default('CARI_CORPUS')})")
    p.add_argument("--rebuild", action="store_true", help="start from an empty index")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another indexer to finish (default: exit at once)")
    p.add_argument("--procs", type=int, default=None,
                   help="analysis processes (default: 2 on multi-core machines for large changes)")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="follow symbolic links to files and directories outside the corpus too "
                        "(default: only links whose target lies inside it)")
    p.add_argument("--verbose", action="store_true",
                   help="list every skipped file (default: the first few for each reason)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_index)

    p = with_index(sub.add_parser("search", help="search the index"))
    p.add_argument("query")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--per-page", type=int, default=10)
    p.add_argument("--sort", choices=["relevance", "newest"], default="relevance")
    p.add_argument("--source", action="append", default=[], help="only this source (repeatable)")
    p.add_argument("--category", action="append", default=[], help="only this category (repeatable)")
    p.add_argument("--date-from", metavar="YYYY-MM-DD")
    p.add_argument("--date-to", metavar="YYYY-MM-DD")
    p.add_argument("--no-facets", action="store_true", help="skip facet counts")
    p.add_argument("--no-highlight", action="store_true", help="plain excerpts, no <mark>")
    p.add_argument("--json", action="store_true", help="print the HTTP API's JSON")
    p.set_defaults(func=cmd_search)

    p = with_index(sub.add_parser("stats", help="document count, size, last build"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("analyze", help="show the terms the index stores for a text")
    p.add_argument("text")
    p.add_argument("--json", action="store_true")
    p.add_argument("--query", action="store_true",
                   help="also show what the text stands for as a query (synonyms; with --index, "
                        "spelling variants and near spellings found in that index)")
    p.add_argument("--index", default=None, help="look variants up in this index (default: none)")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("extract", help="show the article records a file yields")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_extract)

    p = with_index(sub.add_parser("eval", help="retrieval quality on topics+qrels or known items"))
    from search.evaluation import add_eval_arguments

    add_eval_arguments(p)
    p.set_defaults(func=cmd_eval)

    p = with_index(sub.add_parser("serve", help="serve the web app with gunicorn"))
    p.add_argument("--host", default=None,
                   help=f"address to bind (default: $CARI_HOST or {settings.default('CARI_HOST')})")
    p.add_argument("--port", type=int, default=None,
                   help=f"port (default: $CARI_PORT or {settings.default('CARI_PORT')})")
    p.add_argument("--workers", type=int, default=None,
                   help="gunicorn workers (default: $CARI_WORKERS or the core count)")
    p.add_argument("--threads", type=int, default=None,
                   help=f"threads per worker (default: $CARI_THREADS or {settings.default('CARI_THREADS')})")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CariError as exc:      # what the user can fix: one line, and the kind's exit code
        return fail(printable(exc), exit_code(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug must reach the user as one line, not a traceback
        if settings.value("CARI_DEBUG"):
            raise
        return fail(f"internal error ({type(exc).__name__}: {exc}); "
                    "set CARI_DEBUG=1 to see where, and please report it")


if __name__ == "__main__":
    sys.exit(main())
