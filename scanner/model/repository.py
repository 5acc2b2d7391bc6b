"""Stage 3 for the repository as a whole: one `repository` resource for repository-level policies
(lock-in inventory, exit plan). It carries the scan root, whether that root is a repository's top
level (a scan of a subdirectory or a single module is not), and the exit plan document, if any.

The resource needs a file to point at, because every report format locates a finding in a file: the
exit plan (EXIT.md) when there is one, else the README at the root, else the first file at the
shallowest level.
"""
from __future__ import annotations

import datetime
import os
import posixpath
import re
from typing import Iterable, Mapping

from scanner.model.resource import Resource
from scanner.parse.files import ParsedFile

REPOSITORY_TYPE = "repository"
EXIT_PLAN_NAMES = ("exit.md",)
README_NAMES = ("readme.md", "readme", "readme.rst", "readme.txt", "readme.adoc")
# Files that sit at the top of a repository (discovery skips .git itself, so look for it on disk too).
TOP_LEVEL_MARKERS = README_NAMES + ("license", "license.md", "license.txt", "copying", ".gitignore",
                                    ".gitlab-ci.yml", "codeowners", "contributing.md")
# Files only a repository's own top level holds (unlike a README, which modules have too): a directory below
# the scan root with two of them, or with a .git, is a repository of its own (a directory of clones)
OWN_TOP_MARKERS = ("license", "license.md", "license.txt", "copying", ".gitignore", "code_of_conduct.md",
                   "contributing.md", ".gitlab-ci.yml", ".pre-commit-config.yaml", ".github")
# "Last tested: 2026-05-14", "last test = 2026-05-14", "Laatst getest: 2026-05-14"
_LAST_TEST = re.compile(r"(?i)(last[ _-]?test(?:ed)?|laatst[ _-]?getest)\b[^0-9\n]{0,30}(\d{4}-\d{2}-\d{2})")


def root_of(paths: list[str]) -> str:
    """The deepest directory that holds every scanned file ("" when they share none)."""
    directories = {posixpath.dirname(p) for p in paths}   # once each: commonpath splits every path it is given
    if not directories:
        return ""
    try:
        return posixpath.commonpath(directories)
    except ValueError:
        return ""


def _relative(path: str, root: str) -> str:
    return path[len(root) + 1:] if root and path.startswith(root + "/") else path


def last_test(text: str) -> tuple[datetime.date | None, int]:
    """The last exit-test date written in an exit plan, and its line (0 when there is none)."""
    for number, line in enumerate(text.splitlines(), 1):
        found = _LAST_TEST.search(line)
        if not found:
            continue
        try:
            return datetime.date.fromisoformat(found.group(2)), number
        except ValueError:
            return None, number
    return None, 0


def _anchor(files: list[ParsedFile], root: str) -> ParsedFile:
    at_root = [f for f in files if "/" not in _relative(f.source.path, root)]
    for names in (EXIT_PLAN_NAMES, README_NAMES):
        for parsed in at_root:
            if posixpath.basename(parsed.source.path).lower() in names:
                return parsed
    return min(files, key=lambda f: (f.source.path.count("/"), f.source.path))


def _on_disk(parsed: ParsedFile) -> str:
    """The file's absolute path: a source keeps the path it was opened by, relative to the working directory
    when the scanned path was given so, and a walk up from that would stop at the working directory."""
    return os.path.abspath(parsed.source.abspath)


def _repository_top(files: list[ParsedFile], root: str, anchor: ParsedFile) -> bool:
    relative = _relative(anchor.source.path, root)
    disk = _on_disk(anchor)
    base = disk[: len(disk) - len(relative)] if disk.replace(os.sep, "/").endswith(relative) else ""
    if base and os.path.exists(os.path.join(base, ".git")):
        return True
    for parsed in files:
        relative = _relative(parsed.source.path, root)
        if relative.lower() in TOP_LEVEL_MARKERS or relative.startswith(".github/"):
            return True
    return False


