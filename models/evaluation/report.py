"""REPORT.md: the false-positive section, the reading notes, and the assembled report."""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Sequence

import numpy as np

from models.dataset import request_counts
from models.evaluation.aggregate import SetResult
from models.evaluation.config import TOP_FALSE_POSITIVES, EvaluationConfig
from models.evaluation.markdown import rate, table
from models.evaluation.sections import (
    archetype_section,
    data_section,
    delay_section,
    detectors_section,
    policy_section,
    targets_section,
)
from models.evaluation.tenants import TenantReplay
from models.evaluation.tenants_report import tenants_section
from pipelines.artifact import LoadedModel, ModelManifest
from pipelines.config import AlertPolicyConfig
from pipelines.scoring import explain


def explain_top_false_positives(result: SetResult, model: LoadedModel, policy: AlertPolicyConfig) -> list[str]:
    eval_set, detector = result.eval_set, result.model
    data = eval_set.data
    counts = request_counts(data.features)
    medians = model.manifest.benign_medians
    ranked = [i for i in np.argsort(-detector.scores, kind="stable") if not eval_set.is_attack[i]]
    rows = []
    for i in ranked[:TOP_FALSE_POSITIVES]:
        account = eval_set.accounts[i]
        windows = np.flatnonzero((data.account_ids == account) & (counts >= policy.min_requests))
        if windows.size == 0:
            break  # the remaining benign accounts cannot alert at all
        top = windows[np.argmax(detector.window_scores[windows])]
        # Against the supervised score, as serving explains a window (also one novelty lifted).
        supervised = model.estimator.predict_proba(data.features[[top]])[:, 1]
        reasons = explain(model, data.features[[top]], supervised, policy.max_reasons)[0]
        rows.append(
            [
                f"`{account}`",
                eval_set.group(account),
                f"{detector.scores[i]:.3f}",
                dt.datetime.fromtimestamp(data.window_ends[top], dt.UTC).strftime("%H:%M"),
                int(counts[top]),
                "; ".join(
                    f"{r.feature} = {r.value:.3g} (benign median {medians[r.feature]:.3g}, -{r.contribution:.2f})"
                    for r in reasons
                )
                or "-",
            ]
        )
    return table(["account", "archetype/variant", "score", "window end (UTC)", "requests", "top reasons"], rows)


def components_section(results: Sequence[SetResult], policy: AlertPolicyConfig) -> list[str]:
    rows = [
        [result.eval_set.name, component, extraction, benign]
        for result in results
        for component, (extraction, benign) in result.fired_by.items()
    ]
    return [
        "## Which component fired",
        "",
        f"Accounts alerted at {policy.alert_threshold}, by the component of their first alert: the supervised "
        "classifier, the benign-only novelty component (`pipelines/novelty.py`, which lifts a window to the "
        "threshold), or a 24 h horizon window of an account too sparse for the per-window floor "
        "(`pipelines/horizon.py`). Every number in this report is that combined decision, as `distillwatch "
        "detect` takes it (`pipelines.scoring.decide_windows`).",
        "",
        *table(["set", "component", "extraction accounts", "benign accounts"], rows),
    ]


def false_positive_section(results: Sequence[SetResult], model: LoadedModel, policy: AlertPolicyConfig) -> list[str]:
    lines = ["## False positives", ""]
    for result in results:
        alerted = result.operational.alerted
        rows = [
            [
                group,
                len(accounts),
                sum(a in alerted for a in accounts),
                f"{rate(sum(a in alerted for a in accounts), len(accounts))}",
            ]
            for group, accounts in result.eval_set.groups(attack=False).items()
        ]
        lines += [
            f"### {result.eval_set.name}",
            "",
            f"Benign accounts alerted by the classifier at {policy.alert_threshold}, by archetype:",
            "",
            *table(["benign archetype/variant", "accounts", "alerted", "share"], rows),
            f"Top {TOP_FALSE_POSITIVES} benign accounts by score, explained as the pipeline explains alerts "
            "(occlusion: each feature in turn reset to its benign training median; the score drop is its "
            "contribution):",
            "",
            *explain_top_false_positives(result, model, policy),
        ]
    return lines


