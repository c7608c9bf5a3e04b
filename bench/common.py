"""What every benchmark shares: paths, machine facts, corpora, timing and memory probes.

Settings come from the environment so they reach probe subprocesses too:

- ``CARI_BENCH_CORPUS``: the corpus to index (default ../shared/corpus/clickid)
- ``CARI_BENCH_EXTRA``: a corpus added for quality runs (default ../shared/corpus/indosum;
  empty string for none)
- ``CARI_BENCH_OUT``: where benchmarks.md, img/ and bench-results/ go (default docs/)
- ``CARI_BENCH_WORK``: a scratch directory shared by the modules of one run, so
  an index built by one benchmark is reused by the next (default: a temp dir)
- ``CARI_BENCH_PROCS``: processes for cari's indexer (default 2)
- ``CARI_BENCH_INDOSUM``: the IndoSum known-item set of the quality benchmark:
  ``sample`` (default, 500 items) or ``full`` (3,450 items: about seven times the IndoSum evaluation work)
"""
from __future__ import annotations

import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

QUICK_ARTICLES = 300  # per quick corpus: enough to exercise every code path in seconds


# --- settings ----------------------------------------------------------------------


def corpus_dir() -> Path:
    return Path(os.environ.get("CARI_BENCH_CORPUS") or SHARED / "corpus" / "clickid")


def extra_corpus_dir() -> Path | None:
    value = os.environ.get("CARI_BENCH_EXTRA")
    if value is None:
        value = str(SHARED / "corpus" / "indosum")
    return Path(value) if value else None


def eval_dir() -> Path:
    return SHARED / "eval"


def out_dir() -> Path:
    return Path(os.environ.get("CARI_BENCH_OUT") or REPO / "docs")


def img_dir() -> Path:
    path = out_dir() / "img"
    path.mkdir(parents=True, exist_ok=True)
    return path


def indexer_procs() -> int:
    return int(os.environ.get("CARI_BENCH_PROCS") or 2)


_own_work_dir: Path | None = None


def work_dir() -> Path:
    """Scratch space for corpora copies and indexes, shared by one bench run."""
    global _own_work_dir
    value = os.environ.get("CARI_BENCH_WORK")
    if value:
        path = Path(value)
        path.mkdir(parents=True, exist_ok=True)
        return path
    if _own_work_dir is None:
        _own_work_dir = Path(tempfile.mkdtemp(prefix="cari-bench-"))
        os.environ["CARI_BENCH_WORK"] = str(_own_work_dir)
    return _own_work_dir


def cleanup_work_dir() -> None:
    """Remove the scratch dir if this process created it."""
    global _own_work_dir
    if _own_work_dir is not None:
        shutil.rmtree(_own_work_dir, ignore_errors=True)
        os.environ.pop("CARI_BENCH_WORK", None)
        _own_work_dir = None


# --- machine and run facts ---------------------------------------------------------------


def machine_info() -> dict:
    """What a reader needs to judge a figure: CPU, cores, memory, versions."""
    info = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    for package in ("whoosh", "tantivy"):
        info[package] = _version(package)
    info["commit"] = _git_commit()
    return info


def machine_line(info: dict) -> str:
    return (f"{info.get('cpu', '?')}, {info.get('cores', '?')} cores, {info.get('memory_gb', '?')} GB RAM, "
            f"{info.get('os', '?')}, Python {info.get('python', '?')}, Whoosh {info.get('whoosh', '?')}, "
            f"tantivy {info.get('tantivy', '?')}, commit {info.get('commit') or 'uncommitted'}")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        import psutil
        return round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        return None


def _version(package: str) -> str | None:
    from importlib import metadata
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# --- numbers ------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def mb(n_bytes: float) -> float:
    return n_bytes / 2**20


# --- corpora ---------------------------------------------------------------------------


def corpus_files(corpus: Path) -> list[Path]:
    from search.readers import SUPPORTED_EXTENSIONS
    return sorted(p for p in Path(corpus).rglob("*")
                  if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS and not p.name.startswith("."))


def is_jsonl_corpus(corpus: Path) -> bool:
    files = corpus_files(corpus)
    return bool(files) and all(p.suffix == ".jsonl" for p in files)


def load_articles(corpus: Path) -> list:
    """Every Article of a corpus dir, read by cari's own readers (so peers index the same text)."""
    from search.readers import read_file
    articles = []
    for path in corpus_files(corpus):
        articles.extend(read_file(path, corpus).articles)
    return articles


