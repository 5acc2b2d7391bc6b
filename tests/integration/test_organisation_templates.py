"""The organisation templates: a GitHub Actions matrix, a GitLab parent/child pipeline and a Kubernetes Indexed
Job. Each is valid for its engine, and the commands its jobs run scan one repository per job and merge the
results, run here on two local git repositories."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
EXAMPLES = {"gemeente/zaken": "azure-municipal", "gemeente/meldingen": "k8s-app"}
GIT = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull, "GIT_TERMINAL_PROMPT": "0"}


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("check_jsonschema")
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def remotes(tmp_path) -> Path:
    """Bare git repositories of two examples under <tmp>/git/<group>/<name>.git, as a git server holds them."""
    server = tmp_path / "git"
    for path, example in EXAMPLES.items():
        work = tmp_path / "src" / path
        shutil.copytree(REPO / "examples" / example, work)
        env = {**os.environ, **GIT}
        for command in (["init", "--quiet", "-b", "main"], ["add", "."],
                        ["-c", "user.name=t", "-c", "user.email=t@example.nl", "commit", "--quiet", "-m", "x"]):
            subprocess.run(["git", *command], cwd=work, env=env, check=True, timeout=60)
        (server / path).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "--quiet", "--bare", str(work), str(server / f"{path}.git")], env=env,
                       check=True, timeout=60)
    return server


@pytest.fixture
def shim(tmp_path) -> Path:
    """A directory with `sovscan` running this checkout."""
    directory = tmp_path / "bin"
    directory.mkdir()
    (directory / "sovscan").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m scanner "$@"\n', encoding="utf-8")
    (directory / "sovscan").chmod(0o755)
    return directory


def _env(shim: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOVSCAN_", "CI_", "GIT_"))}
    env.update(GIT)
    env.update(extra)
    env["PATH"] = f"{shim}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    return env


def _sh(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _assert_merged(organisation: Path, results: list[Path]) -> None:
    merged = json.loads(organisation.read_text("utf-8"))
    scans = [json.loads(p.read_text("utf-8")) for p in results]
    assert merged["totals"]["repositories"] == len(results) == 2
    for key in ("checks", "passes", "findings", "failing", "unresolved", "suppressed"):
        assert merged["totals"][key] == sum(s["summary"][key] for s in scans), key


# --- GitHub Actions ----------------------------------------------------------------------------------------

def test_github_matrix_workflow():
    path = TEMPLATES / "github" / "sovscan-organisation.yml"
    assert check_jsonschema("vendor.github-workflows", path).returncode == 0
    jobs = yaml.safe_load(path.read_text("utf-8"))["jobs"]
    scan, merge = jobs["scan"], jobs["merge"]
    assert scan["strategy"]["fail-fast"] is False and len(scan["strategy"]["matrix"]["include"]) >= 2
    step = next(s for s in scan["steps"] if s.get("id") == "scan")
    assert step["continue-on-error"] is True and "json=results/${{ matrix.name }}.json" in step["with"]["formats"]
    assert merge["needs"] == "scan" and merge["if"] == "always()"
    download = next(s for s in merge["steps"] if str(s.get("uses", "")).startswith("actions/download-artifact"))
    assert download["with"] == {"pattern": "sovscan-*", "path": "results", "merge-multiple": True}
    assert any("report merge results/*.json" in s.get("run", "") for s in merge["steps"])


# --- GitLab parent/child -----------------------------------------------------------------------------------

def test_gitlab_parent_child_pipeline(remotes, shim, tmp_path):
    parent, child = TEMPLATES / "gitlab" / "organisation.gitlab-ci.yml", TEMPLATES / "gitlab" / "organisation-child.gitlab-ci.yml"
    assert check_jsonschema("vendor.gitlab-ci", parent).returncode == 0
    assert check_jsonschema("vendor.gitlab-ci", child).returncode == 0
    trigger = yaml.safe_load(parent.read_text("utf-8"))["sovscan-organisation"]["trigger"]
    assert trigger["strategy"] == "depend" and trigger["include"] == [{"local": "ci/sovscan-organisation-child.yml"}]
    jobs = yaml.safe_load(child.read_text("utf-8"))
    assert jobs["sovscan-merge"]["needs"] == ["sovscan-scan"] and jobs["sovscan-merge"]["when"] == "always"
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    assert len(jobs["sovscan-scan"]["parallel"]["matrix"][0]["REPOSITORY"]) >= 2
    for repository in EXAMPLES:
        env = _env(shim, REPOSITORY=repository, SOVSCAN_FAIL_ON="error", SOVSCAN_GIT_BASE=f"file://{remotes}")
        done = _sh("\n".join(jobs["sovscan-scan"]["script"]), workspace, env)
        assert done.returncode == 0, done.stdout + done.stderr
    results = sorted((workspace / "results").glob("*.json"))
    assert [p.name for p in results] == ["gemeente_meldingen.json", "gemeente_zaken.json"]
    done = _sh("\n".join(jobs["sovscan-merge"]["script"]), workspace, _env(shim))
    assert done.returncode == 0, done.stderr
    assert "sovscan organisation: 2 repositories (2 failing)" in done.stdout
    _assert_merged(workspace / "organisation.json", results)
    assert (workspace / "organisation.html").read_text("utf-8").startswith("<!DOCTYPE html>")


# --- Kubernetes Indexed Job --------------------------------------------------------------------------------

def _documents(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((TEMPLATES / "kubernetes" / name).read_text("utf-8")) if d]


def test_kubernetes_indexed_job_scans_one_repository_per_index_then_merges(remotes, shim, tmp_path):
    documents = _documents("sovscan-organisation.yaml")
    kinds = {(d["kind"], d["metadata"]["name"]): d for d in documents}
    job = kinds[("Job", "sovscan-scan")]
    listed = kinds[("ConfigMap", "sovscan-repositories")]["data"]["repositories.txt"].splitlines()
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["completions"] == len(listed) == 2
    assert kinds[("PersistentVolumeClaim", "sovscan-results")]["spec"]["accessModes"] == ["ReadWriteMany"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["/bin/sh", "-c"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    env = {e["name"]: e["value"] for e in container["env"]}
    assert (env["SOVSCAN_RESULTS"], mounts["results"]) == ("/results", "/results")

    # the pods' paths, here: the repository list (local git URLs), the shared volume and the work directory
    repositories = tmp_path / "config" / "repositories.txt"
    repositories.parent.mkdir()
    repositories.write_text("".join(f"file://{remotes}/{path}.git\n" for path in EXAMPLES), "utf-8")
    results, work = tmp_path / "results", tmp_path / "work"
    results.mkdir()
    work.mkdir()
    paths = {"SOVSCAN_REPOSITORIES": str(repositories), "SOVSCAN_RESULTS": str(results), "SOVSCAN_WORK": str(work)}
    for index in ("0", "1"):
        done = _sh(container["args"][0], tmp_path, _env(shim, JOB_COMPLETION_INDEX=index, HOME=str(work), **paths))
        assert done.returncode == 0, done.stdout + done.stderr
    scanned = sorted(results.glob("*.json"))
    assert [p.name for p in scanned] == ["meldingen.json", "zaken.json"]
    assert json.loads((results / "zaken.json").read_text("utf-8"))["scan"]["paths"] == ["zaken"]
    missing = _sh(container["args"][0], tmp_path, _env(shim, JOB_COMPLETION_INDEX="2", HOME=str(work), **paths))
    assert missing.returncode == 2 and "no repository on line 3" in missing.stderr

    (merge,) = _documents("sovscan-organisation-merge.yaml")
    (merger,) = merge["spec"]["template"]["spec"]["containers"]
    done = _sh(merger["args"][0], tmp_path, _env(shim, SOVSCAN_RESULTS=str(results)))
    assert done.returncode == 0, done.stderr
    _assert_merged(results / "organisation.json", scanned)
    assert (results / "organisation.html").is_file()


def test_templates_meet_sovscans_own_policies(capsys, monkeypatch):
    from scanner import cli
    monkeypatch.chdir(REPO)
    assert cli.main(["scan", "templates", "--fail-on", "note", "-q"]) == 0
    assert capsys.readouterr().out == ""
