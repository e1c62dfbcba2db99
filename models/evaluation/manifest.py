"""Writes the headline numbers of the standard evaluation into the model manifest's metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from models.evaluation.aggregate import SetResult, headline
from models.evaluation.config import EvaluationConfig
from pipelines.artifact import LoadedModel, ModelIntegrityError, ModelManifest


def record_metrics(config: EvaluationConfig, model: LoadedModel, results: Sequence[SetResult]) -> None:
    current = ModelManifest.read(config.manifest_path)
    if current.sha256 != model.manifest.sha256:
        raise ModelIntegrityError(f"{config.manifest_path} changed during the evaluation; metrics not recorded")
    metrics: dict[str, object] = {
        "evaluation": {
            "held_out_seeds": list(config.held_out_seeds),
            "variant_seeds": list(config.variant_seeds),
            "accounts_per_seed": config.accounts,
            "hours_per_seed": config.hours,
            "alert_threshold": config.policy.alert_threshold,
            "min_requests": config.policy.min_requests,
        }
    }
    for result in results:
        metrics[result.eval_set.name.replace("-", "_").replace(" ", "_")] = headline(result)
    replace(current, metrics=metrics).write(config.manifest_path)
