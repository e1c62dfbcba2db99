"""Attachment: an account joins a cluster on the evidence it shares with the cluster's members together."""

import pickle
import random

from pipelines.campaigns.attachment import ClustersFn, TokenHolders, attach, clusters, token_holders
from pipelines.campaigns.clustering import UnionFind
from pipelines.campaigns.config import CLIENT, CREATION, NETWORK, PAYMENT, TEMPLATE, TIMING, CampaignConfig
from pipelines.campaigns.evidence import Token

CONFIG = CampaignConfig()
CORE = ("m1", "m2", "m3")  # strongly linked already


def holders(kind, value, *accounts):
    (held,) = token_holders(Token(kind, value), tuple(sorted(accounts)), CONFIG)
    return held


def test_a_card_shared_with_one_member_and_an_sdk_build_with_another_add_up():
    tokens = [holders(PAYMENT, "pf_1", "m1", "x"), holders(CLIENT, "sdk/0.1", "m3", "x")]
    assert clusters([CORE], tokens, CONFIG) == [("m1", "m2", "m3", "x")]
    assert clusters([CORE], tokens[:1], CONFIG) == [CORE]  # the card alone is not enough
    assert clusters([CORE], tokens[1:], CONFIG) == [CORE]


def test_distinct_infrastructure_values_add_up_but_bands_of_one_signature_do_not():
    ranges = [holders(NETWORK, "34.1.2", "m1", "x"), holders(NETWORK, "52.7.7", "m2", "x")]
    assert clusters([CORE], ranges, CONFIG) == [("m1", "m2", "m3", "x")]
    bands = [holders(TEMPLATE, f"{band}:ab", "m1", "m2", "x") for band in range(3)]
    assert clusters([CORE], bands, CONFIG) == [CORE]


def test_a_schedule_counts_only_when_several_members_of_the_cluster_keep_it():
    sdk = holders(CLIENT, "sdk/1.0", "m1", "x", *(f"dev{i}" for i in range(20)))  # a popular build: 0.3
    chance = holders(TIMING, "4:ab", "m1", "x")  # one LSH band collision with one member
    schedule = holders(TIMING, "4:cd", "m1", "m2", "x")
    assert sdk.shared.weight + chance.shared.weight >= CONFIG.link_threshold
    assert clusters([CORE], [sdk, chance], CONFIG) == [CORE]
    assert clusters([CORE], [sdk, schedule], CONFIG) == [("m1", "m2", "m3", "x")]


def test_a_creation_time_counts_only_as_a_burst_of_the_cluster():
    scaffold_and_sdk = [holders(TEMPLATE, "0:ab", "m1", "x"), holders(CLIENT, "sdk/0.1", "m2", "x")]
    one = holders(CREATION, "a:1", "m1", "x")  # a large cluster holds creation times on most days
    burst = holders(CREATION, "a:2", "m1", "m2", "m3", "x")
    assert clusters([CORE], [*scaffold_and_sdk, one], CONFIG) == [CORE]
    assert clusters([CORE], [*scaffold_and_sdk, burst], CONFIG) == [("m1", "m2", "m3", "x")]


def test_two_clusters_merge_on_what_one_member_shares_with_the_other_unless_a_stricter_merge_is_set():
    other = ("o1", "o2")
    range_and_sdk = [holders(NETWORK, "34.1.2", "m1", "o1"), holders(CLIENT, "sdk/0.1", "m2", "o1", "o2", *CORE)]
    weight = sum(h.shared.weight for h in range_and_sdk)
    assert CONFIG.merge_threshold <= weight
    assert clusters([CORE, other], range_and_sdk, CONFIG) == [("m1", "m2", "m3", "o1", "o2")]
    strict = CampaignConfig(merge_threshold=weight + 0.1)
    assert clusters([CORE, other], range_and_sdk, strict) == [CORE, other]
    assert clusters([CORE], range_and_sdk, strict) == [("m1", "m2", "m3", "o1")]  # o1 on its own joins


def test_strangers_without_a_strong_link_never_form_a_cluster():
    strangers = [f"s{i}" for i in range(30)]
    tokens = [holders(TEMPLATE, "0:course", *strangers), holders(CLIENT, "sdk/1.0", *strangers)]
    assert clusters([], tokens, CONFIG) == []


def test_joins_repeat_on_the_grown_cluster():
    chain = [holders(PAYMENT, "pf_1", "m1", "x"), holders(NETWORK, "1.2.3", "m2", "x")]
    chain += [holders(PAYMENT, "pf_2", "x", "y"), holders(NETWORK, "4.5.6", "x", "y")]  # y shares only with x
    assert clusters([CORE], chain, CONFIG) == [("m1", "m2", "m3", "x", "y")]


def test_partial_accumulators_merge_to_the_clusters_of_one_pass_in_any_order():
    rng = random.Random(3)
    nodes = [f"n{i:03d}" for i in range(200)]
    groups = [tuple(sorted(rng.sample(nodes, 2))) for _ in range(40)]
    tokens = [
        holders(rng.choice([PAYMENT, NETWORK, CLIENT, TEMPLATE]), f"v{i}", *rng.sample(nodes, rng.randint(2, 6)))
        for i in range(120)
    ]
    elements: list[tuple[str, ...] | TokenHolders] = [*groups, *tokens]
    expected = clusters(groups, tokens, CONFIG, min_size=3)
    combine = ClustersFn(CONFIG, min_size=3)
    for seed in range(3):
        rng.seed(seed)
        rng.shuffle(elements)
        partials = []
        for part in (elements[:50], elements[50:90], elements[90:]):
            accumulator = combine.create_accumulator()
            for element in part:
                combine.add_input(accumulator, element)
            partials.append(pickle.loads(pickle.dumps(accumulator)))
        assert combine.extract_output(combine.merge_accumulators(partials)) == expected


def test_attachment_stops_when_nothing_changes():
    forest = UnionFind()
    forest.union_all(CORE)
    attach(forest, [holders(PAYMENT, "pf_1", "m1", "x")], CONFIG)
    assert forest.components() == [CORE]
