"""Kubernetes as it will be deployed: the Kustomize builds and Helm charts among the scanned files,
rendered, plus the plain manifests no build consumes.

- Every top kustomization (one no other kustomization consumes) is a build, rendered natively; every
  chart (a directory with Chart.yaml, not vendored in another chart) is rendered with its values.yaml and
  the values files the configuration names for it (`kubernetes.helm.values`).
- A file a build consumed (a base manifest, a patch, a chart template or values file) is judged only as
  part of the build, never alone; it is still scanned as text by the secret detectors.
- A build rendered in part (a remote base, an unsupported feature, a chart whose dependency is not
  vendored, no Helm engine) gives notices of kind UNRENDERED, and every check on its objects is
  unresolved: a partial render is neither a pass nor a violation. Except when the build lacks only whole
  objects (a chart dependency not vendored): each object it rendered is as deployed, so a check that fails
  on the object alone is a finding (a privileged pod is privileged); one that passes, or reads other
  objects (a NetworkPolicy, a PodDisruptionBudget the missing part may hold), stays unresolved.
- An image that a build tool replaces at deploy time (a skaffold artifact, a name a kustomization's
  `images:` rewrites) is not an image reference where it stays unreplaced (see `placeholders`).
"""
from __future__ import annotations

import posixpath
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping, Sequence

from scanner.discover import KUSTOMIZATION_FILES
from scanner.model import kubernetes
from scanner.model.build_cache import BuildCache
from scanner.model.helm import chart_roots, render_chart, unrendered_chart
from scanner.model.helm_engines import RENDER_TIMEOUT_SECONDS
from scanner.model.kustomize import render_all, render_root
from scanner.model.kustomize.kustfile import inside, under
from scanner.model.placeholders import image_placeholders, without_placeholders
from scanner.model.rendered import AS_DEPLOYED_FACT, UNRENDERED_FACT, RenderedBuild
from scanner.model.resource import Resource
from scanner.notices import UNRENDERED, Notice
from scanner.parse.files import ParsedFile
from scanner.parse.yaml import first_mapping


@dataclass
class Deployed:
    resources: list[Resource] = field(default_factory=list)
    builds: list[RenderedBuild] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    undeployed: frozenset[str] = frozenset()   # manifests only a component no kustomization includes lists


HELM_BUDGET_SECONDS = 2 * RENDER_TIMEOUT_SECONDS   # for all the charts of a scan, each of which may take the timeout


def _charts(charts: list[str], texts: Mapping[str, str], values_for: Mapping[str, Sequence[str]], engine: str,
            render: Callable[..., RenderedBuild]) -> list[RenderedBuild]:
    """Every chart rendered, until rendering has taken HELM_BUDGET_SECONDS: three charts that each run until
    they are stopped took three minutes. The charts left are notices."""
    builds: list[RenderedBuild] = []
    spent = 0.0
    for root in charts:
        if spent > HELM_BUDGET_SECONDS:
            builds.append(unrendered_chart(root, texts, f"the scan's charts took more than {HELM_BUDGET_SECONDS} s to "
                                                        "render before it"))
            continue
        started = time.monotonic()
        builds.append(render(root, texts, values_for.get(root, ()), engine))
        spent += time.monotonic() - started
    return builds


def build(files: list[ParsedFile], texts: Mapping[str, str], helm_values: Mapping[str, Sequence[str]] | None = None,
          helm_engine: str = "auto", cache: BuildCache | None = None) -> Deployed:
    """The Kubernetes objects of the scan (`texts`: their files' texts): rendered builds and plain manifests,
    as Resources. `cache`: builds rendered in earlier runs."""
    parsed = {f.source.path: f.documents for f in files if f.documents}
    charts = chart_roots(sorted(texts))
    values_for, notices = _values_files(charts, helm_values or {})
    render_build, render = (render_root, render_chart) if cache is None else (cache.kustomization, cache.chart)
    builds = render_all(texts, parsed, render_build) if any(_is_kustomization(p) for p in texts) else []
    builds += _charts(charts, texts, values_for, helm_engine, render)
    if cache is not None:
        cache.tidy()
    kustomizations = {p: first_mapping(p, texts[p]) for p in texts if _is_kustomization(p)}
    reached = frozenset().union(*(b.inputs for b in builds))
    unused, unused_notices = _unused_components(kustomizations, reached, texts)
    consumed = reached | _patch_files(kustomizations)
    placeholders = image_placeholders(files, builds, kustomizations)
    resources = [r for b in builds for r in _build_resources(b)]
    resources += kubernetes.build([d for f in files if f.source.path not in consumed for d in f.documents])
    resources = [without_placeholders(r, placeholders) for r in resources]
    notices += _build_notices(builds) + _unreached(kustomizations, builds, reached) + unused_notices
    return Deployed(resources, builds, notices, unused)


def _is_kustomization(path: str) -> bool:
    return posixpath.basename(path) in KUSTOMIZATION_FILES


def _patch_files(kustomizations: Mapping[str, dict]) -> frozenset[str]:
    """Files any kustomization names as patches, also one no build uses (a component nobody includes):
    a patch is never an object of its own."""
    found: set[str] = set()
    for path, entries in kustomizations.items():
        named = [e.get("path") for key in ("patches", "patchesJson6902") for e in _entries(entries, key)
                 if isinstance(e, dict)]
        named += [e for key in ("patches", "patchesStrategicMerge") for e in _entries(entries, key)
                  if isinstance(e, str) and "\n" not in e]   # a bare path under `patches` is refused, still a patch
        found |= _paths(posixpath.dirname(path), named)
    return frozenset(found)


