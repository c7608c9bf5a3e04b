"""The benchmark harness end to end in quick mode on the project's sample corpus.

Checks that the report is written with every section, that each of the
harness's own benchmarks produced results, and that a benchmark which cannot
run is reported as "not run" instead of stopping the others.
"""
import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration      # the benchmark harness: indexes, peers, reports

REPO = Path(__file__).resolve().parents[1]
MINE = ["indexing", "latency", "memory", "quality", "queries", "scaling"]

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
    monkeypatch.setenv("CARI_BENCH_WORK", str(tmp_path / "work"))
    for name in ("CARI_BENCH_INDOSUM", "CARI_QUERIES_INDEX", "CARI_QUERIES_PLAIN"):
        monkeypatch.delenv(name, raising=False)
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
    scaling = text.split("## Indexing and queries as the archive grows")[1].split("\n## ")[0]
    # The sample corpus mixes formats: no copies are made of it, so 1× only.
    assert "| 1× | " in scaling and "titles p50 / p95 / p99" in scaling
    assert (bench_env / "img" / "latency-cdf.png").stat().st_size > 1000
    assert (bench_env / "img" / "indexing-throughput.png").stat().st_size > 1000
    quality = json.loads((bench_env / "bench-results" / "quality.json").read_text("utf-8"))["result"]
    assert set(quality["results"]) == {"cari", "nostem", "snowball", "sastrawi", "whoosh", "tantivy"}
    # The IndoSum known items come from the 500-item sample by default, and the report says so.
    assert quality["files"]["indosum_knownitem"] == "indosum_knownitem_sample500.tsv"
    assert "`indosum_knownitem_sample500.tsv`" in text.split("## Retrieval quality\n")[1]
    assert quality["skipped"] == {"whoosh": ["indosum_knownitem"]}
    assert "indosum_knownitem" not in quality["results"]["whoosh"]
    assert "indosum_knownitem" in quality["results"]["cari"]
    # Every index is built once and shared: no module built its own copy.
    work = bench_env.parent / "work"
    indexes = sorted(p.name for p in work.iterdir() if p.is_dir() and p.name.startswith("index-"))
    assert indexes == sorted([f"index-{s}-base-quick" for s in ("cari", "whoosh", "tantivy")] +
                             [f"index-{a}-full-quick" for a in ("nostem", "snowball", "sastrawi")])
    assert not [p for p in work.iterdir() if p.name.startswith("queries-")]
    # Modules not run here keep "not run" (or their last results), never break the report.
    assert "not run: no results yet" in text.split("## Stemming")[1]


def test_indosum_set_is_chosen_by_the_environment(monkeypatch):
    from bench import quality

    monkeypatch.delenv("CARI_BENCH_INDOSUM", raising=False)
    files = {name: files[0] for name, _, files in quality.eval_sets()}
    assert files["indosum_knownitem"] == "indosum_knownitem_sample500.tsv"
    assert quality.skipped_sets("whoosh") == ("indosum_knownitem",) and quality.skipped_sets("cari") == ()
    monkeypatch.setenv("CARI_BENCH_INDOSUM", "full")
    files = {name: files[0] for name, _, files in quality.eval_sets()}
    assert files["indosum_knownitem"] == "indosum_knownitem.tsv"
    assert quality.skipped_sets("whoosh") == ()
    monkeypatch.setenv("CARI_BENCH_INDOSUM", "most")
    with pytest.raises(ValueError, match="CARI_BENCH_INDOSUM"):
        quality.eval_sets()


def test_failing_benchmark_is_reported_not_raised(bench_env, monkeypatch):
    from bench import report

    monkeypatch.setattr(report, "MODULES", [*report.MODULES, "no_such_benchmark"])
    record = report.run_module("no_such_benchmark", quick=True, command="test")
    assert record["status"] == "failed"
    assert "cannot import bench.no_such_benchmark" in record["reason"]
    text = report.write_report().read_text("utf-8")
    assert "not run: cannot import bench.no_such_benchmark" in text


def test_cari_indexes_a_linked_collection(bench_env, tmp_path, monkeypatch):
    """The quality collection is a folder of links to the corpora (common.linked_corpus);
    the corpus boundary of `cari index` must not leave cari's benchmark indexes empty."""
    from bench import common, peers

    monkeypatch.setenv("CARI_BENCH_EXTRA", str(REPO / "corpus" / "feeds"))
    linked = common.linked_corpus("linked", REPO / "corpus" / "wire", REPO / "corpus" / "feeds")
    report = peers.Cari(procs=1).index(linked, tmp_path / "idx")
    wire = len(list((REPO / "corpus" / "wire").glob("*.txt")))
    assert report.articles > wire and not report.skipped_files, report.to_dict()

