"""Main-text extraction on many publishers' pages: the extraction dev set.

../shared/eval/extraction_dev/ holds 976 saved pages of several hundred sites
(about half German, many English) with snippets their main text must contain
("with") and must not ("without"). A page passes when every "with" snippet is
found and no "without" snippet is. Texts and snippets are compared with the
set's own scorer (``score.py``: NFC, whitespace collapsed, case-folded), and
cari's text is the first article body that ``cari extract PAGE --json`` gives,
computed in-process through the same function.

The set is split by site (``part_of``): a third of the sites is held aside
while extraction is worked on, and the two parts are reported apart. The
split is computed, not stored: a hash of the page's site name decides it, so
every page of one site falls on the same side and a new page of a known site
lands where its siblings are.

Run: ``python -m bench.extraction_dev`` (both parts, cari and trafilatura),
``python -m bench.extraction_dev --part work --details FILE`` to work on the
worked-on part only and list every page's outcome.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import SHARED

DEV_SET = SHARED / "eval" / "extraction_dev"
EXPECTATIONS = DEV_SET / "expectations.jsonl"
EXTRACTORS = ("cari", "trafilatura")
PARTS = ("work", "held")
QUICK_PAGES = 60  # per part in quick mode
# Second-level labels under which a country's sites register (bbc.co.uk, abc.net.au).
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "go"}


# --- the split ----------------------------------------------------------------------------


def site_of(item: dict) -> str:
    """The site a page belongs to: its URL's registered domain, else the one its file is named after.

    36 pages carry no URL; their files are named "<host>-<word>.html.gz" or "<host>.html.gz".
    """
    host = urlsplit(item["url"]).hostname or "" if item.get("url") else ""
    if not host:
        name = Path(item["file"]).name.removesuffix(".gz").removesuffix(".html")
        host = name.split("-")[0]
    labels = host.lower().strip(".").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def part_of(site: str) -> str:
    """"held" for a third of the sites, "work" for the rest: fixed by a hash of the site name."""
    return "held" if hashlib.sha256(site.encode("utf-8")).digest()[0] % 3 == 0 else "work"


def load_items(path: Path = EXPECTATIONS) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    for item in items:
        item["site"] = site_of(item)
        item["part"] = part_of(item["site"])
    return items


# --- the extractors: page path -> (text, status) as score.py sees them ---------------------


def scorer():
    """The dev set's own score.py, imported from its file (it is not a package)."""
    spec = importlib.util.spec_from_file_location("extraction_dev_score", DEV_SET / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cari_runner(score):
    from search.readers import extract

    tmp = tempfile.TemporaryDirectory(prefix="extraction_dev_")

    def run(page: Path) -> tuple[str, str]:
        # cari picks its reader by extension: the page is unpacked to a .html file, as score.py does.
        target = Path(tmp.name) / page.name.removesuffix(".gz")
        target.write_bytes(gzip.decompress(page.read_bytes()))
        try:
            result = extract(target)
        finally:
            target.unlink()
        # The JSON `cari extract --json` prints, read back by the scorer's own function.
        shown = {"articles": [a.to_dict() for a in result.articles], "errors": result.errors,
                 "skipped": result.skipped}
        return score.body_from_json(json.loads(json.dumps(shown, default=str)))

    return run


def trafilatura_runner(score):
    run, _ = score.trafilatura_runner(defaults=False)
    return lambda page: run(str(page))


RUNNERS = {"cari": cari_runner, "trafilatura": trafilatura_runner}


# --- the run ------------------------------------------------------------------------------


def score_items(run, items: list[dict], score) -> tuple[dict, list[dict], float]:
    """Summary figures, one row per page and the CPU seconds spent in ``run``."""
    rows = []
    spent = 0.0
    for item in items:
        started = time.process_time()
        text, status = run(DEV_SET / item["file"])
        spent += time.process_time() - started
        body = score.norm(text)
        missing = [w for w in item["with"] if score.norm(w) not in body]
        unwanted = [w for w in item["without"] if score.norm(w) in body]
        rows.append({"file": item["file"], "site": item["site"], "part": item["part"],
                     "pass": not missing and not unwanted, "empty": not body, "status": status,
                     "chars": len(text), "with": len(item["with"]), "without": len(item["without"]),
                     "missing": missing, "unwanted": unwanted})
    return summarise(rows), rows, spent


def _reason_kind(status: str) -> str:
    """A skip reason without its page's particulars (URL, character count), to count reasons by kind."""
    status = re.sub(r"https?://\S+?(?=,|$)", "<url>", status)
    return re.sub(r"\d+ characters", "N characters", status)


def summarise(rows: list[dict]) -> dict:
    with_total = sum(r["with"] for r in rows)
    without_total = sum(r["without"] for r in rows)
    empty_reasons: dict[str, int] = {}
    for r in rows:
        if r["empty"]:
            kind = _reason_kind(r["status"])
            empty_reasons[kind] = empty_reasons.get(kind, 0) + 1
    return {
        "pages": len(rows),
        "sites": len({r["site"] for r in rows}),
        "passed": sum(r["pass"] for r in rows),
        "with_found": with_total - sum(len(r["missing"]) for r in rows),
        "with_total": with_total,
        "without_avoided": without_total - sum(len(r["unwanted"]) for r in rows),
        "without_total": without_total,
        "empty": sum(r["empty"] for r in rows),
        "empty_reasons": dict(sorted(empty_reasons.items(), key=lambda kv: -kv[1])),
    }


def run(quick: bool = False, parts=PARTS, extractors=EXTRACTORS, details: Path | None = None) -> dict:
    """Score each extractor on each part of the dev set."""
    if not EXPECTATIONS.exists():
        raise FileNotFoundError(f"{EXPECTATIONS} not found: the shared data set must sit beside the repo")
    score = scorer()
    items = load_items()
    results: dict = {"parts": {}, "split": "sha256(site)[0] % 3 == 0 -> held"}
    all_rows = []
    for part in parts:
        chosen = [item for item in items if item["part"] == part]
        if quick:
            chosen = chosen[:QUICK_PAGES]
        results["parts"][part] = {}
        for name in extractors:
            if name == "trafilatura" and importlib.util.find_spec("trafilatura") is None:
                continue
            summary, rows, spent = score_items(RUNNERS[name](score), chosen, score)
            summary["seconds_per_page"] = spent / len(chosen) if chosen else 0.0
            results["parts"][part][name] = summary
            all_rows += [{**row, "extractor": name} for row in rows]
    if details:
        with open(details, "w", encoding="utf-8") as handle:
            for row in all_rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return results


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def markdown(results: dict) -> str:
    lines = [
        "On ../shared/eval/extraction_dev/ (saved pages of many publishers, mostly German and English; "
        "snippets the main text must and must not contain), split by site: a hash of the site name puts "
        "a third of the sites in the held-aside part, which was not looked at while extraction was worked "
        "on. A page passes when every must-snippet is found and no must-not snippet. trafilatura was "
        "developed on these very pages (in-sample). Time: CPU seconds per page, in-process.",
        "",
        "| part | extractor | pages (sites) | pass | must found | must-not avoided | empty | s/page (CPU) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for part, by_name in results["parts"].items():
        for name, s in by_name.items():
            lines.append(
                f"| {part} | {name} | {s['pages']} ({s['sites']}) | {_pct(s['passed'], s['pages'])} ({s['passed']}) | "
                f"{_pct(s['with_found'], s['with_total'])} | {_pct(s['without_avoided'], s['without_total'])} | "
                f"{s['empty']} | {s['seconds_per_page']:.4f} |")
    reasons = [(part, r) for part, by_name in results["parts"].items()
               for r in [by_name.get("cari", {}).get("empty_reasons", {})] if r]
    if reasons:
        lines += ["", "Why cari gave no text:", ""]
        for part, by_reason in reasons:
            shown = "; ".join(f"{reason} ({count})" for reason, count in by_reason.items())
            lines.append(f"- {part}: {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction_dev", description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=PARTS, action="append", help="only this part (repeatable)")
    parser.add_argument("--extractor", choices=EXTRACTORS, action="append", help="only this extractor")
    parser.add_argument("--details", type=Path, help="write one JSON line per page and extractor")
    parser.add_argument("--quick", action="store_true", help=f"the first {QUICK_PAGES} pages of each part")
    args = parser.parse_args(argv)
    if not args.part and not args.extractor and not args.details:
        # The full run: recorded and written into docs/benchmarks.md like every benchmark.
        from bench.report import main as report_main
        return report_main(["extraction_dev", *(["--quick"] if args.quick else [])])
    results = run(quick=args.quick, parts=args.part or PARTS, extractors=args.extractor or EXTRACTORS,
                  details=args.details)
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
