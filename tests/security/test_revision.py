"""The commit a report names: read from the files under .git, with no git run and nothing the repository
configures read, whatever state or shape the checkout is in."""
from __future__ import annotations

import json
import os

from scanner import cli
from scanner import git as git_module
from tests.security.conftest import git


def head(repo) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def test_the_report_names_the_commit_the_checkout_has_out(repo, capsys):
    assert cli.main(["scan", "infra", "-f", "json=r.json"]) == 0
    assert json.loads((repo / "r.json").read_text("utf-8"))["scan"]["revision"] == head(repo)


def test_a_branch_detached_packed_and_in_a_worktree(repo, tmp_path):
    commit = head(repo)
    assert git_module.head_commit(repo) == commit                      # a loose ref
    git(repo, "pack-refs", "--all")
    assert not (repo / ".git/refs/heads/main").exists()
    assert git_module.head_commit(repo) == commit                      # in packed-refs
    git(repo, "checkout", "-q", "--detach")
    assert git_module.head_commit(repo) == commit                      # detached, as CI checks out
    git(repo, "worktree", "add", "-q", str(tmp_path / "other"), "-b", "other")
    assert (tmp_path / "other" / ".git").is_file()
    assert git_module.head_commit(tmp_path / "other") == commit         # a gitfile, branches in commondir


def test_no_commit_is_named_when_it_cannot_be_told(repo, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")
    assert git_module.head_commit(empty) is None                       # an unborn branch
    assert git_module.head_commit(tmp_path) is None                    # no .git at all
    (repo / ".git/HEAD").write_text("ref: refs/heads/../../../../etc/passwd\n", "utf-8")
    assert git_module.head_commit(repo) is None                        # a ref that climbs out
    (repo / ".git/HEAD").unlink()
    os.mkfifo(repo / ".git/HEAD")                                      # would block a plain open
    assert git_module.head_commit(repo) is None
    (repo / ".git/HEAD").unlink()
    (repo / ".git/HEAD").write_text("x" * 100_000, "utf-8")
    assert git_module.head_commit(repo) is None


def test_a_looping_or_nul_path_under_git_gives_no_commit_and_the_scan_goes_on(tmp_path, capsys):
    """.git as a gitfile naming a link to itself, or a path with a NUL byte: no revision, never an exit 3."""
    for name, gitfile, extra in (("loop", "gitdir: loop\n", "loop"), ("nul", "gitdir: a\x00b\n", ""),
                                 ("common", None, "commondir")):
        top = tmp_path / name
        top.mkdir()
        (top / "main.tf").write_text('resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n', "utf-8")
        if gitfile is not None:
            (top / ".git").write_text(gitfile, "utf-8")
        else:
            (top / ".git").mkdir()
            (top / ".git/HEAD").write_text("ref: refs/heads/main\n", "utf-8")
            (top / ".git/commondir").write_text("c\x00d\n", "utf-8")
        if extra == "loop":
            os.symlink("loop", top / "loop")
        assert git_module.head_commit(top) is None
        assert cli.main(["scan", str(top), "-f", f"json={tmp_path / (name + '.json')}"]) == 0
        assert json.loads((tmp_path / f"{name}.json").read_text("utf-8"))["scan"]["revision"] is None
