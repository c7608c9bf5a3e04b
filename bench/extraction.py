"""HTML extraction quality: cari's reader vs trafilatura vs naive BeautifulSoup.

Scored on ../shared/eval/html_gold.jsonl (saved pages of Indonesian news
sites with their expected title, date and text):

- title exact: equal after normalising quotes, dashes and spaces
- body F1: token F1 (bag of lowercased word tokens) against the expected text,
  after the same normalisation; the gold text is another scraper's output
- date to the minute / to the day, compared in the gold's zone (WIB)
- pages/s: the 26 gold pages over the CPU time spent extracting and scoring them

The main table covers the Indonesian article pages except
``liputan6-singlepage3`` (its gold text is a photo caption, unreliable),
which is reported on its own with the English control page. Front pages
(html_mainpage_gold.jsonl) count how many each reader declines as articles.

Run: ``python -m bench.extraction``.
"""
from __future__ import annotations

import json
import re
import time
import unicodedata
from collections import Counter
from datetime import datetime
from pathlib import Path

from bench.common import SHARED
from search.readers.dates import WIB

GOLD = SHARED / "eval" / "html_gold.jsonl"
MAINPAGE_GOLD = SHARED / "eval" / "html_mainpage_gold.jsonl"
PAGES = SHARED / "corpus" / "html" / "websites"
UNRELIABLE = {"liputan6-singlepage3"}
EXTRACTORS = ("cari", "trafilatura", "naive bs4")


# --- normalisation and scores ----------------------------------------------------------

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
                         "`": "'", "´": "'", "–": "-", "—": "-", "‒": "-", "−": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", normalise(text).lower())


def token_f1(got: str, expected: str) -> float:
    got_tokens, expected_tokens = Counter(tokens(got)), Counter(tokens(expected))
    common = sum((got_tokens & expected_tokens).values())
    if not common:
        return 0.0
    precision = common / sum(got_tokens.values())
    recall = common / sum(expected_tokens.values())
    return 2 * precision * recall / (precision + recall)


