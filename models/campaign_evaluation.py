"""Evaluates campaign detection on spread-out campaigns and measures how its cost grows with the number of accounts.

    python -m models.campaign_evaluation [--quick] [--output models/report/CAMPAIGNS.md]

Quality: per scenario, one campaign window (the stage's horizon) of benign simulator traffic, the hard negatives
of `campaign_scenarios` and campaigns of 20 to 2,000 accounts in which no signal is universal, every member
sending a few requests an hour - below the per-account alert floor in every per-account window. Scenarios vary
the per-member rate and how tightly the campaign's scheduler synchronises its members.

Scaling: populations of N accounts (independent accounts plus campaigns) detected in one process (`offline.py`,
the Beam graph's functions), so the timings measure the algorithm, not a runner.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from models.campaign_diagnostics import diagnosis_lines
from models.campaign_scenarios import CampaignSpec, campaign_events, hard_negatives
from pipelines.campaigns.config import DETECTOR_VERSION, CampaignConfig
from pipelines.campaigns.evidence import AccountEvidence
from pipelines.campaigns.offline import WindowDetection, detect_window, window_evidence
from pipelines.config import AlertPolicyConfig
from pipelines.contract import UsageEvent, decode_event
from simulator.generator import SimulationConfig, generate_events

REPORT_PATH = Path(__file__).resolve().parent / "report" / "CAMPAIGNS.md"
SIZES = (20, 150, 500, 2000)
QUICK_SIZES = (20, 150)
BACKGROUND_ACCOUNTS = 600
BACKGROUND_RATE = 0.15  # simulator rate scale: keeps six hours of benign traffic quick to generate
FLOOR = AlertPolicyConfig().min_requests
SEED = 41  # the committed report's first seed


@dataclass(frozen=True)
class Scenario:
    name: str
    rate: float  # requests per member per hour
    participation: float = 0.9
    jitter_s: float = 3.0
    synchronised_share: float = 0.8

    def campaigns(self, sizes: Sequence[int]) -> list[CampaignSpec]:
        return [
            CampaignSpec(f"c{size}", size, self.rate, self.synchronised_share, self.participation, self.jitter_s)
            for size in sizes
        ]


SCENARIOS = (
    Scenario("2 requests/h, synchronised", 2.0),
    Scenario("4 requests/h, synchronised", 4.0),
    Scenario("12 requests/h, synchronised", 12.0),
    Scenario("4 requests/h, loosely synchronised", 4.0, participation=0.6, jitter_s=8.0, synchronised_share=0.5),
    Scenario("4 requests/h, unsynchronised", 4.0, synchronised_share=0.0),
)
QUICK_SCENARIOS = (SCENARIOS[1],)
SCALING_ACCOUNTS = (1000, 2000, 4000, 8000, 16000)
QUICK_SCALING_ACCOUNTS = (500, 1000, 2000)
SCALING_REPEATS = 3
# Scaling is timed in CPU seconds of this process: on a shared machine wall time also measures the other tenants.


# --- quality --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignResult:
    name: str
    size: int
    max_hourly_requests: int  # the busiest member's requests in any one-hour span
    rows: int  # campaign rows in which this campaign holds the majority
    placed: int  # members in those rows
    in_rows: int  # members in any campaign row: alerted as campaign members, whichever campaign the row is named for

    @property
    def found(self) -> bool:
        return self.placed >= self.size / 2

    @property
    def found_in_any_row(self) -> bool:
        return self.in_rows >= self.size / 2


@dataclass(frozen=True)
class QualityResult:
    scenario: Scenario
    events: int
    accounts: int
    seconds: float
    campaigns: list[CampaignResult]
    rows: int  # campaign rows of the window
    member_precision: float
    members_in_rows: int  # members of campaign rows, campaign members and benign accounts alike
    benign_accounts: int
    benign_in_rows: int
    false_link_pairs: int
    falsely_linked: int
    benign_pairs: int
    diagnosis: list[str]  # missed members and falsely linked benign clusters, explained (campaign_diagnostics)


def background(start: dt.datetime, hours: float, seed: int) -> tuple[list[UsageEvent], dict[str, str]]:
    """Benign simulator traffic; accounts sharing a payment fingerprint are one organisation (related)."""
    simulation = SimulationConfig(
        seed=seed, start=start, accounts=BACKGROUND_ACCOUNTS, duration_hours=hours, extraction_fraction=0.0,
        campaign_sizes=(), rate_scale=BACKGROUND_RATE,
    )  # fmt: skip
    events = [decode_event(orjson.dumps(e)) for e in generate_events(simulation)]
    payments = {e.account_id: e.account.payment_fingerprint for e in events if e.account}
    shared = Counter(payments.values())
    return events, {a: f"org:{p}" for a, p in payments.items() if shared[p] > 1}


def busiest_hour(events: Iterable[UsageEvent]) -> dict[str, int]:
    """Per account, its most requests in any one-hour span (what any per-account window could see)."""
    times: dict[str, list[float]] = defaultdict(list)
    for e in events:
        times[e.account_id].append(e.timestamp)
    busiest = {}
    for account_id, stamps in times.items():
        stamps.sort()
        first, most = 0, 0
        for last, stamp in enumerate(stamps):
            while stamp - stamps[first] >= 3600:
                first += 1
            most = max(most, last - first + 1)
        busiest[account_id] = most
    return busiest


def false_links(clusters: Iterable[Sequence[str]], benign: set[str], group_of: dict[str, str]) -> tuple[int, int]:
    """Pairs of benign accounts in one cluster that are not of one organisation, and the accounts involved."""
    pairs, accounts = 0, set()
    for cluster in clusters:
        groups = Counter(group_of.get(a, a) for a in cluster if a in benign)
        members = sum(groups.values())
        unrelated = (members * members - sum(n * n for n in groups.values())) // 2
        if unrelated:
            pairs += unrelated
            accounts |= {a for a in cluster if a in benign}
    return pairs, len(accounts)


def detect(
    events: Sequence[UsageEvent], start: float, config: CampaignConfig
) -> tuple[dict[str, AccountEvidence], WindowDetection]:
    """The campaign window starting at `start`: its per-account evidence and what the stage detects in it."""
    end = start + config.horizon_s
    evidence = window_evidence(events, config.window()).get((start, end), {})
    return evidence, detect_window(evidence, start, end, config)


def negative_group(account_id: str) -> str:
    """The hard-negative group of an account (`campaign_scenarios` names them), else the simulator background."""
    prefix = account_id.rsplit("-", 1)[0]
    return prefix if prefix in ("acme", "student", "dev", "agency-client") else "simulator background"


def evaluate_quality(scenario: Scenario, sizes: Sequence[int], config: CampaignConfig, seed: int) -> QualityResult:
    start = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    hours = config.horizon_s / 3600
    events, group_of = background(start, hours, seed)
    negatives = hard_negatives(start.timestamp(), hours, seed)
    events += negatives.events
    group_of.update(negatives.group_of)
    specs = scenario.campaigns(sizes)
    campaign_of: dict[str, str] = {}
    for i, spec in enumerate(specs):
        members = list(campaign_events(spec, start.timestamp(), hours, seed * 100 + i))
        campaign_of.update((e.account_id, spec.name) for e in members)
        events += members
    started = time.perf_counter()
    evidence, detection = detect(events, start.timestamp(), config)
    seconds = time.perf_counter() - started

    busiest: dict[str, int] = defaultdict(int)
    for account_id, count in busiest_hour([e for e in events if e.account_id in campaign_of]).items():
        busiest[campaign_of[account_id]] = max(busiest[campaign_of[account_id]], count)
    majority = [Counter(campaign_of.get(a) for a in row["members"]).most_common(1)[0] for row in detection.rows]
    in_a_row_by_campaign = Counter(campaign_of.get(a) for a in {a for row in detection.rows for a in row["members"]})
    results = []
    for spec in specs:
        own = [row for row, (name, _) in zip(detection.rows, majority, strict=True) if name == spec.name]
        placed = sum(1 for row in own for a in row["members"] if campaign_of.get(a) == spec.name)
        results.append(
            CampaignResult(spec.name, spec.size, busiest[spec.name], len(own), placed, in_a_row_by_campaign[spec.name])
        )
    in_rows = sum(row["member_count"] for row in detection.rows)
    accounts = {e.account_id for e in events}
    benign = accounts - set(campaign_of)
    pairs, linked = false_links(detection.clusters, benign, group_of)
    return QualityResult(
        scenario=scenario,
        events=len(events),
        accounts=len(accounts),
        seconds=seconds,
        campaigns=results,
        rows=len(detection.rows),
        member_precision=sum(n for name, n in majority if name) / in_rows if in_rows else 1.0,
        members_in_rows=in_rows,
        benign_accounts=len(benign),
        benign_in_rows=sum(1 for row in detection.rows for a in row["members"] if a in benign),
        false_link_pairs=pairs,
        falsely_linked=linked,
        benign_pairs=len(benign) * (len(benign) - 1) // 2,
        diagnosis=diagnosis_lines(
            evidence,
            detection,
            campaign_of,
            {s.name: f"{s.size:,} accounts" for s in specs},
            benign,
            group_of,
            negative_group,
            config,
        ),
    )


# --- scaling --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScalingPoint:
    accounts: int
    events: int
    evidence_seconds: float
    linking_seconds: float
    work: dict[str, int]

    @property
    def seconds(self) -> float:
        return self.evidence_seconds + self.linking_seconds


def scaling_population(accounts: int, start: float, hours: float, seed: int) -> list[UsageEvent]:
    """Nine in ten accounts from the hard-negative mix (scaled), one in ten in four campaigns: any size, one shape."""
    campaign_members = accounts // 10
    events: list[UsageEvent] = []
    for i in range(4):
        events += campaign_events(CampaignSpec(f"s{i}", campaign_members // 4, 4.0), start, hours, seed + i)
    events += hard_negatives(start, hours, seed, scale=(accounts - campaign_members) / 950).events
    return events


def evaluate_scaling(sizes: Sequence[int], config: CampaignConfig, seed: int = 44) -> list[ScalingPoint]:
    start = dt.datetime(2026, 3, 2, tzinfo=dt.UTC).timestamp()
    points = []
    for size in sorted(sizes):
        events = scaling_population(size, start, config.horizon_s / 3600, seed)
        # The generated input stays in memory (a worker streams it instead): frozen out of the collector, it does
        # not make every garbage collection during detection cost more the larger the population is.
        gc.collect()
        gc.freeze()
        timings = []
        for _ in range(SCALING_REPEATS):
            began = time.process_time()
            evidence = window_evidence(events, config.window()).get((start, start + config.horizon_s), {})
            built = time.process_time()
            detection = detect_window(evidence, start, start + config.horizon_s, config)
            timings.append((built - began, time.process_time() - built))
        gc.unfreeze()
        evidence_s = min(t[0] for t in timings)
        linking_s = min(t[1] for t in timings)
        points.append(ScalingPoint(detection.work["accounts"], len(events), evidence_s, linking_s, detection.work))
    return points


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log y on log x: the k in y ~ x^k."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


# --- report ---------------------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def quality_section(result: QualityResult) -> list[str]:
    s = result.scenario
    schedule = (
        f"Scheduler: {_pct(s.synchronised_share)} of members, joining {_pct(s.participation)} of its firings "
        f"within {s.jitter_s:g} s."
        if s.synchronised_share
        else "No scheduler: every member sends at times of its own."
    )
    lines = [
        f"## {s.name}",
        "",
        f"{result.accounts:,} active accounts, {result.events:,} events; detection took {result.seconds:.1f} s in "
        f"one process. {schedule}",
        "",
        "| campaign size | busiest member, requests in any hour | found | member recall | rows | in any campaign row |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for c in result.campaigns:
        found = "yes" if c.found else "no"
        lines.append(
            f"| {c.size:,} | {c.max_hourly_requests} | {found} | {_pct(c.placed / c.size)} | {c.rows} "
            f"| {_pct(c.in_rows / c.size)} |"
        )
    members, campaigns = sum(c.size for c in result.campaigns), len(result.campaigns)
    in_rows = result.members_in_rows
    campaign_share = (in_rows - result.benign_in_rows) / in_rows if in_rows else 1.0
    lines += [
        "",
        "| measure | value |",
        "|---|---|",
        f"| campaign rows | {result.rows} |",
        f"| campaign recall, any campaign row | {sum(c.found_in_any_row for c in result.campaigns)} / {campaigns} |",
        f"| campaign recall, rows it holds the majority of | {sum(c.found for c in result.campaigns)} / {campaigns} |",
        f"| member recall, any campaign row | {_pct(sum(c.in_rows for c in result.campaigns) / members)} |",
        f"| member recall, rows it holds the majority of | {_pct(sum(c.placed for c in result.campaigns) / members)} |",
        f"| member precision, members of rows that are campaign members | {_pct(campaign_share)} |",
        f"| member precision, members of rows that belong to the row's majority | {_pct(result.member_precision)} |",
        f"| benign accounts in campaign rows | {result.benign_in_rows} of {result.benign_accounts:,} |",
        f"| false links between unrelated benign accounts | {result.false_link_pairs} pairs "
        f"({result.falsely_linked} accounts) of {result.benign_pairs:,} pairs |",
        "",
        *result.diagnosis,
    ]
    return lines


def scaling_section(points: Sequence[ScalingPoint]) -> list[str]:
    lines = [
        "## Scaling",
        "",
        "Populations of N accounts over one campaign window (nine in ten independent: the hard-negative mix, one "
        "in ten in four campaigns); each phase's fastest of 3 runs, in CPU seconds of the process (wall time on a "
        "shared machine measures its other tenants too). *evidence*: per-account accumulation over the "
        "events; *linking*: tokens, posting lists, link keys, union-find and scoring. *token / shared / link "
        "memberships*: total lengths of the token posting lists, of the evidence-bearing ones and of the link-key "
        "groups - the work of the inverted index. An all-pairs comparison would need the last column.",
        "",
        "| accounts | events | evidence s | linking s | total s | us per account | token memberships "
        "| shared memberships | link memberships | all pairs |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        w = p.work
        lines.append(
            f"| {p.accounts:,} | {p.events:,} | {p.evidence_seconds:.2f} | {p.linking_seconds:.2f} | "
            f"{p.seconds:.2f} | {1e6 * p.seconds / p.accounts:.0f} | {w['token_memberships']:,} | "
            f"{w['shared_memberships']:,} | {w['link_memberships']:,} | {p.accounts * (p.accounts - 1) // 2:,} |"
        )
    xs = [p.accounts for p in points]
    lines += [
        "",
        f"Fitted runtime exponents (time ~ accounts^k): total k = {loglog_slope(xs, [p.seconds for p in points]):.2f}; "
        f"evidence k = {loglog_slope(xs, [p.evidence_seconds for p in points]):.2f}; "
        f"linking k = {loglog_slope(xs, [p.linking_seconds for p in points]):.2f}.",
        "",
    ]
    return lines


def report(
    results: Sequence[QualityResult],
    simulated: Sequence[str],
    points: Sequence[ScalingPoint],
    config: CampaignConfig,
    took: float,
    seed: int = SEED,
) -> str:
    command = "python -m models.campaign_evaluation" + (f" --seed {seed}" if seed != SEED else "")
    lines = [
        "# Campaign detection: evaluation",
        "",
        f"Generated by `{command}` on {dt.date.today().isoformat()} (detector "
        f"`{DETECTOR_VERSION}`, campaign window {config.horizon_s // 3600} h every {config.period_s // 3600} h, "
        f"link threshold {config.link_threshold}, min members {config.min_members}); whole run {took:.0f} s.",
        "",
        "Each scenario is one campaign window of benign simulator traffic plus the hard negatives of "
        "`models/campaign_scenarios.py` (200 accounts of one company behind SSO, 150 students behind one campus "
        "NAT on one homework template in one class hour, 500 developers on a popular SDK's default user agent, "
        "100 agency clients on one card) and four campaigns in which no signal is universal (30 % of members on "
        "virtual cards of their own, the others 10 to a card; three SDK user agents, one the popular one; 20 % "
        "behind a proxy pool, the rest on residential IPs that change on every request; 85 % on one of two "
        "scaffolds; half opened in creation bursts). No member reaches the per-account floor of "
        f"{FLOOR} requests in a window. A campaign is *found* when at least half of its members sit in campaign "
        "rows in which it holds the majority; *rows* counts those rows. Member precision: members of campaign "
        "rows that belong to the row's majority campaign. The four campaigns of a scenario are drawn from one "
        "toolkit (the same two scaffolds and three SDK builds), so a row may hold several of them: *in any "
        "campaign row* counts every member alerted as a campaign member, whichever campaign its row is named "
        "for. Benign accounts are related when they are one "
        "organisation (a simulator organisation sharing a card, or the company); any other benign pair in one "
        "cluster, alerted or not, is a false link.",
        "",
    ]
    for result in results:
        lines += quality_section(result)
    lines += simulated
    lines += scaling_section(points)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (for a smoke test)")
    parser.add_argument("--output", type=Path, default=REPORT_PATH)
    parser.add_argument(
        "--seed",
        type=int,
        default=SEED,
        help=f"first seed: scenario i draws seed+i, the simulator campaigns seed+10 and seed+11 (default {SEED}, "
        "the committed report's; any other checks the hand-set weights and floor on traffic they were not set on)",
    )
    args = parser.parse_args(argv)
    config = CampaignConfig()
    began = time.perf_counter()
    scenarios, sizes = (QUICK_SCENARIOS, QUICK_SIZES) if args.quick else (SCENARIOS, SIZES)
    results = []
    for i, scenario in enumerate(scenarios):
        results.append(evaluate_quality(scenario, sizes, config, seed=args.seed + i))
        print(f"{scenario.name}: {[(c.size, c.placed, c.rows) for c in results[-1].campaigns]}", flush=True)
    # Imported here: that module uses this one's measures.
    from models.campaign_simulated import evaluate_simulated, simulated_section

    simulated = [
        evaluate_simulated(held_out, sizes, config, seed=args.seed + 10 + held_out) for held_out in (False, True)
    ]
    for result in simulated:
        print(f"simulator, held out {result.held_out}: {[(c.variant, c.size, c.placed) for c in result.campaigns]}")
    points = evaluate_scaling(QUICK_SCALING_ACCOUNTS if args.quick else SCALING_ACCOUNTS, config)
    simulated_lines = [line for result in simulated for line in simulated_section(result)]
    took = time.perf_counter() - began
    args.output.write_text(report(results, simulated_lines, points, config, took, args.seed))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
