"""Request arrival process: when each account sends requests.

Two time scales multiply:

* minutes to hours (`minute_envelope`): diurnal cycle in the account's local time, a log-normal AR(1)
  drift of the rate, and work sessions separated by pauses (batch runs, a hobbyist's evening);
* seconds (`arrival_offsets`): a renewal process in operational time whose gaps are gamma distributed
  (shape 1 is Poisson, large shapes are machine-paced), optionally shaped by a calibrated
  `TrafficPattern` (activity periods and sub-10 ms bursts measured on the Azure traces).

Mapping a unit-rate renewal process through the inverse of the cumulative intensity keeps the
regularity of the gaps (a paced crawler stays paced) while the rate follows the envelope.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulator.calibration import QUANTILE_LEVELS, TrafficPattern

FloatArray = npt.NDArray[np.float64]
_LEVELS = np.asarray(QUANTILE_LEVELS)
# Hour of local time at which diurnal traffic peaks (mid-afternoon).
DIURNAL_PEAK_HOUR = 15.0


@dataclass(frozen=True)
class ArrivalSpec:
    """Concrete timing parameters of one traffic stream (sampled per account from a TimingProfile)."""

    rate_per_s: float  # mean rate while in a session, before diurnal and drift modulation
    gap_shape: float  # gamma shape of gaps between bursts: 1 = Poisson, >1 = paced, <1 = clumped
    pattern: TrafficPattern | None  # calibrated second-scale shape; None = steady within sessions
    drift_sigma: float
    drift_autocorrelation: float
    diurnal_amplitude: float
    utc_offset_hours: float
    session_minutes: float | None  # mean session length; None = always in session
    pause_minutes: float  # mean pause between sessions


def sample_quantile_function(
    rng: np.random.Generator, quantiles: Sequence[float], size: int, log_scale: bool = False
) -> FloatArray:
    """Draws from the distribution given by its quantiles at QUANTILE_LEVELS (piecewise-linear inverse CDF).

    log_scale interpolates in log space, better for heavy-tailed positive quantities (token counts).
    """
    uniforms = rng.random(size)
    values = np.asarray(quantiles, dtype=np.float64)
    if log_scale:
        return np.exp(np.interp(uniforms, _LEVELS, np.log(np.maximum(values, 1e-9))))
    return np.interp(uniforms, _LEVELS, values)


def _session_activity(spec: ArrivalSpec, minutes: int, rng: np.random.Generator) -> FloatArray:
    """Fraction of each minute spent in a session (alternating exponential sessions and pauses)."""
    if spec.session_minutes is None:
        return np.ones(minutes)
    activity = np.zeros(minutes)
    cycle = spec.session_minutes + spec.pause_minutes
    in_session = bool(rng.random() < spec.session_minutes / cycle)
    position = 0.0
    while position < minutes:
        length = float(rng.exponential(spec.session_minutes if in_session else spec.pause_minutes))
        end = min(position + length, float(minutes))
        if in_session:
            first, last = int(position), min(math.ceil(end), minutes)
            for minute in range(first, last):
                activity[minute] += min(end, minute + 1.0) - max(position, float(minute))
        position, in_session = end, not in_session
    return activity


def minute_envelope(spec: ArrivalSpec, start_hour_utc: float, minutes: int, rng: np.random.Generator) -> FloatArray:
    """Relative rate per minute (mean about 1 within sessions): diurnal x drift x session activity."""
    local_hours = (start_hour_utc + spec.utc_offset_hours + (np.arange(minutes) + 0.5) / 60.0) % 24.0
    diurnal = 1.0 + spec.diurnal_amplitude * np.cos(2.0 * math.pi * (local_hours - DIURNAL_PEAK_HOUR) / 24.0)
    sigma = spec.pattern.drift_sigma if spec.pattern else spec.drift_sigma
    rho = spec.pattern.drift_autocorrelation if spec.pattern else spec.drift_autocorrelation
    innovations = rng.standard_normal(minutes)
    drift = np.empty(minutes)
    level = innovations[0]
    innovation_scale = math.sqrt(1.0 - rho * rho)
    for minute in range(minutes):
        if minute:
            level = rho * level + innovation_scale * innovations[minute]
        drift[minute] = level
    # The -sigma^2/2 term keeps the log-normal multiplier's mean at 1.
    return diurnal * np.exp(sigma * drift - sigma * sigma / 2.0) * _session_activity(spec, minutes, rng)


def _activity_switches(pattern: TrafficPattern, duration_s: float, rng: np.random.Generator) -> FloatArray:
    """Alternating on/off switch times; the stream starts 'on' and toggles at every returned time."""
    mean_cycle = float(np.mean(pattern.on_period_quantiles_s) + np.mean(pattern.off_period_quantiles_s))
    chunk = max(16, int(duration_s / mean_cycle * 1.2) + 16)
    switches: list[FloatArray] = []
    # Random phase so that streams do not all start at the beginning of an activity period.
    elapsed = -float(rng.random() * mean_cycle)
    while elapsed < duration_s:
        on = sample_quantile_function(rng, pattern.on_period_quantiles_s, chunk)
        off = sample_quantile_function(rng, pattern.off_period_quantiles_s, chunk)
        durations = np.column_stack([on, off]).ravel()
        times = elapsed + np.cumsum(durations)
        switches.append(times)
        elapsed = float(times[-1])
    all_switches = np.concatenate(switches)
    leading = int(np.searchsorted(all_switches, 0.0, side="right"))
    remaining = all_switches[leading:]
    remaining = remaining[remaining < duration_s]
    # An odd number of switches before time 0 means the stream is off at 0: switch off immediately.
    return np.concatenate([[0.0], remaining]) if leading % 2 else remaining


def arrival_offsets(
    spec: ArrivalSpec,
    minute_rates: FloatArray,
    rng: np.random.Generator,
    batch_size: int = 2048,
) -> Iterator[FloatArray]:
    """Yields sorted batches of request offsets (seconds from the simulation start).

    minute_rates is the requests/s target per minute (rate x envelope, zero before a stream's onset);
    the stream ends with the last minute. Batches are lazy so a long simulation can be paced live.
    """
    duration_s = minute_rates.size * 60.0
    pattern = spec.pattern
    continuation = pattern.burst_continuation if pattern else 0.0
    edges = np.arange(minute_rates.size + 1, dtype=np.float64) * 60.0
    if pattern is not None and pattern.duty_cycle < 1.0:
        switches = _activity_switches(pattern, duration_s, rng)
        edges = np.union1d(edges, switches)
        midpoints = (edges[:-1] + edges[1:]) / 2.0
        is_on = np.searchsorted(switches, midpoints, side="right") % 2 == 0
        # The calibrated rate is the mean over all time; concentrate it into the activity periods.
        segment_rates = minute_rates[(midpoints // 60).astype(np.int64)] * is_on / pattern.duty_cycle
    else:
        segment_rates = minute_rates.astype(np.float64)
    # Bursts of mean size 1/(1-p) start at (1-p) times the request rate.
    start_rates = segment_rates * (1.0 - continuation)
    cumulative = np.concatenate([[0.0], np.cumsum(start_rates * np.diff(edges))])
    total = float(cumulative[-1])
    if total <= 0.0:
        return
    shape = spec.gap_shape
    position = float(rng.gamma(shape) / shape * rng.random())
    pending = np.empty(0)
    while position < total:
        operational = position + np.concatenate([[0.0], np.cumsum(rng.gamma(shape, 1.0 / shape, batch_size - 1))])
        position = float(operational[-1] + rng.gamma(shape) / shape)
        operational = operational[operational < total]
        segment = np.minimum(np.searchsorted(cumulative, operational, side="right") - 1, start_rates.size - 1)
        starts = edges[segment] + (operational - cumulative[segment]) / start_rates[segment]
        times = np.concatenate([pending, starts, _burst_members(starts, continuation, pattern, rng)])
        times.sort()
        times = times[times < duration_s]
        if position < total and starts.size:
            # Members of the last bursts may land after the next batch's first start: hold them back.
            cutoff = float(starts[-1])
            pending = times[times > cutoff]
            times = times[times <= cutoff]
        else:
            pending = np.empty(0)
        if times.size:
            yield times


def _burst_members(
    starts: FloatArray, continuation: float, pattern: TrafficPattern | None, rng: np.random.Generator
) -> FloatArray:
    """Follow-up requests of each burst: geometric count, calibrated sub-10 ms gaps."""
    if pattern is None or continuation <= 0.0 or starts.size == 0:
        return np.empty(0)
    extra = rng.geometric(1.0 - continuation, starts.size) - 1
    total_extra = int(extra.sum())
    if total_extra == 0:
        return np.empty(0)
    gaps = sample_quantile_function(rng, pattern.intra_burst_gap_quantiles_s, total_extra)
    running = np.cumsum(gaps)
    # Restart the running sum at each burst: subtract the sum accumulated before the burst began.
    first_index = np.cumsum(extra) - extra
    has_members = extra > 0
    before = np.concatenate([[0.0], running])[first_index[has_members]]
    return np.repeat(starts[has_members], extra[has_members]) + running - np.repeat(before, extra[has_members])
