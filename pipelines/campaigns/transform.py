"""`DetectCampaigns`: the cross-account stage as a Beam PTransform, for batch and streaming alike.

    events -> per-account evidence per campaign window (horizon, pane-then-combine, bounded accumulators)
           -> token -> accounts (bounded posting lists) -> weights by document frequency
           -> account -> link keys -> key -> accounts (strongly linked groups)
           -> union-find per window -> clusters -> members joined with their evidence and traffic profile
           -> clusters scored on the union of their members' traffic -> `campaigns` rows

Windows fire once, when the watermark passes their end (Beam's default trigger, no allowed lateness): a cluster
is a judgement over every account active in the window, so it is made once, on complete data. Events later
than that still count in the per-account windows; a campaign keeps running and is seen again in later windows.
The windows slide (`CampaignConfig.horizon_s` every `period_s`), so a sparse campaign is judged on hours of its
members' traffic, and each account's evidence is summarised horizon/period times per horizon, not per event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from pipelines.base import utc_now_iso
from pipelines.campaigns.attachment import ClustersFn, token_holders
from pipelines.campaigns.config import CampaignConfig
from pipelines.campaigns.evidence import AccountEvidence, AccountProfile, Token, summarise
from pipelines.campaigns.linking import CollectPosting, WireToken, from_wire, link_keys, shared_tokens, to_wire
from pipelines.campaigns.scoring import Member, campaign_row
from pipelines.windowing import AccountPanes, PanesToWindows, WindowsFromPanes

# Every grouping below carries its campaign window's start in the key, so a batch replay groups in the global
# window: the portable runners group a non-global window through a general trigger driver (timers per key and
# window), which cost more than the whole linking stage. In streaming the same keys group within the windows.
AccountKey = tuple[str, int]  # (account_id, window_start)


class WindowInKey(beam.DoFn):
    """Streaming: (account_id, evidence) in its campaign window -> ((account_id, window_start), evidence)."""

    def process(
        self, element: tuple[str, AccountEvidence], window_param: Any = beam.DoFn.WindowParam
    ) -> Iterator[tuple[AccountKey, AccountEvidence]]:
        account_id, evidence = element
        yield (account_id, window_param.start.micros // 1_000_000), evidence


def _link_memberships(
    element: tuple[AccountKey, Iterable[WireToken]], threshold: float
) -> Iterator[tuple[tuple[int, int], str]]:
    (account_id, start), tokens = element
    return (((start, key), account_id) for key in link_keys(map(from_wire, tokens), threshold))


def _shared_by_account(
    key: tuple[int, str, str], members: tuple[str, ...], config: CampaignConfig
) -> Iterator[tuple[AccountKey, WireToken]]:
    start, kind, value = key
    shared = shared_tokens(Token(kind, value), members, config)
    return (((account_id, start), to_wire(token)) for account_id, token in shared)


class JoinMember(beam.DoFn):
    """Joined ((account, start), {cluster, profile, shared}) -> ((start, cluster key), Member) for clustered ones."""

    def process(self, element: tuple[AccountKey, dict[str, list[Any]]]) -> Iterator[tuple[tuple[int, str], Member]]:
        (account_id, start), joined = element
        if not joined["cluster"] or not joined["profile"]:
            return
        shared = tuple(sorted(from_wire(token) for tokens in joined["shared"] for token in tokens))
        yield (start, joined["cluster"][0]), Member(account_id, AccountProfile.from_wire(joined["profile"][0]), shared)


class ScoreClusters(beam.DoFn):
    def __init__(self, config: CampaignConfig) -> None:
        self._config = config
        self.campaigns = beam.metrics.Metrics.counter("distillwatch", "campaigns")

    def process(self, element: tuple[tuple[int, str], Iterable[Member]]) -> Iterator[dict[str, Any]]:
        (start, _), members = element
        ordered = sorted(members, key=lambda m: m.account_id)
        end = start + self._config.horizon_s
        row = campaign_row(float(start), float(end), ordered, self._config, utc_now_iso())
        if row is not None:
            self.campaigns.inc()
            yield row


class DetectCampaigns(beam.PTransform):
    """Timestamped `UsageEvent`s -> `campaigns` rows (dicts keyed by that table's columns), one pass per window.

    The windows are the config's campaign windows (`CampaignConfig.window()`), independent of the per-account ones.
    """

    def __init__(self, streaming: bool, config: CampaignConfig | None = None, pane_s: int | None = None) -> None:
        """`pane_s` (batch only): the input is ((account_id, pane_start), AccountEvidence) panes of that many seconds,
        a whole number per campaign period, already accumulated from the events (pipelines/batch_panes.py)."""
        super().__init__()
        if pane_s is not None and streaming:
            raise ValueError("evidence panes as input are a batch replay's")
        self._streaming = streaming
        self._config = config or CampaignConfig()
        self._pane_s = pane_s

    def _evidence(self, events: beam.PCollection) -> beam.PCollection:
        """((account_id, window_start), AccountEvidence) per campaign window."""
        window = self._config.window()
        if self._pane_s is not None:
            return WindowsFromPanes(window, AccountEvidence, self._pane_s).expand(events)
        if not self._streaming:
            panes = AccountPanes(window.period_s, AccountEvidence).expand(events)
            return WindowsFromPanes(window, AccountEvidence).expand(panes)
        # One judgement per window, on complete data: no late firings.
        evidence = PanesToWindows(window, self._streaming, AccountEvidence, late_firings=False).expand(events)
        return evidence | "WindowInKey" >> beam.ParDo(WindowInKey())

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        config = self._config
        horizon_s = config.horizon_s
        summaries = self._evidence(events) | "Summarise" >> beam.MapTuple(
            lambda key, evidence: (key, summarise(evidence, float(key[1] + horizon_s), config))
        )
        postings = (
            summaries
            # Keyed by a plain (start, kind, value) tuple, which Beam encodes deterministically without pickling.
            | "ByToken" >> beam.FlatMapTuple(lambda key, s: (((key[1], t.kind, t.value), key[0]) for t in s.tokens))
            | "Postings" >> beam.CombinePerKey(CollectPosting(config.max_df))
        )
        shared = (
            postings
            | "Weigh" >> beam.FlatMapTuple(lambda key, members: _shared_by_account(key, members, config))
            | "SharedByAccount" >> beam.GroupByKey()
        )
        # Attachment runs on the tokens with all their holders, next to the strong links, in one combine per window.
        holders = postings | "Holders" >> beam.FlatMapTuple(
            lambda key, members: ((key[0], h) for h in token_holders(Token(key[1], key[2]), members, config))
        )
        groups = (
            shared
            | "LinkKeys" >> beam.FlatMap(_link_memberships, config.link_threshold)
            | "Links" >> beam.CombinePerKey(CollectPosting(config.max_df))
            | "LinkedGroups"
            >> beam.FlatMapTuple(lambda key, accounts: [(key[0], accounts)] if len(accounts) >= 2 else [])
        )
        clusters = (
            (groups, holders)
            | "LinksAndHolders" >> beam.Flatten()
            | "Clusters" >> beam.CombinePerKey(ClustersFn(config, config.min_members))
            | "ClusterOfAccount"
            >> beam.FlatMapTuple(lambda start, clusters: (((a, start), c[0]) for c in clusters for a in c))
        )
        profiles = summaries | "Profiles" >> beam.MapTuple(lambda key, s: (key, s.profile.to_wire()))
        return (
            {"cluster": clusters, "profile": profiles, "shared": shared}
            | "JoinMembers" >> beam.CoGroupByKey()
            | "Members" >> beam.ParDo(JoinMember())
            | "ByCluster" >> beam.GroupByKey()
            | "ScoreClusters" >> beam.ParDo(ScoreClusters(config))
        )
