"""Stage 1: walk the scan roots and classify files into Sources."""
from __future__ import annotations

import fnmatch
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from scanner.notices import Notice

DEFAULT_EXCLUDES = (".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".tox")
MAX_FILE_BYTES = 5 * 1024 * 1024

TERRAFORM_STATE_SUFFIXES = (".tfstate", ".tfstate.backup", ".tfplan")


@dataclass(frozen=True, order=True)
class Source:
    path: str          # relative to the scan root, POSIX separators
    kind: str          # terraform | tfvars | terraform-json | yaml | json | tfstate | text
    abspath: str


def classify(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".tf"):
        return "terraform"
    if lower.endswith(".tf.json"):
        return "terraform-json"
    if lower.endswith(".tfvars") or lower.endswith(".tfvars.json"):
        return "tfvars"
    if lower.endswith(TERRAFORM_STATE_SUFFIXES):
        return "tfstate"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith(".json"):
        return "json"
    return "text"


def ci_kind(path: str) -> str | None:
    name = posixpath.basename(path)
    if "/.github/workflows/" in f"/{path}" and name.endswith((".yml", ".yaml")):
        return "github_workflow"
    if name in (".gitlab-ci.yml", ".gitlab-ci.yaml") or path.endswith(".gitlab-ci.yml"):
        return "gitlab_ci"
    return None


def _excluded(rel: str, name: str, excludes: tuple[str, ...]) -> bool:
    for pattern in excludes:
        if name == pattern or fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern):
            return True
    return False


def _looks_binary(path: str) -> bool:
    with open(path, "rb") as handle:
        return b"\0" in handle.read(8192)


def display_prefix(root: str) -> str:
    """Paths are shown relative to the working directory (the repository root in CI) when the scan root
    is inside it, so SARIF URIs are repository-relative; otherwise relative to the scan root."""
    real_root, cwd = os.path.realpath(root), os.path.realpath(os.getcwd())
    if not _inside(real_root, cwd) or real_root == cwd:
        return ""
    base = real_root if os.path.isdir(real_root) else os.path.dirname(real_root)
    rel = os.path.relpath(base, cwd).replace(os.sep, "/")
    return "" if rel == "." else rel + "/"


def discover(root: str, excludes: tuple[str, ...] = (), prefix: str = "") -> tuple[list[Source], list[Notice]]:
    """Every scannable file under root (a directory or a single file), sorted by path.

    Symlinks are followed only when their target stays inside the root; directories are visited
    once by their real path, so symlink loops end.
    """
    root_path = Path(root)
    all_excludes = DEFAULT_EXCLUDES + tuple(excludes)
    if root_path.is_file():
        return _single_file(root_path, prefix)
    real_root = os.path.realpath(root)
    sources: list[Source] = []
    notices: list[Notice] = []
    seen_dirs: set[str] = set()

    def on_error(err: OSError) -> None:
        rel = prefix + os.path.relpath(err.filename or root, root).replace(os.sep, "/")
        notices.append(Notice(rel, 0, f"cannot read directory: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        real_dir = os.path.realpath(dirpath)
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = prefix + ("" if rel_dir == "." else rel_dir + "/")
        if real_dir in seen_dirs or not _inside(real_dir, real_root):
            dirnames[:] = []
            notices.append(Notice(rel_dir.rstrip("/"), 0, "skipped: symlink loop or link outside the scan root", "note"))
            continue
        seen_dirs.add(real_dir)
        dirnames[:] = sorted(d for d in dirnames if not _excluded(rel_dir[len(prefix):] + d, d, all_excludes))
        for name in sorted(filenames):
            rel = rel_dir + name
            if _excluded(rel[len(prefix):], name, all_excludes):
                continue
            source, notice = _source(os.path.join(dirpath, name), rel, real_root)
            if notice:
                notices.append(notice)
            if source:
                sources.append(source)
    return sorted(sources), sorted(notices)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _source(abspath: str, rel: str, real_root: str) -> tuple[Source | None, Notice | None]:
    if os.path.islink(abspath) and not _inside(os.path.realpath(abspath), real_root):
        return None, Notice(rel, 0, "skipped: symlink points outside the scan root", "note")
    try:
        size = os.path.getsize(abspath)
        if size > MAX_FILE_BYTES:
            return None, Notice(rel, 0, f"skipped: file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", "note")
        kind = classify(rel)
        if kind != "tfstate" and _looks_binary(abspath):
            if kind == "text":
                return None, None
            return None, Notice(rel, 0, "skipped: binary file", "warning")
    except OSError as err:
        return None, Notice(rel, 0, f"cannot read file: {err.strerror}")
    return Source(rel, kind, abspath), None


def _single_file(path: Path, prefix: str) -> tuple[list[Source], list[Notice]]:
    source, notice = _source(str(path), prefix + path.name, os.path.realpath(path.parent))
    return ([source] if source else []), ([notice] if notice else [])
