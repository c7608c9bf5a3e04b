"""Serving under load: cari under gunicorn beside a naive Flask+Whoosh app.

``python -m bench.load`` starts each server on a free 127.0.0.1 port, drives
``/api/search`` with wrk (a Lua script rotates real queries: the dev topics
and the "Baca juga" headlines of ../shared/eval), and prints requests/s and
p50/p99 latency for 1 and 2 workers at several concurrency levels, plus the
worker processes' open files and RSS before and after, and the workers' CPU
per request (user + system seconds of the worker processes over the
requests answered: what a request costs, whatever else runs).

First comes the goal: with the result cache off, 2 workers and 8 clients,
≥ 300 requests/s at p99 ≤ 100 ms, on the corpus's index and on 4 times it
(the 1× index's segments copied, as ``bench.scaling`` makes its copies),
beside the naive app on its index and 4 copies of it, in the same run.
cari's goal point runs GOAL_ROUNDS times in a row and the median round
counts (every round is reported).
``--soak`` instead sends 100,000 requests to one cari server and samples
open files and RSS as it goes (a few minutes; kept out of ``run()``).

Everything stays on loopback and every point is bounded in time. wrk runs on
the same two cores as the server, so the numbers are a floor.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench import common

WORKERS = (1, 2)
CONCURRENCY = (1, 4, 8, 16)
SECONDS = 10
QUICK_CONCURRENCY = (1, 8)
QUICK_SECONDS = 3
SOAK_REQUESTS = 100_000
SOAK_CHUNK_SECONDS = 20
GOAL_RPS, GOAL_P99_MS = 300, 100
GOAL_WORKERS, GOAL_CLIENTS = 2, 8
GOAL_FACTORS = (1, 4)           # the corpus, and its index's segments copied 4 times
GOAL_SECONDS = 20
# cari's goal point is run this many times in a row on one server and the
# median round (by requests/s) reported, every round beside it: this machine's
# speed drifts by a fifth within the hour (docs/scaling.md), so one 20 s run
# says as much about the minute as about the code.
GOAL_ROUNDS = 3
QUICK_GOAL_ROUNDS = 1
QUICK_GOAL_FACTORS = (1, 2)
START_TIMEOUT = 300             # seconds for a server to answer: workers warm a 4x index first

LUA = r"""
local paths = {}
for line in io.lines(os.getenv("CARI_WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("start", counter * 37)
end
init = function(args) i = (start or 0) % #paths end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


# --- inputs ------------------------------------------------------------------------------


def queries() -> list[str]:
    """Real queries: the 10 dev topics and the 199 "Baca juga" headlines."""
    found = []
    for name, column in (("topics_dev.tsv", 1), ("bacajuga_knownitem.tsv", 1)):
        path = common.eval_dir() / name
        for n, line in enumerate(path.read_text("utf-8").splitlines()):
            fields = line.split("\t")
            if n == 0 and name == "topics_dev.tsv":
                continue  # header
            if len(fields) > column and fields[column].strip():
                found.append(fields[column].strip())
    return found


def search_paths(qs: list[str]) -> list[str]:
    return ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in qs]


def corpus(quick: bool) -> Path:
    source = common.corpus_dir()
    return common.quick_corpus(source) if quick else source


def cari_index(quick: bool) -> Path:
    """cari's index of the corpus; CARI_LOAD_INDEX reuses one built before."""
    if os.environ.get("CARI_LOAD_INDEX") and not quick:
        return Path(os.environ["CARI_LOAD_INDEX"])
    from search.indexing.indexer import index_corpus
    from search.store import IndexVersionError

    target = common.work_dir() / ("load-cari-quick" if quick else "load-cari")
    try:  # incremental: an index from an earlier run is reused
        index_corpus(corpus(quick), target, procs=common.indexer_procs())
    except IndexVersionError:
        index_corpus(corpus(quick), target, procs=common.indexer_procs(), rebuild=True)
    return target


def naive_index(quick: bool) -> Path:
    from bench.naive_app import build

    target = common.work_dir() / ("load-naive-quick" if quick else "load-naive")
    if not (target / "_MAIN_1.toc").exists():
        shutil.rmtree(target, ignore_errors=True)
        build(common.load_articles(corpus(quick)), target)
    return target


# --- servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn on a free loopback port; stopped on exit."""

    def __init__(self, kind: str, index: Path, workers: int, log_dir: Path, extra_env: dict | None = None):
        self.kind, self.workers = kind, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = log_dir / f"{kind}-{workers}w-access.log"
        self.error_log = log_dir / f"{kind}-{workers}w-error.log"
        env = dict(os.environ, **(extra_env or {}))
        if kind.startswith("cari"):
            from search.serve import gunicorn_argv

            env.update(CARI_INDEX=str(Path(index).resolve()), CARI_ACCESS_LOG=str(self.access_log),
                       CARI_ERROR_LOG=str(self.error_log))
            argv = gunicorn_argv("127.0.0.1", self.port, workers)
        else:
            env["NAIVE_INDEX"] = str(index)
            argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                    "--workers", str(workers), "--no-control-socket",
                    "--access-logfile", str(self.access_log), "--error-logfile", str(self.error_log),
                    "bench.naive_app:app"]
        self.proc = subprocess.Popen(argv, cwd=common.REPO, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> "Server":
        self.wait_ready(START_TIMEOUT)
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        last = "no answer"
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} gunicorn exited: {self.error_log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + "/api/search?q=banjir", timeout=10) as r:
                    if r.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
                time.sleep(0.5)
            except OSError as exc:
                last = str(exc)
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.kind} gunicorn did not answer 200 within {timeout}s ({last})")

    def cpu_seconds(self) -> dict[int, float]:
        """User + system CPU seconds of each worker process, by pid."""
        import psutil

        used = {}
        for pid in self.worker_pids():
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.NoSuchProcess:
                continue
            used[pid] = times.user + times.system
        return used

    def worker_pids(self) -> list[int]:
        import psutil

        return sorted(c.pid for c in psutil.Process(self.proc.pid).children())

    def resources(self) -> dict:
        """Open files and RSS (MB) summed over the workers."""
        import psutil

        fds = rss = 0
        for pid in self.worker_pids():
            p = psutil.Process(pid)
            fds += p.num_fds()
            rss += p.memory_info().rss
        return {"fds": fds, "rss_mb": round(common.mb(rss), 1)}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- load ----------------------------------------------------------------------------------


