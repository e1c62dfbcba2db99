"""Evaluation datasets carry the long-horizon rows the pipeline would score, and training data none."""

import datetime as dt

from models.dataset import HorizonSpec, build_dataset
from pipelines.config import WindowConfig
from tests.events import T0, event_dict

WINDOW = WindowConfig(3600, 300)
HORIZON = HorizonSpec(WindowConfig(4 * 3600, 3600), min_requests=20)


def truth(account: str) -> dict:
    return {"account_id": account, "label": "benign", "archetype": "a", "variant": "v", "attack_onset": None}


def events() -> list[dict]:
    sparse = [event_dict(n, "sparse", T0 + dt.timedelta(seconds=s)) for n, s in enumerate(range(0, 4 * 3600, 400))]
    dense = [event_dict(n, "dense", T0 + dt.timedelta(seconds=s)) for n, s in enumerate(range(0, 600, 20))]
    return sorted(sparse + dense, key=lambda e: e["event_time"])


def test_only_the_sparse_account_gets_horizon_rows_holding_what_it_accumulated():
    data = build_dataset(events(), [truth("sparse"), truth("dense")], WINDOW, HORIZON)
    horizon = data.is_horizon
    assert set(data.account_ids[horizon].tolist()) == {"sparse"}
    requests = data.features[horizon, 0]
    assert requests.max() == 36  # 9 an hour over the 4-hour horizon
    assert data.features[(data.account_ids == "dense") & ~horizon, 0].max() == 30  # its per-window rows judge it
    # Every horizon row ends where the account was active in its newest hour.
    ends = data.window_ends[horizon] - T0.timestamp()
    assert ends.tolist() == [3600.0, 7200.0, 10800.0, 14400.0]


def test_without_a_horizon_spec_there_are_no_horizon_rows():
    data = build_dataset(events(), [truth("sparse"), truth("dense")], WINDOW)
    assert data.horizon_rows is None and not data.is_horizon.any()
