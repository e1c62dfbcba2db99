"""The simulator's own campaign scenarios (`simulator/campaign_catalogue.py`), measured like the rest.

One campaign window of a simulation with campaigns of 20 to 2,000 accounts (the simulator picks each campaign's
variant: synchronised, load-balanced proxy, payment groups; held out: staggered, virtual cards) and benign
cohorts (company behind SSO, university class, open-source SDK default agent, agency card, bootcamp). Members
the simulator runs above the per-account floor are counted apart: the target is for those below it.
"""

from __future__ import annotations

import bisect
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import orjson

from models.campaign_diagnostics import diagnosis_lines
from models.campaign_evaluation import FLOOR, busiest_hour, detect, false_links
from pipelines.campaigns.config import TEMPLATE, TIMING, CampaignConfig
from pipelines.campaigns.evidence import AccountEvidence, summarise
from pipelines.contract import UsageEvent, decode_event
from simulator.generator import SimulationConfig, generate_events, generate_ground_truth

BENIGN_ACCOUNTS = 300
COHORT_SIZES = (100, 100, 100, 100, 100)
RATE_SCALE = 0.3  # every simulated account at 0.3 of its catalogue rate: six hours stay quick to generate
RELATED_COHORTS = ("company_sso",)  # one company's accounts are one organisation; other cohorts are strangers
CO_FIRING_S = 5.0  # a request "fires with" another member's when they are this close


@dataclass(frozen=True)
class Revealed:
    """What a campaign's members give the detector to link them on, over the window."""

    median_requests: float
    with_timing: float  # share of members active in enough 10-second slots to carry timing tokens
    with_template: float  # share of members whose prompts show recurring scaffold shingles
    shared_card: float  # share of members on a card another member also uses
    co_firing: float  # share of the members' requests within CO_FIRING_S of another member's request
    co_firing_at_random: float  # the same, for as many requests at independent uniform times


def _co_firing(stamps: Sequence[tuple[float, str]]) -> float:
    times = [t for t, _ in stamps]
    near = 0
    for t, account in stamps:
        low, high = bisect.bisect_left(times, t - CO_FIRING_S), bisect.bisect_right(times, t + CO_FIRING_S)
        near += any(stamps[j][1] != account for j in range(low, high))
    return near / len(stamps)


def revealed(
    members: Sequence[str], events: Sequence[UsageEvent], evidence: Mapping[str, AccountEvidence],
    window: tuple[float, float], config: CampaignConfig,
) -> Revealed:  # fmt: skip
    own = set(members)
    mine = [e for e in events if e.account_id in own and window[0] <= e.timestamp < window[1]]
    requests = Counter(e.account_id for e in mine)
    kinds = [{t.kind for t in summarise(evidence[a], window[1], config).tokens} for a in members if a in evidence]
    cards = {e.account_id: e.account.payment_fingerprint for e in mine if e.account}
    holders = Counter(cards.values())
    stamps = sorted((e.timestamp, e.account_id) for e in mine)
    rng = random.Random(len(stamps))
    at_random = sorted((rng.uniform(*window), str(i)) for i in range(len(stamps)))
    return Revealed(
        median_requests=statistics.median(requests[a] for a in members),
        with_timing=sum(TIMING in k for k in kinds) / len(members),
        with_template=sum(TEMPLATE in k for k in kinds) / len(members),
        shared_card=sum(holders[c] > 1 for c in cards.values()) / len(members),
        co_firing=_co_firing(stamps),
        co_firing_at_random=_co_firing(at_random),
    )


@dataclass(frozen=True)
class SimulatedCampaign:
    campaign_id: str
    variant: str
    size: int  # members active in the window
    below_floor: int  # of them, members never reaching the per-account floor in any hour
    placed: int  # members in rows in which this campaign holds the majority
    placed_below_floor: int
    rows: int
    revealed: Revealed
    in_rows: int  # members in any campaign row, whichever campaign the row is named for


@dataclass(frozen=True)
class SimulatedResult:
    held_out: bool
    events: int
    accounts: int
    seconds: float
    campaigns: list[SimulatedCampaign]
    cohort_accounts: int
    benign_accounts: int
    benign_in_rows: int
    false_link_pairs: int
    benign_pairs: int
    diagnosis: list[str]  # missed members and falsely linked benign clusters, explained (campaign_diagnostics)


