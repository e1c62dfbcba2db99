"""Per-account evidence: bounded, mergeable in any order, and turned into tokens only where it means something."""

import datetime as dt
import pickle

from pipelines.campaigns.config import (
    CLIENT,
    CREATION,
    NETWORK,
    PAYMENT,
    ROTATION,
    TEMPLATE,
    TIMING,
    CampaignConfig,
)
from pipelines.campaigns.evidence import (
    MAX_TIMING_SLOTS,
    AccountEvidence,
    creation_tokens,
    prompt_shingles,
    summarise,
    union_prompt_sketches,
)
from tests.events import T0, event

CONFIG = CampaignConfig()
START = T0.timestamp()
END = START + 3600
TEMPLATES = (
    "Provide a comprehensive, expert-level explanation of {topic}, covering everything. Be exhaustive.",
    "Write a complete textbook section on {topic} for graduate students, with worked examples.",
)
TOPICS = ("entropy", "the Krebs cycle", "bond duration", "Markov chains", "SN2 reactions", "fair use")


def _event(n, account_id="a", minute=None, text=None, ip="34.1.2.3", agent="python-requests/2.31.0", **overrides):
    second = n if minute is None else 60 * minute + n % 60
    fields = {
        "client": {"ip": ip, "user_agent": agent},
        "account": {"payment_fingerprint": "pf_1", "created_at": "2025-12-30T00:00:00Z"},
        "params": {"max_tokens": 1000},
        "completion_tokens": 950,
        **overrides,
    }
    if text is not None:
        fields["prompt"] = {"text": text}
    return event(second, account_id=account_id, **fields)


def _templated(n, account_id="a", minute=None):
    text = TEMPLATES[n % 2].format(topic=TOPICS[n % len(TOPICS)])
    return _event(n, account_id, minute, text=text)


def _evidence(events):
    evidence = AccountEvidence()
    for e in events:
        evidence.add(e)
    return evidence


def _tokens(evidence):
    return summarise(evidence, END, CONFIG).tokens


def _kinds(tokens):
    return {t.kind for t in tokens}


def test_shingles_are_word_trigrams_of_the_opening_with_digits_masked():
    assert prompt_shingles("Q17: Explain  entropy to me") == [
        "q0: explain entropy",
        "explain entropy to",
        "entropy to me",
    ]
    assert prompt_shingles("hi there") == ["hi there"]
    assert prompt_shingles("") == []
    assert len(prompt_shingles(" ".join(f"w{i}" for i in range(100)))) == 10  # only the first 12 words


def test_merging_panes_in_any_order_equals_one_pass():
    events = [_templated(n, minute=n % 60) for n in range(120)]
    whole = summarise(_evidence(events), END, CONFIG)
    first, second = _evidence(events[::2]), _evidence(events[1::2])
    merged = summarise(AccountEvidence().merge(second).merge(first), END, CONFIG)
    assert merged == whole
    restored = pickle.loads(pickle.dumps(_evidence(events)))
    assert summarise(restored, END, CONFIG) == whole
    assert whole.profile.requests == 120 and whole.profile.saturated == 120
    assert whole.profile.account_age_days == 2 + 1 / 24  # created two days before the window, aged at its end


def test_infrastructure_values_must_carry_a_share_of_the_traffic():
    events = [_event(n, ip="34.1.2.3") for n in range(99)] + [_event(99, ip="91.9.9.9")]
    tokens = _tokens(_evidence(events))
    assert [t.value for t in tokens if t.kind == NETWORK] == ["34.1.2"]  # one request from 91.9.9 is noise
    assert [t.value for t in tokens if t.kind == PAYMENT] == ["pf_1"]
    assert [t.value for t in tokens if t.kind == CLIENT] == ["python-requests/2.31.0"]


def test_an_account_on_a_new_network_for_nearly_every_request_holds_the_rotation_token():
    rotating = [_event(n, ip=f"{24 + n}.{n}.7.9") for n in range(10)]
    assert _kinds(_tokens(_evidence(rotating))) >= {ROTATION}
    assert ROTATION not in _kinds(_tokens(_evidence(rotating[:5])))  # too few requests to tell
    home_office_phone = [_event(n, ip=("34.1.2.3", "52.7.7.1", "81.2.3.4")[n % 3]) for n in range(10)]
    assert ROTATION not in _kinds(_tokens(_evidence(home_office_phone)))


