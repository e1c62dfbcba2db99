"""Link rules: two independent kinds of evidence, weighed by how many accounts share each value."""

import pickle

import pytest

from pipelines.campaigns.config import (
    CLIENT,
    CREATION,
    KINDS,
    NETWORK,
    PAYMENT,
    ROTATION,
    TEMPLATE,
    TIMING,
    CampaignConfig,
)
from pipelines.campaigns.evidence import Token
from pipelines.campaigns.linking import (
    CollectPosting,
    Posting,
    PostingCoder,
    SharedToken,
    from_wire,
    link_keys,
    shared_tokens,
    to_wire,
)

CONFIG = CampaignConfig()


def shared(kind, value, df):
    token = Token(kind, value)
    return SharedToken(token, df, CONFIG.weight(kind, df))


def test_weights_fall_for_values_many_accounts_share():
    assert CONFIG.weight(NETWORK, 1) == 0.0  # held by one account: links nobody
    assert CONFIG.weight(NETWORK, 5) == CONFIG.specific[NETWORK]
    assert CONFIG.weight(NETWORK, 500) == CONFIG.common[NETWORK] < CONFIG.specific[NETWORK]
    # Every kind, payment too: an agency's card paying for many unrelated clients is weaker evidence.
    for kind in set(KINDS) - {ROTATION}:
        assert CONFIG.weight(kind, 2000) == CONFIG.common[kind] < CONFIG.specific[kind]
    # Rotation weighs the same however many accounts rotate: it is the absence of an address range (config.py).
    assert CONFIG.weight(ROTATION, 2000) == CONFIG.weight(ROTATION, 2) > 0
    assert CONFIG.weight(CLIENT, CONFIG.max_df + 1) == 0.0  # too common to be evidence at all


def test_config_rejects_a_kind_that_links_on_its_own():
    with pytest.raises(ValueError, match="on its own"):
        CampaignConfig(link_threshold=0.7)


def test_a_nat_with_a_common_client_is_no_link_but_a_shared_card_with_it_is():
    nat, sdk = shared(NETWORK, "34.1.2", 300), shared(CLIENT, "OpenAI/Python 1.45.0", 3000)
    assert link_keys([nat, sdk], CONFIG.link_threshold) == []
    card = shared(PAYMENT, "pf_1", 5)
    assert len(link_keys([nat, sdk, card], CONFIG.link_threshold)) == 2  # card+nat, card+sdk
    agency_card = shared(PAYMENT, "pf_agency", 400)  # many unrelated clients on one card and a popular SDK
    assert link_keys([sdk, agency_card], CONFIG.link_threshold) == []


@pytest.mark.parametrize(
    ("first", "second", "linked"),
    [
        ((NETWORK, 5), (PAYMENT, 5), True),
        ((NETWORK, 5), (TEMPLATE, 5), True),
        ((TEMPLATE, 5), (TIMING, 5), True),
        ((NETWORK, 5), (CLIENT, 5), True),  # a small /24 and a rare client: one machine, as good as
        ((TEMPLATE, 500), (TIMING, 500), True),  # one scaffold, fired by one scheduler: a large campaign
        ((TEMPLATE, 500), (NETWORK, 500), False),  # a popular template behind a busy egress: a course
        ((PAYMENT, 500), (NETWORK, 500), True),  # one card, one egress: one organisation (scoring judges it)
        ((TIMING, 500), (CLIENT, 500), True),  # one scheduler, one SDK
        ((PAYMENT, 500), (CLIENT, 500), False),  # an agency card and a popular SDK
        ((CREATION, 5), (TEMPLATE, 500), False),  # opened together, on a common template: a lab session
        ((NETWORK, 500), (TEMPLATE, 5), False),  # a busy egress range
        ((CLIENT, 5), (TEMPLATE, 5), False),
    ],
)
def test_link_rules(first, second, linked):
    tokens = [shared(first[0], "x", first[1]), shared(second[0], "y", second[1])]
    assert bool(link_keys(tokens, CONFIG.link_threshold)) is linked


def test_two_values_of_one_kind_never_link():
    assert link_keys([shared(NETWORK, "34.1.2", 2), shared(NETWORK, "34.1.3", 2)], CONFIG.link_threshold) == []


def test_accounts_sharing_both_tokens_get_the_same_key_in_any_order():
    card, prefix, other = shared(PAYMENT, "pf_1", 3), shared(NETWORK, "34.1.2", 3), shared(NETWORK, "9.9.9", 2)
    a = set(link_keys([card, prefix], CONFIG.link_threshold))
    b = set(link_keys([prefix, other, card, card], CONFIG.link_threshold))
    c = set(link_keys([card, other], CONFIG.link_threshold))
    assert a < b and not a & c


def test_shared_tokens_weigh_a_posting_once_for_all_its_holders():
    token = Token(PAYMENT, "pf_1")
    assert shared_tokens(token, ("a", "b"), CONFIG) == [
        ("a", SharedToken(token, 2, CONFIG.specific[PAYMENT])),
        ("b", SharedToken(token, 2, CONFIG.specific[PAYMENT])),
    ]
    assert shared_tokens(token, ("a",), CONFIG) == []


@pytest.mark.parametrize("accounts", [(), ("b", "a"), ("a", "b", "c", "d")])
def test_the_posting_coder_keeps_what_merging_needs(accounts):
    combine = CollectPosting(limit=3)
    posting = combine.create_accumulator()
    for account in accounts:
        combine.add_input(posting, account)
    coder = combine.get_accumulator_coder()
    assert isinstance(coder, PostingCoder)
    decoded = coder.decode(coder.encode(posting))
    assert (decoded.limit, decoded.count, decoded.accounts) == (posting.limit, posting.count, posting.accounts)
    assert combine.extract_output(combine.merge_accumulators([decoded, Posting(3)])) == combine.extract_output(posting)


def test_postings_are_bounded_and_merge_like_one_pass():
    combine = CollectPosting(limit=3)
    left, right = combine.create_accumulator(), combine.create_accumulator()
    for account in ("c", "a"):
        combine.add_input(left, account)
    combine.add_input(right, "b")
    merged = combine.merge_accumulators([left, pickle.loads(pickle.dumps(right))])
    assert combine.extract_output(merged) == ("a", "b", "c")
    combine.add_input(merged, "d")  # one over the limit: too common, nothing is kept
    assert combine.extract_output(merged) == () and merged.count == 4
    overflowed = Posting(limit=1)
    overflowed.add("x")
    overflowed.add("y")
    fresh = Posting(limit=10)
    fresh.merge(overflowed)
    assert fresh.members() == ()


def test_a_shared_token_crosses_the_shuffle_as_plain_values_and_keeps_its_order():
    tokens = [SharedToken(Token("payment", "card-2"), 3, 0.6), SharedToken(Token("client", "sdk/1"), 40, 0.25)]
    wires = [to_wire(token) for token in tokens]
    assert all(type(value) in (str, int, float) for wire in wires for value in wire)
    assert [from_wire(wire) for wire in wires] == tokens
    assert sorted(wires) == [to_wire(token) for token in sorted(tokens)]  # link keys sort them either way
