"""The Flex Template (infra/dataflow/) launches exactly `distillwatch detect`: its parameters are the command's
options, its image is the Beam SDK the package pins, and its entry point submits without waiting."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest

from distillwatch.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "dataflow"


def _detect_options():
    commands = next(a for a in build_parser()._actions if a.dest == "command")
    detect = commands.choices["detect"]
    return [action for action in detect._actions if action.dest != "help"]


def _parameters():
    return json.loads((TEMPLATE / "metadata.json").read_text())["parameters"]


def test_parameters_are_exactly_the_options_of_detect():
    options = {action.option_strings[0].removeprefix("--"): action for action in _detect_options()}
    parameters = {parameter["name"]: parameter for parameter in _parameters()}
    assert list(parameters) == list(options)
    for name, parameter in parameters.items():
        option = options[name]
        assert parameter.get("isOptional", False) is not option.required, name
        assert option.help and parameter["helpText"].startswith(option.help), name
        assert parameter["label"]


def test_parameter_regexes_accept_what_a_dataflow_job_reads_and_writes():
    by_name = {parameter["name"]: parameter for parameter in _parameters()}

    def accepted(name, value):
        return all(re.fullmatch(regex, value) for regex in by_name[name].get("regexes", []))

    assert accepted("input", "projects/p/subscriptions/detector") and accepted("input", "gs://b/logs/*.jsonl.gz")
    assert not accepted("input", "projects/p/topics/usage-events")
    assert accepted("output", "bq:my-project:detections") and not accepted("output", "out/detections.duckdb")


def test_the_image_is_the_beam_sdk_the_package_pins_and_runs_the_launch_script():
    dockerfile = (TEMPLATE / "Dockerfile").read_text()
    (beam_pin,) = re.findall(r'"apache-beam\[gcp\]==([\d.]+)"', (ROOT / "setup.py").read_text())
    assert f"FROM apache/beam_python3.11_sdk:{beam_pin}\n" in dockerfile
    (entry,) = re.findall(r"^ENV FLEX_TEMPLATE_PYTHON_PY_FILE=(\S+)$", dockerfile, re.MULTILINE)
    assert f"COPY infra/dataflow/launch.py {Path(entry).name}" in dockerfile
    for package in ("pipelines", "distillwatch", "models", "simulator", "devtools"):
        assert f"COPY {package}/ {package}/" in dockerfile  # everything distillwatch.cli imports


def test_the_launch_script_refuses_a_bad_parameter_in_one_line(capsys):
    launch = runpy.run_path(str(TEMPLATE / "launch.py"))
    status = launch["main"](["--input", "projects/p/topics/usage-events", "--output", "bq:p:d"])
    assert status == 2
    assert capsys.readouterr().err.strip().endswith("(the pipeline pulls from a subscription, never from a topic)")


def test_the_launch_script_submits_without_waiting(monkeypatch):
    launch = runpy.run_path(str(TEMPLATE / "launch.py"))
    submitted = []
    monkeypatch.setitem(launch["main"].__globals__, "submit", lambda args, beam_args: submitted.append(args))
    assert launch["main"](["--input", "gs://b/x.jsonl", "--output", "bq:p:d", "--runner", "DataflowRunner"]) == 0
    (args,) = submitted
    assert (args.command, args.input, args.output) == ("detect", "gs://b/x.jsonl", "bq:p:d")


@pytest.mark.parametrize("command", ["flex-template build", "flex-template run"])
def test_the_runbook_names_the_commands(command):
    runbook = (ROOT / "infra" / "RUNBOOK.md").read_text()
    assert f"gcloud dataflow {command}" in runbook
    assert "infra/dataflow/metadata.json" in runbook
