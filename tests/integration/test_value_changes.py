"""The most common dangerous change is a value: `location` in terraform.tfvars or a variable's default. It
must reach the modes built for changes: files as arguments (pre-commit), --changed-since, and the real
pre-commit hook."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner import cli

REPO = Path(__file__).resolve().parents[2]

MAIN = 'resource "azurerm_storage_account" "data" {\n  location = var.location\n}\n'
VARIABLES = 'variable "location" {\n  default = "westeurope"\n}\n'


def infra(write, tfvars: str = 'location = "westeurope"\n', variables: str = VARIABLES) -> Path:
    return write({"infra/main.tf": MAIN, "infra/variables.tf": variables, "infra/terraform.tfvars": tfvars})


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def test_a_tfvars_file_named_alone_reports_what_its_value_decides(write, monkeypatch, capsys):
    root = infra(write, tfvars='location = "centralus"\n')
    monkeypatch.chdir(root)
    assert cli.main(["scan", "infra/terraform.tfvars"]) == 1
    out = capsys.readouterr().out
    assert "infra/main.tf:2" in out or "  2  " in out
    assert "RES-001" in out and "(set in infra/terraform.tfvars:1)" in out


def test_a_variables_file_named_alone_reports_a_changed_default(write, monkeypatch, capsys):
    root = write({"infra/main.tf": MAIN, "infra/variables.tf": VARIABLES.replace("westeurope", "centralus")})
    monkeypatch.chdir(root)
    assert cli.main(["scan", "infra/variables.tf"]) == 1
    assert "(set in infra/variables.tf:2)" in capsys.readouterr().out


def test_an_unchanged_value_is_not_reported_for_an_unrelated_file(write, monkeypatch, capsys):
    root = infra(write, tfvars='location = "centralus"\n')
    (root / "infra" / "outputs.tf").write_text('output "x" {\n  value = 1\n}\n', encoding="utf-8")
    monkeypatch.chdir(root)
    assert cli.main(["scan", "infra/outputs.tf"]) == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("change", ["tfvars", "default"])
def test_changed_since_reports_a_value_changed_in_tfvars_or_a_default(write, monkeypatch, capsys, change):
    root = infra(write)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    if change == "tfvars":
        (root / "infra" / "terraform.tfvars").write_text('location = "centralus"\n', encoding="utf-8")
    else:
        (root / "infra" / "terraform.tfvars").unlink()
        git(root, "commit", "-qam", "no tfvars")
        (root / "infra" / "variables.tf").write_text(VARIABLES.replace("westeurope", "centralus"), encoding="utf-8")
    monkeypatch.chdir(root)
    assert cli.main(["scan", ".", "--changed-since", "HEAD"]) == 1
    assert "RES-001" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_real_pre_commit_hook_blocks_a_tfvars_change(write, tmp_path, pre_commit_home):
    pytest.importorskip("pre_commit")
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit try-repo needs this checkout to be a git repository")
    root = infra(write)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    (root / "infra" / "terraform.tfvars").write_text('location = "centralus"\n', encoding="utf-8")
    git(root, "add", "infra/terraform.tfvars")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "sovscan"],
                          cwd=root, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "RES-001" in done.stdout and "terraform.tfvars" in done.stdout