def nested_repositories(files: list[ParsedFile], root: str, root_is_top: bool) -> list[str]:
    """The directories below the scan root that are repositories of their own: a scan of a directory of
    clones holds several, and what one of them runs says nothing about another's clusters. A directory with a
    .git is one (a clone, a submodule). When the scan root is no repository's top (a directory of plain
    trees), so is a directory right below it with two of the files only a repository's top holds; below a
    repository's top such files mean nothing (a monorepo's subdirectories have their own .gitignore)."""
    markers: dict[str, set[str]] = {}
    checkouts: dict[str, str] = {}     # directory -> its path on disk, to look for a .git
    for parsed in files:
        path = parsed.source.path
        directory, name = posixpath.split(path)
        before, github, _ = path.partition(".github/")
        if github and (not before or before.endswith("/")):
            markers.setdefault(before.rstrip("/"), set()).add(".github")
        if name.lower() in OWN_TOP_MARKERS:
            markers.setdefault(directory, set()).add(name.lower())
        disk = os.path.dirname(parsed.source.abspath)
        while directory and directory not in checkouts:   # every directory above the file, once
            checkouts[directory] = disk
            directory, disk = posixpath.dirname(directory), os.path.dirname(disk)

    def below_root(directory: str) -> str | None:
        """The directory relative to the scan root; None when it is the root or not below it."""
        if not root:
            return directory or None
        return directory[len(root) + 1:] if directory.startswith(root + "/") else None

    tops = {d for d, disk in checkouts.items() if os.path.exists(os.path.join(disk, ".git"))}   # a submodule's is a file
    if files and not root_is_top and not _inside_a_checkout(files[0], root):
        tops |= {d for d, found in markers.items() if len(found) >= 2 and "/" not in (below_root(d) or "/")}
    return sorted(d for d in tops if (relative := below_root(d)) is not None
                  and not any(part.startswith(".") for part in relative.split("/")))


def _inside_a_checkout(anchor: ParsedFile, root: str) -> bool:
    """The scan root lies in a git checkout (`sovscan scan services` in a monorepo): its subdirectories are
    the checkout's, whatever files they hold."""
    below = posixpath.dirname(anchor.source.path)
    depth = 0 if below == root else len(below[len(root) + 1:].split("/")) if root else len(below.split("/"))
    disk = os.path.dirname(_on_disk(anchor))
    for _ in range(depth):
        disk = os.path.dirname(disk)
    while True:
        if os.path.exists(os.path.join(disk, ".git")):
            return True
        parent = os.path.dirname(disk)
        if parent == disk:
            return False
        disk = parent


def nested_in(model_resources: Iterable[Resource]) -> list[str]:
    """The nested repositories the scan's `repository` resource records (scanner.model.Model.by_type)."""
    scan = next(iter(model_resources), None)
    return list(scan.values.get("repositories") or []) if scan is not None else []


def repository_of(path: str, repositories: list[str]) -> str:
    """The nested repository that holds `path` (the deepest), or "" for the scan's own."""
    return max((r for r in repositories if path.startswith(r + "/")), key=len, default="")


def deployment_unit(resource: Resource, repositories: list[str]) -> tuple[str, str]:
    """What a Kubernetes object is deployed with: its rendered build (its root), or the plain manifests of its
    repository (a directory of clones holds several, each deployed on its own): (root, repository)."""
    return resource.root, "" if resource.root else repository_of(resource.path, repositories)


def deployed_together(one: Resource, other: Resource, repositories: list[str]) -> bool:
    return deployment_unit(one, repositories) == deployment_unit(other, repositories)


def build(files: list[ParsedFile], texts: Mapping[str, str]) -> list[Resource]:
    if not files:
        return []
    root = root_of([f.source.path for f in files])
    anchor = _anchor(files, root)
    top = _repository_top(files, root, anchor)
    values: dict = {"root": root, "files": len(files), "repository_top": top, "exit_plan": None,
                    "repositories": nested_repositories(files, root, top)}
    locations: dict[str, int] = {}
    is_plan = posixpath.basename(anchor.source.path).lower() in EXIT_PLAN_NAMES and \
        "/" not in _relative(anchor.source.path, root)
    if is_plan:
        tested, line = last_test(texts.get(anchor.source.path, ""))
        values["exit_plan"] = {"path": anchor.source.path, "last_test": tested.isoformat() if tested else None}
        locations["exit_plan"] = 1
        if line:
            locations["exit_plan.last_test"] = line
    return [Resource("file", REPOSITORY_TYPE, root or ".", anchor.source.path, 1, values, locations)]
