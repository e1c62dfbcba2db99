"""The README's headline numbers equal the files they are quoted from, which committed commands write:
models/artifacts/manifest.json and models/report/REPORT.md (`distillwatch evaluate`), benchmarks/results.json
(`python -m benchmarks.run`), benchmarks/results_streaming.json (`python -m benchmarks.streaming`) and the fuzz
table of tests/reliability/GUARANTEES.md (counts printed by `pytest tests/reliability`).

Every expected value is computed from those files, so a regenerated file and its README table move together;
a README left behind fails here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.report import spread
from benchmarks.sparse import load_results as load_sparse_results
from benchmarks.sparse import median_points, sparse_over_dense
from benchmarks.streaming import STOCK, fell_behind, load_results, rate_span, sustained_events_per_s

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in NUMBER.findall(text)]


def _row(text: str, first_cell: str) -> str:
    prefix = f"| {first_cell} |" if first_cell else "| |"
    (row,) = [line for line in text.splitlines() if line.startswith(prefix)]
    return row


def _shown_as(shown: str, exact: float) -> bool:
    """Whether `shown` (a README cell's number) is `exact` rounded to the digits it shows, allowing for a
    figure rounded twice (RESULTS.md's 533.5 shown as 534)."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(float(shown.replace(",", "")) - exact) <= 0.6 * 10**-decimals


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


# --- the classifier (manifest metrics, REPORT.md baselines) ---------------------------------------------


@pytest.fixture(scope="module")
def metrics():
    manifest = json.loads((ROOT / "models" / "artifacts" / "manifest.json").read_text())
    return manifest["model_version"], manifest["metrics"]


def _baseline_auc(section_index: int, name: str) -> float:
    """ROC AUC of a baseline in REPORT.md's n-th evaluation table (0: held-out seeds, 1: held-out variants)."""
    report = (ROOT / "models" / "report" / "REPORT.md").read_text()
    rows = [line for line in report.splitlines() if line.startswith(f"| {name} |")]
    return float(rows[section_index].split("|")[2])


def test_the_classifier_table_is_the_manifests_metrics(metrics):
    version, m = metrics
    seeds, variants = m["held_out_seeds"], m["held_out_variants"]
    section = _section("The classifier")
    assert f"`{version}`" in section
    header = _row(section, "")
    assert _numbers(header) == [
        seeds["benign_accounts"],
        seeds["extraction_accounts"],
        variants["benign_accounts"],
        variants["extraction_accounts"],
    ]
    assert _numbers(_row(section, "ROC AUC")) == [
        round(seeds["roc_auc"], 3),
        round(_baseline_auc(0, "volume rule"), 3),
        round(_baseline_auc(0, "IsolationForest"), 3),
        round(variants["roc_auc"], 3),
        round(_baseline_auc(1, "volume rule"), 3),
        round(_baseline_auc(1, "IsolationForest"), 3),
    ]
    assert _numbers(_row(section, "recall at the policy threshold")) == [
        round(seeds["recall_at_threshold"], 3),
        round(variants["recall_at_threshold"], 3),
    ]
    assert _numbers(_row(section, "benign-account FPR at the policy threshold")) == [
        round(100 * seeds["benign_fpr_at_threshold"], 2),
        round(100 * variants["benign_fpr_at_threshold"], 1),
    ]
    recall_row = _row(section, "recall at <= 0.1 % benign FPR (target >= 0.95)")
    unalertable = seeds["extraction_accounts"] - seeds["alertable_extraction_accounts"]
    assert _numbers(recall_row.split("|", 2)[2]) == [
        round(seeds["recall_at_0.1pct_fpr"], 3),
        unalertable,
        20,  # the policy's request floor
        round(variants["recall_at_0.1pct_fpr"], 3),
    ]
    assert m["evaluation"]["min_requests"] == 20
    onset_row = _row(section, "median onset -> first alert, full-rate attacks (target <= 5 min)")
    delays = [seeds["median_time_to_alert_s"], seeds["p90_time_to_alert_s"], variants["median_time_to_alert_s"]]
    assert _numbers(onset_row.split("|", 2)[2]) == [delay / 60 for delay in delays if delay is not None]
    assert onset_row.count("never") == delays.count(None)  # JSON null: the quantile was never reached


def test_every_quoted_version_and_threshold_is_the_manifests(metrics):
    """The model card's version row and the README's hot-swap paragraph quote the shipped model by hand."""
    version, _ = metrics
    manifest = json.loads((ROOT / "models" / "artifacts" / "manifest.json").read_text())
    threshold = manifest["alert_policy"]["threshold"]
    card = (ROOT / "models" / "MODEL_CARD.md").read_text()
    assert f"| version | `{version}` |" in card.replace(" (release + first 12 hex of the file's sha256)", "")
    (quoted,) = re.findall(r"the shipped model's is (\d\.\d+)\)", README)
    assert _shown_as(quoted, threshold)
    assert f"Model `{version}`, alert threshold {threshold:.3f}" in card


# --- the batch benchmark (results.json) ------------------------------------------------------------------

ENGINES = {  # README's short names for the benchmark's engine labels
    "plain Python baseline": "single-process baseline",
    "Beam, 1 worker (in_memory)": "Beam FnApiRunner, 1 worker (in_memory)",
    "Beam, 2 workers (multi_processing)": "Beam FnApiRunner, 2 workers (multi_processing)",
}


@pytest.fixture(scope="module")
def headline():
    """The headline measurements of results.json: (engine label, events) -> measurement."""
    measurements = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    runs = {}
    for m in measurements:
        runs.setdefault((m["label"], m["events"]), m)  # the headline runs come first; sweeps reuse them
    return runs


def test_the_benchmark_table_is_results_json(headline):
    section = _section("Performance")
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| events")]
    rows = [row for row in rows if not set(row) <= set("|- ")]
    assert len(rows) == 6
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        events = int(cells[0].replace(",", ""))
        m = headline[(ENGINES[cells[3]], events)]
        baseline = headline[("single-process baseline", events)]
        events_per_s = m["events"] / m["seconds"]
        expected = [
            m["events"],
            m["workload"]["accounts"],
            m["windows"],
            m["seconds"],
            m["cpu_seconds"],
            events_per_s,
            events_per_s / (baseline["events"] / baseline["seconds"]),
            1e6 * m["cpu_seconds"] / m["events"],
            m["peak_rss_mib"],
        ]
        shown = NUMBER.findall(" ".join(cells[:3] + cells[4:]))
        assert len(shown) == len(expected) and all(map(_shown_as, shown, expected)), row


def test_the_stage_split_and_cost_spreads_are_results_json(headline):
    section = _section("Performance")
    beam, baseline = "Beam FnApiRunner, 1 worker (in_memory)", "single-process baseline"
    largest = headline[(beam, 1_000_000)]
    (split,) = re.findall(r"Beam's time goes to ([^.]+)\.", section)
    shares = dict(re.findall(r"([\w/]+) (\d+) %", split))
    assert shares and all(
        round(100 * largest["stages"][stage] / largest["seconds"]) == int(share) for stage, share in shares.items()
    )

    def cost_spread(label):
        return spread(
            [headline[(label, n)]["cpu_seconds"] / headline[(label, n)]["events"] for n in (100_000, 1_000_000)]
        )

    assert f"Beam's CPU per event varies {100 * cost_spread(beam):.0f} %" in section
    assert f"the baseline's {100 * cost_spread(baseline):.0f} %" in section
    one, two = headline[(beam, 1_000_000)], headline[("Beam FnApiRunner, 2 workers (multi_processing)", 1_000_000)]
    change = round(100 * (one["seconds"] / two["seconds"] - 1))
    comparison = f"~{change} % faster" if change > 0 else f"~{-change} % slower" if change < 0 else "no faster"
    assert f"{comparison} than one in-process worker at 1M events" in _section("Running it")


# --- the streaming benchmark (results_streaming.json) ---------------------------------------------------


def test_the_streaming_figures_are_results_streaming_json():
    points, _ = load_results(ROOT / "benchmarks")
    text = " ".join(_section("Performance").split())
    stock = [p for p in points if p.runner_mode == STOCK]
    fast = [p for p in points if p.runner_mode != STOCK]
    assert stock and fast, "the README compares the runner as shipped with the fast local mode"
    for p in stock:
        assert (
            f"sustained {sustained_events_per_s(p):.0f} events/s at {p.offered_events_per_s:.0f} offered "
            f"({p.accounts} accounts)"
        ) in text
    kept = max((p for p in fast if not fell_behind(p)), key=lambda p: p.offered_events_per_s)
    assert (
        f"it kept up at {kept.offered_events_per_s:.0f} events/s offered ({kept.accounts} accounts, backlog "
        f"{kept.backlog:,}, score row p50 {kept.score_latency_p50_s:.1f} s after the window's end)"
    ) in text
    behind = [sustained_events_per_s(p) for p in fast if fell_behind(p)]
    if behind:
        assert f"where it fell behind, it sustained {rate_span(behind)} events/s" in text


def test_the_sparse_mix_figures_are_results_sparse_json():
    points, _ = load_sparse_results(ROOT / "benchmarks")
    text = " ".join(_section("Performance").split())
    medians = median_points(points)
    dense, sparse = medians["dense"], medians["sparse"]
    assert (
        f"{sparse.cpu_us_per_event:,.0f} CPU µs per event against {dense.cpu_us_per_event:,.0f} for the dense mix "
        f"(**{sparse_over_dense(points):.1f}x**"
    ) in text
    assert f"{sparse.windows_per_event:.2f} windows per event against {dense.windows_per_event:.2f}" in text


# --- the fuzz counts (GUARANTEES.md) -------------------------------------------------------------------


def test_the_fuzz_count_adds_up():
    guarantees = (ROOT / "tests" / "reliability" / "GUARANTEES.md").read_text()
    table = guarantees[guarantees.index("| cases (hypothesis, derandomized)") :].split("\n\n", 1)[0].splitlines()
    rows = [line for line in table[2:] if "total per run" not in line]
    cases = sum(int(line.rsplit("|", 2)[1].strip().replace(",", "")) for line in rows)
    (total,) = re.findall(r"\*\*([\d,]+)\*\*", _row_with(table, "total per run"))
    assert int(total.replace(",", "")) == cases
    (batch,) = re.findall(r"over a generated mixed batch of\s+\*\*([\d,]+) records\*\*", guarantees)
    in_all = cases + int(batch.replace(",", ""))
    assert f"{in_all:,} records (valid and bad) per run" in " ".join(guarantees.split())
    assert f"~{round(in_all, -2):,} fuzzed records per run" in " ".join(_section("Guarantees").split())


def _row_with(lines: list[str], text: str) -> str:
    (row,) = [line for line in lines if text in line]
    return row


def _gateway_fields_shipped() -> str:
    """GATEWAY_FIELDS.md's tables for the shipped model (a later section measures another)."""
    report = (ROOT / "models" / "report" / "GATEWAY_FIELDS.md").read_text()
    return report.split("\n## ", 1)[0]


def test_the_optional_field_rows_are_gateway_fields_md():
    report = _gateway_fields_shipped()
    section = _section("Event contract v1")
    quoted = section[section.index("### Which optional fields matter") :]
    rows = [line for line in quoted.splitlines() if line.startswith("| ") and not line.startswith("| gateway |")]
    assert len(rows) >= 5
    for row in rows:
        assert row == _row(report, row.split("|")[1].strip())


def test_the_model_cards_partial_log_figures_are_gateway_fields_md():
    report = _gateway_fields_shipped()
    card = " ".join((ROOT / "models" / "MODEL_CARD.md").read_text().split())
    (limit,) = re.findall(r"\*\*Partial gateway logs\.\*\*.*?(?= - \*\*)", card)

    def cell(gateway: str, column: int) -> str:
        return _row(report, gateway).split("|")[column].strip()

    every_field, reasoning_misread = "as simulated (every field)", "reasoning inside `completion_tokens`, read as apart"
    assert f"from {cell(every_field, 2)} to {cell('no `params` block', 2)} without `params`" in limit
    assert f"{cell('no `account.created_at`', 2)} without `account.created_at`" in limit
    assert f"{cell('no `reasoning_tokens`', 2)} without `reasoning_tokens`" in limit
    assert f"{cell('required fields only', 2)} with the required fields only" in limit
    fpr_from, fpr_to = (cell(g, 3).split(" (")[0] for g in (every_field, reasoning_misread))
    assert f"benign FPR from {fpr_from} to {fpr_to}" in limit
