"""Kubernetes objects as a build tool renders them (Kustomize, Helm), with where each field was written.

A rendered object is what will be applied; its fields come from several files (a base manifest, an
overlay's patch, the kustomization's `images:` entry, a chart template, the chart's values.yaml). Each
field keeps the place a person edits to change it, so a finding lands there and not on the build output.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from scanner.notices import Notice

# Resource.facts key of an object whose build is rendered in part: why (the blocker of every check on it).
UNRENDERED_FACT = "unrendered"
# Beside it when the build lacks only whole objects: this one is as deployed, so what fails on it alone holds.
AS_DEPLOYED_FACT = "rendered as deployed"


@dataclass(frozen=True, order=True, slots=True)   # tens of thousands on a large scan: no __dict__ each
class Place:
    """A line in a scanned file: the repository-relative POSIX path and the 1-based line."""
    path: str
    line: int


# Roles of a place in a value's chain (scanner/model/terraform/trace.py) that did not write the value: the
# attribute itself, the declaration of a variable marked sensitive the value came through (reports mask such a
# value, as Terraform hides it), and what decided how many instances of its resource there are
SENSITIVE = "sensitive"
NOT_WRITTEN = ("attribute", SENSITIVE, "instances")


@dataclass
class RenderedObject:
    values: dict
    places: dict[str, Place]   # dotted key path ("" = the object; `spec.containers[0].image`) -> where written
    origin: Place              # where the object's own document starts (the base manifest, the template)
    build: str                 # the build root that produced it ("apps/web/overlays/prod", "charts/app")


@dataclass
class RenderedBuild:
    root: str                                   # directory of the kustomization or chart
    tool: str                                   # kustomize | helm
    objects: list[RenderedObject] = field(default_factory=list)
    inputs: frozenset[str] = frozenset()        # files the build consumed: not judged alone
    notices: list[Notice] = field(default_factory=list)
    complete: bool = True                       # False: part of it could not be rendered (remote base, ...)
    only_objects_missing: bool = False          # not complete, but each rendered object is as deployed
    repeatable: bool = True                     # False: a render failed (perhaps on its time or memory limit)


def deployers(builds: list[RenderedBuild]) -> dict[str, set[str]]:
    """Each file the builds read, and the roots of the builds that read it."""
    found: dict[str, set[str]] = {}
    for build in builds:
        for path in build.inputs:
            found.setdefault(path, set()).add(build.root)
    return found
