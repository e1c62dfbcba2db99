"""The standard protocol: the shipped classifier and two baselines on held-out simulator runs.

Two evaluation sets the model never saw: other seeds of the training variants ("held-out seeds") and
other seeds of the held-out archetype variants ("held-out variants": new behaviours of benign and
extraction accounts alike). Every account is scored as the alert policy sees it (`models.metrics`);
the classifier is compared on the same accounts with a volume rule and an IsolationForest fitted on
the training windows. The results go to `models/report/REPORT.md` (with PNG figures) and into the
manifest's `metrics`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from threadpoolctl import threadpool_limits

from models.dataset import SimulationSpec, concatenate, select_runs, simulate_many
from models.evaluation.aggregate import SetResult, evaluate_set
from models.evaluation.config import FOREST_TRAINING_RUNS, EvaluationConfig, resolved_policy
from models.evaluation.decision import horizon_spec
from models.evaluation.detectors import MODEL, scorers
from models.evaluation.manifest import record_metrics
from models.evaluation.plots import plot_curves, plot_delays
from models.evaluation.report import report_markdown
from models.evaluation.sets import EvalSet
from models.evaluation.tenants import score_replays
from models.evaluation.tenants_report import plot_tenants
from models.product import ProductModel
from models.train import training_specs
from pipelines.artifact import load_verified_model
from pipelines.config import WindowConfig

log = logging.getLogger("distillwatch.evaluate")


def evaluate(config: EvaluationConfig) -> list[SetResult]:
    started = time.perf_counter()
    model = load_verified_model(config.manifest_path)
    config = replace(config, policy=resolved_policy(config.policy, config.alert_threshold, model.manifest))
    trained = model.manifest.trained_on
    training = training_specs(model.manifest)
    overlap = {s.seed for s in training} & (set(config.held_out_seeds) | set(config.variant_seeds))
    if overlap:
        raise ValueError(f"evaluation seeds {sorted(overlap)} were used for training")
    sets = {
        "held-out seeds": [SimulationSpec(s, config.accounts, config.hours) for s in config.held_out_seeds],
        "held-out variants": [SimulationSpec(s, config.accounts, config.hours, True) for s in config.variant_seeds],
    }
    # The IsolationForest samples 256 windows per tree: a couple of training runs are plenty to fit it.
    forest_runs = training[:FOREST_TRAINING_RUNS]
    window = WindowConfig(trained["window_size_s"], trained["window_period_s"])
    # One process pool for every simulation.
    # The forest's runs as training simulates them; the evaluation runs with the pipeline's long-horizon windows.
    data = concatenate(
        [
            simulate_many(forest_runs, window, config.workers),
            simulate_many(
                [spec for specs in sets.values() for spec in specs],
                window,
                config.workers,
                horizon_spec(window, config.policy),
            ),
        ]
    )
    log.info("simulated %d windows in %.0fs", len(data.labels), time.perf_counter() - started)
    with threadpool_limits(limits=1, user_api="openmp"):  # see models.train.fit
        product = ProductModel.shipped(model)
        detectors = scorers(product, select_runs(data, forest_runs), config.policy, seed=trained["model_seed"])
        results = [
            evaluate_set(EvalSet.build(name, specs, select_runs(data, specs), window), detectors, config.policy)
            for name, specs in sets.items()
        ]
        config.report_dir.mkdir(parents=True, exist_ok=True)
        plot_curves(results, config.report_dir)
        plot_delays(results, config.report_dir)
        replays = list(score_replays(detectors[MODEL], window, config.policy, config.trace_rows))
        plot_tenants(replays, config.policy, config.report_dir)
        report = report_markdown(results, replays, model, config)
    (config.report_dir / "REPORT.md").write_text(report)
    if config.update_manifest:
        record_metrics(config, model, results)
    log.info("evaluated in %.0fs; report in %s", time.perf_counter() - started, config.report_dir)
    return results
