"""Native Kustomize rendering with per-field provenance.

`render_all` renders every top build of a scan (the overlays, environments and standalone bases no other
kustomization consumes) from the files the parse stage read, without touching the disk or running
kustomize; each output object keeps, for every field, the file and line a person edits to change it.
"""
from __future__ import annotations

import posixpath
from typing import Callable, Iterable, Mapping, Sequence

from scanner.discover import KUSTOMIZATION_FILES
from scanner.model.kustomize.kustfile import Files, inside, load_kustomization
from scanner.model.kustomize.render import render_root
from scanner.model.kustomize.resource import BuildError
from scanner.model.rendered import RenderedBuild
from scanner.parse.yaml import YamlDocument

__all__ = ["build_roots", "render_all", "render_root", "Files"]


def build_roots(paths: Iterable[str]) -> list[str]:
    """Directories holding a kustomization file ("" = the scan root), sorted."""
    return sorted({posixpath.dirname(p) for p in paths if posixpath.basename(p) in KUSTOMIZATION_FILES})


def render_all(files: Mapping[str, str], parsed: Mapping[str, Sequence[YamlDocument]] | None = None,
               render: Callable[[Files, str], RenderedBuild] = render_root) -> list[RenderedBuild]:
    """Render the top builds among `files` (repository-relative path -> text), sorted by root.

    `parsed` optionally maps paths to the documents parse_text already made of them (they are not
    changed); any other YAML the builds need is parsed here. Nothing is read but `files` (the scanned
    files' texts: parse/texts.py). `render` renders one build (BuildCache.kustomization: one an earlier run
    rendered from the same files)."""
    scanned = Files(files, parsed)
    roots = build_roots(files)
    consumed: set[str] = set()
    components: set[str] = set()
    for root in roots:
        kind, used = _consumes(scanned, root)
        consumed |= used
        if kind == "Component":
            components.add(root)
    tops = [r for r in roots if r not in consumed and r not in components]
    return [render(scanned, root) for root in tops]


def _consumes(files: Files, root: str) -> tuple[str, set[str]]:
    """The kind of the kustomization in `root` and the build roots it names as resources or components."""
    try:
        path = files.kustomization_in(root)
        if path is None:
            return "", set()
        kustomization = load_kustomization(files, path)
    except BuildError:
        return "", set()
    used = set()
    for key in ("resources", "bases", "components"):
        entries = kustomization.get(key)
        for entry in entries.value if entries is not None and entries.is_seq else ():
            target = inside(root, entry.value) if isinstance(entry.value, str) else None
            if target is not None and target != root and files.is_directory(target):
                used.add(target)
    return kustomization.kind, used
