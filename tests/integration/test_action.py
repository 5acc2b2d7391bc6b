"""action.yml: valid action metadata, no expression injection, and its steps run end to end as a runner would."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
VIOLATION = 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'
POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web\n"
       "    image: nginx:latest\n    securityContext: {privileged: true}\n")


def action() -> dict:
    return yaml.safe_load(ACTION.read_text("utf-8"))


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("check_jsonschema")
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, timeout=120)


def test_action_metadata_is_valid(tmp_path):
    assert check_jsonschema("vendor.github-actions", ACTION).returncode == 0
    # The oracle is not vacuous: a composite output without `value:` is rejected.
    broken = action()
    del broken["outputs"]["sarif-file"]["value"]
    (tmp_path / "action.yml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    rejected = check_jsonschema("vendor.github-actions", tmp_path / "action.yml")
    assert rejected.returncode == 1 and "'value' is a required property" in rejected.stdout


def test_inputs_reach_scripts_only_through_env():
    data = action()
    assert data["runs"]["using"] == "composite"
    used = set()
    for step in data["runs"]["steps"]:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], f"expression inside run: of {step['name']!r}"
        for value in step.get("env", {}).values():
            for expression in EXPRESSION.findall(str(value)):
                name = re.fullmatch(r"inputs\.([\w-]+)", expression)
                assert name and name.group(1) in data["inputs"], expression
                used.add(name.group(1))
    assert used == set(data["inputs"]), "every input is passed to a step"
    for output in data["outputs"].values():
        assert EXPRESSION.fullmatch(output["value"]).group(1).startswith("steps.scan.outputs.")


# --- end to end: the steps, run locally the way a runner runs a composite action ---------------------------

def _action_checkout(tmp_path: Path) -> Path:
    """A copy of the repository without build output, virtual environments or tests, as `uses:` checks it out."""
    target = tmp_path / "action"
    ignore = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "tests", "examples",
                                    ".pytest_cache", ".benchmarks", "__pycache__")
    shutil.copytree(REPO, target, ignore=ignore)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """The runner after the install step, run once for the tests below: the install is a pip install of the
    whole package (most of these tests' time), and the scan step only reads the environment it made."""
    base = tmp_path_factory.mktemp("runner")
    runner = {"GITHUB_ACTION_PATH": str(_action_checkout(base)), "RUNNER_TEMP": str(base / "temp")}
    (base / "temp").mkdir()
    data = action()
    inputs = {name: spec.get("default", "") for name, spec in data["inputs"].items()}
    install = data["runs"]["steps"][0]
    (base / "workspace").mkdir()
    done = run_step(install, {**inputs, "python": sys.executable}, runner, base / "workspace")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sovscan " in done.stdout
    return runner


def _env(value: str, inputs: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        name = re.fullmatch(r"inputs\.([\w-]+)", match.group(1))
        assert name, f"the test runner only knows inputs.*, not {match.group(1)}"
        return inputs[name.group(1)]
    return EXPRESSION.sub(replace, str(value))


def run_step(step: dict, inputs: dict[str, str], runner: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    script = cwd.parent / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "SOVSCAN_", "PIP_"))}
    env.update(runner)
    env.update({key: _env(value, inputs) for key, value in step.get("env", {}).items()})
    # What `shell: bash` means on a runner.
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=540)


def test_action_steps_install_scan_and_set_outputs(tmp_path, installed):
    workspace = tmp_path / "workspace"
    (workspace / "infra").mkdir(parents=True)
    (workspace / "infra" / "main.tf").write_text(VIOLATION, encoding="utf-8")
    (workspace / "k8s").mkdir()
    (workspace / "k8s" / "app.yaml").write_text(POD, encoding="utf-8")
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.touch()
    summary.touch()
    runner = {**installed, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    data = action()
    inputs = {name: spec.get("default", "") for name, spec in data["inputs"].items()}
    inputs.update({"paths": "infra\nk8s", "formats": "json=sovscan.json", "python": sys.executable,
                   "args": "--show-unresolved"})
    scan = data["runs"]["steps"][1]

    scanned = run_step(scan, inputs, runner, workspace)
    assert scanned.returncode == 1, scanned.stdout + scanned.stderr   # findings at or above fail-on: error
    assert "RES-001" in scanned.stdout                                  # the text report goes to the log
    lines = output.read_text("utf-8").splitlines()
    assert "sarif-file=sovscan.sarif" in lines and "exit-code=1" in lines
    sarif = json.loads((workspace / "sovscan.sarif").read_text("utf-8"))
    rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"RES-001", "WL-001"} <= rules
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]} == {"infra/main.tf", "k8s/app.yaml"}
    assert json.loads((workspace / "sovscan.json").read_text("utf-8"))["findings"]
    assert summary.read_text("utf-8").startswith("## sovscan results")

    assert sarif["runs"][0]["automationDetails"]["id"] == "sovscan/"

    # fail-on never: same reports, a green step; empty optional inputs (an expression that gave '' for the
    # category) are not passed to the CLI; a category names the run.
    output.write_text("", encoding="utf-8")
    relaxed = run_step(scan, {**inputs, "fail-on": "never", "job-summary": "false", "sarif-category": ""}, runner,
                       workspace)
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert "exit-code=0" in output.read_text("utf-8").splitlines()
    named = run_step(scan, {**inputs, "fail-on": "never", "sarif-category": "sovscan-changed"}, runner, workspace)
    assert named.returncode == 0, named.stdout + named.stderr
    assert json.loads((workspace / "sovscan.sarif").read_text("utf-8"))["runs"][0]["automationDetails"]["id"] == \
        "sovscan-changed/"

    # The optional inputs reach the CLI: an unknown profile is a usage error, and no stale SARIF is announced.
    output.write_text("", encoding="utf-8")
    wrong = run_step(scan, {**inputs, "profile": "no-such-profile"}, runner, workspace)
    assert wrong.returncode == 2 and "no-such-profile" in wrong.stderr
    assert output.read_text("utf-8").splitlines() == ["exit-code=2", "sarif-file="]


def test_documented_args_and_annotations(tmp_path, installed):
    """The README's `args` example works as written (quotes included), and annotations go to the log."""
    workspace = tmp_path / "workspace"
    for name in ("infra/main.tf", "test/fixtures/main.tf"):
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text(VIOLATION, encoding="utf-8")
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.touch()
    summary.touch()
    runner = {**installed, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    data = action()
    inputs = {name: spec.get("default", "") for name, spec in data["inputs"].items()}
    inputs.update({"python": sys.executable, "args": "--only residency --exclude 'test/**'", "annotations": "true"})
    scan = data["runs"]["steps"][1]
    scanned = run_step(scan, inputs, runner, workspace)
    assert scanned.returncode == 1, scanned.stderr
    annotations = [line for line in scanned.stdout.splitlines() if line.startswith("::")]
    assert annotations and all("file=infra/main.tf" in line for line in annotations)
    sarif = json.loads((workspace / "sovscan.sarif").read_text("utf-8"))
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]} == {"infra/main.tf"}
