"""Run benchmark modules and assemble docs/benchmarks.md from their results.

A benchmark is a module ``bench.<name>`` with ``run(quick: bool = False) -> dict``
(JSON-serialisable) and ``markdown(result: dict) -> str``. To add one, append its
name to ``MODULES``. Each run's result is cached in ``docs/bench-results/<name>.json``
with the machine, date, command and duration, so running one benchmark alone
regenerates the whole report with the others' last results. A module that is
missing, fails or has never run appears as "not run: reason"; it never stops the
other benchmarks.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

from bench import common

# Run by `make bench` / `python -m bench`, in this order (later ones reuse the
# indexes the indexing benchmark builds).
MODULES = ["indexing", "latency", "memory", "quality", "queries", "scaling", "stemming", "extraction",
           "extraction_dev"]
# Too slow for `make bench`: run by name, reported from their last run.
ON_DEMAND = ["load", "updates", "heldout", "stories"]
# Results shown inside another section: bench.load reads the soak's, bench.quality
# the last run over the full IndoSum set.
SUPPLEMENTS = {"load-soak", "quality-full"}
TITLES = {
    "scaling": "Indexing and queries as the archive grows",
    "indexing": "Indexing speed and index size",
    "latency": "Query latency",
    "memory": "Memory",
    "quality": "Retrieval quality",
    "stemming": "Stemming",
    "extraction": "Text extraction",
    "extraction_dev": "Text extraction on many publishers' pages",
    "queries": "Query features: highlights, facets, typos, autocomplete",
    "load": "Serving under load",
    "hostile": "Hostile queries beside an ordinary client",
    "updates": "Incremental runs: the cost of answering as a fresh build",
    "heldout": "Retrieval quality on the held-out topics, by kind of query",
    "stories": "Grouped stories and a diverse first page",
}
REPORT_NAME = "benchmarks.md"


def results_dir() -> Path:
    return common.out_dir() / "bench-results"


def result_path(name: str) -> Path:
    return results_dir() / f"{name}.json"


def load_record(name: str) -> dict | None:
    try:
        return json.loads(result_path(name).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def save_record(record: dict) -> None:
    results_dir().mkdir(parents=True, exist_ok=True)
    path = result_path(record["name"])
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False, default=str) + "\n", "utf-8")
    tmp.replace(path)


def run_module(name: str, quick: bool, command: str) -> dict:
    """Run one benchmark and cache its record; a failure is recorded, not raised."""
    record = {"name": name, "quick": quick, "date": common.now_utc(), "command": command,
              "machine": common.machine_info()}
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    try:
        module = importlib.import_module(f"bench.{name}")
    except Exception as exc:  # a missing module is reported, not fatal
        record.update(status="failed", reason=f"cannot import bench.{name}: {type(exc).__name__}: {exc}")
    else:
        try:
            record["result"] = module.run(quick=quick) if _takes_quick(module.run) else module.run()
            record["status"] = "ok"
        except Exception as exc:  # one broken benchmark must not stop the others
            traceback.print_exc()
            record.update(status="failed", reason=f"{type(exc).__name__}: {exc}")
    record["seconds"] = round(time.perf_counter() - started, 1)
    record["cpu_seconds"] = round(_cpu_seconds() - cpu_started, 1)
    save_record(record)
    if name == "quality" and not quick and (record.get("result") or {}).get("indosum_scope") == "full":
        save_record({**record, "name": "quality-full"})   # kept when make bench reruns the sample
    return record


def _cpu_seconds() -> float:
    """User + system time of this process and its finished children (probes, workers)."""
    import resource
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _takes_quick(run) -> bool:
    import inspect
    try:
        return "quick" in inspect.signature(run).parameters
    except (TypeError, ValueError):
        return False


def section(name: str) -> str:
    title = TITLES.get(name, name.capitalize())
    head = f"## {title}\n\n"
    record = load_record(name)
    if record is None:
        return head + f"not run: no results yet (`python -m bench.{name}`)\n"
    if record.get("status") != "ok":
        return head + f"not run: {record.get('reason', 'unknown failure')} ({record.get('date')}, `{record.get('command')}`)\n"
    try:
        body = importlib.import_module(f"bench.{name}").markdown(record["result"])
    except Exception as exc:  # a report that cannot render is still reported
        return head + f"not run: cannot render results: {type(exc).__name__}: {exc}\n"
    quick = " **Quick mode: a small subset, not representative.**" if record.get("quick") else ""
    meta = (f"_Measured {record['date']} with `{record['command']}` in {record['seconds']:.0f} s on "
            f"{common.machine_line(record.get('machine', {}))}._{quick}")
    return head + meta + "\n\n" + body.rstrip() + "\n"


def render(names: list[str]) -> str:
    parts = [
        "# Benchmarks",
        "",
        "Every figure below is produced by a command in `bench/` and can be rerun: `make bench` "
        "(or `python -m bench`) runs them all and rewrites this file; `python -m bench.<name>` "
        "reruns one and keeps the others' last results (cached in `docs/bench-results/`). "
        "Each section states the machine, date and command of its figures. Speed ratios are "
        "measured within one command, so they hold better than the absolute numbers on a "
        "shared machine; CPU seconds (user + system, subprocesses included) depend less on "
        "other load than wall seconds do.",
        "",
        "| benchmark | status | measured | seconds | CPU seconds |",
        "|---|---|---|---:|---:|",
    ]
    for name in names:
        record = load_record(name) or {}
        status = record.get("status", "not run")
        if status == "ok" and record.get("quick"):
            status = "ok (quick)"
        parts.append(f"| [{TITLES.get(name, name)}](#{_anchor(TITLES.get(name, name))}) | {status} | "
                     f"{record.get('date', '–')} | {record.get('seconds', '–')} | {record.get('cpu_seconds', '–')} |")
    parts.append("")
    for name in names:
        parts.append(section(name))
    return "\n".join(parts)


def _anchor(title: str) -> str:
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c == "-")


def write_report(names: list[str] | None = None) -> Path:
    names = names or all_names()
    path = common.out_dir() / REPORT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(names), "utf-8")
    return path


def all_names() -> list[str]:
    """The registered modules, plus any whose results are cached but not listed."""
    at = MODULES.index("indexing") + 1 if "indexing" in MODULES else len(MODULES)
    names = [*MODULES[:at], *ON_DEMAND, *MODULES[at:]]  # growth next to the indexing figures
    if results_dir().is_dir():
        names += sorted(p.stem for p in results_dir().glob("*.json")
                        if p.stem not in names and p.stem not in SUPPLEMENTS)
    return names


def main(argv: list[str] | None = None) -> int:
    """``python -m bench [names...] [--quick] [--report-only]``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description="run benchmarks, rewrite docs/benchmarks.md")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: {', '.join(MODULES)}; "
                                                 f"on demand: {', '.join(ON_DEMAND)})")
    parser.add_argument("--quick", action="store_true", help="small subsets: checks the code paths in seconds")
    parser.add_argument("--report-only", action="store_true", help="only rewrite the report from cached results")
    args = parser.parse_args(argv)
    names = args.names or MODULES
    unknown = [n for n in names if n not in MODULES + ON_DEMAND]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(MODULES + ON_DEMAND)}",
              file=sys.stderr)
        return 2
    started = time.perf_counter()
    failed = []
    if not args.report_only:
        command = _command(args)
        try:
            for name in names:
                print(f"== bench {name}", file=sys.stderr, flush=True)
                record = run_module(name, args.quick, command)
                print(f"== bench {name}: {record['status']} in {record['seconds']:.0f} s"
                      + (f" ({record['reason']})" if record["status"] != "ok" else ""), file=sys.stderr, flush=True)
                if record["status"] != "ok":
                    failed.append(name)
        finally:
            common.cleanup_work_dir()
    path = write_report()
    print(f"wrote {path} in {time.perf_counter() - started:.0f} s"
          + (f"; failed: {', '.join(failed)}" if failed else ""), file=sys.stderr)
    return 1 if failed else 0


def _command(args) -> str:
    single = len(sys.argv) > 0 and sys.argv[0].endswith(".py") and Path(sys.argv[0]).stem not in ("__main__", "report")
    module = f"bench.{Path(sys.argv[0]).stem}" if single else "bench"
    flags = " --quick" if args.quick else ""
    if module == "bench" and args.names and args.names != MODULES:
        flags = " " + " ".join(args.names) + flags
    scope = "CARI_BENCH_INDOSUM=full " if os.environ.get("CARI_BENCH_INDOSUM") == "full" else ""
    return f"{scope}python -m {module}{flags}"
