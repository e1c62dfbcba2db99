"""Clusters grown by the evidence an account shares with a cluster as a whole, not with any one member.

A sparse campaign member shares one thing with each of several members (its card with one, its SDK build with
another, a proxy range with a third) and so holds no strong link (`linking.py`) with any of them. Its evidence
adds up against the cluster those members form: per token it shares with the cluster, the token's weight (by
document frequency, as for links); per kind the strongest token counts, except that distinct infrastructure
values (IP ranges, cards, client builds) add up - two of the cluster's address ranges say more than one. An
account whose evidence with a cluster reaches the link threshold joins it (a member of another cluster merges
the two); rounds repeat on the grown clusters until nothing changes or `CampaignConfig.attach_rounds` pass.

A creation time counts only when several of the cluster's members share it (`burst_support`): a cluster of
thousands holds creation times on most days, and one of them matching is chance, not a burst. Likewise a schedule
(`schedule_support`): a scheduler fires many members in the same seconds, so a timing band that only one member
of the cluster holds is a chance collision.

Only clusters seeded by strong links attract accounts: strangers who share a popular SDK and a course template
never form a cluster here, however many of them there are.

Cost per round: each token's holders are counted per cluster and each holder is credited towards at most
`attach_clusters` clusters the token touches most, so a round costs O(M x C) for M shared memberships (the
`shared memberships` of the evaluation) and C = `attach_clusters`; no account pair is ever enumerated.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import apache_beam as beam

from pipelines.campaigns.clustering import UnionFind
from pipelines.campaigns.config import CLIENT, CREATION, NETWORK, PAYMENT, TIMING, CampaignConfig
from pipelines.campaigns.evidence import Token
from pipelines.campaigns.linking import SharedToken

_ROUNDING = 1e-9
ADDITIVE_KINDS = frozenset({NETWORK, PAYMENT, CLIENT})  # distinct values are independent pieces of evidence


class TokenHolders(NamedTuple):
    """A token that counts as evidence in the window, with every account holding it (sorted)."""

    shared: SharedToken
    accounts: tuple[str, ...]


def support_needed(kind: str, config: CampaignConfig) -> int:
    """Members of a cluster that must hold a token of `kind` for it to count towards the cluster."""
    if kind == CREATION:
        return config.burst_support
    return config.schedule_support if kind == TIMING else 1


def token_holders(token: Token, accounts: tuple[str, ...], config: CampaignConfig) -> list[TokenHolders]:
    """The token with its holders when it counts as evidence (as `linking.shared_tokens` weighs it)."""
    weight = config.weight(token.kind, len(accounts))
    return [TokenHolders(SharedToken(token, len(accounts), weight), accounts)] if weight > 0 else []


def _cluster_ids(forest: UnionFind) -> dict[str, str]:
    """Account -> its cluster's smallest member, for accounts in clusters of two or more: names that do not
    depend on the order in which the forest was built (batch and streaming merge in different orders)."""
    return {account: cluster[0] for cluster in forest.components(2) for account in cluster}


def attachments(
    holders: Sequence[TokenHolders], cluster_of: dict[str, str], config: CampaignConfig
) -> list[tuple[str, str]]:
    """(account, cluster id) pairs whose accumulated evidence reaches the link threshold."""
    evidence: dict[tuple[str, str], dict[object, float]] = defaultdict(dict)
    for shared, accounts in holders:
        kind = shared.token.kind
        support = support_needed(kind, config)
        touched = Counter(cluster_of[a] for a in accounts if a in cluster_of)
        ranked = sorted((item for item in touched.items() if item[1] >= support), key=lambda x: (-x[1], x[0]))
        clusters = [cluster for cluster, _ in ranked[: config.attach_clusters]]
        if not clusters:
            continue
        key = shared.token if kind in ADDITIVE_KINDS else kind
        for account in accounts:
            own = cluster_of.get(account)
            for cluster in clusters:
                if cluster != own:
                    pieces = evidence[(account, cluster)]
                    pieces[key] = max(pieces.get(key, 0.0), shared.weight)
    joins = []
    for (account, cluster), pieces in evidence.items():
        # An account in a cluster of its own brings that cluster along (`merge_threshold` may ask more for that).
        threshold = config.merge_threshold if account in cluster_of else config.link_threshold
        if sum(pieces.values()) >= threshold - _ROUNDING:
            joins.append((account, cluster))
    return sorted(joins)


def attach(forest: UnionFind, holders: Iterable[TokenHolders], config: CampaignConfig) -> UnionFind:
    ordered = sorted(holders)
    for _ in range(config.attach_rounds):
        joins = attachments(ordered, _cluster_ids(forest), config)
        if not joins:
            break
        for account, cluster in joins:
            forest.union(account, cluster)
    return forest


def clusters(
    groups: Iterable[Sequence[str]], holders: Iterable[TokenHolders], config: CampaignConfig, min_size: int = 2
) -> list[tuple[str, ...]]:
    """Components of the strong links, grown by attachment: each sorted, ordered by their first member."""
    forest = UnionFind()
    for group in groups:
        forest.union_all(group)
    return attach(forest, holders, config).components(min_size)


class LinkForest:
    """The combine's accumulator: the strong-link forest and the evidence tokens attachment runs on."""

    __slots__ = ("forest", "holders")

    def __init__(self) -> None:
        self.forest = UnionFind()
        self.holders: list[TokenHolders] = []

    def __getstate__(self) -> tuple[UnionFind, list[TokenHolders]]:
        return self.forest, self.holders

    def __setstate__(self, state: tuple[UnionFind, list[TokenHolders]]) -> None:
        self.forest, self.holders = state


class ClustersFn(beam.CombineFn):
    """CombineGlobally(link group | TokenHolders -> clusters of the window)."""

    def __init__(self, config: CampaignConfig, min_size: int) -> None:
        self._config = config
        self._min_size = min_size

    def create_accumulator(self) -> LinkForest:
        return LinkForest()

    def add_input(self, accumulator: LinkForest, element: Sequence[str] | TokenHolders) -> LinkForest:
        if isinstance(element, TokenHolders):
            accumulator.holders.append(element)
        else:
            accumulator.forest.union_all(element)
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[LinkForest]) -> LinkForest:
        merged, *rest = accumulators
        for other in rest:
            merged.forest.merge(other.forest)
            merged.holders += other.holders
        return merged

    def extract_output(self, accumulator: LinkForest) -> list[tuple[str, ...]]:
        return attach(accumulator.forest, accumulator.holders, self._config).components(self._min_size)