OTHER_PROTOCOLS = [
    "## Families the model never saw, and attackers that look ordinary",
    "",
    "The sets above hold other seeds of the families the model was trained on, so they flatter it. Two more "
    "protocols, each with its own report beside this one, do not:",
    "",
    "- [LOFO.md](LOFO.md), `distillwatch evaluate --protocol lofo`: leave-one-family-out. One model is "
    "trained without each simulator family and scored on it; the headline is the worst family and the mean "
    "over families, not a pooled figure.",
    "- [PERTURBATION.md](PERTURBATION.md), `distillwatch evaluate --protocol perturbation`: each extraction "
    "family's secondary behaviour (key, IP and user-agent spread, prompt diversity, temperature, streaming, "
    "account age, rate) moved toward an ordinary app's, recall against the perturbation.",
    "",
]


def standard_command(config: EvaluationConfig) -> str:
    """The command line that reproduces this report (the manifest write-back aside)."""
    words = ["distillwatch", "evaluate", "--held-out-seeds", *map(str, config.held_out_seeds)]
    words += ["--variant-seeds", *map(str, config.variant_seeds)]
    words += ["--accounts", str(config.accounts), "--hours", f"{config.hours:g}"]
    if config.trace_rows is not None:
        words += ["--trace-rows", str(config.trace_rows)]
    if config.alert_threshold is not None:
        words += ["--alert-threshold", f"{config.alert_threshold:g}"]
    return shlex.join(words)


NOTES = [
    "## Reading these numbers",
    "",
    "- All traffic is simulated (`simulator/`): the numbers say how well the classifier separates the "
    "simulator's archetypes, not how it will do on real traffic. The held-out variants are the closest thing "
    "here to behaviour nobody planned for.",
    "- FPR is per account over the simulated hours. Over days each benign account has many more windows, so "
    "the per-account FPR grows; the operational quantity is alerts per day, bounded by the cooldown.",
    "- Recall at a given FPR uses a threshold chosen on the evaluation set (an oracle threshold); the policy "
    "columns are what the shipped threshold does. Accounts of one campaign are not independent, so the "
    "Wilson intervals [in brackets] are somewhat optimistic for campaigns.",
    "- Scores are sigmoid-calibrated per fold: a ranking first and a probability second. Where many "
    "accounts share the top score, no threshold separates them and recall at a tight FPR budget can read 0.",
]


def threshold_origin(manifest: ModelManifest, config: EvaluationConfig) -> str:
    chosen = manifest.alert_policy
    if config.alert_threshold is not None or not chosen:
        return "the threshold given on the command line" if config.alert_threshold is not None else "the default"
    seeds = ", ".join(str(run["seed"]) for run in chosen["validation_runs"])
    return (
        f"the manifest's threshold, chosen at training for ≤ {chosen['fpr_budget']:.1%} benign-account FPR on "
        f"validation seeds {seeds}: {chosen['benign_alerted']} of {chosen['benign_accounts']} benign accounts alerted"
    )


def report_markdown(
    results: Sequence[SetResult], replays: Sequence[TenantReplay], model: LoadedModel, config: EvaluationConfig
) -> str:
    manifest, policy = model.manifest, config.policy
    trained = manifest.trained_on
    intro = [
        "# Extraction-risk classifier: evaluation report",
        "",
        f"Model `{manifest.model_version}` (sha256 `{manifest.sha256[:16]}…`), trained on simulator seeds "
        f"{trained['simulator_seeds']} ({trained['accounts_per_seed']} accounts x {trained['hours_per_seed']:g} h "
        f"each, training variants only). Written by `{standard_command(config)}`.",
        "",
        f"The alert policy is the pipeline's: a window alerts when its score is ≥ {policy.alert_threshold:.4f} and it "
        f"holds ≥ {policy.min_requests} requests ({threshold_origin(manifest, config)}). An **account's score** is "
        "its highest score over such windows; an account without any can never alert. **FPR** is the share of "
        "benign *accounts* alerted at "
        f"least once in the {config.hours:g} h simulated per seed, **recall** the share of extraction accounts "
        "alerted at least once. Brackets are 95% Wilson intervals.",
        "",
    ]
    sections = [
        intro,
        targets_section(results, policy),
        data_section(results, config),
        detectors_section(results, policy),
        components_section(results, policy),
        archetype_section(results, policy),
        delay_section(results),
        policy_section(results, policy),
        false_positive_section(results, model, policy),
        tenants_section(replays, policy),
        OTHER_PROTOCOLS,
        NOTES,
    ]
    return "\n".join(line for section in sections for line in section) + "\n"
