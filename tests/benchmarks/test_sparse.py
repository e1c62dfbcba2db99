from benchmarks.sparse import HOURS, SparsePoint, median_points, report, sparse_over_dense, workload


def point(mix: str, events: int, cpu_seconds: float, repeat: int = 0) -> SparsePoint:
    return SparsePoint(mix, 3, events, 10, 2 * events, 1.0, cpu_seconds, {"windows": 0.5, "parse": 0.2}, 0, repeat)


def test_a_workload_spreads_its_events_over_accounts_at_the_given_rate():
    sparse, dense = workload(60_000, 3), workload(60_000, 100)
    assert sparse.events == dense.events == 60_000 and sparse.span_s == dense.span_s == HOURS * 3600
    assert sparse.events / sparse.accounts / HOURS == 3
    assert dense.events / dense.accounts / HOURS == 100


def test_the_ratio_is_cpu_per_event_sparse_over_dense(tmp_path):
    points = [point("dense", 1000, 1.0), point("sparse", 2000, 5.0)]
    assert sparse_over_dense(points) == 2.5
    text = report(points, {"measured_at": "now", "code": "here", "machine": "m"}, tmp_path).read_text()
    assert "**2.50** (target <= 2: not met)" in text
    assert "| sparse | 3 | 2,000 | 10 | 4,000 | 2.00 | 1.0 | 5.0 | 2,500 | windows 0.5, parse 0.2 |" in text


def test_repeated_runs_compare_the_median_run_of_each_mix(tmp_path):
    points = [
        point("dense", 1000, 1.0, 0), point("sparse", 1000, 9.0, 0),
        point("dense", 1000, 3.0, 1), point("sparse", 1000, 2.0, 1),
        point("dense", 1000, 2.0, 2), point("sparse", 1000, 5.0, 2),
    ]  # fmt: skip
    medians = median_points(points)
    assert (medians["dense"].repeat, medians["sparse"].repeat) == (2, 2)
    assert sparse_over_dense(points) == 2.5
    text = report(points, {"measured_at": "now", "code": "here", "machine": "m"}, tmp_path).read_text()
    assert "--repeats 3" in text and "dense 1,000, 3,000, 2,000; sparse 9,000, 2,000, 5,000" in text
    assert text.count("| dense |") == text.count("| sparse |") == 1
