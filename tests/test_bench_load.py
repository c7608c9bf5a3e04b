"""bench/load.py's goal point: the median of its rounds, and how the report shows them.

The load itself needs wrk and a few minutes (``python -m bench load``); what
is checked here is how the rounds of one point become the verdict.
"""
from bench import load


def point(rps: float, p99: float = 50.0, errors: int = 0) -> dict:
    return {"rps": rps, "p50_ms": 20.0, "p99_ms": p99, "errors": errors, "cpu_ms_per_request": 6.5,
            "worker_cpu_s": [19.0, 19.0], "loadavg_1m": 2.0}


def test_the_median_round_is_kept_and_every_round_is_listed():
    kept = load.median_round([point(310.0, 40.0), point(280.0, 60.0), point(295.0, 50.0)])
    assert kept["rps"] == 295.0 and kept["p99_ms"] == 50.0
    assert [r["rps"] for r in kept["rounds"]] == [310.0, 280.0, 295.0]      # the order run
    assert not load.goal_met(kept)
    assert load.goal_met(load.median_round([point(310.0), point(280.0), point(305.0)]))


def test_an_error_in_any_round_fails_the_goal():
    kept = load.median_round([point(320.0), point(330.0, errors=2), point(340.0)])
    assert kept["rps"] == 330.0 and kept["errors"] == 2
    assert not load.goal_met(kept)
    assert load.goal_met(load.median_round([point(320.0), point(330.0), point(340.0)]))


def test_one_round_is_the_point_itself():
    alone = point(300.0)
    assert load.median_round([alone]) is alone


def test_the_report_shows_each_rounds_requests_per_second():
    cari = load.median_round([point(310.0), point(280.0), point(295.0)])
    result = {"goal": [{"factor": 4, "documents": 92052, "cari-nocache": cari, "naive": point(3.0),
                        "met": load.goal_met(cari)}],
              "goal_seconds": 20, "goal_rounds": 3}
    text = "\n".join(load.goal_markdown(result))
    assert "| 4× | 92,052 | cari-nocache | 295 (310 / 280 / 295) |" in text
    assert "**not met**" in text
    assert "3 times in a row on one server, the median round shown" in text
    assert "| 4× | 92,052 | naive | 3 |" in text