def _unused_components(kustomizations: Mapping[str, dict], reached: frozenset[str],
                       texts: Mapping[str, str]) -> tuple[frozenset[str], list[Notice]]:
    """The manifests Kustomize components no kustomization includes list in their own directory, with a note for
    each such component: nothing deploys them, so their findings are notes (judged all the same: adding a
    component must not hide a manifest). A file outside the component's directory is not its to claim (kustomize
    refuses it too), and a component some kustomization includes is that build's, rendered or not. `reached`: the
    files the rendered builds read."""
    included = {p for path, kustomization in kustomizations.items()
                for p in _paths(posixpath.dirname(path), _entries(kustomization, "components"))}
    files: set[str] = set()
    notices = []
    for path, kustomization in sorted(kustomizations.items()):
        directory = posixpath.dirname(path)
        if kustomization.get("kind") != "Component" or path in reached or directory in included:
            continue
        named = _paths(directory, [e for e in _entries(kustomization, "resources")
                                   if isinstance(e, str) and "://" not in e])
        listed = {f for f in named if f in texts and directory and under(directory, f)}
        files |= listed
        notices.append(Notice(path, 1, f"component {directory or '.'} is included by no kustomization: the "
                                       f"manifests it lists in its own directory ({len(listed)}) deploy nowhere: their findings are notes",
                                       "note"))
    return frozenset(files), notices


def _paths(directory: str, entries: Iterable[object]) -> set[str]:
    """The repository paths the entries that are strings name from `directory` (one that leaves the scan root
    names none)."""
    named = (inside(directory, e) for e in entries if isinstance(e, str))
    return {path for path in named if path is not None}


def _entries(kustomization: dict, key: str) -> list:
    entries = kustomization.get(key)
    return entries if isinstance(entries, list) else []


def _unreached(kustomizations: Mapping[str, dict], builds: list[RenderedBuild], reached: frozenset[str]) -> list[Notice]:
    """A kustomization no rendered build reached, though it is not a component (which waits to be
    included): only kustomizations that are never built themselves use it, such as two that include each
    other. It would otherwise be silently left out."""
    tops = {b.root for b in builds if b.tool == "kustomize"}
    return [Notice(path, 1, f"kustomization {posixpath.dirname(path) or '.'} is not rendered: only kustomizations "
                            "that are not built themselves use it (do they include each other?)", kind=UNRENDERED)
            for path, kustomization in sorted(kustomizations.items())
            if path not in reached and posixpath.dirname(path) not in tops and kustomization.get("kind") != "Component"]


def _build_resources(build: RenderedBuild) -> list[Resource]:
    reason = "" if build.complete else f"the full render of {_named(build)}"
    out = []
    for resource in kubernetes.rendered(build.objects):
        if reason:
            resource.facts[UNRENDERED_FACT] = reason
        if reason and build.only_objects_missing:
            resource.facts[AS_DEPLOYED_FACT] = True
        out.append(resource)
    return out


def _named(build: RenderedBuild) -> str:
    return f"{'Helm chart' if build.tool == 'helm' else 'kustomization'} {build.root or '.'}"


def _build_notices(builds: list[RenderedBuild]) -> list[Notice]:
    """The renderers' notices, once each; those of a build rendered in part are UNRENDERED and name the
    kustomizations they leave incomplete when the notice sits in another directory (a base of several
    overlays); a chart's notices name the chart already."""
    incomplete: dict[Notice, list[str]] = {}
    notices: set[Notice] = set()
    for build in builds:
        for notice in build.notices:
            if build.complete:
                notices.add(notice)
            else:
                incomplete.setdefault(notice, []).extend([build.root] if build.tool == "kustomize" else [])
    for notice, roots in incomplete.items():
        elsewhere = [root or "." for root in roots if posixpath.dirname(notice.path) != root]
        suffix = f" (rendered in part: {', '.join(elsewhere)})" if elsewhere else ""
        notices.add(replace(notice, message=notice.message + suffix, kind=UNRENDERED))
    return sorted(notices)


def _values_files(charts: list[str], configured: Mapping[str, Sequence[str]]) -> tuple[dict[str, Sequence[str]], list[Notice]]:
    """The values files the configuration names per chart. A key is the chart's directory relative to the
    scan root; the chart's path in the scan may carry the scan root's prefix."""
    found: dict[str, Sequence[str]] = {}
    notices = []
    for key, names in sorted(configured.items()):
        wanted = posixpath.normpath(key).strip("/") if key not in ("", ".") else ""
        matches = [root for root in charts if root == wanted] or \
                  [root for root in charts if wanted and root.endswith("/" + wanted)]
        if len(matches) != 1:
            problem = "no chart" if not matches else f"{len(matches)} charts"
            notices.append(Notice(wanted or ".", 0, f"kubernetes.helm.values names chart {key}, but {problem} "
                                                    "in the scan has that directory; its values files are not used",
                                  kind=UNRENDERED))
            continue
        found[matches[0]] = tuple(names)
    return found, notices