def wrk(base: str, paths_file: Path, script: Path, concurrency: int, seconds: float) -> dict:
    """One wrk run; its numbers as a dict (latencies in ms)."""
    threads = min(concurrency, 2)
    load_before = os.getloadavg()[0]
    argv = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{seconds}s",
            "--timeout", "10s", "-s", str(script), base]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60,
                         env=dict(os.environ, CARI_WRK_PATHS=str(paths_file)))
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout[-800:]} {out.stderr[-800:]}")
    raw = json.loads(line[len("RESULT "):])
    seconds_run = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {
        "concurrency": concurrency,
        "requests": raw["requests"],
        "seconds": round(seconds_run, 2),
        "rps": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p90_ms": round(raw["p90_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "errors": errors,
        # Other work on the machine skews everything: say how busy it was.
        "loadavg_1m": round(max(load_before, os.getloadavg()[0]), 1),
        "error_detail": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]},
    }


def wrk_files(tmp: Path, qs: list[str]) -> tuple[Path, Path]:
    paths_file = tmp / "paths.txt"
    paths_file.write_text("\n".join(search_paths(qs)) + "\n", "utf-8")
    script = tmp / "rotate.lua"
    script.write_text(LUA, "utf-8")
    return paths_file, script


def warm_up(server: Server, paths_file: Path, script: Path) -> None:
    """Every worker thread opens its searcher and sees every query once."""
    wrk(server.base, paths_file, script, concurrency=8, seconds=2)