def quick_corpus(source: Path, n: int = QUICK_ARTICLES) -> Path:
    """A small jsonl corpus: the first lines of each file of a jsonl corpus.

    A corpus in other formats (the project's sample) is already small: used as is.
    """
    if not is_jsonl_corpus(source):
        return source
    files = corpus_files(source)
    per_file = max(1, n // len(files))

    def fill(tmp: Path) -> None:
        for path in files:
            with open(path, encoding="utf-8") as src, open(tmp / path.name, "w", encoding="utf-8") as dst:
                for i, line in enumerate(src):
                    if i >= per_file:
                        break
                    dst.write(line)
    return made_once(work_dir() / f"quick-{_slug(source)}", fill)


def scaled_corpus(source: Path, factor: int) -> Path:
    """``factor`` copies of a jsonl corpus in a temp dir, ids suffixed ``~2``, ``~3``...

    Copy 1 keeps the original ids. Never written into the repository.
    """
    if factor == 1:
        return source
    if not is_jsonl_corpus(source):
        raise ValueError(f"scaling needs a .jsonl corpus: {source}")

    def fill(tmp: Path) -> None:
        for path in corpus_files(source):
            for copy in range(1, factor + 1):
                name = path.name if copy == 1 else f"{path.stem}~{copy}.jsonl"
                with open(path, encoding="utf-8") as src, open(tmp / name, "w", encoding="utf-8") as dst:
                    for line in src:
                        if copy > 1:
                            record = json.loads(line)
                            record["id"] = f"{record['id']}~{copy}"
                            line = json.dumps(record, ensure_ascii=False) + "\n"
                        dst.write(line)
    return made_once(work_dir() / f"scaled-{_slug(source)}-x{factor}", fill)


def linked_corpus(name: str, base: Path, *extras: Path) -> Path:
    """A dir of file symlinks: ``base``'s files at their own relative paths (so an
    index of ``base`` sees them unchanged) and each extra corpus in a subdir.
    File links, because the indexer does not follow directory links."""
    def fill(tmp: Path) -> None:
        for root, prefix in [(Path(base), Path())] + [(Path(e), Path(_slug(e))) for e in extras]:
            for path in corpus_files(root):
                link = tmp / prefix / path.relative_to(root)
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(path.resolve())
    return made_once(work_dir() / name, fill)


def made_once(target: Path, fill) -> Path:
    """``target``, filled by ``fill(tmp)`` in a sibling dir and renamed into
    place, so an interrupted run never leaves a half-made corpus to reuse."""
    if target.is_dir():
        return target
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    fill(tmp)
    tmp.rename(target)
    return target


def _slug(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(path).name) or "corpus"


def corpus_label(path) -> str:
    """A corpus path as the report shows it: ``../shared/...`` for the shared
    data set beside whichever checkout measured it, else relative to the repo's
    parent dir."""
    p = Path(path)
    if "shared" in p.parts[:-1]:
        return "../" + Path(*p.parts[len(p.parts) - 1 - p.parts[::-1].index("shared"):]).as_posix()
    try:
        return "../" + p.resolve().relative_to(REPO.parent.resolve()).as_posix()
    except ValueError:
        return p.name


def corpus_bytes(corpus: Path) -> int:
    return sum(p.stat().st_size for p in corpus_files(corpus))


# --- queries ------------------------------------------------------------------------------


def title_queries(articles: list, n: int, seed: int = 7) -> list[str]:
    """1-3-word queries cut from real titles, the way people retype a headline.

    Words are runs of letters and digits; each query holds at least one word of
    four or more letters that is not a stopword of cari's list, so it is not
    only function words ("di", "dan", "hanya").
    """
    try:
        from search.analysis import STOPWORDS
    except ImportError:
        STOPWORDS = frozenset()
    rng = random.Random(seed)
    titles = [re.findall(r"\w+", a.title.lower()) for a in articles if a.title]
    titles = [t for t in titles if t]
    queries = []
    attempts = 0
    while len(queries) < n and attempts < n * 50:
        attempts += 1
        words = rng.choice(titles)
        size = rng.randint(1, 3)
        start = rng.randrange(max(1, len(words) - size + 1))
        window = words[start:start + size]
        if any(len(w) >= 4 and w.isalpha() and w not in STOPWORDS for w in window):
            queries.append(" ".join(window))
    return queries


# --- probes: work in a fresh process, measured from outside --------------------------------


def run_probe(target: str, kwargs: dict, timeout: float = 1800, sample_memory: bool = True) -> dict:
    """Run ``module:function(**kwargs)`` in a new Python process.

    Returns the function's JSON result plus ``wall_s``, ``cpu_s`` (user + system
    time of the child and its workers) and memory: ``peak_rss_mb`` (the child's own
    high-water mark, VmHWM) and ``peak_tree_pss_mb`` (the largest sum of PSS over
    the child and its worker processes, sampled every 50 ms for the first second,
    then every 250 ms; 0 without ``sample_memory``, which saves the sampling's CPU
    when no one reads it).
    """
    cmd = [sys.executable, "-m", "bench.common", target, json.dumps(kwargs)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": _pythonpath()})
    sampler = _TreeSampler(proc.pid)
    if sample_memory:
        sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"probe {target} timed out after {timeout:.0f} s")
    finally:
        sampler.stop()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"probe {target} failed ({proc.returncode}): {stderr.strip()[-2000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    result["peak_tree_pss_mb"] = mb(sampler.peak_total)
    return result


def _pythonpath() -> str:
    current = os.environ.get("PYTHONPATH")
    return str(REPO) if not current else f"{REPO}{os.pathsep}{current}"


class _TreeSampler(threading.Thread):
    """Sample the PSS of a process and its children; keep the largest sum.

    A sample costs about 7 ms of CPU (the process walk and smaps_rollup): every
    50 ms, a seventh of a core taken from the work being measured. Short probes
    are sampled that often; after ``fast_for`` seconds, every ``slow_interval``
    (long builds grow their memory over minutes, not milliseconds).
    """

    def __init__(self, pid: int, interval: float = 0.05, slow_interval: float = 0.25, fast_for: float = 1.0):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.slow_interval, self.fast_for = slow_interval, fast_for
        self.peak_total = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        started = time.perf_counter()
        while not self._stop_event.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += pss_bytes(p.pid)
                    except (psutil.Error, OSError):
                        pass
                self.peak_total = max(self.peak_total, total)
            except psutil.Error:
                return
            fast = time.perf_counter() - started < self.fast_for
            self._stop_event.wait(self.interval if fast else self.slow_interval)

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=2)


