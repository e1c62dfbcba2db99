"""Linking accounts through an inverted index on evidence tokens, never by comparing accounts pairwise.

1. Posting lists: token -> accounts holding it in the window. A token's document frequency (df) sets its weight
   (`CampaignConfig.weight`): tokens nobody else holds are dropped, tokens many accounts hold (a cloud egress /24,
   a popular SDK version) are down-weighted, tokens beyond `max_df` are dropped, so no posting list is unbounded.
2. Link keys: an account's strong links are the pairs of its shared tokens of *different* kinds whose weights
   reach the link threshold. The pair (a, b) becomes one key; two accounts hold the same key iff they share both
   tokens. Grouping by key therefore yields exactly the groups of accounts that are strongly linked to each
   other, without enumerating account pairs.

Cost per campaign window (accounts A active in it, at most T = 3 * top_values + template_bands + timing_bands + 3
tokens each, posting lists capped at `max_df`): O(A x T) for the index and O(A x T^2) for the link keys (only
pairs of different kinds above the threshold); both linear in A with per-account constants bounded by
`CampaignConfig`, never the O(A^2) of comparing accounts. Attachment (`attachment.py`) then grows the clusters
in O(R x C x M): at most R rounds over the M shared memberships, each credited to at most C clusters. The
evidence is accumulated per pane and merged into horizon/period windows, so each event is added once and each
account is summarised horizon/period times.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import NamedTuple

import apache_beam as beam

from pipelines.campaigns.config import CampaignConfig
from pipelines.campaigns.evidence import Token
from pipelines.campaigns.lsh import stable_hash64

_ROUNDING = 1e-9  # weights that add up to the threshold exactly must not miss it by a float rounding


class SharedToken(NamedTuple):
    """A token held by `df` accounts in the window, and its evidence weight."""

    token: Token
    df: int
    weight: float


class Posting:
    """Accounts under one key. Past `limit` only the count is kept: the key is then too common to be evidence."""

    __slots__ = ("accounts", "count", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.accounts: set[str] | None = set()

    def add(self, account_id: str) -> None:
        self.count += 1
        if self.accounts is not None:
            self.accounts.add(account_id)
            if len(self.accounts) > self.limit:
                self.accounts = None

    def merge(self, other: Posting) -> None:
        self.count += other.count
        if self.accounts is None or other.accounts is None:
            self.accounts = None
            return
        self.accounts |= other.accounts
        if len(self.accounts) > self.limit:
            self.accounts = None

    def members(self) -> tuple[str, ...]:
        """Sorted accounts; empty when the key overflowed."""
        return tuple(sorted(self.accounts)) if self.accounts is not None else ()

    def __getstate__(self) -> tuple[int, int, set[str] | None]:
        return self.limit, self.count, self.accounts

    def __setstate__(self, state: tuple[int, int, set[str] | None]) -> None:
        self.limit, self.count, self.accounts = state


class PostingCoder(beam.coders.Coder):
    """A `Posting` as a tuple of primitives: the runner's default coder would pickle every partial posting, and the
    posting lists are the campaign stage's most numerous elements (several per account and window)."""

    _primitives = beam.coders.FastPrimitivesCoder()

    def encode(self, posting: Posting) -> bytes:
        return self._primitives.encode((posting.limit, posting.count, posting.accounts))

    def decode(self, encoded: bytes) -> Posting:
        posting = Posting.__new__(Posting)
        posting.limit, posting.count, posting.accounts = self._primitives.decode(encoded)
        return posting

    def is_deterministic(self) -> bool:
        return False


class CollectPosting(beam.CombineFn):
    """CombinePerKey(key -> account) into a bounded `Posting`; combiner lifting pre-aggregates per worker."""

    def __init__(self, limit: int) -> None:
        self._limit = limit

    def create_accumulator(self) -> Posting:
        return Posting(self._limit)

    def add_input(self, posting: Posting, account_id: str) -> Posting:
        posting.add(account_id)
        return posting

    def merge_accumulators(self, postings: Iterable[Posting]) -> Posting:
        merged, *rest = postings
        for posting in rest:
            merged.merge(posting)
        return merged

    def extract_output(self, posting: Posting) -> tuple[str, ...]:
        return posting.members()

    def get_accumulator_coder(self) -> PostingCoder:
        return PostingCoder()


def shared_tokens(token: Token, members: tuple[str, ...], config: CampaignConfig) -> list[tuple[str, SharedToken]]:
    """(account, SharedToken) for each holder of a token that counts as evidence; nothing for the others."""
    weight = config.weight(token.kind, len(members))
    if weight <= 0:
        return []
    shared = SharedToken(token, len(members), weight)
    return [(account_id, shared) for account_id in members]


# A SharedToken as plain values, which Beam's coder writes without pickling; the shuffles of shared tokens carry
# one per account and token of the window.
WireToken = tuple[str, str, int, float]  # (kind, value, df, weight)


def to_wire(shared: SharedToken) -> WireToken:
    return shared.token.kind, shared.token.value, shared.df, shared.weight


def from_wire(wire: WireToken) -> SharedToken:
    kind, value, df, weight = wire
    return SharedToken(Token(kind, value), df, weight)


def link_keys(tokens: Iterable[SharedToken], threshold: float) -> list[int]:
    """Keys of the strong links an account can be part of: one per pair of its shared tokens of different kinds
    whose weights reach `threshold`. Two accounts hold a key in common iff they share both of its tokens."""
    ordered = sorted(set(tokens))
    return [
        stable_hash64(f"{a.token.kind}\x1f{a.token.value}\x1e{b.token.kind}\x1f{b.token.value}")
        for a, b in itertools.combinations(ordered, 2)
        if a.token.kind != b.token.kind and a.weight + b.weight >= threshold - _ROUNDING
    ]
