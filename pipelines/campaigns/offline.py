"""The campaign stage in one plain Python process, from the same functions as the Beam graph.

Used by the evaluation (no runner overhead in the timings) and by the tests, which check that the Beam
transform produces exactly these rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelines.campaigns.attachment import clusters as grow_clusters
from pipelines.campaigns.attachment import token_holders
from pipelines.campaigns.config import CampaignConfig
from pipelines.campaigns.evidence import AccountEvidence, AccountSummary, Token, summarise
from pipelines.campaigns.linking import Posting, SharedToken, link_keys, shared_tokens
from pipelines.campaigns.scoring import Member, campaign_row
from pipelines.config import WindowConfig
from pipelines.contract import UsageEvent


@dataclass
class WindowDetection:
    window_start: float
    window_end: float
    clusters: list[tuple[str, ...]]  # every connected component of >= 2 accounts, alerted or not
    rows: list[dict[str, Any]]  # campaigns table rows (alerting clusters)
    work: dict[str, int] = field(default_factory=dict)  # sizes of the intermediate collections


def window_evidence(
    events: Iterable[UsageEvent], window: WindowConfig
) -> dict[tuple[float, float], dict[str, AccountEvidence]]:
    """Evidence per (window, account) for every sliding window with an event, built pane by pane like Beam."""
    period, size = window.period_s, window.size_s
    panes: dict[int, dict[str, AccountEvidence]] = defaultdict(dict)
    for event in events:
        pane = panes[int(event.timestamp // period) * period]
        evidence = pane.get(event.account_id)
        if evidence is None:
            evidence = pane[event.account_id] = AccountEvidence()
        evidence.add(event)
    windows: dict[tuple[float, float], dict[str, AccountEvidence]] = defaultdict(dict)
    for pane_start in sorted(panes):
        for start in range(pane_start - size + period, pane_start + period, period):
            accounts = windows[(float(start), float(start + size))]
            for account_id, evidence in panes[pane_start].items():
                accounts.setdefault(account_id, AccountEvidence()).merge(evidence)
    return dict(windows)


def detect_window(
    evidence: Mapping[str, AccountEvidence],
    window_start: float,
    window_end: float,
    config: CampaignConfig,
    created_at: str = "",
) -> WindowDetection:
    summaries: dict[str, AccountSummary] = {
        account_id: summarise(acc, window_end, config) for account_id, acc in evidence.items()
    }
    postings: dict[Token, Posting] = defaultdict(lambda: Posting(config.max_df))
    for account_id, summary in summaries.items():
        for token in summary.tokens:
            postings[token].add(account_id)
    shared: dict[str, list[SharedToken]] = defaultdict(list)
    for token, posting in postings.items():
        for account_id, shared_token in shared_tokens(token, posting.members(), config):
            shared[account_id].append(shared_token)
    links: dict[int, Posting] = defaultdict(lambda: Posting(config.max_df))
    for account_id, tokens in shared.items():
        for key in link_keys(tokens, config.link_threshold):
            links[key].add(account_id)
    groups = [members for posting in links.values() if len(members := posting.members()) >= 2]
    holders = [held for token, posting in postings.items() for held in token_holders(token, posting.members(), config)]
    clusters = grow_clusters(groups, holders, config)
    rows = []
    for cluster in clusters:
        members = [Member(a, summaries[a].profile, tuple(sorted(shared[a]))) for a in cluster]
        row = campaign_row(window_start, window_end, members, config, created_at)
        if row is not None:
            rows.append(row)
    work = {
        "accounts": len(summaries),
        "token_memberships": sum(len(s.tokens) for s in summaries.values()),
        "shared_memberships": sum(len(tokens) for tokens in shared.values()),
        "link_memberships": sum(p.count for p in links.values()),
        "link_groups": len(groups),
        "linked_accounts": sum(len(c) for c in clusters),
    }
    return WindowDetection(window_start, window_end, clusters, rows, work)


def detect_campaigns(
    events: Iterable[UsageEvent], config: CampaignConfig, created_at: str = ""
) -> list[WindowDetection]:
    """Every campaign window's clusters and campaign rows."""
    return [
        detect_window(evidence, start, end, config, created_at)
        for (start, end), evidence in sorted(window_evidence(events, config.window()).items())
    ]
