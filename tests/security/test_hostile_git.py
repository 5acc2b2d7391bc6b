"""--changed-since on a repository that tries to make git run its commands: nothing runs, nothing is hidden.

Every command-running git setting, filter, diff driver, hook and transport in the scanned repository's own
config (and in a file it includes) would `touch` a marker file; GIT_* variables inherited from the caller
try the same. The scan must find the changed line and no marker may appear.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from scanner import cli
from scanner import git as git_module
from tests.security.conftest import git

VIOLATION = 'resource "azurerm_resource_group" "rg" {\n  location = "eastus"\n}\n'
HOOKS = ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "fsmonitor-watchman",
         "pre-auto-gc", "post-rewrite", "pre-push")


def _script(path: Path, marker: Path) -> Path:
    path.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 0\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _make_hostile(repo: Path, markers: Path) -> None:
    markers.mkdir()
    tools = repo.parent / "tools"
    (tools / "hooks").mkdir(parents=True)
    for hook in HOOKS:
        _script(tools / "hooks" / hook, markers / f"hook-{hook}")
    run = {name: _script(tools / name, markers / name) for name in
           ("fsmonitor", "external-diff", "textconv", "clean", "smudge", "process", "pager", "ssh", "askpass",
            "credential", "proxy", "included", "alternate-refs", "editor", "gpg")}
    included = repo.parent / "included.config"
    included.write_text(f"[core]\n\tfsmonitor = {run['included']}\n[diff]\n\texternal = {run['included']}\n", "utf-8")
    with open(repo / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(f"""\
