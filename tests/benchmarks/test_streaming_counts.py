from benchmarks.streaming import expected_window_counts, rate_span
from pipelines.config import WindowConfig


def test_expected_window_counts_only_count_windows_that_had_closed():
    window = WindowConfig(size_s=120, period_s=60)
    # Pane [0, 60) is in windows ending at 60 and 120; pane [60, 120) in those ending at 120 and 180.
    events = [("a", 10.0), ("a", 70.0)]
    assert expected_window_counts(events, last_closed=180.0, window=window) == 4
    assert expected_window_counts(events, last_closed=120.0, window=window) == 3
    assert expected_window_counts(events, last_closed=60.0, window=window) == 1
    assert expected_window_counts([("a", 130.0)], last_closed=120.0, window=window) == 0


def test_expected_window_counts_leave_out_windows_below_the_request_floor():
    window = WindowConfig(size_s=120, period_s=60)
    # Window [0, 120) holds both of a's events; [-60, 60) and [60, 180) one each; b's windows one each.
    events = [("a", 10.0), ("a", 70.0), ("b", 20.0)]
    assert expected_window_counts(events, last_closed=180.0, window=window, floor=2) == 2
    assert expected_window_counts(events, last_closed=180.0, window=window, floor=1) == 6


def test_a_range_of_one_rate_is_that_rate():
    assert rate_span([416.6]) == "417"
    assert rate_span([788.3, 416.6]) == "417-788"
