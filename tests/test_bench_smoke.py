"""The benchmark harness end to end in quick mode on the project's sample corpus.

Checks that the report is written with every section, that each of the
harness's own benchmarks produced results, and that a benchmark which cannot
run is reported as "not run" instead of stopping the others.
"""
import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MINE = ["indexing", "latency", "memory", "quality"]

for dep in ("whoosh", "tantivy", "matplotlib", "psutil"):
    if importlib.util.find_spec(dep) is None:
        pytest.skip(f"benchmark dependency {dep} is not installed (pip install -e .[bench])",
                    allow_module_level=True)


@pytest.fixture
def bench_env(tmp_path, monkeypatch):
    if not any((REPO / "corpus").iterdir()):
        pytest.skip("the sample corpus in corpus/ is empty")
    monkeypatch.setenv("CARI_BENCH_OUT", str(tmp_path / "docs"))
    monkeypatch.setenv("CARI_BENCH_CORPUS", str(REPO / "corpus"))
    monkeypatch.setenv("CARI_BENCH_EXTRA", "")
    monkeypatch.setenv("CARI_BENCH_PROCS", "1")
    monkeypatch.delenv("CARI_BENCH_WORK", raising=False)
    return tmp_path / "docs"


def test_quick_bench_writes_the_report(bench_env):
    from bench import report

    status = report.main(["--quick", *MINE])
    text = (bench_env / "benchmarks.md").read_text("utf-8")
    for name in report.MODULES + report.ON_DEMAND:
        assert f"## {report.TITLES[name]}" in text
    for name in MINE:
        record = json.loads((bench_env / "bench-results" / f"{name}.json").read_text("utf-8"))
        assert record["status"] == "ok", record.get("reason")
        assert record["machine"]["cores"] and record["command"].startswith("python -m bench") and "--quick" in record["command"]
    assert status == 0
    # Figures are in the tables and the plots exist.
    assert "| cari | 1× |" in text
    assert "| cari | " in text.split("## Query latency")[1].split("## Memory")[0]
    assert (bench_env / "img" / "latency-cdf.png").stat().st_size > 1000
    assert (bench_env / "img" / "indexing-throughput.png").stat().st_size > 1000
    quality = json.loads((bench_env / "bench-results" / "quality.json").read_text("utf-8"))["result"]
    assert set(quality["results"]) == {"cari", "nostem", "snowball", "sastrawi", "whoosh", "tantivy"}
    # Modules not run here keep "not run" (or their last results), never break the report.
    assert "not run: no results yet" in text.split("## Stemming")[1]


def test_failing_benchmark_is_reported_not_raised(bench_env, monkeypatch):
    from bench import report

    monkeypatch.setattr(report, "MODULES", [*report.MODULES, "no_such_benchmark"])
    record = report.run_module("no_such_benchmark", quick=True, command="test")
    assert record["status"] == "failed"
    assert "cannot import bench.no_such_benchmark" in record["reason"]
    text = report.write_report().read_text("utf-8")
    assert "not run: cannot import bench.no_such_benchmark" in text
