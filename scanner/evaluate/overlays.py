"""Findings on rendered Kubernetes objects, told apart by the build (overlay) they hold in.

A Kustomize base is rendered once per overlay that deploys it, so one line of a base can fail in several
builds; `engine.grouped` makes those one finding that lists the other instances. A finding names builds
only where that tells the reader something the file does not:
- on a line in an overlay's own directory (its kustomization, its patch), it names the overlay;
- on a line several builds deploy (a base, a shared component), it names the builds it holds in when
  it does not hold in all of them (a base line that another overlay fixes), and none when it holds in
  every build that deploys the line: then the base line itself is the thing to change.
"""
from __future__ import annotations

import posixpath
from dataclasses import replace
from typing import Any

from scanner.evaluate.result import Finding
from scanner.model.rendered import RenderedBuild, deployers


def named(findings: list[Finding], build_of: dict[int, str], builds: list[RenderedBuild]) -> list[Finding]:
    """`findings` with the builds named in their messages where needed; build_of maps id(finding) to the
    build root of the object it is about (findings on anything else are not in it)."""
    deploying = deployers(builds)
    overlays = {b.root for b in builds if b.tool == "kustomize" and any(not _under(b.root, p) for p in b.inputs)}
    holders: dict[tuple[Any, ...], set[str]] = {}
    for finding in findings:
        if id(finding) in build_of:
            holders.setdefault(_key(finding), set()).add(build_of[id(finding)])
    out = []
    for finding in findings:
        if id(finding) not in build_of:
            out.append(finding)
            continue
        holding = holders[_key(finding)]
        shown = _shown(finding.path, holding, deploying.get(finding.path, set()), overlays)
        out.append(replace(finding, message=f"{finding.message} ({shown})") if shown else finding)
    return out


def _shown(path: str, holding: set[str], deploying: set[str], overlays: set[str]) -> str:
    own = sorted(root for root in holding if root in overlays and _under(root, path))
    if own:
        return f"in overlay {own[0] or '.'}"
    if len(deploying) > 1 and holding < deploying:
        chosen = ", ".join(root or "." for root in sorted(holding))
        return f"in overlay {chosen} only" if len(holding) == 1 else f"in overlays {chosen} only"
    return ""


def _key(finding: Finding) -> tuple[Any, ...]:
    """The rule failing (or unresolved) at one place for one attribute. Not the message: it may name a
    build's own objects (the first workload of a namespace, an autoscaler after a name prefix), and the
    rule fails there all the same."""
    return (finding.policy_id, finding.path, finding.line, finding.attribute, finding.kind)


def _under(directory: str, path: str) -> bool:
    return not directory or posixpath.dirname(path) == directory or path.startswith(directory + "/")
