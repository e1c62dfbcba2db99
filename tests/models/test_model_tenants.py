import datetime as dt

import numpy as np
import orjson
import pytest

from models.dataset import GroundTruth, WindowDataset
from models.evaluation.tenants import REPLAY_START, VOLUMES, Volume, policy_alerts, read_trace, replay
from pipelines.config import AlertPolicyConfig, WindowConfig
from pipelines.contract import decode_event
from pipelines.features.spec import FEATURE_INDEX, FEATURE_NAMES


@pytest.fixture(scope="module")
def conv():
    return read_trace("conv", rows_limit=500)


def test_the_shipped_traces_are_read_whole():
    assert len(read_trace("code")) == 8819  # the README's count


def test_every_trace_row_becomes_one_valid_event_with_the_traces_tokens_and_shifted_time(conv):
    events, truth = replay("conv", conv, Volume("10 tenants", 10, 1.0), seed=0)
    decoded = [decode_event(orjson.dumps(event)) for event in events]
    assert [(e.prompt_tokens, e.completion_tokens) for e in decoded] == [
        (r.prompt_tokens, r.completion_tokens) for r in conv
    ]
    offsets = [(e.event_time - REPLAY_START).total_seconds() for e in decoded]
    assert offsets == pytest.approx([r.offset_s for r in conv], abs=1e-3)
    assert {e.account_id for e in decoded} <= {t["account_id"] for t in truth}
    assert len(truth) == 10 and {t["label"] for t in truth} == {"benign"}
    assert len({e.event_id for e in decoded}) == len(decoded)


def test_a_faster_replay_compresses_the_trace_in_time(conv):
    events, _ = replay("conv", conv, Volume("1 tenant, 2x rate", 1, 2.0), seed=0)
    last = dt.datetime.fromisoformat(events[-1]["event_time"])
    assert (last - REPLAY_START).total_seconds() == pytest.approx(conv[-1].offset_s / 2, abs=1e-3)


def test_volumes_include_the_whole_trace_as_one_tenant_and_splits():
    assert {(v.tenants, v.speedup) for v in VOLUMES} >= {(1, 1.0), (10, 1.0), (100, 1.0), (1, 2.0)}


def test_policy_alerts_need_threshold_and_request_floor_and_respect_the_cooldown():
    ends = np.array([300.0, 600.0, 4200.0, 4500.0, 300.0])
    ids = np.array(["a", "a", "a", "a", "b"])
    features = np.zeros((5, len(FEATURE_NAMES)))
    features[:, FEATURE_INDEX["request_count"]] = [30, 30, 30, 10, 30]
    truth = {a: GroundTruth(a, "benign", "azure_conv", "1 tenant", None, None) for a in ("a", "b")}
    data = WindowDataset(features, np.zeros(5, np.int8), ids, ends, truth)
    scores = np.array([0.6, 0.9, 0.7, 0.99, 0.49])
    # a: 300 alerts, 600 is inside the hour's cooldown, 4200 alerts again, 4500 lacks requests; b: below 0.5.
    components = np.full(5, "supervised")
    assert policy_alerts(data, scores, components, WindowConfig(), AlertPolicyConfig()) == {"a": 2}
