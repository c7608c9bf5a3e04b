"""Indexing cost as the corpus grows: every system at 1x, 2x and 4x the base corpus.

The copies are temporary .jsonl files with ids suffixed (``~2``, ``~3``...).
This takes tens of minutes for the plain-Python engines on 2 cores, so
`make bench` does not run it; the report shows its last run, dated.

Run alone: ``python -m bench.scaling [--quick]``.
"""
from __future__ import annotations

import sys

from bench.indexing import (LABELS, QUICK_SCALES, SYSTEMS, base_corpus, measure_scales, plot_throughput,
                            rows_table)

SCALES = {system: (1, 2, 4) for system in SYSTEMS}


def run(quick: bool = False) -> dict:
    result = measure_scales(base_corpus(quick), QUICK_SCALES if quick else SCALES, quick)
    result["plot"] = plot_throughput(result["rows"], "indexing-scaling.png")
    by = {(r["system"], r["factor"]): r for r in result["rows"]}
    result["growth"] = {s: {f: by[(s, f)]["seconds"] / by[(s, 1)]["seconds"] for f in (2, 4) if (s, f) in by}
                        for s in SYSTEMS if (s, 1) in by}
    return result


def markdown(result: dict) -> str:
    lines = rows_table(result)
    growth = result.get("growth", {})
    if growth:
        lines += ["", "Time relative to 1×: " + "; ".join(
            f"{LABELS[s]} " + ", ".join(f"{f}× → {g:.2f}×" for f, g in sorted(v.items(), key=lambda kv: int(kv[0])))
            for s, v in growth.items() if v) + " (linear growth would be 2× and 4×)."]
    if result.get("plot"):
        lines += ["", f"![indexing scaling]({result['plot']})"]
    return "\n".join(lines)


if __name__ == "__main__":
    from bench.report import main
    sys.exit(main(["scaling", *sys.argv[1:]]))