def _probe_main(target: str, kwargs_json: str) -> None:
    """Child side of run_probe: call the target, print its result, our memory and CPU time."""
    import importlib
    import resource

    module_name, func_name = target.split(":")
    started = time.perf_counter()
    result = getattr(importlib.import_module(module_name), func_name)(**json.loads(kwargs_json))
    result = dict(result or {})
    result["child_s"] = time.perf_counter() - started
    # CPU seconds barely depend on how busy a shared machine is, unlike wall time.
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_s"] = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    # VmHWM, not getrusage: Linux carries ru_maxrss over exec from the forking parent.
    # The kernel syncs VmHWM lazily: never report a peak below the RSS measured just now.
    result["peak_rss_mb"] = max(_status_kb("VmHWM") / 1024, current_rss_mb())
    print(json.dumps(result))


def _status_kb(field: str, pid: str = "self") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    import psutil  # not Linux: the current RSS is the best available
    return psutil.Process().memory_info().rss // 1024


def pss_bytes(pid: int) -> int:
    """Proportional set size: shared pages split between the processes sharing them,
    so a sum over forked workers does not count the parent's pages twice."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    import psutil
    return psutil.Process(pid).memory_info().rss


def wait_for_builder(index_dir: Path, poll: float = 5.0) -> bool:
    """Wait while another process (a second bench run sharing CARI_BENCH_WORK) is
    building ``index_dir``; True if there was one."""
    import psutil

    def builders():
        found = []
        for p in psutil.process_iter(["pid", "cmdline"]):
            cmd = " ".join(p.info["cmdline"] or [])
            if p.info["pid"] != os.getpid() and "bench.common" in cmd and str(index_dir) + '"' in cmd:
                found.append(p)
        return found

    waited = False
    while builders():
        waited = True
        time.sleep(poll)
    return waited


def current_rss_mb() -> float:
    import psutil
    return mb(psutil.Process().memory_info().rss)


# --- plots ---------------------------------------------------------------------------------


def pyplot():
    """matplotlib's pyplot with a file-only backend (no display on servers)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig, name: str) -> str:
    """Save under out_dir()/img and return the path relative to out_dir() for Markdown."""
    path = img_dir() / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return f"img/{name}"


if __name__ == "__main__":
    _probe_main(sys.argv[1], sys.argv[2])
