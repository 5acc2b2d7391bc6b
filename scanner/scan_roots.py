"""Where a file named on the command line is scanned from: with what it is deployed with.

pre-commit passes the changed files alone. A Terraform file is scanned with its module (its directory),
so variables and module calls resolve as in a full scan. A Kubernetes manifest is scanned with its
application: the chart it belongs to; every Kustomize build it is part of, whole (the kustomizations that
deploy it, directly or through other kustomizations, and every base, component and patch those reach);
or else its own directory, whose other manifests are deployed with it (as `kubectl apply -f <directory>`
does). Only the named files' findings are reported (the CLI's focus).

Looking for the overlays of a base climbs at most MAX_LEVELS directories (for a chart, MAX_CHART_LEVELS),
never above the repository (a directory holding `.git`) or the working directory, and reads the
kustomization files of at most MAX_DIRECTORIES directories; following a build down to its bases reads at
most MAX_DIRECTORIES kustomizations and never leaves the repository or the working directory, so a commit
hook stays fast in a large repository. A remote base is not followed: the build reports it as a notice.
"""
from __future__ import annotations

import os
from typing import Iterable, Iterator

from scanner.discover import DEFAULT_EXCLUDES, KUSTOMIZATION_FILES as KUSTOMIZATIONS, classify
from scanner.parse.yaml import first_mapping
from scanner.regular_file import read_bytes

TERRAFORM_KINDS = ("terraform", "terraform-json", "tfvars")
REFERENCE_KEYS = ("resources", "bases", "components", "patchesStrategicMerge")
MAX_LEVELS = 3
MAX_CHART_LEVELS = 8   # charts/web/charts/cache/templates/sub/x.yaml: a subchart's template under its parent
MAX_DIRECTORIES = 5000
MAX_KUSTOMIZATION_BYTES = 1024 * 1024


def scan_roots(path: str) -> tuple[str, ...]:
    """The paths to scan so that the named path is judged with what it is deployed with."""
    if not os.path.isfile(path):
        return (path,)
    kind = "yaml" if os.path.basename(path) in KUSTOMIZATIONS else classify(path)   # `Kustomization` has no suffix
    if kind in TERRAFORM_KINDS:
        return (os.path.dirname(path) or ".",)
    if kind not in ("yaml", "json"):
        return (path,)
    directory = os.path.dirname(os.path.abspath(path))
    chart = _chart_root(directory)
    if chart is not None:
        return (_shown(chart, path),)
    if os.path.basename(path) not in KUSTOMIZATIONS and not _holds_manifests(path):
        return (path,)   # a CI definition, a values file outside a chart: judged on its own
    return tuple(_shown(root, path) for root in _application_roots(os.path.abspath(path)))


def _shown(directory: str, named: str) -> str:
    """The directory in the form the file was named in (a relative name gives a relative root)."""
    return directory if os.path.isabs(named) else os.path.relpath(directory)


def _holds_manifests(path: str) -> bool:
    try:
        text = read_bytes(path, MAX_KUSTOMIZATION_BYTES).decode("utf-8", "replace")
    except OSError:
        return False
    return "apiVersion" in text and "kind" in text


def _ancestors(directory: str, levels: int) -> Iterator[str]:
    """directory and up to `levels` parents, stopping at the repository top or the working directory."""
    cwd = os.path.realpath(os.getcwd())
    current = directory
    for _ in range(levels + 1):
        yield current
        parent = os.path.dirname(current)
        if parent == current or os.path.isdir(os.path.join(current, ".git")) or os.path.realpath(current) == cwd:
            return
        current = parent


def _chart_root(directory: str) -> str | None:
    """The outermost chart holding directory (a subchart is rendered by its parent)."""
    charts = [d for d in _ancestors(directory, MAX_CHART_LEVELS) if os.path.isfile(os.path.join(d, "Chart.yaml"))]
    return charts[-1] if charts else None