def _as_wib(value) -> datetime | None:
    """A datetime (or ISO date string) seen in WIB; naive values are taken as WIB wall time."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value.astimezone(WIB) if value.tzinfo else value.replace(tzinfo=WIB)


def date_matches(got, expected: str, unit: str) -> bool:
    got_wib, expected_wib = _as_wib(got), _as_wib(expected)
    if got_wib is None or expected_wib is None:
        return False
    if unit == "day":
        return got_wib.date() == expected_wib.date()
    if isinstance(got, str) and len(got) <= 10:  # a bare date carries no minute
        return False
    return got_wib.replace(second=0, microsecond=0) == expected_wib.replace(second=0, microsecond=0)


# --- the extractors, each: raw bytes -> dict(title, body, date) or None (skipped) ------------


def extract_cari(path: Path) -> dict | None:
    from search.readers import read_file

    result = read_file(path, PAGES)
    if not result.articles:
        return None
    article = result.articles[0]
    return {"title": article.title, "body": article.body, "date": article.date}


def extract_trafilatura(path: Path) -> dict | None:
    import trafilatura

    document = trafilatura.bare_extraction(path.read_bytes(), with_metadata=True)
    if document is None:
        return None
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    return {"title": data.get("title") or "", "body": data.get("text") or "", "date": data.get("date") or None}


def extract_naive(path: Path) -> dict | None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    body = "\n\n".join(p.get_text(" ", strip=True) for p in soup.find_all("p"))
    return {"title": title, "body": body, "date": None}


FUNCTIONS = {"cari": extract_cari, "trafilatura": extract_trafilatura, "naive bs4": extract_naive}


# --- the run -----------------------------------------------------------------------------


def load_gold(path: Path = GOLD) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score_page(extracted: dict | None, gold: dict) -> dict:
    if extracted is None:
        return {"title": False, "f1": 0.0, "minute": False, "day": False, "skipped": True}
    return {
        "title": normalise(extracted["title"]) == normalise(gold["title"]),
        "f1": token_f1(extracted["body"], gold["content_expected"]),
        "minute": date_matches(extracted["date"], gold["date"], "minute"),
        "day": date_matches(extracted["date"], gold["date"], "day"),
        "skipped": False,
    }


def _summary(rows: list[dict]) -> dict:
    n = len(rows) or 1
    return {
        "pages": len(rows),
        "title_exact": sum(r["title"] for r in rows) / n,
        "body_f1": sum(r["f1"] for r in rows) / n,
        "date_minute": sum(r["minute"] for r in rows) / n,
        "date_day": sum(r["day"] for r in rows) / n,
    }


def run(quick: bool = False, extractors=EXTRACTORS) -> dict:
    """Score every extractor on every gold page; returns the numbers and per-page rows.

    ``quick`` is accepted for the bench runner; the set is 36 pages either way.
    """
    if not GOLD.exists():
        raise FileNotFoundError(f"{GOLD} not found: the shared data set must sit beside the repo")
    gold = load_gold()
    mainpages = load_gold(MAINPAGE_GOLD) if MAINPAGE_GOLD.exists() else []
    results: dict = {"extractors": {}, "main_set": [], "separate": []}
    for name in extractors:
        function = FUNCTIONS[name]
        per_page = {}
        # CPU time, not wall time: the machine is shared and wall time swings with load.
        started = time.process_time()
        for item in gold:
            per_page[item["file"]] = score_page(function(PAGES / item["file"]), item)
        elapsed = time.process_time() - started
        declined = sum(function(PAGES / item["file"]) is None for item in mainpages)
        main = [per_page[g["file"]] for g in gold if _in_main_set(g)]
        separate = {g["file"]: per_page[g["file"]] for g in gold if not _in_main_set(g)}
        results["extractors"][name] = {
            **_summary(main),
            "pages_per_s": len(gold) / elapsed if elapsed else 0.0,
            "front_pages_declined": declined,
            "front_pages": len(mainpages),
            "separate": separate,
            "per_page": per_page,
        }
    results["main_set"] = [g["file"] for g in gold if _in_main_set(g)]
    results["separate"] = [g["file"] for g in gold if not _in_main_set(g)]
    return results


def _in_main_set(gold: dict) -> bool:
    return gold.get("lang", "id") == "id" and Path(gold["file"]).stem not in UNRELIABLE


def markdown(results: dict) -> str:
    """The results as Markdown tables (main set, then the pages reported apart)."""
    names = list(results["extractors"])
    n = len(results["main_set"])
    lines = [
        f"Indonesian article pages: {n} (excluding {', '.join(sorted(UNRELIABLE))}, reported below)",
        "",
        "| extractor | title exact | body F1 (mean) | date to the minute | date to the day | pages/s (CPU) | front pages declined |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        r = results["extractors"][name]
        lines.append(
            f"| {name} | {r['title_exact']:.0%} | {r['body_f1']:.3f} | {r['date_minute']:.0%} | "
            f"{r['date_day']:.0%} | {r['pages_per_s']:.1f} | {r['front_pages_declined']}/{r['front_pages']} |"
        )
    lines += ["", "Reported apart (unreliable gold, English control):", "",
              "| page | extractor | title exact | body F1 | date to the minute |", "|---|---|---:|---:|---:|"]
    for page in results["separate"]:
        for name in names:
            s = results["extractors"][name]["separate"][page]
            lines.append(f"| {page} | {name} | {'yes' if s['title'] else 'no'} | {s['f1']:.3f} | "
                         f"{'yes' if s['minute'] else 'no'} |")
    return "\n".join(lines)


def per_page_table(results: dict, name: str = "cari") -> str:
    rows = results["extractors"][name]["per_page"]
    out = [f"{name} per page: title / F1 / minute"]
    for page, s in rows.items():
        out.append(f"  {page:45s} {'T' if s['title'] else '-'} {s['f1']:.3f} {'M' if s['minute'] else '-'}")
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    outcome = run()
    print(markdown(outcome))
    if "-v" in sys.argv:
        print()
        print(per_page_table(outcome))