def measure(kind: str, index: Path, workers: int, levels, seconds, files, log_dir, extra_env=None) -> dict:
    """One server: warmed up, then one wrk run per level of ``levels``."""
    paths_file, script = files
    with Server(kind, index, workers, log_dir, extra_env) as server:
        warm_up(server, paths_file, script)
        before = server.resources()
        points = []
        for c in levels:
            before_cpu = server.cpu_seconds()
            point = wrk(server.base, paths_file, script, c, seconds)
            used = [after - before_cpu.get(pid, 0.0) for pid, after in server.cpu_seconds().items()]
            point["cpu_ms_per_request"] = round(1000 * sum(used) / max(1, point["requests"]), 2)
            point["worker_cpu_s"] = sorted((round(u, 1) for u in used), reverse=True)
            print(f"  {kind:12} {workers}w c={c:<3} {point['rps']:7.1f} req/s  p50 {point['p50_ms']:6.1f} ms  "
                  f"p99 {point['p99_ms']:7.1f} ms  CPU {point['cpu_ms_per_request']:5.2f} ms/req "
                  f"(workers {'/'.join(map(str, point['worker_cpu_s']))} s)  errors {point['errors']}  "
                  f"load {point['loadavg_1m']}", file=sys.stderr, flush=True)
            points.append(point)
        after = server.resources()
    lines = count_lines(server.access_log)
    return {"server": kind, "workers": workers, "points": points, "before": before, "after": after,
            "access_log_lines": lines}


def count_lines(path: Path) -> int | None:
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return None


def servers(cari_ix: Path, naive_ix: Path) -> list:
    """(label, index, environment) of each server measured. cari runs twice:
    as configured, and with its result cache off (CARI_RESULT_CACHE=0), which
    shows what the search itself costs when no request repeats."""
    return [("cari", cari_ix, {}), ("cari-nocache", cari_ix, {"CARI_RESULT_CACHE": "0"}),
            ("naive", naive_ix, {})]


def copies(index: Path, factor: int) -> Path:
    """``factor`` copies of ``index``'s segments (``bench.scaling.segment_copies``:
    the postings, columns and stored fields of an archive ``factor`` times
    larger), made afresh in the work dir; ``index`` itself for 1."""
    if factor == 1:
        return index
    from bench.scaling import segment_copies

    target = common.work_dir() / f"{index.name}-x{factor}-copies"
    segment_copies(index, target, factor)
    return target


def goal(cari_ix: Path, naive_ix: Path, factors, seconds, files, log_dir, rounds: int = GOAL_ROUNDS) -> list[dict]:
    """The goal's configuration at each size: cari with its result cache off
    (``rounds`` points in a row, the median one kept: :func:`median_round`)
    and the naive app (one point), ``GOAL_WORKERS`` workers each,
    ``GOAL_CLIENTS`` clients."""
    rows = []
    for factor in factors:
        row = {"factor": factor}
        for kind, index, env in (("cari-nocache", cari_ix, {"CARI_RESULT_CACHE": "0"}), ("naive", naive_ix, {})):
            try:
                index = copies(index, factor)
                row["documents"] = row.get("documents") or doc_count(index)
                logs = log_dir / f"goal-x{factor}"     # apart from the table's servers' logs
                logs.mkdir(exist_ok=True)
                levels = [GOAL_CLIENTS] * (rounds if kind == "cari-nocache" else 1)
                done = measure(kind, index, GOAL_WORKERS, levels, seconds, files, logs, env)
                row[kind] = median_round(done["points"])
            except Exception as exc:  # noqa: BLE001 - keep the other sizes' numbers
                print(f"  goal {factor}x {kind} failed: {exc}", file=sys.stderr, flush=True)
                row[kind] = {"error": str(exc)[:500]}
        row["met"] = goal_met(row["cari-nocache"])
        print(f"  goal {factor}x: {'met' if row['met'] else 'not met'}", file=sys.stderr, flush=True)
        rows.append(row)
    return rows


