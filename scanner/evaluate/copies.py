"""Copies: one definition kept in several files is reported once.

A repository often holds the same Kubernetes object several ways (plain manifests, a Kustomize base, a Helm
chart, a release bundle generated from them): one object in the cluster, so one fact. A module library may
generate variants of one module from a template (each file says so in its header): the template is the one
cause. The identical finding on every copy is kept, so each place can still be found and waived, but only
one copy keeps its level; the others become notes that point at it. The reported copy is a hand-written
file before a generated one, then the first by path.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from scanner.evaluate.result import Finding, Result
from scanner.model.files import TEXT_FILE_TYPE
from scanner.model.resource import Model

SAID = {"en": " (a copy: the same finding on {address} is reported at {place})",
        "nl": " (een kopie: dezelfde bevinding over {address} staat bij {place})"}
# The builds a finding on a Kustomize base holds in (evaluate/overlays.py): where a copy is deployed, not what it says.
BUILDS_NAMED = re.compile(r" \(in overlays? [^()]*\)$")


def reported_once(result: Result, model: Model) -> Result:
    """The result with all but one copy of each repeated finding made a note."""
    objects = {r.address for r in model.resources if r.kind == "kubernetes"}
    generated = {r.path: str(r.values.get("generated") or "") for r in model.by_type(TEXT_FILE_TYPE)}
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    for finding in result.findings:
        key = _copy_key(finding, objects, generated)
        if key is not None:
            groups.setdefault(key, []).append(finding)
    copies: dict[int, Finding] = {}
    for members in groups.values():
        if len({f.path for f in members}) < 2:
            continue
        first, *others = sorted(members, key=lambda f: (bool(generated.get(f.path)), f.path, f.line))
        copies.update((id(f), _as_copy(f, first)) for f in others if f.path != first.path)
    if not copies:
        return result
    return result.but(findings=[copies.get(id(f), f) for f in result.findings])


def _copy_key(finding: Finding, objects: set[str], generated: dict[str, str]) -> tuple[Any, ...] | None:
    """What the copies of `finding` share: the object (a Kubernetes object is one object wherever it is
    defined) or the template its file was generated from; None when it has no copies to look for."""
    if finding.level == "note":
        return None
    same = (finding.policy_id, finding.address, finding.attribute, finding.kind, finding.level,
            BUILDS_NAMED.sub("", finding.message), finding.suppression)
    if finding.address in objects:
        return same
    template = generated.get(finding.path, "")
    return same + (template,) if template else None


def _as_copy(finding: Finding, reported: Finding) -> Finding:
    place = f"{reported.path}:{reported.line}"
    translations = tuple((lang, text + SAID.get(lang, SAID["en"]).format(address=finding.address, place=place))
                         for lang, text in finding.translations)
    return replace(finding, level="note", translations=translations,
                   message=finding.message + SAID["en"].format(address=finding.address, place=place))