def _application_roots(path: str) -> list[str]:
    """The common directory of the file and every kustomization that deploys it, directly or through
    other kustomizations (the file's directory when none does), and whatever those kustomizations reach
    outside it: the bases, components and patches a build needs to render in full."""
    directory = os.path.dirname(path)
    top = list(_ancestors(directory, MAX_LEVELS))[-1]
    references = _references(top)
    wanted = {path, directory} if os.path.basename(path) in KUSTOMIZATIONS else {path}
    consumers: set[str] = set()
    changed = True
    while changed:
        changed = False
        for kustomization_dir, targets in references.items():
            if kustomization_dir not in consumers and targets & (wanted | consumers):
                consumers.add(kustomization_dir)
                changed = True
    builds = consumers | ({directory} if os.path.basename(path) in KUSTOMIZATIONS else set())
    common = os.path.commonpath([directory, *consumers]) if consumers else directory
    return list(outermost([common, *sorted(_reached(builds, _boundary(directory)))]))


def _boundary(directory: str) -> str:
    """The repository (the nearest directory above holding `.git`) or the working directory, whichever the
    climb from `directory` meets first; the filesystem root when it meets neither."""
    return list(_ancestors(directory, directory.count(os.sep)))[-1]


def _reached(builds: set[str], boundary: str) -> set[str]:
    """The local directories and files the kustomizations in `builds` name, followed through the
    kustomizations they reach, inside `boundary` (the repository or the working directory)."""
    inside = os.path.realpath(boundary)
    found: set[str] = set()
    queue = sorted(builds)
    read: set[str] = set()
    while queue and len(read) < MAX_DIRECTORIES:
        current = queue.pop(0)
        if current in read:
            continue
        read.add(current)
        name = next((n for n in KUSTOMIZATIONS if os.path.isfile(os.path.join(current, n))), None)
        if name is None or os.path.islink(os.path.join(current, name)):   # never read through a link
            continue
        for entry in _entries(os.path.join(current, name)):
            target = os.path.normpath(os.path.join(current, entry))
            if not _within(os.path.realpath(target), inside) or not os.path.exists(target):
                continue   # outside the repository, or not there: the build's notice says so
            found.add(target)
            if os.path.isdir(target):
                queue.append(target)
    return found


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths without those inside another one (which scans them), so a file is discovered, parsed and
    counted once however many named files pull it in. A path that holds earlier ones replaces them at the end."""
    kept: list[str] = []
    for path in paths:
        if any(_within(os.path.abspath(path), os.path.abspath(other)) for other in kept):
            continue
        kept = [other for other in kept if not _within(os.path.abspath(other), os.path.abspath(path))] + [path]
    return tuple(kept)


def _references(top: str) -> dict[str, set[str]]:
    """Kustomization directory -> the absolute paths its resources, bases, components and patches name."""
    found: dict[str, set[str]] = {}
    visited = 0
    for current, folders, names in os.walk(top):
        folders[:] = sorted(f for f in folders if f not in DEFAULT_EXCLUDES)
        visited += 1
        if visited > MAX_DIRECTORIES:
            break
        name = next((n for n in KUSTOMIZATIONS if n in names), None)
        if name is not None and not os.path.islink(os.path.join(current, name)):   # never read through a link
            found[current] = {os.path.normpath(os.path.join(current, entry)) for entry in _entries(os.path.join(current, name))}
    return found


def _entries(path: str) -> list[str]:
    try:
        raw = read_bytes(path, MAX_KUSTOMIZATION_BYTES)
        if len(raw) > MAX_KUSTOMIZATION_BYTES:
            return []
        data = first_mapping(path, raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return []
    lists = {key: value for key, value in data.items() if isinstance(value, list)}
    entries = [e for key in REFERENCE_KEYS for e in lists.get(key, []) if isinstance(e, str)]
    entries += [p["path"] for key in ("patches", "patchesJson6902") for p in lists.get(key, [])
                if isinstance(p, dict) and isinstance(p.get("path"), str)]
    return [e for e in entries if "://" not in e and not os.path.isabs(e)]