def median_round(points: list[dict]) -> dict:
    """The median of ``points`` (the same point run in turn) by requests/s,
    with every round's requests/s and p99 (``rounds``) and the errors of all
    of them: the goal wants none in any round."""
    if len(points) == 1:
        return points[0]
    middle = dict(sorted(points, key=lambda p: p["rps"])[len(points) // 2])
    middle["rounds"] = [{"rps": p["rps"], "p99_ms": p["p99_ms"]} for p in points]
    middle["errors"] = sum(p["errors"] for p in points)
    return middle


def goal_met(point: dict) -> bool:
    return ("rps" in point and point["rps"] >= GOAL_RPS and point["p99_ms"] <= GOAL_P99_MS
            and point["errors"] == 0)


def run(quick: bool = False) -> dict:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    levels = QUICK_CONCURRENCY if quick else CONCURRENCY
    seconds = QUICK_SECONDS if quick else SECONDS
    qs = queries()
    cari_ix, naive_ix = cari_index(quick), naive_index(quick)
    documents = doc_count(cari_ix)
    tmp = Path(tempfile.mkdtemp(prefix="cari-load-"))
    try:
        files = wrk_files(tmp, qs)
        goal_rows = goal(cari_ix, naive_ix, QUICK_GOAL_FACTORS if quick else GOAL_FACTORS,
                         QUICK_SECONDS if quick else GOAL_SECONDS, files, tmp,
                         QUICK_GOAL_ROUNDS if quick else GOAL_ROUNDS)
        runs = []
        for kind, index, env in servers(cari_ix, naive_ix):
            for workers in WORKERS:
                try:
                    runs.append(measure(kind, index, workers, levels, seconds, files, tmp, env))
                except RuntimeError as exc:  # keep the other servers' numbers
                    print(f"  {kind} {workers}w failed: {exc}", file=sys.stderr, flush=True)
                    runs.append({"server": kind, "workers": workers, "error": str(exc)[:500], "points": []})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "machine": common.machine_info(),
        "when": common.now_utc(),
        "quick": quick,
        "queries": len(qs),
        "documents": documents,
        "seconds_per_point": seconds,
        "goal_seconds": QUICK_SECONDS if quick else GOAL_SECONDS,
        "goal_rounds": QUICK_GOAL_ROUNDS if quick else GOAL_ROUNDS,
        "goal": goal_rows,
        "runs": runs,
        "kept_lists_mb": kept_lists_mb(),
        "kept_analyses": kept_analyses(),
        "kept_near_spellings": kept_near_spellings(),
    }
    result["plot"] = plot(result)
    soak_file = common.out_dir() / "bench-results" / "load-soak.json"
    if soak_file.exists() and not quick:
        result["soak"] = json.loads(soak_file.read_text("utf-8"))
    return result


def doc_count(index: Path) -> int:
    from whoosh import index as whoosh_index

    from search.indexing.generations import live_dir

    return whoosh_index.open_dir(str(live_dir(index))).doc_count()


# --- soak: 100,000 requests, open files and RSS sampled --------------------------------------


def soak(requests: int = SOAK_REQUESTS, workers: int = 2, concurrency: int = 8,
         index: Path | None = None, max_seconds: float | None = None) -> dict:
    """Send ``requests`` to one cari server in chunks (or stop after
    ``max_seconds``); open files and RSS of the workers after each chunk."""
    qs = queries()
    index = index or cari_index(False)
    started = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="cari-soak-"))
    samples = []
    try:
        files = wrk_files(tmp, qs)
        with Server("cari", index, workers, tmp) as server:
            warm_up(server, *files)
            first_pids = server.worker_pids()
            sent, errors = 0, 0
            samples.append({"requests": 0, **server.resources()})
            while sent < requests and (max_seconds is None or time.time() - started < max_seconds):
                point = wrk(server.base, *files, concurrency, SOAK_CHUNK_SECONDS)
                sent += point["requests"]
                errors += point["errors"]
                samples.append({"requests": sent, "rps": point["rps"], "p99_ms": point["p99_ms"],
                                **server.resources()})
                print(f"  soak {sent:>7} requests  fds {samples[-1]['fds']}  rss {samples[-1]['rss_mb']} MB",
                      file=sys.stderr, flush=True)
            pids = server.worker_pids()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"when": common.now_utc(), "workers": workers, "concurrency": concurrency,
            "index": str(index), "documents": doc_count(index), "requests": sent, "errors": errors,
            "target_requests": requests, "max_seconds": max_seconds,
            "result_cache": os.environ.get("CARI_RESULT_CACHE") or "1024 (default)",
            "workers_restarted": pids != first_pids, "samples": samples}


