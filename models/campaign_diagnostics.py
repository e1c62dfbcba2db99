"""Why campaign members are missed and why unrelated benign accounts are linked: the evidence behind each.

For one campaign window, from the same functions as the detector (`pipelines/campaigns/`):

* a missed member (in no campaign row) is classed by the gate that stops it: it shares no evidence with anyone;
  it sits in a cluster that scores below the alert floor; or it is in no cluster, and then what it shares with
  the rest of its campaign - per kind the strongest token, distinct cards, ranges and builds adding up, a
  creation time only as a burst and a schedule only when two members keep it, as attachment weighs it - is
  named by kinds with its total weight: below the link threshold no clustering could take it in, at or above
  it the campaign's members were split over clusters it could not reach;
* a cluster holding unrelated benign accounts is described by the strong links that seeded it (the kinds of
  the token pairs that reached the link threshold) and by its score against the alert floor.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pipelines.campaigns.attachment import ADDITIVE_KINDS, support_needed
from pipelines.campaigns.config import CampaignConfig
from pipelines.campaigns.evidence import AccountEvidence, AccountSummary, Token, summarise
from pipelines.campaigns.linking import SharedToken, shared_tokens
from pipelines.campaigns.offline import WindowDetection
from pipelines.campaigns.scoring import Member, cluster_features, cluster_score

_ROUNDING = 1e-9
KIND_NAMES = {
    "ip_prefix": "IP range", "payment": "card", "user_agent": "user agent", "template": "scaffold",
    "timing": "schedule", "created": "creation burst", "rotation": "address rotation",
}  # fmt: skip


@dataclass(frozen=True)
class WindowIndex:
    """The window's evidence as the detector sees it: each account's shared tokens and each token's holders."""

    summaries: dict[str, AccountSummary]
    shared: dict[str, list[SharedToken]]
    holders: dict[Token, tuple[str, ...]]


def index_window(evidence: Mapping[str, AccountEvidence], window_end: float, config: CampaignConfig) -> WindowIndex:
    summaries = {a: summarise(acc, window_end, config) for a, acc in evidence.items()}
    postings: dict[Token, list[str]] = defaultdict(list)
    for account_id, summary in summaries.items():
        for token in summary.tokens:
            postings[token].append(account_id)
    shared: dict[str, list[SharedToken]] = defaultdict(list)
    holders = {}
    for token, accounts in postings.items():
        members = tuple(sorted(accounts))
        pairs = shared_tokens(token, members, config)
        if pairs:
            holders[token] = members
        for account_id, held in pairs:
            shared[account_id].append(held)
    return WindowIndex(summaries, dict(shared), holders)


def _kinds(kinds: set[str]) -> str:
    return " + ".join(KIND_NAMES[k] for k in sorted(kinds)) if kinds else "nothing"


def evidence_towards(
    account_id: str, cluster: set[str], index: WindowIndex, config: CampaignConfig
) -> dict[str, float]:
    """What the account shares with the cluster's members, weighed as attachment weighs it: kind -> weight."""
    pieces: dict[object, tuple[str, float]] = {}
    for held in index.shared.get(account_id, []):
        support = sum(1 for a in index.holders[held.token] if a in cluster and a != account_id)
        if support < support_needed(held.token.kind, config):
            continue
        key = held.token if held.token.kind in ADDITIVE_KINDS else held.token.kind
        if key not in pieces or pieces[key][1] < held.weight:
            pieces[key] = (held.token.kind, held.weight)
    by_kind: dict[str, float] = defaultdict(float)
    for kind, weight in pieces.values():
        by_kind[kind] += weight
    return dict(by_kind)


def missed_reasons(
    detection: WindowDetection, index: WindowIndex, campaign_of: Mapping[str, str], config: CampaignConfig
) -> dict[str, Counter[str]]:
    """Per campaign, its missed members counted by the gate that stops them. What a member shares is weighed
    against all the other members of its campaign, as if they were one cluster: the most it could join on."""
    in_rows = {a for row in detection.rows for a in row["members"]}
    cluster_of = {a: cluster for cluster in detection.clusters for a in cluster}
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    most: dict[str, float] = defaultdict(float)  # the strongest total among members stopped for one reason
    for campaign in sorted(set(campaign_of.values())):
        members = {a for a, c in campaign_of.items() if c == campaign}
        for account_id in sorted(members - in_rows):
            if not index.shared.get(account_id):
                reason = "share nothing with anyone"
            elif account_id in cluster_of:
                reason = f"in a cluster of {len(cluster_of[account_id])} scoring below the floor"
            else:
                towards = evidence_towards(account_id, members, index, config)
                total = sum(towards.values())
                gate = "below" if total < config.link_threshold - _ROUNDING else "reaching"
                reason = f"share {_kinds(set(towards))}, {gate} the link threshold"
                most[reason] = max(most[reason], total)
            reasons[campaign][reason] += 1
    return {
        campaign: Counter({f"{r} (at most {most[r]:.2f})" if r in most else r: n for r, n in counted.items()})
        for campaign, counted in reasons.items()
    }


