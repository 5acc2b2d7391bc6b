"""GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of Code Climate issues.

GitLab compares the merge request's report with the target branch's by `fingerprint` and folds equal
fingerprints into one entry, so each fingerprint is the line-free finding key (stable when lines move),
made unique when one key occurs twice (reference/ci-and-sarif.md §3.3, §8).
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter

from scanner.evaluate.result import Finding
from scanner.report import labels
from scanner.report.model import Report, gated_severity

SEVERITY = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}


def severity(finding: Finding) -> str:
    """Held to the level, as the security report's and SARIF's are; an unresolved check is info."""
    return SEVERITY[gated_severity(finding) or "info"]


def _fingerprint(finding: Finding, occurrence: int) -> str:
    if occurrence == 1:
        return finding.fingerprint
    return hashlib.sha256(f"{finding.fingerprint}:{occurrence}".encode("utf-8")).hexdigest()


def _description(finding: Finding, lang: str) -> str:
    words = labels.words(lang)
    message = finding.message_in(lang)
    if finding.kind == "open":
        return f"{finding.policy_id}: {message}"
    if finding.suppression is not None:
        return f"{finding.policy_id}: {message} ({words['waived']}: {finding.suppression.justification})"
    suffix = f" ({words['audit']})" if finding.mode == "audit" else ""
    return f"{finding.policy_id}: {message}{suffix}"


def issue(finding: Finding, remediation: str, occurrence: int = 1, lang: str = "en") -> dict:
    return {
        "type": "issue",
        "check_name": finding.policy_id,
        "description": _description(finding, lang),
        "content": {"body": remediation},
        "categories": ["Security"],
        "fingerprint": _fingerprint(finding, occurrence),
        "severity": severity(finding),
        "location": {"path": finding.path, "lines": {"begin": max(finding.line, 1)}},
    }


def _rules_issue(report: Report) -> list[dict]:
    """An info issue when the configuration switches policies off, excludes paths or waives findings:
    the merge request widget says what was not checked instead of showing a clean run."""
    if report.rules is None or not report.rules.loosened:
        return []
    description = "; ".join(labels.rule_statements(report.rules, report.lang))
    return [{"type": "issue", "check_name": "sovscan-rules", "description": description,
             "categories": ["Security"], "severity": "info",
             "fingerprint": hashlib.sha256(f"sovscan-rules:{description}".encode("utf-8")).hexdigest(),
             "location": {"path": report.rules.configuration or ".sovscan.yaml", "lines": {"begin": 1}}}]


def build(report: Report) -> list[dict]:
    seen: Counter = Counter()
    issues = []
    for finding in report.shown():
        seen[finding.fingerprint] += 1
        issues.append(issue(finding, report.fix(finding), seen[finding.fingerprint], report.lang))
    return issues + _rules_issue(report)


def render(report: Report) -> str:
    # No BOM: GitLab rejects a report that starts with one.
    return json.dumps(build(report), indent=2, ensure_ascii=False) + "\n"
