"""The README's main job, end to end through the console script: simulate -> detect (batch) -> DuckDB."""

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from scipy.stats import binom

from distillwatch.cli import main
from pipelines.config import DEFAULT_MODEL_MANIFEST

BAD_LINES = [
    b'{"event_id": "broken", "event_time": ',  # truncated JSON
    b'{"event_id": "no-account", "event_time": "2026-01-01T00:00:00Z"}',  # missing fields
    b"\xff\xfe\x00 binary garbage",  # not UTF-8
]


@dataclass
class Detection:
    truth: dict[str, dict]
    alerted: set[str]
    dead_letters: list[tuple]
    reasons_per_alert: list[int]
    accounts_scored: int
    model_versions: set[str]
    in_campaigns: set[str]


@pytest.fixture(scope="module")
def detection(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e")
    events, labels, store = work / "events.jsonl", work / "labels.jsonl", work / "detections.duckdb"
    # A seed the shipped model never saw in training.
    assert main(["simulate", "--output", str(events), "--labels", str(labels), "--seed", "4242"]) == 0
    with events.open("ab") as handle:
        handle.write(b"\n".join(BAD_LINES) + b"\n")
    assert main(["detect", "--input", str(events), "--output", str(store)]) == 0
    with duckdb.connect(str(store), read_only=True) as db:
        return Detection(
            truth={record["account_id"]: record for record in map(json.loads, labels.read_text().splitlines())},
            alerted={a for (a,) in db.execute("select distinct account_id from alerts").fetchall()},
            dead_letters=db.execute("select stage, error, payload from dead_letter").fetchall(),
            reasons_per_alert=[n for (n,) in db.execute("select len(reasons) from alerts").fetchall()],
            accounts_scored=db.execute("select count(distinct account_id) from account_scores").fetchone()[0],
            model_versions={v for (v,) in db.execute("select distinct model_version from account_scores").fetchall()},
            in_campaigns={a for (a,) in db.execute("select distinct unnest(members) from campaigns").fetchall()},
        )


@pytest.mark.slow
def test_benign_accounts_do_not_alert(detection):
    benign = [a for a, t in detection.truth.items() if t["label"] == "benign"]
    benign_alerted = sorted(detection.truth[a]["archetype"] for a in detection.alerted if a in benign)
    # The shipped manifest records the benign-account FPR measured on held-out seeds (`distillwatch evaluate`).
    # The pipeline must be consistent with it: more false positives than a binomial draw at that rate gives
    # (99.9% quantile) means the end-to-end run alerts more than the offline evaluation says the model does.
    manifest = json.loads(Path(DEFAULT_MODEL_MANIFEST).read_text())
    fpr = manifest["metrics"]["held_out_seeds"]["benign_fpr_at_threshold"]
    assert len(benign_alerted) <= max(1, binom.ppf(0.999, len(benign), fpr)), (fpr, benign_alerted)


@pytest.mark.slow
def test_extraction_accounts_alert(detection):
    truth, alerted = detection.truth, detection.alerted
    # Full-rate single-account attacks must all be caught; campaign members and low-and-slow accounts are
    # individually modest by design (the campaign stage links them), so they count towards overall recall.
    full_rate = {"distillation_crawler", "reasoning_coercion", "logprob_harvest", "capability_narrow"}
    missed = sorted(t["archetype"] for a, t in truth.items() if t["archetype"] in full_rate and a not in alerted)
    assert missed == []
    # Overall, consistent with the recall the manifest records on held-out seeds at the same threshold: fewer
    # alerted than a binomial draw at that rate gives (0.1% quantile) means the end-to-end run finds less than the
    # offline evaluation says the model does.
    extraction = {a for a, t in truth.items() if t["label"] == "extraction"}
    manifest = json.loads(Path(DEFAULT_MODEL_MANIFEST).read_text())
    recall = manifest["metrics"]["held_out_seeds"]["recall_at_threshold"]
    assert len(extraction & alerted) >= binom.ppf(0.001, len(extraction), recall), (recall, len(extraction & alerted))


@pytest.mark.slow
def test_alerts_carry_reasons_and_scores_carry_the_model_version(detection):
    assert detection.alerted and all(count >= 1 for count in detection.reasons_per_alert)
    assert detection.accounts_scored > 100
    assert len(detection.model_versions) == 1 and all(detection.model_versions)


@pytest.mark.slow
def test_malformed_lines_are_dead_lettered_with_reasons(detection):
    assert len(detection.dead_letters) == len(BAD_LINES)
    assert all(stage == "parse" and error for stage, error, _ in detection.dead_letters)


@pytest.mark.slow
def test_the_simulated_campaign_is_linked_across_its_accounts(detection):
    members = {a for a, t in detection.truth.items() if t["campaign_id"]}
    assert members, "the default simulation plants one campaign"
    assert len(members & detection.in_campaigns) / len(members) >= 0.8
    assert not {a for a in detection.in_campaigns if detection.truth[a]["label"] == "benign"}
