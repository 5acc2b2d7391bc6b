"""templates/sovscan.gitlab-ci.yml: valid GitLab CI, a report job that stays green, a gate job that fails."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "templates" / "sovscan.gitlab-ci.yml"
VIOLATION = 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'
REPORTS = {"sast": "gl-sast-report.json", "codequality": "gl-code-quality-report.json", "junit": "sovscan-junit.xml"}


def template() -> dict:
    return yaml.safe_load(TEMPLATE.read_text("utf-8"))


def job(name: str) -> dict:
    """The job with its `extends:` template merged in (one level, as the template uses)."""
    data = template()
    merged = dict(data[data[name]["extends"]])
    merged.update(data[name])
    return merged


def check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("check_jsonschema")
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_template_is_valid_gitlab_ci(tmp_path):
    assert check_jsonschema(TEMPLATE).returncode == 0
    broken = template()
    broken["sovscan"]["artifacts"]["when"] = "sometimes"
    (tmp_path / "broken.yml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert check_jsonschema(tmp_path / "broken.yml").returncode == 1


def test_report_job_accepts_findings_only_and_publishes_reports():
    report = job("sovscan")
    (script,) = report["script"]
    assert '--fail-on "$SOVSCAN_FAIL_ON"' in script and script.endswith("|| [ $? -eq 1 ]")
    assert "-f html=sovscan.html" in script and "sovscan.html" in report["artifacts"]["paths"]
    assert report["artifacts"]["when"] == "always"
    assert report["artifacts"]["reports"] == REPORTS
    for kind, name in REPORTS.items():
        assert f"={name}" in script
        assert name in report["artifacts"]["paths"]
    assert report["artifacts"]["reports"]["junit"].endswith(".xml")   # GitLab answers 500 otherwise


def test_gate_job_fails_on_the_configured_level():
    gate = job("sovscan-gate")
    (script,) = gate["script"]
    assert '--fail-on "$SOVSCAN_FAIL_ON"' in script and "never" not in script
    assert "artifacts" not in gate


def _run_job(name: str, workspace: Path, shim_dir: Path) -> subprocess.CompletedProcess:
    """The job's script in sh -e with the template's variables, `sovscan` being this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOVSCAN_")}
    env.update({k: str(v) for k, v in template()["variables"].items()})
    env["PATH"] = f"{shim_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    script = "\n".join(job(name)["script"])
    return subprocess.run(["sh", "-e", "-c", script], cwd=workspace, env=env, capture_output=True, text=True,
                          timeout=120)


def test_jobs_run_report_then_gate(tmp_path):
    shim_dir = tmp_path / "bin"
    shim_dir.mkdir()
    shim = shim_dir / "sovscan"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m scanner "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    workspace = tmp_path / "project"
    (workspace / "infra").mkdir(parents=True)
    (workspace / "infra" / "main.tf").write_text(VIOLATION, encoding="utf-8")

    report = _run_job("sovscan", workspace, shim_dir)
    assert report.returncode == 0, report.stdout + report.stderr
    sast = json.loads((workspace / "gl-sast-report.json").read_text("utf-8"))
    assert {v["location"]["file"] for v in sast["vulnerabilities"]} == {"infra/main.tf"}
    quality = json.loads((workspace / "gl-code-quality-report.json").read_text("utf-8"))
    assert quality and all(i["location"]["path"] == "infra/main.tf" for i in quality)
    assert int(ET.parse(workspace / "sovscan-junit.xml").getroot().get("failures")) >= 1
    assert (workspace / "sovscan.html").read_text("utf-8").startswith("<!DOCTYPE html>")

    gate = _run_job("sovscan-gate", workspace, shim_dir)
    assert gate.returncode == 1 and "RES-001" in gate.stdout

    (workspace / "infra" / "main.tf").write_text(
        'resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n', encoding="utf-8")
    assert _run_job("sovscan-gate", workspace, shim_dir).returncode == 0

    (workspace / ".sovscan.yaml").write_text("profile: [not, a, name]\n", encoding="utf-8")
    broken = _run_job("sovscan", workspace, shim_dir)
    assert broken.returncode != 0 and "profile: expected a string" in broken.stderr, "a configuration error fails the job"


def _script_env(extra: dict[str, str], shim_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOVSCAN_", "CI_", "GIT_"))}
    env.update({k: str(v) for k, v in template()["variables"].items()})
    env.update(extra)
    if shim_dir is not None:
        env["PATH"] = f"{shim_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    return env


def test_install_needs_a_package_named_by_the_user(tmp_path):
    """No default package name: nobody owns `sovscan` on PyPI, so the job refuses to guess."""
    assert template()["variables"]["SOVSCAN_PACKAGE"] == ""
    guard = job("sovscan")["before_script"][0]
    done = subprocess.run(["sh", "-e", "-c", guard], cwd=tmp_path, env=_script_env({}), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "set SOVSCAN_PACKAGE" in done.stderr


def test_documented_args_with_quoted_globs_work_literally(tmp_path):
    shim_dir = tmp_path / "bin"
    shim_dir.mkdir()
    (shim_dir / "sovscan").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m scanner "$@"\n', encoding="utf-8")
    (shim_dir / "sovscan").chmod(0o755)
    workspace = tmp_path / "project"
    for name in ("infra/main.tf", "test/fixtures/main.tf"):
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text(VIOLATION, encoding="utf-8")
    env = _script_env({"SOVSCAN_ARGS": "--only residency --exclude 'test/**'"}, shim_dir)
    done = subprocess.run(["sh", "-e", "-c", "\n".join(job("sovscan")["script"])], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    files = {v["location"]["file"] for v in json.loads((workspace / "gl-sast-report.json").read_text())["vulnerabilities"]}
    assert files == {"infra/main.tf"}


def test_target_branch_configuration_is_used_in_merge_requests(tmp_path):
    """With SOVSCAN_CONFIG_FROM_TARGET_BRANCH the scan gets --config with the target branch's .sovscan.yaml."""
    def git(cwd: Path, *args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                       capture_output=True, env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")})
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    (origin / ".sovscan.yaml").write_text("residency:\n  tier: eu\n", encoding="utf-8")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "rules")
    workspace = tmp_path / "mr"
    git(tmp_path, "clone", "-q", str(origin), str(workspace))
    (workspace / ".sovscan.yaml").write_text("enforcement:\n  residency: off\n", encoding="utf-8")
    step = job("sovscan")["before_script"][-1] + '\nprintf "%s" "$SOVSCAN_ARGS"'
    env = _script_env({"SOVSCAN_CONFIG_FROM_TARGET_BRANCH": "true", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
                       "SOVSCAN_ARGS": "--only residency"})
    done = subprocess.run(["sh", "-e", "-c", step], cwd=workspace, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "--config /tmp/sovscan-target.yaml --only residency"
    assert Path("/tmp/sovscan-target.yaml").read_text(encoding="utf-8") == "residency:\n  tier: eu\n"

    # the merge request that adds the first .sovscan.yaml: the target branch has none, so its rules are the defaults
    git(origin, "rm", "-q", ".sovscan.yaml")
    git(origin, "commit", "-q", "-m", "no rules yet")
    done = subprocess.run(["sh", "-e", "-c", step], cwd=workspace, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "--config /tmp/sovscan-target.yaml --only residency"
    assert Path("/tmp/sovscan-target.yaml").read_text(encoding="utf-8") == ""
    # a target branch that cannot be fetched still stops the job
    env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] = "no-such-branch"
    done = subprocess.run(["sh", "-e", "-c", step], cwd=workspace, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "sovscan: cannot fetch no-such-branch" in done.stderr
