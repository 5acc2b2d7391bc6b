"""Copies: one fact kept in several places is reported once.

A repository often holds the same Kubernetes object several ways (plain manifests, a Kustomize base, a Helm
chart, a release bundle generated from them): one object in the cluster, so one fact; a namespace is one
namespace whichever tree lists its workloads. A module library may generate variants of one module from a
template (each file says so in its header): the template is the one cause. Resources that take the same
failing value from one place (a variable's default, a tfvars entry) have that place as their one cause, also
when two rules of a family judge it (a resource's location and the region of the provider that shares it).

The finding on every copy is kept, so each place can still be found and waived, but only one copy keeps its
level; the others become notes that point at it. The reported copy is a hand-written file before a
generated one, then the first by path and line. A waived copy is never folded into an unwaived one, and
copies are looked for within one repository: in a scan of a directory of repositories, two applications'
objects of one name are two facts.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from scanner.evaluate.result import Finding, Result
from scanner.model.derive.namespaces import NAMESPACE_TYPE
from scanner.model.files import TEXT_FILE_TYPE
from scanner.model.repository import REPOSITORY_TYPE, nested_in, repository_of
from scanner.model.rendered import NOT_WRITTEN
from scanner.model.resource import Model

SAID = {"en": " (a copy: the same finding on {address} is reported at {place})",
        "nl": " (een kopie: dezelfde bevinding over {address} staat bij {place})"}
SAID_CAUSE = {"en": " (one cause: the value set at {cause} is reported at {place})",
              "nl": " (één oorzaak: de waarde uit {cause} staat bij {place})"}
# The builds a finding on a Kustomize base holds in (evaluate/overlays.py): where a copy is deployed, not what it says.
BUILDS_NAMED = re.compile(r" \(in overlays? [^()]*\)$")


def reported_once(result: Result, model: Model) -> Result:
    """The result with all but one copy of each repeated finding made a note."""
    objects = {r.address for r in model.resources if r.kind == "kubernetes"}
    namespaces = {r.address for r in model.by_type(NAMESPACE_TYPE)}
    generated = {r.path: str(r.values["generated"]) for r in model.by_type(TEXT_FILE_TYPE) if r.values.get("generated")}
    repositories = nested_in(model.by_type(REPOSITORY_TYPE))
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    for finding in result.findings:
        key = _copy_key(finding, objects, namespaces, generated)
        if key is not None:
            groups.setdefault(key + (repository_of(finding.path, repositories),), []).append(finding)
    copies: dict[int, Finding] = {}
    for key, members in groups.items():
        if len({(f.path, f.line) for f in members}) < 2:
            continue
        first, *others = sorted(members, key=lambda f: (bool(generated.get(f.path)), f.path, f.line))
        cause = key[1] if key[0] == "cause" else ""
        copies.update((id(f), _as_copy(f, first, cause)) for f in others if (f.path, f.line) != (first.path, first.line))
    if not copies:
        return result
    return result.but(findings=[copies.get(id(f), f) for f in result.findings])


def _copy_key(finding: Finding, objects: set[str], namespaces: set[str],
              generated: dict[str, str]) -> tuple[Any, ...] | None:
    """What the copies of `finding` share: the object, the template its file was generated from, or the
    place its value comes from; None when it has no copies to look for."""
    if finding.level == "note":
        return None
    message = BUILDS_NAMED.sub("", finding.message)
    same = (finding.policy_id, finding.kind, finding.level, finding.suppression)
    if finding.address in namespaces:     # its message lists the workloads one tree holds
        return ("object", finding.address, finding.attribute) + same
    if finding.address in objects:
        return ("object", finding.address, finding.attribute, message) + same
    template = generated.get(finding.path, "")
    if template:
        return ("template", template, finding.address, finding.attribute, message) + same
    causes = sorted({f"{path}:{line}" for path, line, role in finding.chain if role not in NOT_WRITTEN})
    if causes:   # one value, whichever rule of the family judges it (a resource's location, its provider's region)
        judged = message.split(": ", 1)[1] if ": " in message else message.replace(finding.address, "")
        return ("cause", ", ".join(causes), finding.family, judged, finding.kind, finding.level, finding.suppression)
    return None


def _as_copy(finding: Finding, reported: Finding, cause: str) -> Finding:
    place = f"{reported.path}:{reported.line}"
    said = SAID_CAUSE if cause else SAID
    words = {"address": finding.address, "place": place, "cause": cause}
    translations = tuple((lang, text + said.get(lang, said["en"]).format(**words))
                         for lang, text in finding.translations)
    return replace(finding, level="note", translations=translations, message=finding.message + said["en"].format(**words))
