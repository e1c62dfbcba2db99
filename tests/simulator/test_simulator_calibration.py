import json
import math

import numpy as np
import pytest

from simulator.arrivals import ArrivalSpec, arrival_offsets, minute_envelope, sample_quantile_function
from simulator.calibration import (
    DEFAULT_CALIBRATION_PATH,
    DEFAULT_TRACE_DIR,
    QUANTILE_LEVELS,
    SERVICES,
    arrival_statistics,
    derive_calibration,
    load_calibration,
    main,
    trace_path,
)

TRACES_PRESENT = all(trace_path(DEFAULT_TRACE_DIR, service).exists() for service in SERVICES)
needs_traces = pytest.mark.skipif(
    not TRACES_PRESENT,
    reason=f"Azure LLM inference traces not found in {DEFAULT_TRACE_DIR} (shared data is optional; the committed "
    "calibration file is used instead)",
)


def committed() -> dict:
    return json.loads(DEFAULT_CALIBRATION_PATH.read_text())


def level(quantile: float) -> int:
    return QUANTILE_LEVELS.index(quantile)


def assert_close(expected, actual, path="") -> None:
    """Recursive comparison; floats within 0.1 % (the file rounds to 6 significant digits)."""
    if isinstance(expected, dict):
        assert expected.keys() == actual.keys(), path
        for key in expected:
            assert_close(expected[key], actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(expected) == len(actual), path
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            assert_close(left, right, f"{path}[{index}]")
    elif isinstance(expected, float):
        assert math.isclose(expected, actual, rel_tol=1e-3, abs_tol=1e-9), f"{path}: {expected} != {actual}"
    else:
        assert expected == actual, path


def test_committed_file_is_complete_and_monotone():
    document = committed()
    assert document["quantile_levels"] == list(QUANTILE_LEVELS)
    for service in SERVICES:
        stats = document["services"][service]
        for key in ("prompt_tokens", "completion_tokens", "interarrival_s"):
            quantiles = stats[key]["quantiles"]
            assert len(quantiles) == len(QUANTILE_LEVELS)
            assert quantiles == sorted(quantiles), key
        pattern = stats["traffic_pattern"]
        assert 0.0 < pattern["duty_cycle"] <= 1.0
        assert 0.0 <= pattern["burst_continuation"] < 1.0
        assert pattern["drift_sigma"] >= 0.0


def test_trace_shapes_differ_as_documented():
    """The coding service is far burstier than the chat service: that is why archetypes pick one."""
    services = committed()["services"]
    conv, code = services["conv"], services["code"]
    assert code["per_second_counts"]["dispersion_index"] > 5 * conv["per_second_counts"]["dispersion_index"]
    assert code["traffic_pattern"]["duty_cycle"] < 0.5 < conv["traffic_pattern"]["duty_cycle"]
    assert conv["prompt_tokens"]["quantiles"][level(0.5)] < code["prompt_tokens"]["quantiles"][level(0.5)]


@needs_traces
def test_committed_calibration_matches_the_traces():
    assert_close(derive_calibration(DEFAULT_TRACE_DIR), committed())


@needs_traces
def test_regeneration_command_writes_the_same_statistics(tmp_path):
    output = tmp_path / "calibration.json"
    assert main(["--trace-dir", str(DEFAULT_TRACE_DIR), "--output", str(output)]) == 0
    assert_close(committed(), json.loads(output.read_text()))


def test_regeneration_command_reports_missing_traces(tmp_path, capsys):
    assert main(["--trace-dir", str(tmp_path), "--output", str(tmp_path / "out.json")]) == 2
    assert "not found" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("service", SERVICES)
def test_token_sampling_reproduces_trace_quantiles(service):
    calibration = load_calibration()
    reference = committed()["services"][service]["prompt_tokens"]["quantiles"]
    samples = sample_quantile_function(
        np.random.default_rng(1), calibration.services[service].prompt_token_quantiles, 50_000, log_scale=True
    )
    for quantile in (0.25, 0.5, 0.75, 0.9):
        expected = reference[level(quantile)]
        assert np.quantile(samples, quantile) == pytest.approx(expected, rel=0.1)


@pytest.mark.parametrize("service", SERVICES)
def test_arrival_process_at_trace_rate_reproduces_trace_timing(service):
    """Replaying the calibrated pattern for one hour at the trace's own rate gives trace-like timing."""
    reference = committed()["services"][service]
    spec = ArrivalSpec(
        rate_per_s=reference["rate_per_s"],
        gap_shape=1.0,
        pattern=load_calibration().services[service].pattern,
        drift_sigma=0.0,
        drift_autocorrelation=0.0,
        diurnal_amplitude=0.0,
        utc_offset_hours=0.0,
        session_minutes=None,
        pause_minutes=0.0,
    )
    rng = np.random.default_rng(0)
    rates = spec.rate_per_s * minute_envelope(spec, 0.0, 60, rng)
    offsets = np.concatenate(list(arrival_offsets(spec, rates, rng)))
    assert np.all(np.diff(offsets) >= 0)
    simulated = arrival_statistics(offsets)

    assert 0.7 < simulated["requests"] / reference["requests"] < 1.35
    for quantile in (0.25, 0.9):  # the code trace's median gap is more regular than Poisson (README)
        ratio = (
            simulated["interarrival_s"]["quantiles"][level(quantile)]
            / reference["interarrival_s"]["quantiles"][level(quantile)]
        )
        assert 1 / 1.5 < ratio < 1.5, quantile
    dispersion = simulated["per_second_counts"]["dispersion_index"] / reference["per_second_counts"]["dispersion_index"]
    assert 0.6 < dispersion < 1.5
    zero_share = simulated["per_second_counts"]["zero_share"] - reference["per_second_counts"]["zero_share"]
    assert abs(zero_share) < 0.1
