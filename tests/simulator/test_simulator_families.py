"""The new families generate valid, deterministic traffic with the behaviour their catalogue entry describes."""

import collections
import datetime as dt

import orjson
import pytest

from pipelines.contract import decode_event
from simulator.archetypes import ARCHETYPES, CAMPAIGN_ARCHETYPE, COHORT_ARCHETYPE
from simulator.benign_workloads import BENIGN_WORKLOAD_ARCHETYPES
from simulator.extraction_reported import REPORTED_EXTRACTION_ARCHETYPES
from simulator.generator import Simulation, SimulationConfig

NEW_FAMILIES = {a.name for a in (*BENIGN_WORKLOAD_ARCHETYPES, *REPORTED_EXTRACTION_ARCHETYPES)}
WEIGHTED = {a.name for a in ARCHETYPES if a.name not in (CAMPAIGN_ARCHETYPE, COHORT_ARCHETYPE)}


def config(held_out: bool) -> SimulationConfig:
    return SimulationConfig(
        seed=21,
        accounts=90,
        duration_hours=1.0,
        extraction_fraction=0.3,
        campaign_sizes=(6,),
        held_out_variants=held_out,
    )


@pytest.fixture(scope="module", params=[False, True], ids=["training", "held_out"])
def run(request):
    simulation = Simulation(config(request.param))
    return simulation, list(simulation.events())


def test_there_are_at_least_eight_new_families_with_several_variants_some_held_out():
    assert len(NEW_FAMILIES) >= 8
    for archetype in (*BENIGN_WORKLOAD_ARCHETYPES, *REPORTED_EXTRACTION_ARCHETYPES):
        assert len(archetype.variants) >= 3, archetype.name
        assert any(v.held_out for v in archetype.variants) and any(not v.held_out for v in archetype.variants)


def test_every_family_sends_contract_valid_events(run):
    simulation, events = run
    archetype_of = {account.truth.account_id: account.truth.archetype for account in simulation.accounts}
    sending = collections.Counter(archetype_of[event["account_id"]] for event in events)
    assert set(sending) >= NEW_FAMILIES & WEIGHTED
    for event in events:
        decode_event(orjson.dumps(event))


def test_generation_is_deterministic_per_seed(run):
    simulation, events = run
    again = list(Simulation(simulation.config).events())
    assert orjson.dumps(again) == orjson.dumps(events)


def test_non_english_prompts_and_newly_released_models_appear(run):
    _, events = run
    languages = {event["prompt"]["language"] for event in events if "prompt" in event}
    assert "en" in languages and len(languages) >= 4
    assert {"aurora-large-2", "aurora-reasoner-2"} & {event["model"] for event in events}


def test_short_lived_streams_stop_at_their_end_minute(run):
    simulation, events = run
    last_seen: dict[str, str] = {}
    for event in events:
        last_seen[event["account_id"]] = event["event_time"]
    start = simulation.config.start
    for account in simulation.accounts:
        ends = [stream.end_minute for stream in account.streams]
        if account.truth.account_id in last_seen and all(end is not None for end in ends):
            last = dt.datetime.fromisoformat(last_seen[account.truth.account_id])
            assert last < start + dt.timedelta(minutes=max(ends))


def test_shape_of_the_fresh_logprob_burst():
    """The evaluated evasion: hours-old, top_logprobs=20 with n=2, answers saturating max_tokens."""
    mix = {name: 0.0 for name in WEIGHTED} | {"burn_and_replace": 1.0, "researcher_hobbyist": 1.0}
    simulation = Simulation(
        SimulationConfig(seed=4, accounts=60, duration_hours=1.0, extraction_fraction=0.5, campaign_sizes=(),
                         cohort_sizes=(), archetype_mix=mix)
    )  # fmt: skip
    bursts = {a.truth.account_id for a in simulation.accounts if a.truth.variant == "logprob_burst"}
    assert bursts
    events = [e for e in simulation.events() if e["account_id"] in bursts and e["status_code"] == 200]
    assert events
    events = [e for e in events if e["endpoint"] != "embeddings"]  # side traffic any account may send
    for event in events:
        assert dt.datetime.fromisoformat(event["event_time"]) - dt.datetime.fromisoformat(
            event["account"]["created_at"]
        ) < dt.timedelta(days=1)
    params = [e["params"] for e in events]
    assert sum(p.get("top_logprobs") == 20 and p.get("n") == 2 for p in params) / len(params) > 0.8
    saturated = [e["completion_tokens"] >= 2 * e["params"]["max_tokens"] for e in events if "max_tokens" in e["params"]]
    assert sum(saturated) / len(saturated) > 0.7