# --- report ----------------------------------------------------------------------------------


def plot(result: dict) -> str | None:
    try:
        plt = common.pyplot()
    except ImportError:
        return None
    fig, (ax_rps, ax_p99) = plt.subplots(1, 2, figsize=(10, 3.8))
    fig.subplots_adjust(wspace=0.3)
    for r in result["runs"]:
        if not r["points"]:
            continue
        label = f"{r['server']} {r['workers']}w"
        xs = [p["concurrency"] for p in r["points"]]
        style = "-o" if r["server"].startswith("cari") else "--s"
        ax_rps.plot(xs, [p["rps"] for p in r["points"]], style, label=label)
        ax_p99.plot(xs, [p["p99_ms"] for p in r["points"]], style, label=label)
    ax_rps.set(xlabel="concurrent clients", ylabel="requests/s", title="/api/search throughput")
    ax_p99.set(xlabel="concurrent clients", ylabel="p99 latency (ms)", title="p99 latency", yscale="log")
    ax_p99.axhline(GOAL_P99_MS, color="grey", lw=0.8, ls=":")
    ax_rps.axhline(GOAL_RPS, color="grey", lw=0.8, ls=":")
    for ax in (ax_rps, ax_p99):
        ax.set_xticks(sorted({p["concurrency"] for r in result["runs"] for p in r["points"]}))
        ax.grid(alpha=0.3)
    ax_rps.legend()
    return common.save_figure(fig, "load.png" if not result["quick"] else "load-quick.png")