def evaluate_simulated(held_out: bool, sizes: Sequence[int], config: CampaignConfig, seed: int) -> SimulatedResult:
    accounts = sum(sizes) + BENIGN_ACCOUNTS + sum(COHORT_SIZES)
    simulation = SimulationConfig(
        seed=seed, accounts=accounts, duration_hours=config.horizon_s / 3600,
        extraction_fraction=sum(sizes) / accounts, campaign_sizes=tuple(sizes), cohort_sizes=COHORT_SIZES,
        held_out_variants=held_out, rate_scale=RATE_SCALE,
    )  # fmt: skip
    truth = {t.account_id: t for t in generate_ground_truth(simulation)}
    events = [decode_event(orjson.dumps(e)) for e in generate_events(simulation)]
    started = time.perf_counter()
    evidence, detection = detect(events, simulation.start.timestamp(), config)
    seconds = time.perf_counter() - started

    active = {e.account_id for e in events}
    campaign_of = {a: t.campaign_id for a, t in truth.items() if t.campaign_id and a in active}
    busiest = busiest_hour(e for e in events if e.account_id in campaign_of)
    majority = [Counter(campaign_of.get(a) for a in row["members"]).most_common(1)[0][0] for row in detection.rows]
    placed: dict[str, set[str]] = defaultdict(set)
    rows: Counter[str] = Counter()
    for row, owner in zip(detection.rows, majority, strict=True):
        if owner:
            rows[owner] += 1
            placed[owner] |= {a for a in row["members"] if campaign_of.get(a) == owner}
    in_any_row = {a for row in detection.rows for a in row["members"]}
    campaigns = []
    for campaign_id in sorted(set(campaign_of.values())):
        members = {a for a, c in campaign_of.items() if c == campaign_id}
        quiet = {a for a in members if busiest[a] < FLOOR}
        variant = next(truth[a].variant for a in members)
        found = placed[campaign_id]
        anywhere = in_any_row & members
        window = (detection.window_start, detection.window_end)
        shown = revealed(sorted(members), events, evidence, window, config)
        campaigns.append(
            SimulatedCampaign(
                campaign_id, variant, len(members), len(quiet), len(found), len(found & quiet), rows[campaign_id],
                shown, len(anywhere),
            )
        )  # fmt: skip
    benign = active - set(campaign_of)
    payments = {e.account_id: e.account.payment_fingerprint for e in events if e.account}
    shared = Counter(payments.values())
    group_of = {a: f"org:{p}" for a, p in payments.items() if shared[p] > 1 and truth[a].archetype != "benign_cohort"}
    group_of.update({a: truth[a].variant for a in benign if truth[a].variant in RELATED_COHORTS})
    pairs, _ = false_links(detection.clusters, benign, group_of)
    return SimulatedResult(
        held_out=held_out,
        events=len(events),
        accounts=len(active),
        seconds=seconds,
        campaigns=campaigns,
        cohort_accounts=sum(1 for a in benign if truth[a].archetype == "benign_cohort"),
        benign_accounts=len(benign),
        benign_in_rows=sum(1 for row in detection.rows for a in row["members"] if a in benign),
        false_link_pairs=pairs,
        benign_pairs=len(benign) * (len(benign) - 1) // 2,
        diagnosis=diagnosis_lines(
            evidence,
            detection,
            campaign_of,
            {c.campaign_id: f"{c.campaign_id} ({c.variant})" for c in campaigns},
            benign,
            group_of,
            lambda a: truth[a].variant,
            config,
        ),
    )


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def simulated_section(result: SimulatedResult) -> list[str]:
    variants = "held-out variants" if result.held_out else "training variants"
    lines = [
        f"## Simulator campaigns, {variants}",
        "",
        f"`simulator/campaign_catalogue.py`: {result.accounts:,} active accounts ({result.cohort_accounts} in "
        f"benign cohorts), {result.events:,} events; detection took {result.seconds:.1f} s in one process.",
        "",
        "| campaign | variant | active members | below the floor | member recall | recall below the floor | rows "
        "| in any campaign row |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in result.campaigns:
        below = _pct(c.placed_below_floor / c.below_floor) if c.below_floor else "-"
        lines.append(
            f"| {c.campaign_id} | {c.variant} | {c.size:,} | {c.below_floor:,} | {_pct(c.placed / c.size)} | "
            f"{below} | {c.rows} | {_pct(c.in_rows / c.size)} |"
        )
    quiet = sum(c.below_floor for c in result.campaigns)
    lines += [
        "",
        "| measure | value |",
        "|---|---|",
        f"| member recall | {_pct(sum(c.placed for c in result.campaigns) / sum(c.size for c in result.campaigns))} |",
        f"| member recall below the floor | "
        f"{_pct(sum(c.placed_below_floor for c in result.campaigns) / quiet) if quiet else '-'} |",
        f"| benign accounts in campaign rows | {result.benign_in_rows} of {result.benign_accounts:,} |",
        f"| false links between unrelated benign accounts | {result.false_link_pairs} pairs of "
        f"{result.benign_pairs:,} |",
        "",
        f"What the members give the detector to link them on: requests per member in the window (median), the "
        f"shares of members carrying timing tokens (active in at least {CampaignConfig().min_timing_slots} "
        f"10-second slots) and scaffold tokens, on a card another member uses; and the share of their requests "
        f"within {CO_FIRING_S:g} s of another member's, against as many requests at independent random times.",
        "",
        "| campaign | variant | requests per member | timing tokens | scaffold tokens | shared card "
        "| requests near another member's | at random times |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {c.campaign_id} | {c.variant} | {c.revealed.median_requests:g} | {_pct(c.revealed.with_timing)} | "
            f"{_pct(c.revealed.with_template)} | {_pct(c.revealed.shared_card)} | {_pct(c.revealed.co_firing)} | "
            f"{_pct(c.revealed.co_firing_at_random)} |"
            for c in result.campaigns
        ),
        "",
        *result.diagnosis,
    ]
    return lines
