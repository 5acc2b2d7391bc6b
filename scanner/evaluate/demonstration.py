"""Demonstration code: the examples, tests and fixtures of a repository that also holds what they demonstrate.

A module library's examples show its consumers how to call it and its tests exercise it; an archived demo
is kept for reading. None of them deploys what the repository's owners run, so a finding there is advice
(a note that does not fail the run), not a gate. Where the scan holds nothing else (`sovscan scan
examples/`, a repository of examples), the examples are what was asked for and keep their levels. A policy
marked `in_demonstration_code: keep` (credential formats: a real token leaks from a test fixture too)
keeps its level everywhere; one marked `deployment` judges what a root module deploys (a cluster's add-ons),
so its findings are demonstration when the root module is an example's, even on a library's own line. A
finding on a library's line is demonstration too when an example's root module evaluated it and every value
that decided it was written in the example (its `account_sku_name` argument, through the module's locals);
a default of the library's among them keeps the finding the library's. A Kubernetes file that only builds in
demonstration code render (a Kustomize component only test overlays include) is demonstration too. The
directory names are configuration (`demonstration_directories`).
"""
from __future__ import annotations

from dataclasses import replace

from scanner.config import Config
from scanner.demonstration import in_demonstration
from scanner.evaluate.result import Finding, Result
from scanner.model.rendered import deployers
from scanner.model.resource import Model

CODE_KINDS = ("terraform", "kubernetes")
SAID = {"en": " (in demonstration code: a note)", "nl": " (in demonstratiecode: een notitie)"}
UNDEPLOYED = {"en": " (listed only by a Kustomize component no kustomization includes: a note)",
              "nl": " (alleen genoemd door een Kustomize-component die geen kustomization opneemt: een notitie)"}


def lowered(result: Result, model: Model, config: Config) -> Result:
    """The result with the findings in demonstration code made notes, when the scan holds other code, and those
    on manifests that deploy nowhere (listed only by a Kustomize component no kustomization includes)."""
    keep = {p.id for p in result.policies if p.in_demonstration_code == "keep"}
    if model.undeployed:
        result = result.but(findings=[_as_note(f, UNDEPLOYED) if f.path in model.undeployed and f.level != "note"
                                      and f.policy_id not in keep else f for f in result.findings])
    directories = frozenset(config.demonstration_directories)
    if not directories:
        return result
    code = [r.path for r in model.resources if r.kind in CODE_KINDS]
    if all(in_demonstration(path, directories) for path in code):
        return result
    by_root = {p.id for p in result.policies if p.in_demonstration_code == "deployment"}
    demonstration_builds = {path for path, roots in deployers(model.builds).items()   # what only they render
                            if all(in_demonstration(root + "/", directories) for root in roots)}
    return result.but(findings=[_as_note(f) if f.policy_id not in keep and f.level != "note"
                                and (f.path in demonstration_builds
                                     or _demonstrates(f, directories, f.policy_id in by_root)) else f
                                for f in result.findings])


def _demonstrates(finding: Finding, directories: frozenset[str], by_root: bool) -> bool:
    """In demonstration code; for a fact about what a root module deploys (`deployment`: the add-ons its
    cluster runs), also when that root module is an example's, wherever the cluster's code lives."""
    if in_demonstration(finding.path, directories):
        return True
    if not finding.root or not in_demonstration(finding.root + "/", directories):
        return False
    if by_root:
        return True
    sources = [path for path, _, role in finding.chain if role in VALUE_SOURCES]
    return bool(sources) and all(in_demonstration(path, directories) for path in sources)


# Where a value is written, in a finding's chain; the others (the attribute, a local, a module output) compute it.
VALUE_SOURCES = frozenset({"argument", "default", "tfvars", "plan"})


def _as_note(finding: Finding, said: dict[str, str] = SAID) -> Finding:
    translations = tuple((lang, text + said.get(lang, said["en"])) for lang, text in finding.translations)
    return replace(finding, level="note", message=finding.message + said["en"], translations=translations)
