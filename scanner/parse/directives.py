"""Comments that speak to scanners: `# sovscan:ignore RULE reason="..." until=YYYY-MM-DD`.

Checkov's `checkov:skip=` and Trivy's `trivy:ignore:` comments are read too, only so the report can
list them for migration: they never suppress anything here.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_IGNORE = re.compile(r"(?:#|//)\s*sovscan:ignore\s+(?P<rules>[A-Za-z0-9_,*-]+)(?P<rest>.*)$")
_REASON = re.compile(r'reason\s*=\s*"(?P<reason>[^"]*)"')
_UNTIL = re.compile(r"until\s*=\s*(?P<until>\S+)")
_FOREIGN = re.compile(r"(checkov:skip=\S+|trivy:ignore:\S+|tfsec:ignore:\S+|kics-scan\s+ignore\S*)")


@dataclass(frozen=True)
class Directive:
    path: str
    line: int
    rules: tuple[str, ...]      # policy ids, or "*" for every rule
    reason: str = ""
    until: datetime.date | None = None
    problem: str = ""           # why the directive is malformed, if it is


@dataclass(frozen=True)
class ForeignDirective:
    path: str
    line: int
    text: str


def _until(text: str) -> tuple[datetime.date | None, str]:
    match = _UNTIL.search(text)
    if not match:
        return None, ""
    try:
        return datetime.date.fromisoformat(match.group("until").strip('"')), ""
    except ValueError:
        return None, f"until={match.group('until')} is not a date (YYYY-MM-DD)"


def read(path: str, text: str) -> tuple[list[Directive], list[ForeignDirective]]:
    if "sovscan:ignore" not in text and ":skip=" not in text and ":ignore" not in text and "kics-scan" not in text:
        return [], []
    own: list[Directive] = []
    foreign: list[ForeignDirective] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _IGNORE.search(line)
        if match:
            rest = match.group("rest")
            reason = _REASON.search(rest)
            until, problem = _until(rest)
            rules = tuple(r for r in match.group("rules").split(",") if r)
            own.append(Directive(path, number, rules, reason.group("reason").strip() if reason else "", until, problem))
            continue
        other = _FOREIGN.search(line)
        if other:
            foreign.append(ForeignDirective(path, number, other.group(1)))
    return own, foreign