[core]
\tfsmonitor = {run['fsmonitor']}
\thooksPath = {tools / 'hooks'}
\tpager = {run['pager']}
\tsshCommand = {run['ssh']}
\taskPass = {run['askpass']}
\tgitProxy = {run['proxy']}
\talternateRefsCommand = {run['alternate-refs']}
\teditor = {run['editor']}
\tquotePath = true
[diff]
\texternal = {run['external-diff']}
[diff "evil"]
\ttextconv = {run['textconv']}
\tcommand = {run['external-diff']}
[filter "evil"]
\tclean = {run['clean']}
\tsmudge = {run['smudge']}
\tprocess = {run['process']}
\trequired = true
[credential]
\thelper = !{run['credential']}
[gpg]
\tprogram = {run['gpg']}
[log]
\tshowSignature = true
[protocol "ext"]
\tallow = always
[include]
\tpath = {included}
[includeIf "gitdir:/"]
\tpath = {included}
[pager]
\tdiff = {run['pager']}
\tshow = {run['pager']}
""")
    # Attributes that would route *.tf through the filter and drivers, and hide their diff as binary.
    (repo / ".gitattributes").write_text("*.tf filter=evil diff=evil\n*.tf -diff\n", encoding="utf-8")


def _markers(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir())


@pytest.fixture
def hostile(repo, tmp_path, monkeypatch):
    markers = tmp_path / "markers"
    _make_hostile(repo, markers)
    tool = _script(tmp_path / "env-tool", markers / "environment")
    for name in ("GIT_EXTERNAL_DIFF", "GIT_SSH_COMMAND", "GIT_SSH", "GIT_PAGER", "GIT_ASKPASS", "GIT_EDITOR",
                 "GIT_PROXY_COMMAND"):
        monkeypatch.setenv(name, str(tool))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.fsmonitor")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", str(tool))
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("PAGER", str(tool))
    return markers


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def test_hostile_repository_runs_nothing_and_hides_no_change(repo, hostile, capsys):
    (repo / "infra" / "main.tf").write_text(VIOLATION, encoding="utf-8")
    (repo / "new file ü.tf").write_text(VIOLATION, encoding="utf-8")
    before = _snapshot(repo)
    code = cli.main(["scan", ".", "--only", "RES-001", "--changed-since", "HEAD", "-f", "json=out.json"])
    assert _markers(hostile) == []
    after = _snapshot(repo)
    assert after.pop("out.json") and after == before     # not even .git/index was touched
    assert code == 1, capsys.readouterr().err
    import json
    found = [(f["path"], f["line"], f["policy_id"]) for f in json.loads((repo / "out.json").read_text())["findings"]]
    assert found == [("infra/main.tf", 2, "RES-001"), ("new file ü.tf", 2, "RES-001")]


def test_changed_file_with_newline_in_its_name_is_seen(repo, hostile, capsys):
    git_env_free = repo / "odd\nname.tf"
    git_env_free.write_text(VIOLATION, encoding="utf-8")
    code = cli.main(["scan", ".", "--only", "RES-001", "--changed-since", "HEAD", "-f", "json=out.json"])
    assert _markers(hostile) == []
    import json
    paths = [f["path"] for f in json.loads((repo / "out.json").read_text())["findings"]]
    assert code == 1 and paths == ["odd\nname.tf"]


@pytest.mark.parametrize("ref", ["--output=/tmp/sovscan-pwned", "--output", "-o", "HEAD --output=x", "nope",
                                 "HEAD:infra/main.tf", "HEAD^{tree}"])
def test_a_ref_that_is_not_a_commit_exits_2(repo, hostile, tmp_path, capsys, ref):
    (repo / "infra" / "main.tf").write_text(VIOLATION, encoding="utf-8")
    before = sorted(os.listdir(repo))
    code = cli.main(["scan", ".", "--only", "RES-001", f"--changed-since={ref}"])
    err = capsys.readouterr().err
    assert code == 2 and "--changed-since" in err and "is not a commit" in err
    assert sorted(os.listdir(repo)) == before and not os.path.exists("/tmp/sovscan-pwned")
    assert _markers(hostile) == []


def test_renamed_file_keeps_its_history_and_an_edited_rename_is_changed(repo, capsys):
    (repo / "infra" / "old.tf").write_text(VIOLATION, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "debt")
    os.rename(repo / "infra" / "old.tf", repo / "infra" / "moved here.tf")
    assert cli.main(["scan", ".", "--only", "RES-001", "--changed-since", "HEAD"]) == 0
    (repo / "infra" / "moved here.tf").write_text(VIOLATION + "\n", encoding="utf-8")
    assert cli.main(["scan", ".", "--only", "RES-001", "--changed-since", "HEAD"]) == 1


def test_shallow_clone_says_how_to_fetch(repo, tmp_path, capsys):
    (repo / "infra" / "main.tf").write_text(VIOLATION, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{repo}", str(clone))
    os.chdir(clone)
    code = cli.main(["scan", ".", "--changed-since", "HEAD~1"])
    err = capsys.readouterr().err
    assert code == 2 and "shallow clone" in err and "fetch-depth: 0" in err and "GIT_DEPTH: 0" in err


def test_partial_clone_never_fetches(repo, tmp_path, capsys):
    """A missing blob in a partial clone would make git fetch it through the repository's remote, here an
    `ext::` transport that runs a command. No fetch happens: the scan stops with exit 2 instead."""
    markers = tmp_path / "markers"
    markers.mkdir()
    oid = git(repo, "rev-parse", "HEAD:infra/main.tf").strip()
    (repo / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    with open(repo / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(f"[extensions]\n\tpartialClone = origin\n[remote \"origin\"]\n\tpromisor = true\n"
                     f"\turl = ext::sh -c touch% {markers}/fetched\n[protocol \"ext\"]\n\tallow = always\n")
    git(repo, "config", "core.repositoryformatversion", "1")
    (repo / "infra" / "main.tf").write_text(VIOLATION, encoding="utf-8")
    code = cli.main(["scan", ".", "--only", "RES-001", "--changed-since", "HEAD"])
    assert _markers(markers) == []
    assert code in (1, 2)


def test_an_old_version_too_large_to_read_counts_as_changed_in_full(repo, capsys, monkeypatch):
    """The history may hold a gigabyte of zeros where the file now is small: its old version is not read (the
    run would need the memory), and the file counts as changed in full."""
    (repo / "infra" / "main.tf").write_bytes(b"#" * (6 * 1024 * 1024))
    git(repo, "commit", "-q", "-am", "huge")
    (repo / "infra" / "main.tf").write_text(VIOLATION, encoding="utf-8")
    read: list[int] = []
    original = git_module.Repository.run

    def recording(self, args, stdin=b"", what="git"):
        out = original(self, args, stdin, what)
        read.append(len(out) if args[:2] == ["cat-file", "--batch"] else 0)
        return out
    monkeypatch.setattr(git_module.Repository, "run", recording)
    code = cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001"])
    assert code == 1 and "infra/main.tf:2" in capsys.readouterr().out
    assert max(read) < 1024 * 1024       # the 6 MiB blob was never read


def test_git_metadata_that_never_answers_ends_the_run_at_the_first_wait(repo, capsys, monkeypatch):
    """A FIFO included from .git/config blocks every git call until its timeout: the run stops at the first
    one and says why (it used to wait out four of them, then say HEAD is not a commit)."""
    fifo = repo.parent / "never"
    os.mkfifo(fifo)
    with open(repo / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(f"[include]\n\tpath = {fifo}\n")
    monkeypatch.setattr(git_module, "TIMEOUT_SECONDS", 1)
    calls: list[list[str]] = []
    original = git_module.Repository.run

    def counting(self, args, stdin=b"", what="git"):
        calls.append(args)
        return original(self, args, stdin, what)
    monkeypatch.setattr(git_module.Repository, "run", counting)
    code = cli.main(["scan", ".", "--changed-since", "HEAD"])
    err = capsys.readouterr().err
    assert code == 2 and "did not answer within 1 s" in err and "not a commit" not in err
    assert len(calls) == 1
