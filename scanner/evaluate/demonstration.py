"""Demonstration code: the examples, tests and fixtures of a repository that also holds what they demonstrate.

A module library's examples show its consumers how to call it and its tests exercise it; an archived demo
is kept for reading. None of them deploys what the repository's owners run, so a finding there is advice
(a note that does not fail the run), not a gate. Where the scan holds nothing else (`sovscan scan
examples/`, a repository of examples), the examples are what was asked for and keep their levels. A policy
marked `in_demonstration_code: keep` (credential formats: a real token leaks from a test fixture too)
keeps its level everywhere. The directory names are configuration (`demonstration_directories`).
"""
from __future__ import annotations

from dataclasses import replace

from scanner.config import Config
from scanner.evaluate.result import Finding, Result
from scanner.model.resource import Model

CODE_KINDS = ("terraform", "kubernetes")
SAID = {"en": " (in demonstration code: a note)", "nl": " (in demonstratiecode: een notitie)"}


def in_demonstration(path: str, directories: frozenset[str]) -> bool:
    """The file sits below a directory with one of these names."""
    return any(part in directories for part in path.split("/")[:-1])


def lowered(result: Result, model: Model, config: Config) -> Result:
    """The result with the findings in demonstration code made notes, when the scan holds other code."""
    directories = frozenset(config.demonstration_directories)
    if not directories:
        return result
    code = [r.path for r in model.resources if r.kind in CODE_KINDS]
    if all(in_demonstration(path, directories) for path in code):
        return result
    keep = {p.id for p in result.policies if p.in_demonstration_code == "keep"}
    return result.but(findings=[_as_note(f) if f.policy_id not in keep and f.level != "note"
                                and in_demonstration(f.path, directories) else f for f in result.findings])


def _as_note(finding: Finding) -> Finding:
    translations = tuple((lang, text + SAID.get(lang, SAID["en"])) for lang, text in finding.translations)
    return replace(finding, level="note", message=finding.message + SAID["en"], translations=translations)
