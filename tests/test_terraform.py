"""infra/terraform is formatted, and valid wherever the google provider can be installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

INFRA = Path(__file__).resolve().parent.parent / "infra"
TERRAFORM = shutil.which("terraform")
# Offline, a provider download fails with one of these (the registry, or the release host behind it).
PROVIDER_UNREACHABLE = ("Failed to query available provider packages", "Failed to install provider")

pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="terraform is not installed (not on PATH)")


def _terraform(*args: str, cwd: Path, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    # No version check-in with HashiCorp; no prompts.
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    return subprocess.run(
        [TERRAFORM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
    )


def test_terraform_files_are_formatted():
    result = _terraform("fmt", "-check", "-recursive", "-diff", "-no-color", str(INFRA / "terraform"), cwd=INFRA)
    assert result.returncode == 0, f"run `terraform fmt -recursive infra/terraform`:\n{result.stdout}{result.stderr}"


def test_terraform_configuration_is_valid(tmp_path):
    # A copy, so init leaves no .terraform/ or lock file in the tree; views are read from ../../distillwatch/sql.
    shutil.copytree(INFRA, tmp_path / "infra")
    shutil.copytree(INFRA.parent / "distillwatch" / "sql", tmp_path / "distillwatch" / "sql")
    module = tmp_path / "infra" / "terraform"
    init = _terraform("init", "-backend=false", "-input=false", "-no-color", cwd=module)
    if init.returncode != 0 and any(marker in init.stderr for marker in PROVIDER_UNREACHABLE):
        reason = next(line for line in init.stderr.splitlines() if line.startswith("Error:"))
        pytest.skip(f"terraform init cannot download the hashicorp/google provider here ({reason.strip()})")
    assert init.returncode == 0, init.stdout + init.stderr
    validate = _terraform("validate", "-no-color", cwd=module)
    assert validate.returncode == 0, validate.stdout + validate.stderr