def goal_markdown(result: dict) -> list[str]:
    rows = result.get("goal")
    if not rows:
        return []
    lines = [
        f"**Goal** (issue #16): with the result cache off, {GOAL_WORKERS} workers, {GOAL_CLIENTS} clients, "
        f"≥ {GOAL_RPS} requests/s at p99 ≤ {GOAL_P99_MS} ms and no errors, on the corpus's index and on "
        f"copies of its segments (the same articles again, as `bench.scaling` makes them), the naive app "
        f"likewise; {result.get('goal_seconds', GOAL_SECONDS)} s per point"
        + (f"; cari's point {result['goal_rounds']} times in a row on one server, the median round shown "
           "(requests/s of each round in brackets, in the order run; errors summed over the rounds)"
           if result.get("goal_rounds", 1) > 1 else "") + ". CPU per request: the workers' "
        "user + system seconds over the requests answered; worker CPU: each worker's seconds in the point "
        "(about equal when the requests are spread over the workers). The result cache is off; the stored "
        "fields of the last 2,048 articles read (hits shown, and the ranking head's articles read as text) "
        "and the sentences and words of the last 2,048 hits shown stay kept in each worker"
        + (f", and so do the posting lists the ranking head's checks read last ({result['kept_lists_mb']} MB, "
           "with their blocks decoded: search/retrieval/head_postings.py)" if result.get("kept_lists_mb") else "")
        + (f" and the analyses of the last {result['kept_analyses']:,} head documents read as text "
           "(search/retrieval/head_texts.py)" if result.get("kept_analyses") else "")
        + (f", and the near spellings found for the last {result['kept_near_spellings']:,} words "
           "(search/retrieval/spelling.py)" if result.get("kept_near_spellings") else "") + ".",
        "",
        "| size | documents | server | requests/s | p50 ms | p99 ms | CPU ms/request | worker CPU s | "
        "errors | load | goal |",
        "|---|---:|---|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for row in rows:
        for kind in ("cari-nocache", "naive"):
            p = row.get(kind) or {}
            verdict = ("met" if row.get("met") else "**not met**") if kind == "cari-nocache" else ""
            if "rps" not in p:
                lines.append(f"| {row['factor']}× | {row.get('documents') or 0:,} | {kind} | failed: "
                             f"{str(p.get('error', ''))[:100]} | | | | | | | {verdict} |")
                continue
            split = "/".join(str(x) for x in p.get("worker_cpu_s", []))
            rounds = (" (" + " / ".join(f"{r['rps']:.0f}" for r in p["rounds"]) + ")") if p.get("rounds") else ""
            lines.append(f"| {row['factor']}× | {row.get('documents') or 0:,} | {kind} | {p['rps']:.0f}{rounds} | "
                         f"{p['p50_ms']:.1f} | {p['p99_ms']:.1f} | {p.get('cpu_ms_per_request', '–')} | "
                         f"{split} | {p['errors']} | {p['loadavg_1m']} | {verdict} |")
    return lines + [""]


def markdown(result: dict) -> str:
    loads = [p["loadavg_1m"] for r in result["runs"] for p in r["points"]] or [0.0]
    lines = [
        f"Measured {result['when']} on {common.machine_line(result['machine'])}; "
        f"1-minute load average during the points {min(loads)}–{max(loads)} "
        f"(other processes shared the cores).",
        "",
        *goal_markdown(result),
        f"`/api/search` on 127.0.0.1 with wrk, {result['queries']} real queries rotated "
        f"(dev topics and \"Baca juga\" headlines), {result['documents']:,} documents, "
        f"{result['seconds_per_point']} s per point after a 2 s warm-up; wrk shares the machine's cores. "
        f"cari: `cari serve` (gunicorn gthread, {threads_note()}), with its per-worker result cache "
        "(`CARI_RESULT_CACHE`; the rotated queries repeat, so after the warm-up most requests are "
        "answered from it) and, as `cari-nocache`, with the cache off, so every request runs the "
        "search (what stays on: the stored fields of the last 2,048 articles read and the sentences "
        "and words of the last 2,048 hits shown, which hold most of the rotation's hits"
        + (f", and the posting lists the ranking head's checks read last, {result['kept_lists_mb']} MB"
           if result.get("kept_lists_mb") else "")
        + (f", and the analyses of the last {result['kept_analyses']:,} head documents read as text"
           if result.get("kept_analyses") else "")
        + (f", and the near spellings found for the last {result['kept_near_spellings']:,} words"
           if result.get("kept_near_spellings") else "")
        + "); naive: Flask + Whoosh "
        "(StandardAnalyzer index, a searcher opened per request, gunicorn sync workers). "
        f"Goal: ≥ {GOAL_RPS} requests/s at p99 ≤ {GOAL_P99_MS} ms with 0 errors.",
        "",
        "| server | workers | clients | requests/s | p50 ms | p90 ms | p99 ms | CPU ms/request | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["runs"]:
        for p in r["points"]:
            lines.append(f"| {r['server']} | {r['workers']} | {p['concurrency']} | {p['rps']:.0f} | "
                         f"{p['p50_ms']:.1f} | {p['p90_ms']:.1f} | {p['p99_ms']:.1f} | "
                         f"{p.get('cpu_ms_per_request', '–')} | {p['errors']} |")
    lines += ["", "Worker processes (summed) after the warm-up and after the last point, and access-log lines "
              "(a short before/after, not the leak check: that is the soak below and tests/test_fd_leak.py):", "",
              "| server | workers | open files | RSS MB | requests sent | access-log lines |",
              "|---|---:|---:|---:|---:|---:|"]
    for r in result["runs"]:
        if r.get("error"):
            lines.append(f"| {r['server']} | {r['workers']} | failed: {r['error'][:120]} | | | |")
            continue
        sent = sum(p["requests"] for p in r["points"])
        lines.append(f"| {r['server']} | {r['workers']} | {r['before']['fds']} → {r['after']['fds']} | "
                     f"{r['before']['rss_mb']:.0f} → {r['after']['rss_mb']:.0f} | {sent:,} (+ warm-up) | "
                     f"{r['access_log_lines'] if r['access_log_lines'] is not None else '-'} |")
    if result.get("plot"):
        lines += ["", f"![throughput and p99 latency]({result['plot']})"]
    soak_data = result.get("soak")
    if soak_data:
        lines += ["", soak_markdown(soak_data)]
    return "\n".join(lines)


def kept_lists_mb() -> int:
    """The memory a worker keeps for the lists its ranking head read (the
    results of a run before there was such memory say nothing of it)."""
    from search.retrieval.head_postings import LIST_CACHE_BYTES
    return LIST_CACHE_BYTES >> 20


def kept_analyses() -> int:
    """How many head documents' analyses a worker keeps (head_texts.py)."""
    from search.retrieval.head_texts import KEPT_ANALYSES
    return KEPT_ANALYSES


def kept_near_spellings() -> int:
    """For how many words a vocabulary keeps the near spellings it found (spelling.py)."""
    from search.retrieval.spelling import KEPT_CANDIDATES
    return KEPT_CANDIDATES


def threads_note() -> str:
    from search import settings as config

    return f"{config.get_int('CARI_THREADS')} threads per worker"


def soak_markdown(data: dict) -> str:
    first, last = data["samples"][0], data["samples"][-1]
    peak_fds = max(s["fds"] for s in data["samples"])
    peak_rss = max(s["rss_mb"] for s in data["samples"])
    capped = ""
    if data["requests"] < data.get("target_requests", 0):
        capped = f" (stopped by the {data['max_seconds']:.0f} s cap before {data['target_requests']:,})"
    return (f"Soak ({data['when']}): {data['requests']:,} requests{capped} to one cari server "
            f"({data['workers']} workers, {data['concurrency']} clients, {data['documents']:,} documents, "
            f"CARI_RESULT_CACHE={data.get('result_cache', '1024 (default)')}), "
            f"{data['errors']} errors. "
            f"Open files of the workers {first['fds']} → {last['fds']} (peak {peak_fds}), "
            f"RSS {first['rss_mb']:.0f} → {last['rss_mb']:.0f} MB (peak {peak_rss:.0f} MB), "
            f"sampled every {SOAK_CHUNK_SECONDS} s; workers restarted: "
            f"{'yes' if data['workers_restarted'] else 'no'}.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small corpus, 2 levels, 3 s each")
    parser.add_argument("--soak", action="store_true", help=f"{SOAK_REQUESTS:,} requests, fds and RSS sampled")
    parser.add_argument("--requests", type=int, default=SOAK_REQUESTS, help="requests for --soak")
    parser.add_argument("--index", type=Path, help="index for --soak (default: the benchmark corpus's)")
    parser.add_argument("--max-seconds", type=float, help="stop --soak after this long")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (not cached)")
    args = parser.parse_args(argv)
    if args.soak:
        data = soak(args.requests, index=args.index, max_seconds=args.max_seconds)
        out = common.out_dir() / "bench-results" / "load-soak.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=2), "utf-8")
        print(json.dumps(data, indent=2) if args.json else soak_markdown(data))
        return 0
    if args.json:
        print(json.dumps(run(quick=args.quick), indent=2))
        return 0
    # Like every other benchmark: cache the result and rewrite docs/benchmarks.md.
    from bench.report import main as report_main

    return report_main(["load", *(["--quick"] if args.quick else [])])


if __name__ == "__main__":
    sys.exit(main())
