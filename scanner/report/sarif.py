"""SARIF 2.1.0 as plain data, per the contract in design.md §4 (validated against the OASIS schema in tests)."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

from scanner.evaluate import citations
from scanner.evaluate.result import Finding
from scanner.evaluate.policies import SECURITY_SEVERITY, Policy
from scanner.report.model import INFORMATION_URI, TOOL_NAME, Report, help_uri

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_NAME = "sovscanFindingKey/v1"


def _help_markdown(policy: Policy) -> str:
    lines = [f"**{policy.title}** ({policy.id}, family `{policy.family}`, severity {policy.severity})", "",
             policy.rationale, "", "**Remediation**", ""]
    for provider, text in policy.remediation.items():
        lines.append(f"- {text}" if provider == "default" else f"- {provider}: {text}")
    cited = citations.citations(policy.references)
    if cited["controls"]:
        lines += ["", "**Controls:** " + "; ".join(cited["controls"])]
    if cited["standards"] + cited["documents"]:
        lines += ["", "**References:** " + "; ".join(cited["standards"] + cited["documents"])]
    for link in cited["links"]:
        lines.append(f"- <{link}>")
    lines += ["", f"[{policy.id} documentation]({help_uri(policy.id)})"]
    return "\n".join(lines)


def _help_text(policy: Policy) -> str:
    remediation = " ".join(policy.remediation.values())
    return f"{policy.rationale} Remediation: {remediation}"


def rule(policy: Policy) -> dict:
    return {
        "id": policy.id,
        "name": "".join(w.capitalize() for w in policy.title.replace("-", " ").split() if w.isalnum())[:255] or policy.id,
        "shortDescription": {"text": policy.title},
        "fullDescription": {"text": policy.rationale},
        "help": {"text": _help_text(policy), "markdown": _help_markdown(policy)},
        "helpUri": help_uri(policy.id),
        "defaultConfiguration": {"level": policy.level},
        "properties": {
            "tags": [policy.family, "security", policy.input],
            "precision": policy.precision,
            "security-severity": SECURITY_SEVERITY[policy.severity],
        },
    }


def _result(finding: Finding, rule_index: int, occurrence: int, with_suppressions: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {"family": finding.family, "severity": finding.severity, "enforcement": finding.mode}
    result: dict[str, Any] = {
        "ruleId": finding.policy_id,
        "ruleIndex": rule_index,
        "kind": finding.kind,
        "level": finding.level if finding.kind == "fail" else "note",
        "message": {"text": finding.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": quote(finding.path)},
                "region": {"startLine": max(finding.line, 1)},
            },
            "logicalLocations": [{"fullyQualifiedName": finding.address, "kind": "resource"}],
        }],
        "partialFingerprints": {
            "primaryLocationLineHash": f"{finding.fingerprint[:16]}:{occurrence}",
            FINGERPRINT_NAME: finding.fingerprint,
        },
        "properties": properties,
    }
    if finding.attribute:
        properties["attribute"] = finding.attribute
    if finding.suppression is not None:
        suppression: dict[str, Any] = {"kind": finding.suppression.kind, "status": "accepted",
                       "justification": finding.suppression.justification}
        extra = {k: v for k, v in (("owner", finding.suppression.owner), ("until", finding.suppression.until)) if v}
        if extra:
            suppression["properties"] = extra
        result["suppressions"] = [suppression]
    elif with_suppressions:
        result["suppressions"] = []    # SARIF: within a run, on all results or on none
    return result


def _notification(notice) -> dict:
    entry = {"level": notice.level, "message": {"text": notice.message},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": quote(notice.path or ".")}}}]}
    if notice.line:
        entry["locations"][0]["physicalLocation"]["region"] = {"startLine": notice.line}
    return entry


MAX_RESULTS = 25_000   # GitHub code scanning rejects a run with more results


_RANK = {"error": 0, "warning": 1, "note": 2, "none": 3}


def _within_limit(findings: list[Finding]) -> tuple[list[Finding], int]:
    """The most severe findings when there are more than GitHub accepts, and how many were left out."""
    if len(findings) <= MAX_RESULTS:
        return findings, 0
    kept = sorted(findings, key=lambda f: (f.kind != "fail", _RANK.get(f.level, 3), f.sort_key))[:MAX_RESULTS]
    return sorted(kept, key=lambda f: f.sort_key), len(findings) - MAX_RESULTS


def _truncation(left_out: int) -> list[dict]:
    if not left_out:
        return []
    return [{"level": "warning", "message": {"text": f"{left_out} less severe results left out: GitHub code scanning "
                                                     f"accepts at most {MAX_RESULTS} results per run"}}]


def _run_properties(report: Report) -> dict:
    result = report.result
    properties: dict[str, object] = {"filesScanned": report.files_scanned, "checks": result.checks,
                  "unresolvedChecks": len(result.unresolved)}
    if report.rules is not None:
        rules = report.rules.as_dict()
        properties["configuration"] = {"file": rules["configuration"], "profile": rules["profile"],
                                       "policiesSwitchedOff": rules["policies_switched_off"],
                                       "policiesInAudit": rules["policies_in_audit"], "excludes": rules["excludes"],
                                       "waived": rules["waived"]}
    if result.posture:
        properties["sovereigntyPosture"] = [p.as_dict() for p in result.posture]
    clusters = result.haven.clusters if result.haven is not None else ()
    if clusters:
        properties["havenPreflight"] = [
            {"cluster": c.address, "uri": quote(c.path), "passed": c.count("pass"), "checks": len(c.checks),
             "failing": c.labels("fail")} for c in clusters]
    return properties


def build(report: Report) -> dict:
    findings, left_out = _within_limit(report.shown())
    policies = report.policies_by_id
    rule_ids = sorted({f.policy_id for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    seen: Counter = Counter()
    results = []
    with_suppressions = any(f.suppression is not None for f in findings)
    for finding in findings:
        seen[(finding.path, finding.fingerprint)] += 1
        results.append(_result(finding, index[finding.policy_id], seen[(finding.path, finding.fingerprint)],
                               with_suppressions))
    run = {
        "tool": {"driver": {
            "name": TOOL_NAME,
            "semanticVersion": report.version,
            "informationUri": INFORMATION_URI,
            "rules": [rule(policies[r]) for r in rule_ids],
        }},
        "automationDetails": {"id": f"{TOOL_NAME}/"},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [_notification(n) for n in
                                           report.result.notices + report.result.waiver_problems] + _truncation(left_out),
        }],
        "results": results,
        "properties": _run_properties(report),
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(build(report), indent=2, ensure_ascii=False) + "\n"