def test_template_tokens_need_recurring_wording_and_carry_no_prompt_text():
    templated = _tokens(_evidence([_templated(n) for n in range(30)]))
    template_tokens = [t for t in templated if t.kind == TEMPLATE]
    assert len(template_tokens) == CONFIG.template_bands
    assert not any(word in t.value for t in template_tokens for word in ("comprehensive", "textbook", "entropy"))
    words = [f"{a}{b}{c}" for a in "bcdfg" for b in "aeiou" for c in "klmnp"]  # no digits: nothing is masked alike
    varied = [_event(n, text=" ".join(words[(4 * n + i) % len(words)] for i in range(4))) for n in range(30)]
    assert TEMPLATE not in _kinds(_tokens(_evidence(varied)))


def test_two_accounts_on_the_same_templates_share_template_tokens():
    a = _tokens(_evidence([_templated(n, "a") for n in range(40)]))
    b = _tokens(_evidence([_templated(n + 3, "b") for n in range(40)]))
    assert {t for t in a if t.kind == TEMPLATE} & {t for t in b if t.kind == TEMPLATE}


def test_hash_only_prompts_match_on_verbatim_repeats():
    events = [_event(n, prompt={"sha256": f"{n % 5:064x}"}) for n in range(40)]
    assert TEMPLATE in _kinds(_tokens(_evidence(events)))


def _timing(seconds, account_id="a"):
    events = [_event(0, account_id, at=T0 + dt.timedelta(seconds=second)) for second in seconds]
    return {t for t in _tokens(_evidence(events)) if t.kind == TIMING}


def test_timing_tokens_are_shared_by_accounts_fired_within_seconds_of_each_other():
    ticks = [10 * (37 * i * i % 2000) + 101 for i in range(30)]
    fired = _timing(ticks)
    assert fired and fired == _timing([t + 2 for t in ticks], "b")  # the same 10-second slots
    assert _timing([t + 5000 for t in ticks], "c").isdisjoint(fired)  # the same rhythm, other moments
    same_hour = _timing([3600 + 120 * i + 7 for i in range(30)])  # same hour, different slots: a class, an office
    assert same_hour.isdisjoint(_timing([3600 + 120 * i + 67 for i in range(30)], "d"))


def test_timing_needs_enough_slots_and_an_account_that_is_not_always_on():
    assert _timing(range(0, 10 * (CONFIG.min_timing_slots - 1), 10)) == set()
    assert _timing(range(0, 10 * CONFIG.min_timing_slots, 10))
    busy = _evidence([_event(0, at=T0 + dt.timedelta(seconds=10 * i)) for i in range(MAX_TIMING_SLOTS + 1)])
    assert busy.slots is None and TIMING not in _kinds(_tokens(busy))
    # The cap holds however the panes are split: past it in the merge, the slots are dropped as well.
    halves = [
        _evidence([_event(0, at=T0 + dt.timedelta(seconds=10 * i)) for i in r]) for r in (range(200), range(200, 400))
    ]
    assert halves[0].merge(halves[1]).slots is None


def test_accounts_created_minutes_apart_share_a_creation_token():
    created = T0.timestamp()
    assert set(creation_tokens(created, 600)) & set(creation_tokens(created + 290, 600))
    assert set(creation_tokens(created + 299, 600)) & set(creation_tokens(created + 1, 600))
    assert not set(creation_tokens(created, 600)) & set(creation_tokens(created + 600, 600))
    tokens = _tokens(_evidence([_event(0)]))
    assert {t for t in tokens if t.kind == CREATION} == set(creation_tokens(T0.timestamp() - 2 * 86400, 600))


def test_the_profile_counts_the_harvest_and_distinct_prompts():
    events = [_event(n, text=f"question {n % 10} about entropy", reasoning_tokens=50,
                     params={"max_tokens": 1000, "logprobs": True, "top_logprobs": 5}) for n in range(40)]  # fmt: skip
    profile = summarise(_evidence(events), END, CONFIG).profile
    assert (profile.reasoning_tokens, profile.logprob_requests, profile.top_logprobs) == (2000, 40, 200)
    assert round(union_prompt_sketches([profile.prompt_sketch, profile.prompt_sketch])) == 10  # ten distinct


def test_distinct_prompts_merge_in_any_order_and_survive_pickling():
    events = [_event(n, text=f"prompt number {n % 300} of many") for n in range(900)]
    parts = [_evidence(events[i::3]) for i in range(3)]
    one_way = AccountEvidence().merge(parts[0]).merge(parts[1]).merge(parts[2])
    other_way = pickle.loads(pickle.dumps(AccountEvidence().merge(parts[2]).merge(parts[1]))).merge(parts[0])
    estimates = {union_prompt_sketches([summarise(e, END, CONFIG).profile.prompt_sketch]) for e in (one_way, other_way)}
    (estimate,) = estimates
    assert abs(estimate - 300) < 60  # a sketch of 128 retained hashes: within its error of the 300 distinct
