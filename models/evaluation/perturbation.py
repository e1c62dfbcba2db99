"""Perturbation sweep: each extraction family's secondary behaviour moved toward an ordinary app's, in steps.

The secondary knobs are the ones a distiller can change without giving up what it harvests: key, IP and
user-agent spread, prompt diversity, temperature, streaming, account age, request rate and pacing.
At strength 0 a family is the catalogue's; at 1 those knobs are the reference benign variant's (the
ordinary chat app, `consumer_app/standard`; the rate: see RATE_REFERENCE); in between, ranges are
interpolated (geometrically for magnitudes, linearly for shares and counts) and categorical knobs
switch at 0.5. What the family harvests (tokens, logprobs, n, max_tokens, reasoning, its prompt
templates) is never moved. Every strength replays the same seed, so the accounts differ only by the
moved knobs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

from models.dataset import request_counts
from models.evaluation.config import REPORT_DIR, TARGET_FPR, resolved_policy
from models.evaluation.decision import horizon_spec
from models.evaluation.lofo import lofo_families
from models.evaluation.simulation import MixSpec, simulate_mixes
from models.metrics import account_scores, operating_point, recall_at_fpr
from models.product import ProductModel
from pipelines.artifact import load_verified_model
from pipelines.config import DEFAULT_MODEL_MANIFEST, AlertPolicyConfig, WindowConfig
from simulator.archetypes import (
    ARCHETYPES,
    Archetype,
    Behaviour,
    Component,
    IdentityProfile,
    IntRange,
    Share,
    Span,
    Variant,
)

T = TypeVar("T")
STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)
REFERENCE = ("consumer_app", "standard")  # archetype, variant: the benign values the knobs move toward
# The request rate moves toward the most common benign account's, and never up: a faster distiller gives
# the detector more evidence per window, which is not what an evader does.
RATE_REFERENCE = ("researcher_hobbyist", "standard")
SECONDARY_KNOBS = (
    "API keys, IP prefixes and addresses, user agents, countries, network, tier",
    "prompt templates, domains and stock messages",
    "temperature values, palette and share; top_p share",
    "stream share",
    "account age",
    "request rate and pacing (gap shape)",
)


def log_between(a: Span, b: Span, s: float) -> Span:
    if s in (0.0, 1.0):  # exactly an end, without float round trips through log and exp
        return b if s else a
    low = math.exp((1 - s) * math.log(max(a[0], 1e-9)) + s * math.log(max(b[0], 1e-9)))
    high = math.exp((1 - s) * math.log(max(a[1], 1e-9)) + s * math.log(max(b[1], 1e-9)))
    return (low, max(low, high))


def between(a: Share, b: Share, s: float) -> Share:
    return ((1 - s) * a[0] + s * b[0], (1 - s) * a[1] + s * b[1])


def int_between(a: IntRange, b: IntRange, s: float) -> IntRange:
    low, high = round((1 - s) * a[0] + s * b[0]), round((1 - s) * a[1] + s * b[1])
    return (low, max(low, high))


def pick(a: T, b: T, s: float) -> T:
    return b if s >= 0.5 else a


def perturb_behaviour(behaviour: Behaviour, target: Behaviour, rate_target: Span, s: float) -> Behaviour:
    timing, params, prompts = behaviour.timing, behaviour.params, behaviour.prompts
    goal_timing, goal_params, goal_prompts = target.timing, target.params, target.prompts
    slower = (min(timing.rate_per_s[0], rate_target[0]), min(timing.rate_per_s[1], rate_target[1]))
    return replace(
        behaviour,
        timing=replace(
            timing,
            rate_per_s=log_between(timing.rate_per_s, slower, s),
            gap_shape=log_between(timing.gap_shape, goal_timing.gap_shape, s),
        ),
        params=replace(
            params,
            temperatures=pick(params.temperatures, goal_params.temperatures, s),
            temperature_palette=int_between(params.temperature_palette, goal_params.temperature_palette, s),
            temperature_share=between(params.temperature_share, goal_params.temperature_share, s),
            top_p_share=between(params.top_p_share, goal_params.top_p_share, s),
            stream_share=between(params.stream_share, goal_params.stream_share, s),
        ),
        prompts=replace(
            prompts,
            templates=int_between(prompts.templates, goal_prompts.templates, s),
            domains_per_account=int_between(prompts.domains_per_account, goal_prompts.domains_per_account, s),
            stock_message_share=between(prompts.stock_message_share, goal_prompts.stock_message_share, s),
        ),
    )


def perturb_identity(identity: IdentityProfile, target: IdentityProfile, s: float) -> IdentityProfile:
    return replace(
        identity,
        api_keys=int_between(identity.api_keys, target.api_keys, s),
        network=pick(identity.network, target.network, s),
        ip_prefixes=int_between(identity.ip_prefixes, target.ip_prefixes, s),
        ips_per_prefix=int_between(identity.ips_per_prefix, target.ips_per_prefix, s),
        user_agent_families=pick(identity.user_agent_families, target.user_agent_families, s),
        user_agents=int_between(identity.user_agents, target.user_agents, s),
        countries=pick(identity.countries, target.countries, s),
        countries_per_account=int_between(identity.countries_per_account, target.countries_per_account, s),
        account_age_days=log_between(identity.account_age_days, target.account_age_days, s),
        tiers=pick(identity.tiers, target.tiers, s),
    )


def catalogue_variant(reference: tuple[str, str], catalogue: Sequence[Archetype] = ARCHETYPES) -> Variant:
    archetype, variant = reference
    by_name = {a.name: a for a in catalogue}
    return next(v for v in by_name[archetype].variants if v.name == variant)


def perturb_family(family: Archetype, reference: Variant, rate_reference: Variant, s: float) -> Archetype:
    """The family with the secondary knobs of every extraction component (and its identity) moved by `s`."""
    target = reference.components[0].behaviour
    rate_target = rate_reference.components[0].behaviour.timing.rate_per_s

    def component(c: Component) -> Component:
        return replace(c, behaviour=perturb_behaviour(c.behaviour, target, rate_target, s)) if c.extraction else c

    variants = tuple(
        replace(
            v,
            identity=perturb_identity(v.identity, reference.identity, s),
            components=tuple(map(component, v.components)),
        )
        for v in family.variants
    )
    return replace(family, variants=variants)


@dataclass(frozen=True)
class PerturbationConfig:
    manifest_path: Path = Path(DEFAULT_MODEL_MANIFEST)
    seed: int = 4001
    accounts: int = 40  # extraction accounts per family and strength, at scale 1
    benign_accounts: int = 1000  # held-out benign accounts, for the FPR-budget threshold
    hours: float = 4.0
    scale: float = 1.0
    workers: int = 2
    report_dir: Path = REPORT_DIR
    policy: AlertPolicyConfig = field(default_factory=AlertPolicyConfig)  # its threshold: see `alert_threshold`
    alert_threshold: float | None = None  # None: the manifest's (alert_policy), as `distillwatch detect` uses


@dataclass(frozen=True)
class SweepPoint:
    family: str
    strength: float
    accounts: int
    alerted: int  # at the policy threshold
    recall_at_target_fpr: float  # at the threshold keeping the held-out benign accounts within TARGET_FPR


@dataclass(frozen=True)
class SweepResult:
    config: PerturbationConfig
    model_version: str
    points: tuple[SweepPoint, ...]
    benign_accounts: int
    benign_alerted: int
    seconds: float


def sweep_specs(config: PerturbationConfig) -> tuple[MixSpec, list[tuple[str, float, MixSpec]]]:
    reference, rate_reference = catalogue_variant(REFERENCE), catalogue_variant(RATE_REFERENCE)
    benign = MixSpec(
        "benign",
        config.seed,
        max(1, round(config.benign_accounts * config.scale)),
        config.hours,
        extraction_fraction=0.0,
        campaign_sizes=(),
    )
    runs = []
    accounts = max(1, round(config.accounts * config.scale))
    for family in (f for f in lofo_families() if f.label == "extraction"):
        only = tuple((a.name, 1.0 if a.name == family.name else 0.0) for a in ARCHETYPES if a.label == "extraction")
        for s in STRENGTHS:
            catalogue = tuple(
                perturb_family(a, reference, rate_reference, s) if a.name == family.name else a for a in ARCHETYPES
            )
            spec = MixSpec(f"{family.name}@{s:g}", config.seed, accounts, config.hours, only, 1.0, (), catalogue)
            runs.append((family.name, s, spec))
    return benign, runs


def run_sweep(config: PerturbationConfig) -> SweepResult:
    started = time.perf_counter()
    model = load_verified_model(config.manifest_path)
    config = replace(config, policy=resolved_policy(config.policy, config.alert_threshold, model.manifest))
    trained = model.manifest.trained_on
    if config.seed in trained["simulator_seeds"]:
        raise ValueError(f"seed {config.seed} was used for training")
    window = WindowConfig(trained["window_size_s"], trained["window_period_s"])
    benign_spec, runs = sweep_specs(config)
    policy = config.policy
    specs = [benign_spec, *(spec for _, _, spec in runs)]
    data = simulate_mixes(specs, window, config.workers, horizon_spec(window, policy))
    with threadpool_limits(limits=1, user_api="openmp"):  # the pipeline's decision (models.evaluation.decision)
        window_scores, _ = ProductModel.shipped(model).decide(data, policy.alert_threshold)
    counts = request_counts(data.features)

    run_tags = np.array([account.split("/", 1)[0] for account in data.account_ids.tolist()])

    def scores_of(tag: str) -> np.ndarray:
        mine = run_tags == tag
        accounts = sorted(a for a in data.truth if a.startswith(f"{tag}/"))
        return account_scores(data.account_ids[mine], window_scores[mine], counts[mine], accounts, policy.min_requests)

    benign = scores_of(benign_spec.tag)
    points = []
    for family, strength, spec in runs:
        attacks = scores_of(spec.tag)
        point = operating_point(benign, attacks, policy.alert_threshold)
        at_fpr = recall_at_fpr(benign, attacks, TARGET_FPR)
        points.append(SweepPoint(family, strength, len(attacks), point.true_positives, at_fpr.recall))
    benign_alerted = int(np.sum(benign >= policy.alert_threshold))
    return SweepResult(
        config, model.manifest.model_version, tuple(points), len(benign), benign_alerted, time.perf_counter() - started
    )
