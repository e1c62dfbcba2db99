import collections
import datetime as dt
import hashlib

import orjson
import pytest

from pipelines.contract import decode_event
from simulator.archetypes import ARCHETYPES, ARCHETYPES_BY_NAME, CAMPAIGN_ARCHETYPE
from simulator.generator import DEFAULT_START, Simulation, SimulationConfig

SMALL = SimulationConfig(seed=5, accounts=40, duration_hours=1.0, extraction_fraction=0.4, campaign_sizes=(8,))
GROUND_TRUTH_FIELDS = {"account_id", "label", "archetype", "variant", "campaign_id", "attack_onset"}
CONTRACT_FIELDS = {
    "event_id", "event_time", "account_id", "api_key_id", "model", "endpoint", "status_code", "prompt_tokens",
    "completion_tokens", "reasoning_tokens", "latency_ms", "params", "client", "prompt", "account",
}  # fmt: skip


@pytest.fixture(scope="module")
def small_simulation():
    return Simulation(SMALL)


@pytest.fixture(scope="module")
def small_events(small_simulation):
    return list(small_simulation.events())


def serialise(events):
    return b"\n".join(orjson.dumps(event) for event in events)


def test_same_seed_and_config_give_byte_identical_output(small_events):
    again = Simulation(SMALL)
    assert serialise(again.events()) == serialise(small_events)
    # Iterating the same simulation a second time replays it exactly as well.
    assert serialise(again.events()) == serialise(small_events)
    assert [t.to_record() for t in again.ground_truth()] == [t.to_record() for t in Simulation(SMALL).ground_truth()]


def test_a_different_seed_gives_different_traffic(small_events):
    other = Simulation(SimulationConfig(**{**SMALL.__dict__, "seed": 6}))
    assert {e["account_id"] for e in other.events()}.isdisjoint({e["account_id"] for e in small_events})


def test_every_event_satisfies_the_contract(small_events):
    assert len(small_events) > 1000
    for event in small_events:
        decoded = decode_event(orjson.dumps(event))
        assert decoded.event_id == event["event_id"]
        assert set(event) <= CONTRACT_FIELDS  # in particular no label or archetype leaks into events


def test_events_are_ordered_and_inside_the_simulated_interval(small_events):
    times = [decode_event(orjson.dumps(e)).timestamp for e in small_events]
    assert times == sorted(times)
    start = DEFAULT_START.timestamp()
    assert start <= times[0] and times[-1] < start + SMALL.duration_hours * 3600
    assert all(e["event_time"].endswith("Z") and len(e["event_time"]) == 24 for e in small_events[:100])


def test_event_ids_are_unique_without_duplicates(small_events):
    assert len({e["event_id"] for e in small_events}) == len(small_events)


def test_duplicate_fraction_redelivers_identical_events():
    events = list(Simulation(SimulationConfig(**{**SMALL.__dict__, "duplicate_fraction": 0.05})).events())
    counts = collections.Counter(e["event_id"] for e in events)
    repeated = [event_id for event_id, count in counts.items() if count > 1]
    assert 0.02 * len(counts) < len(repeated) < 0.1 * len(counts)
    first, second = (e for e in events if e["event_id"] == repeated[0])
    assert first == second


def test_ground_truth_is_complete_and_separate(small_simulation, small_events):
    truth = [t.to_record() for t in small_simulation.ground_truth()]
    assert len(truth) == SMALL.accounts
    assert all(set(record) == GROUND_TRUTH_FIELDS for record in truth)
    by_account = {record["account_id"]: record for record in truth}
    assert len(by_account) == SMALL.accounts
    assert {e["account_id"] for e in small_events} <= set(by_account)
    assert sum(record["label"] == "extraction" for record in truth) == SMALL.extraction_accounts
    for record in truth:
        archetype = ARCHETYPES_BY_NAME[record["archetype"]]
        assert record["label"] == archetype.label
        assert record["variant"] in {variant.name for variant in archetype.variants}
        assert (record["attack_onset"] is not None) == (record["label"] == "extraction")


def test_extraction_starts_at_the_attack_onset(small_simulation, small_events):
    """Pure extraction accounts send nothing before their onset; mixed accounts have an onset after the start."""
    onsets = {
        t.account_id: dt.datetime.fromisoformat(t.attack_onset)
        for t in small_simulation.ground_truth()
        if t.attack_onset is not None
    }
    first_seen: dict[str, str] = {}
    for event in small_events:
        first_seen.setdefault(event["account_id"], event["event_time"])
    for account in small_simulation.accounts:
        truth = account.truth
        if truth.account_id in first_seen and all(s.component.extraction for s in account.streams):
            assert dt.datetime.fromisoformat(first_seen[truth.account_id]) >= onsets[truth.account_id]
        if len(account.streams) > 1 and truth.label == "extraction":
            assert onsets[truth.account_id] > SMALL.start


