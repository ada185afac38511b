"""The CI template (.github/workflows/ci.yml) and .ci/run share one quality gate, and it passes on a fresh seed model.

GitHub is not run here: the workflow's gate step is read from the YAML and run with bash, as a runner would, on the
seed model the end-to-end test trains (the ``seed_model`` fixture), and the reports land where the summary and
upload steps look for them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def workflow_steps() -> dict[str, dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    return {step.get("name", step.get("uses")): step for step in job["steps"]}


def test_workflow_and_ci_run_the_same_gate_and_test_command():
    steps = workflow_steps()
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in steps["Install and test (the README's test command)"]["run"]
    assert "bash scripts/test.sh" in ci_run and "bash scripts/test.sh" in (ROOT / "README.md").read_text()
    assert "scripts/quality_gate.sh" in steps["Quality gate"]["run"]
    assert "scripts/quality_gate.sh" in ci_run
    # one gate definition: no thresholds anywhere but in the gate script
    assert "--fail-under" not in WORKFLOW.read_text() and "--fail-under" not in ci_run
    assert "THRESHOLDS=" in (ROOT / "scripts" / "quality_gate.sh").read_text()


def test_every_path_the_workflow_reads_is_the_one_the_gate_writes():
    steps = workflow_steps()
    assert "reports/ci-seed/report.md" in steps["Job summary"]["run"]
    assert steps["Upload the reports"]["with"]["path"].rstrip("/") == "reports/ci-seed"


@pytest.mark.slow
def test_the_workflow_gate_step_passes_on_a_freshly_trained_seed_model(seed_model, tmp_path):
    steps = workflow_steps()
    job_env = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["test-train-evaluate"]["env"]
    command = steps["Quality gate"]["run"].replace("runs/ci-seed", str(seed_model))
    env = {**os.environ, **{k: str(v) for k, v in job_env.items()}, "REPORT_DIR": str(tmp_path / "reports")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # the `quotes` of this environment
    result = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert {p.name for p in (tmp_path / "reports").iterdir()} >= {"report.json", "report.md", "report.html"}
