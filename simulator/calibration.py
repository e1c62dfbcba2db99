"""Benign traffic calibration from the Azure LLM inference traces (2023).

The traces hold one hour of real requests per service (`conv`: a chat service, `code`: a coding
service) with only a timestamp, the context (prompt) token count and the generated token count.
From them we derive, per service:

* token-count quantiles (prompt and completion), which benign archetypes sample from;
* the second-scale arrival shape: on/off activity periods, sub-10 ms request bursts and the
  minute-to-minute drift of the request rate (the `TrafficPattern` the arrival process replays);
* descriptive statistics (inter-arrival quantiles, per-second and per-minute count dispersion) that
  the tests use to check both the file and the simulated process.

The result is a small JSON file committed beside the code, so the simulator never needs the traces
at run time. `python -m simulator.calibration` regenerates it; the method is described in
`simulator/README.md`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

SERVICES: tuple[str, ...] = ("conv", "code")
# Dense in the tails because the token and gap distributions are heavy-tailed.
QUANTILE_LEVELS: tuple[float, ...] = (
    0.0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
    0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995, 1.0,
)  # fmt: skip
# Requests closer than this are treated as one client burst (parallel calls, n-way fan-out).
BURST_GAP_S = 0.010
# A silence longer than this many median gaps (and at least one second) ends an activity period.
IDLE_GAP_MEDIANS = 10.0
MIN_IDLE_GAP_S = 1.0
# Minutes with less activity than this are too noisy to measure the rate drift.
MIN_ACTIVE_SECONDS_PER_MINUTE = 5.0
METHOD_VERSION = 1

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CALIBRATION_PATH = PACKAGE_DIR / "data" / "azure_calibration.json"
DEFAULT_TRACE_DIR = PACKAGE_DIR.parent.parent / "shared" / "data" / "azure-llm-inference-2023"


def trace_path(trace_dir: Path, service: str) -> Path:
    return trace_dir / f"AzureLLMInferenceTrace_{service}.csv"


@dataclass(frozen=True)
class TraceSample:
    """One service's trace: request times (seconds since the first request) and token counts."""

    offsets_s: FloatArray
    prompt_tokens: FloatArray
    completion_tokens: FloatArray


@dataclass(frozen=True)
class TrafficPattern:
    """Second-scale arrival shape of a service, replayed by `simulator.arrivals`.

    Requests come in activity periods (`on`) separated by silences (`off`); inside a period, cluster
    starts are Poisson and each cluster continues with `burst_continuation` probability after a gap
    drawn from `intra_burst_gap_quantiles_s`; the in-period rate drifts per minute as a log-normal
    AR(1) with `drift_sigma` and `drift_autocorrelation`.
    """

    duty_cycle: float
    on_period_quantiles_s: tuple[float, ...]
    off_period_quantiles_s: tuple[float, ...]
    burst_continuation: float
    intra_burst_gap_quantiles_s: tuple[float, ...]
    drift_sigma: float
    drift_autocorrelation: float


@dataclass(frozen=True)
class ServiceCalibration:
    name: str
    prompt_token_quantiles: tuple[float, ...]
    completion_token_quantiles: tuple[float, ...]
    pattern: TrafficPattern


@dataclass(frozen=True)
class Calibration:
    quantile_levels: tuple[float, ...]
    services: Mapping[str, ServiceCalibration]


def read_trace(path: Path) -> TraceSample:
    """Reads one trace CSV (TIMESTAMP, ContextTokens, GeneratedTokens), sorted by time."""
    seconds: list[float] = []
    prompts: list[float] = []
    completions: list[float] = []
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            # Timestamps carry 7 fractional digits, more than datetime parses: split them off.
            whole, _, fraction = row["TIMESTAMP"].partition(".")
            instant = dt.datetime.fromisoformat(whole).replace(tzinfo=dt.UTC)
            seconds.append(instant.timestamp() + float(f"0.{fraction or '0'}"))
            prompts.append(float(row["ContextTokens"]))
            completions.append(float(row["GeneratedTokens"]))
    order = np.argsort(np.asarray(seconds), kind="stable")
    times = np.asarray(seconds)[order]
    return TraceSample(
        offsets_s=times - times[0],
        prompt_tokens=np.asarray(prompts)[order],
        completion_tokens=np.asarray(completions)[order],
    )


def _significant(value: float, digits: int = 6) -> float:
    """Rounds for a stable, diff-friendly JSON file."""
    return float(f"{value:.{digits}g}")


def _quantiles(values: FloatArray) -> list[float]:
    return [_significant(q) for q in np.quantile(values, QUANTILE_LEVELS)]


def _lag1_autocorrelation(values: FloatArray) -> float:
    if values.size < 3 or float(np.std(values)) == 0.0:
        return 0.0
    return float(np.corrcoef(values[:-1], values[1:])[0, 1])


