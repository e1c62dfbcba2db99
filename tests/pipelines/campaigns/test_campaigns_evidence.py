"""Per-account evidence: bounded, mergeable in any order, and turned into tokens only where it means something."""

import pickle

from pipelines.campaigns.config import CLIENT, NETWORK, PAYMENT, TEMPLATE, TIMING, CampaignConfig
from pipelines.campaigns.evidence import AccountEvidence, activity_vector, evidence_tokens, prompt_shingles, summarise
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
    whole = summarise(_evidence(events), START, END, CONFIG)
    first, second = _evidence(events[::2]), _evidence(events[1::2])
    merged = summarise(AccountEvidence().merge(second).merge(first), START, END, CONFIG)
    assert merged == whole
    restored = pickle.loads(pickle.dumps(_evidence(events)))
    assert summarise(restored, START, END, CONFIG) == whole
    assert whole.profile.requests == 120 and whole.profile.saturated == 120
    assert whole.profile.account_age_days == 2 + 1 / 24  # created two days before the window, aged at its end


def test_infrastructure_values_must_carry_a_share_of_the_traffic():
    events = [_event(n, ip="34.1.2.3") for n in range(99)] + [_event(99, ip="91.9.9.9")]
    tokens = evidence_tokens(_evidence(events), START, END, CONFIG)
    assert [t.value for t in tokens if t.kind == NETWORK] == ["34.1.2"]  # one request from 91.9.9 is noise
    assert [t.value for t in tokens if t.kind == PAYMENT] == ["pf_1"]
    assert [t.value for t in tokens if t.kind == CLIENT] == ["python-requests/2.31.0"]


def test_template_tokens_need_recurring_wording_and_carry_no_prompt_text():
    templated = evidence_tokens(_evidence([_templated(n) for n in range(30)]), START, END, CONFIG)
    template_tokens = [t for t in templated if t.kind == TEMPLATE]
    assert len(template_tokens) == CONFIG.template_bands
    assert not any(word in t.value for t in template_tokens for word in ("comprehensive", "textbook", "entropy"))
    words = [f"{a}{b}{c}" for a in "bcdfg" for b in "aeiou" for c in "klmnp"]  # no digits: nothing is masked alike
    varied = [_event(n, text=" ".join(words[(4 * n + i) % len(words)] for i in range(4))) for n in range(30)]
    assert TEMPLATE not in _kinds(evidence_tokens(_evidence(varied), START, END, CONFIG))


def test_two_accounts_on_the_same_templates_share_template_tokens():
    a = evidence_tokens(_evidence([_templated(n, "a") for n in range(40)]), START, END, CONFIG)
    b = evidence_tokens(_evidence([_templated(n + 3, "b") for n in range(40)]), START, END, CONFIG)
    assert {t for t in a if t.kind == TEMPLATE} & {t for t in b if t.kind == TEMPLATE}


def test_hash_only_prompts_match_on_verbatim_repeats():
    events = [_event(n, prompt={"sha256": f"{n % 5:064x}"}) for n in range(40)]
    assert TEMPLATE in _kinds(evidence_tokens(_evidence(events), START, END, CONFIG))


def test_timing_tokens_need_on_off_switches_and_enough_requests():
    def timing(minutes, per_minute=2):
        events = [_event(n, minute=m) for m in minutes for n in range(per_minute)]
        return {t for t in evidence_tokens(_evidence(events), START, END, CONFIG) if t.kind == TIMING}

    session, later_session = range(10, 40), range(24, 54)  # on, then off: two switches each
    assert timing(session) == timing(session, per_minute=3)  # the pattern matters, not the volume
    assert timing(session) and not timing(session) & timing(later_session)
    assert timing(range(60)) == set()  # always on: nothing to synchronise on
    assert timing(range(30)) == set()  # one switch (a stop) is too common a coincidence
    assert timing(range(10, 15)) == set()  # 10 requests are too few to tell a schedule


def test_activity_vector_marks_active_slots_inside_the_window():
    minute = int(START // 60)
    counts = {minute: 1, minute + 3: 2, minute - 5: 7, minute + 60: 1}  # the last two lie outside the window
    assert activity_vector(counts, START, END, 300).tolist() == [1.0] + [0.0] * 11
    assert activity_vector(counts, START, END, 120).tolist()[:3] == [1.0, 1.0, 0.0]
