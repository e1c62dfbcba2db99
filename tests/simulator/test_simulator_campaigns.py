"""Campaigns in which no single signal is universal, and benign cohorts that resemble them."""

import collections

import pytest

from simulator.archetypes import ARCHETYPES, ARCHETYPES_BY_NAME, CAMPAIGN_ARCHETYPE, COHORT_ARCHETYPE
from simulator.generator import Simulation, SimulationConfig

SPARSE_VARIANTS = {"load_balanced_proxy", "payment_groups", "virtual_cards"}


def planned(held_out: bool, campaign_size: int = 30):
    """Many campaigns and cohorts, planned only (cheap): every coordinated variant comes up."""
    simulation = Simulation(
        SimulationConfig(seed=8, accounts=3000, extraction_fraction=0.3, campaign_sizes=(campaign_size,) * 20,
                         cohort_sizes=(15,) * 20, held_out_variants=held_out)
    )  # fmt: skip
    groups = collections.defaultdict(list)
    for account in simulation.accounts:
        if account.group_id is not None:
            groups[(account.truth.archetype, account.truth.variant, account.group_id)].append(account)
    return simulation, groups


def universal_signals(members) -> set[str]:
    """The kinds of evidence that every member carries, shared with all the other members."""
    signals = set()
    if len({m.identity.payment_fingerprint for m in members}) == 1:
        signals.add("payment")
    if set.intersection(*(set(m.identity.user_agents) for m in members)):
        signals.add("user_agent")
    prefixes = [{ip.rsplit(".", 1)[0] for ip in m.identity.ip_addresses} for m in members]
    if set.intersection(*prefixes) and all(m.identity.rotating_ip_share == 0 for m in members):
        signals.add("ip_prefix")
    return signals


@pytest.mark.parametrize("held_out", [False, True])
def test_every_campaign_member_is_labelled_with_its_campaign(held_out):
    simulation, _ = planned(held_out)
    for account in simulation.accounts:
        truth = account.truth
        assert (truth.campaign_id is not None) == (truth.archetype == CAMPAIGN_ARCHETYPE)
    sizes = collections.Counter(a.truth.campaign_id for a in simulation.accounts if a.truth.campaign_id)
    assert len(sizes) == 20 and set(sizes.values()) == {30}


@pytest.mark.parametrize("held_out", [False, True])
def test_sparse_campaign_variants_have_no_universal_infrastructure_signal(held_out):
    _, groups = planned(held_out)
    sparse = [(variant, members) for (archetype, variant, _), members in groups.items() if variant in SPARSE_VARIANTS]
    assert sparse
    for variant, members in sparse:
        assert universal_signals(members) <= {"user_agent"}, variant
    # Synchronised to several degrees: some members follow the campaign's schedule, others their own.
    following = [stream.schedule_key is not None for _, members in sparse for m in members for stream in m.streams]
    assert any(following) and not all(following)
    # Payment instruments are shared in groups: several members per card, several cards per campaign.
    for variant, members in sparse:
        cards = collections.Counter(m.identity.payment_fingerprint for m in members)
        assert 1 < len(cards) < len(members), variant


def test_campaigns_span_twenty_to_two_thousand_accounts():
    simulation = Simulation(SimulationConfig(seed=3, accounts=4000, extraction_fraction=0.6, campaign_sizes=(20, 2000)))
    sizes = collections.Counter(a.truth.campaign_id for a in simulation.accounts if a.truth.campaign_id)
    assert sorted(sizes.values()) == [20, 2000]


def test_sparse_members_stay_below_the_per_account_floor():
    quiet = {archetype.name: 0.0 for archetype in ARCHETYPES} | {"researcher_hobbyist": 1.0, "low_and_slow": 1.0}
    simulation = Simulation(
        SimulationConfig(seed=12, accounts=400, duration_hours=2.0, extraction_fraction=0.5,
                         campaign_sizes=(40,) * 4, cohort_sizes=(), archetype_mix=quiet)
    )  # fmt: skip
    variant = {a.truth.account_id: a.truth.variant for a in simulation.accounts if a.truth.campaign_id}
    per_hour = collections.Counter(
        (event["account_id"], event["event_time"][:13])
        for event in simulation.events()
        if event["account_id"] in variant
    )
    sparse = [count for (account, _), count in per_hour.items() if variant[account] in SPARSE_VARIANTS]
    assert sparse
    assert sorted(sparse)[len(sparse) // 2] < 20


@pytest.mark.parametrize("held_out", [False, True])
def test_benign_cohorts_share_one_innocent_signal_and_carry_no_campaign(held_out):
    _, groups = planned(held_out)
    cohorts = {variant: members for (archetype, variant, _), members in groups.items() if archetype == COHORT_ARCHETYPE}
    expected = {v.name for v in ARCHETYPES_BY_NAME[COHORT_ARCHETYPE].eligible_variants(held_out)}
    assert set(cohorts) == expected
    for variant, members in cohorts.items():
        assert all(m.truth.label == "benign" and m.truth.campaign_id is None for m in members)
        signals = universal_signals(members)
        if variant in ("company_sso", "agency_one_card"):
            assert "payment" in signals, variant
        if variant == "oss_sdk_default":
            assert signals == {"user_agent"}
        if variant == "university_class":
            assert "payment" not in signals