@dataclass(frozen=True)
class BenignCluster:
    label: str  # the group most of the cluster's benign accounts come from
    size: int
    false_pairs: int
    seeds: Counter[str]  # strong links inside the cluster, by the kinds of their two tokens
    score: float


def _seed_kinds(cluster: Sequence[str], index: WindowIndex, config: CampaignConfig) -> Counter[str]:
    groups: dict[tuple[Token, Token], int] = Counter()
    for account_id in cluster:
        tokens = sorted(set(index.shared.get(account_id, [])))
        for a, b in itertools.combinations(tokens, 2):
            if a.token.kind != b.token.kind and a.weight + b.weight >= config.link_threshold - _ROUNDING:
                groups[(a.token, b.token)] += 1
    seeds: Counter[str] = Counter()
    for (a, b), held in groups.items():
        if held >= 2:  # two members of the cluster hold both tokens: a strong link between them
            seeds[_kinds({a.kind, b.kind})] += 1
    return seeds


def benign_clusters(
    detection: WindowDetection,
    index: WindowIndex,
    benign: set[str],
    group_of: Mapping[str, str],
    label_of: Callable[[str], str],
    config: CampaignConfig,
) -> list[BenignCluster]:
    """Clusters holding unrelated benign accounts, largest number of false pairs first."""
    window_s = detection.window_end - detection.window_start
    found = []
    for cluster in detection.clusters:
        groups = Counter(group_of.get(a, a) for a in cluster if a in benign)
        count = sum(groups.values())
        pairs = (count * count - sum(n * n for n in groups.values())) // 2
        if not pairs:
            continue
        members = [Member(a, index.summaries[a].profile, tuple(sorted(index.shared.get(a, [])))) for a in cluster]
        score = cluster_score(cluster_features(members, window_s, config))
        label = Counter(label_of(a) for a in cluster if a in benign).most_common(1)[0][0]
        found.append(BenignCluster(label, len(cluster), pairs, _seed_kinds(cluster, index, config), score))
    return sorted(found, key=lambda c: (-c.false_pairs, c.label))


def missed_lines(reasons: Mapping[str, Counter[str]], names: Mapping[str, str]) -> list[str]:
    """Markdown table: per campaign (named by `names`), its missed members by gate, commonest first."""
    lines = ["| campaign | missed members, by what stops them |", "|---|---|"]
    for campaign in [*(c for c in names if c in reasons), *sorted(set(reasons) - set(names))]:
        counted = reasons[campaign]
        text = "; ".join(f"{n} {reason}" for reason, n in counted.most_common(5))
        rest = sum(counted.values()) - sum(n for _, n in counted.most_common(5))
        lines.append(f"| {names.get(campaign, campaign)} | {text}{f'; {rest} other' if rest else ''} |")
    return [*lines, ""] if reasons else []


def benign_lines(found: Sequence[BenignCluster], floor: float) -> list[str]:
    """Markdown table: per benign group, its clusters with unrelated pairs, how they were seeded, top score."""
    by_label: dict[str, list[BenignCluster]] = defaultdict(list)
    for cluster in found:
        by_label[cluster.label].append(cluster)
    lines = [
        "| benign group | clusters | accounts | false pairs | strong links seeding them "
        f"| highest score (floor {floor}) |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for label, clusters in sorted(by_label.items(), key=lambda kv: -sum(c.false_pairs for c in kv[1])):
        seeds: Counter[str] = sum((c.seeds for c in clusters), Counter())
        seeded = ", ".join(f"{kinds} ({n})" for kinds, n in seeds.most_common(3)) or "attachment only"
        lines.append(
            f"| {label} | {len(clusters)} | {sum(c.size for c in clusters)} | {sum(c.false_pairs for c in clusters)} "
            f"| {seeded} | {max(c.score for c in clusters):.2f} |"
        )
    return [*lines, ""] if found else []


def diagnosis_lines(
    evidence: Mapping[str, AccountEvidence],
    detection: WindowDetection,
    campaign_of: Mapping[str, str],
    names: Mapping[str, str],
    benign: set[str],
    group_of: Mapping[str, str],
    label_of: Callable[[str], str],
    config: CampaignConfig,
) -> list[str]:
    """Both tables, each under a sentence saying what it shows; nothing when no member is missed and no benign
    pair is linked."""
    index = index_window(evidence, detection.window_end, config)
    missed = missed_lines(missed_reasons(detection, index, campaign_of, config), names)
    clusters = benign_clusters(detection, index, benign, group_of, label_of, config)
    linked = benign_lines(clusters, config.severities[0][0])
    lines = []
    if missed:
        lines += [
            "Missed members, by what stops them (`models/campaign_diagnostics.py`): what each shares with the rest "
            f"of its campaign, weighed as attachment weighs it, against the link threshold {config.link_threshold}.",
            "",
            *missed,
        ]
    if linked:
        lines += ["Clusters holding unrelated benign accounts (none of them in a campaign row):", "", *linked]
    return lines
