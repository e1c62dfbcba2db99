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
from pipelines.campaigns.evidence import AccountEvidence, AccountSummary, Token, summarise
from pipelines.campaigns.linking import CollectPosting, SharedToken, link_keys, shared_tokens
from pipelines.campaigns.scoring import Member, campaign_row
from pipelines.windowing import PanesToWindows


class Summarise(beam.DoFn):
    def __init__(self, config: CampaignConfig) -> None:
        self._config = config

    def process(
        self, element: tuple[str, AccountEvidence], window_param: Any = beam.DoFn.WindowParam
    ) -> Iterator[tuple[str, AccountSummary]]:
        account_id, evidence = element
        yield account_id, summarise(evidence, float(window_param.end), self._config)


def _link_memberships(element: tuple[str, Iterable[SharedToken]], threshold: float) -> Iterator[tuple[int, str]]:
    account_id, tokens = element
    return ((key, account_id) for key in link_keys(tokens, threshold))


class JoinMember(beam.DoFn):
    """Joined (account, {cluster, summary, shared}) -> (cluster key, Member) for accounts in a cluster."""

    def process(self, element: tuple[str, dict[str, list[Any]]]) -> Iterator[tuple[str, Member]]:
        account_id, joined = element
        if not joined["cluster"] or not joined["summary"]:
            return
        shared = tuple(sorted(token for tokens in joined["shared"] for token in tokens))
        yield joined["cluster"][0], Member(account_id, joined["summary"][0].profile, shared)


class ScoreClusters(beam.DoFn):
    def __init__(self, config: CampaignConfig) -> None:
        self._config = config
        self.campaigns = beam.metrics.Metrics.counter("distillwatch", "campaigns")

    def process(
        self, element: tuple[str, Iterable[Member]], window_param: Any = beam.DoFn.WindowParam
    ) -> Iterator[dict[str, Any]]:
        _, members = element
        ordered = sorted(members, key=lambda m: m.account_id)
        row = campaign_row(float(window_param.start), float(window_param.end), ordered, self._config, utc_now_iso())
        if row is not None:
            self.campaigns.inc()
            yield row


class DetectCampaigns(beam.PTransform):
    """Timestamped `UsageEvent`s -> `campaigns` rows (dicts keyed by that table's columns), one pass per window.

    The windows are the config's campaign windows (`CampaignConfig.window()`), independent of the per-account ones.
    """

    def __init__(self, streaming: bool, config: CampaignConfig | None = None) -> None:
        super().__init__()
        self._streaming = streaming
        self._config = config or CampaignConfig()

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        config = self._config
        # One judgement per window, on complete data: no late firings.
        evidence = PanesToWindows(config.window(), self._streaming, AccountEvidence, late_firings=False).expand(events)
        summaries = evidence | "Summarise" >> beam.ParDo(Summarise(config))
        postings = (
            summaries
            # Keyed by a plain (kind, value) tuple, which Beam encodes deterministically without pickling.
            | "ByToken" >> beam.FlatMap(lambda kv: (((t.kind, t.value), kv[0]) for t in kv[1].tokens))
            | "Postings" >> beam.CombinePerKey(CollectPosting(config.max_df))
        )
        shared = (
            postings
            | "Weigh" >> beam.FlatMapTuple(lambda key, members: shared_tokens(Token(*key), members, config))
            | "SharedByAccount" >> beam.GroupByKey()
        )
        # Attachment runs on the tokens with all their holders, next to the strong links, in the one combine.
        holders = postings | "Holders" >> beam.FlatMapTuple(
            lambda key, members: token_holders(Token(*key), members, config)
        )
        groups = (
            shared
            | "LinkKeys" >> beam.FlatMap(_link_memberships, config.link_threshold)
            | "Links" >> beam.CombinePerKey(CollectPosting(config.max_df))
            | "LinkedGroups" >> beam.FlatMapTuple(lambda _, accounts: [accounts] if len(accounts) >= 2 else [])
        )
        clusters = (
            (groups, holders)
            | "LinksAndHolders" >> beam.Flatten()
            | "Clusters" >> beam.CombineGlobally(ClustersFn(config, config.min_members)).without_defaults()
            | "ClusterOfAccount" >> beam.FlatMap(lambda clusters: ((a, c[0]) for c in clusters for a in c))
        )
        return (
            {"cluster": clusters, "summary": summaries, "shared": shared}
            | "JoinMembers" >> beam.CoGroupByKey()
            | "Members" >> beam.ParDo(JoinMember())
            | "ByCluster" >> beam.GroupByKey()
            | "ScoreClusters" >> beam.ParDo(ScoreClusters(config))
        )