def test_campaign_accounts_share_infrastructure(small_simulation, small_events):
    members = {t.account_id for t in small_simulation.ground_truth() if t.campaign_id == "campaign-01"}
    assert len(members) == 8
    member_events = [e for e in small_events if e["account_id"] in members]
    fingerprints = {e["account"]["payment_fingerprint"] for e in member_events}
    prefixes = {e["client"]["ip"].rsplit(".", 1)[0] for e in member_events}
    assert len(fingerprints) < len(members)
    assert len(prefixes) < len(members)
    created = [dt.datetime.fromisoformat(e["account"]["created_at"]) for e in member_events]
    assert max(SMALL.start - c for c in created) < dt.timedelta(days=7)  # fresh accounts


def test_prompt_visibility_varies_and_hashes_match(small_events):
    with_text = [e for e in small_events if "text" in e.get("prompt", {})]
    hash_only = [e for e in small_events if "prompt" in e and "text" not in e["prompt"]]
    without_prompt = [e for e in small_events if "prompt" not in e]
    assert with_text and hash_only and without_prompt
    for event in with_text[:500]:
        assert event["prompt"]["sha256"] == hashlib.sha256(event["prompt"]["text"].encode()).hexdigest()


def test_status_codes_are_mostly_success_with_rate_limits(small_events):
    statuses = collections.Counter(e["status_code"] for e in small_events)
    assert statuses[200] / len(small_events) > 0.85
    assert statuses[429] > 0
    assert any(400 <= code < 429 or 430 <= code < 600 for code in statuses)
    rejected = [e for e in small_events if e["status_code"] == 429]
    assert all(e["completion_tokens"] == 0 for e in rejected)


def test_default_plan_has_every_archetype_and_a_large_campaign():
    """Planning alone is cheap: check the README demo's mix without generating its events."""
    simulation = Simulation(SimulationConfig())
    truth = simulation.ground_truth()
    archetypes = collections.Counter(t.archetype for t in truth)
    assert set(archetypes) == {archetype.name for archetype in ARCHETYPES}
    assert archetypes[CAMPAIGN_ARCHETYPE] >= 8
    extraction = sum(t.label == "extraction" for t in truth)
    assert 0.15 <= extraction / len(truth) <= 0.2
    assert all(t.variant != "" for t in truth)


def test_held_out_flag_selects_held_out_variants():
    training = Simulation(SimulationConfig(seed=3)).ground_truth()
    held_out = Simulation(SimulationConfig(seed=3, held_out_variants=True)).ground_truth()
    held_out_names = {
        (archetype.name, variant.name) for archetype in ARCHETYPES for variant in archetype.variants if variant.held_out
    }
    assert not {(t.archetype, t.variant) for t in training} & held_out_names
    assert {(t.archetype, t.variant) for t in held_out} <= held_out_names


def test_benign_volume_can_exceed_extraction_volume():
    """A volume rule alone must fail: the busiest benign account outsends every extraction account."""
    simulation = Simulation(SimulationConfig(duration_hours=1.0))
    labels = {t.account_id: t.label for t in simulation.ground_truth()}
    counts = collections.Counter(e["account_id"] for e in simulation.events())
    busiest = {
        label: max(n for account, n in counts.items() if labels[account] == label) for label in set(labels.values())
    }
    assert busiest["benign"] > busiest["extraction"]


def test_config_validation():
    with pytest.raises(ValueError, match="campaigns need"):
        SimulationConfig(accounts=20, extraction_fraction=0.2, campaign_sizes=(10,))
    with pytest.raises(ValueError, match="unknown archetypes"):
        SimulationConfig(archetype_mix={"nope": 1.0})
    with pytest.raises(ValueError, match="timezone-aware"):
        SimulationConfig(start=dt.datetime(2026, 1, 1))


def test_archetype_mix_reweights_accounts():
    config = SimulationConfig(
        accounts=60, extraction_fraction=0.0, campaign_sizes=(), archetype_mix={"consumer_app": 0}
    )
    archetypes = {t.archetype for t in Simulation(config).ground_truth()}
    assert "consumer_app" not in archetypes
    assert all(ARCHETYPES_BY_NAME[name].label == "benign" for name in archetypes)