def _count_statistics(offsets_s: FloatArray, bin_s: float) -> dict[str, float]:
    """Dispersion of request counts in complete bins of `bin_s` seconds."""
    complete_bins = int(offsets_s[-1] // bin_s)
    counts = np.bincount((offsets_s // bin_s).astype(np.int64), minlength=complete_bins)[:complete_bins]
    counts = counts.astype(np.float64)
    mean = float(counts.mean())
    variance = float(counts.var())
    return {
        "mean": _significant(mean),
        "variance": _significant(variance),
        "dispersion_index": _significant(variance / mean),
        "cv": _significant(math.sqrt(variance) / mean),
        "zero_share": _significant(float(np.mean(counts == 0))),
        "lag1_autocorrelation": _significant(_lag1_autocorrelation(counts)),
    }


def _burst_continuation(in_period_gaps: FloatArray, in_period_rate: float) -> float:
    """Share of gaps that continue a burst, beyond what a Poisson stream would put below BURST_GAP_S.

    The Poisson expectation depends on the cluster-start rate, which itself depends on the answer,
    so iterate to the fixed point (converges in a few steps because the map is a contraction).
    """
    short_share = float(np.mean(in_period_gaps < BURST_GAP_S))
    continuation = 0.0
    for _ in range(20):
        poisson_short = 1.0 - math.exp(-in_period_rate * (1.0 - continuation) * BURST_GAP_S)
        continuation = max(0.0, (short_share - poisson_short) / (1.0 - poisson_short))
    return continuation


def _activity_periods(offsets_s: FloatArray, idle_gap_s: float) -> tuple[FloatArray, FloatArray]:
    """Start and end offsets of the activity periods separated by silences longer than idle_gap_s."""
    gaps = np.diff(offsets_s)
    breaks = np.flatnonzero(gaps > idle_gap_s)
    starts = offsets_s[np.concatenate([[0], breaks + 1])]
    ends = offsets_s[np.concatenate([breaks, [offsets_s.size - 1]])]
    return starts, ends


def _active_seconds_per_minute(starts: FloatArray, ends: FloatArray, minutes: int) -> FloatArray:
    active = np.zeros(minutes)
    for start, end in zip(starts, ends, strict=True):
        first, last = int(start // 60), min(int(end // 60), minutes - 1)
        for minute in range(first, last + 1):
            overlap = min(end, (minute + 1) * 60.0) - max(start, minute * 60.0)
            active[minute] += max(0.0, overlap)
    return active


def traffic_pattern_statistics(trace: TraceSample) -> dict[str, Any]:
    """Fits the on/off + burst + drift arrival model (see TrafficPattern) to one trace."""
    offsets = trace.offsets_s
    gaps = np.diff(offsets)
    idle_gap_s = max(MIN_IDLE_GAP_S, IDLE_GAP_MEDIANS * float(np.median(gaps)))
    in_period_gaps = gaps[gaps <= idle_gap_s]
    off_periods = gaps[gaps > idle_gap_s]
    in_period_rate = in_period_gaps.size / float(in_period_gaps.sum())
    starts, ends = _activity_periods(offsets, idle_gap_s)
    # A period with k requests spans k-1 gaps but represents about k gaps of activity.
    on_periods = ends - starts + 1.0 / in_period_rate
    duty_cycle = float(on_periods.sum() / (on_periods.sum() + off_periods.sum()))
    continuation = _burst_continuation(in_period_gaps, in_period_rate)
    burst_gaps = in_period_gaps[in_period_gaps < BURST_GAP_S]

    # Drift: the per-minute rate within activity periods, minus the variance that Poisson clusters
    # of mean size 1/(1-p) would add on their own (index of dispersion (1+p)/(1-p)).
    minutes = int(offsets[-1] // 60)
    counts = np.bincount((offsets // 60).astype(np.int64), minlength=minutes)[:minutes].astype(np.float64)
    active_s = _active_seconds_per_minute(starts, ends + 1.0 / in_period_rate, minutes)
    measurable = active_s >= MIN_ACTIVE_SECONDS_PER_MINUTE
    minute_rates = counts[measurable] / active_s[measurable]
    observed_cv2 = float(minute_rates.var() / minute_rates.mean() ** 2)
    cluster_dispersion = (1.0 + continuation) / (1.0 - continuation)
    noise_cv2 = float(np.mean(cluster_dispersion / (minute_rates.mean() * active_s[measurable])))
    signal_cv2 = max(0.0, observed_cv2 - noise_cv2)
    drift_sigma = math.sqrt(math.log1p(signal_cv2))
    observed_lag1 = _lag1_autocorrelation(minute_rates)
    drift_autocorrelation = min(0.99, max(0.0, observed_lag1 * observed_cv2 / signal_cv2)) if signal_cv2 > 0 else 0.0
    return {
        "idle_gap_s": _significant(idle_gap_s),
        "in_period_rate_per_s": _significant(in_period_rate),
        "duty_cycle": _significant(duty_cycle),
        "on_period_quantiles_s": _quantiles(on_periods),
        "off_period_quantiles_s": _quantiles(off_periods) if off_periods.size else [0.0] * len(QUANTILE_LEVELS),
        "burst_gap_s": BURST_GAP_S,
        "burst_continuation": _significant(continuation),
        "intra_burst_gap_quantiles_s": _quantiles(burst_gaps) if burst_gaps.size else [0.0] * len(QUANTILE_LEVELS),
        "drift_sigma": _significant(drift_sigma),
        "drift_autocorrelation": _significant(drift_autocorrelation),
    }


def arrival_statistics(offsets_s: FloatArray) -> dict[str, Any]:
    """Descriptive timing statistics; computed the same way for the trace and for simulated streams."""
    gaps = np.diff(offsets_s)
    return {
        "requests": int(offsets_s.size),
        "duration_s": _significant(float(offsets_s[-1])),
        "rate_per_s": _significant(offsets_s.size / float(offsets_s[-1])),
        "interarrival_s": {
            "quantiles": _quantiles(gaps),
            "mean": _significant(float(gaps.mean())),
            "cv": _significant(float(gaps.std() / gaps.mean())),
        },
        "per_second_counts": _count_statistics(offsets_s, 1.0),
        "per_minute_counts": _count_statistics(offsets_s, 60.0),
    }


def _token_statistics(tokens: FloatArray) -> dict[str, Any]:
    return {
        "quantiles": _quantiles(tokens),
        "mean": _significant(float(tokens.mean())),
    }


def service_statistics(trace: TraceSample) -> dict[str, Any]:
    return {
        **arrival_statistics(trace.offsets_s),
        "prompt_tokens": _token_statistics(trace.prompt_tokens),
        "completion_tokens": _token_statistics(trace.completion_tokens),
        # Near zero in both traces, which is why prompt and completion lengths are sampled independently.
        "log_token_correlation": _significant(
            float(np.corrcoef(np.log1p(trace.prompt_tokens), np.log1p(trace.completion_tokens))[0, 1])
        ),
        "traffic_pattern": traffic_pattern_statistics(trace),
    }


def derive_calibration(trace_dir: Path = DEFAULT_TRACE_DIR) -> dict[str, Any]:
    """Computes the calibration document from the trace CSVs in trace_dir."""
    return {
        "source": "Azure LLM inference trace 2023 (Azure/AzurePublicDataset, CC-BY 4.0; Patel et al., ISCA 2024)",
        "method_version": METHOD_VERSION,
        "quantile_levels": list(QUANTILE_LEVELS),
        "services": {service: service_statistics(read_trace(trace_path(trace_dir, service))) for service in SERVICES},
    }


def write_calibration(document: Mapping[str, Any], output: Path = DEFAULT_CALIBRATION_PATH) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=1) + "\n")


def _floats(values: Sequence[float]) -> tuple[float, ...]:
    return tuple(float(value) for value in values)


def load_calibration(path: Path = DEFAULT_CALIBRATION_PATH) -> Calibration:
    document = json.loads(path.read_text())
    services: dict[str, ServiceCalibration] = {}
    for name, stats in document["services"].items():
        pattern = stats["traffic_pattern"]
        services[name] = ServiceCalibration(
            name=name,
            prompt_token_quantiles=_floats(stats["prompt_tokens"]["quantiles"]),
            completion_token_quantiles=_floats(stats["completion_tokens"]["quantiles"]),
            pattern=TrafficPattern(
                duty_cycle=float(pattern["duty_cycle"]),
                on_period_quantiles_s=_floats(pattern["on_period_quantiles_s"]),
                off_period_quantiles_s=_floats(pattern["off_period_quantiles_s"]),
                burst_continuation=float(pattern["burst_continuation"]),
                intra_burst_gap_quantiles_s=_floats(pattern["intra_burst_gap_quantiles_s"]),
                drift_sigma=float(pattern["drift_sigma"]),
                drift_autocorrelation=float(pattern["drift_autocorrelation"]),
            ),
        )
    return Calibration(quantile_levels=_floats(document["quantile_levels"]), services=services)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulator.calibration",
        description="Regenerate the benign traffic calibration from the Azure LLM inference traces.",
    )
    parser.add_argument("--trace-dir", type=Path, default=DEFAULT_TRACE_DIR, help="directory with the trace CSVs")
    parser.add_argument("--output", type=Path, default=DEFAULT_CALIBRATION_PATH, help="calibration JSON to write")
    args = parser.parse_args(argv)
    missing = [path for service in SERVICES if not (path := trace_path(args.trace_dir, service)).exists()]
    if missing:
        print(f"trace files not found: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    write_calibration(derive_calibration(args.trace_dir), args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
