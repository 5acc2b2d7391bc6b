"""GitLab SAST security report (`artifacts:reports:sast`, schema 15.x) as plain data.

Version: GitLab validates a report against the schema version it declares and does not ingest a version it
does not support; servers of the GitLab 17.x line refused 15.2.x reports (reference/report-formats.md §B.3).
15.0.1 is the lowest version whose schema defines every field emitted here (15.0.0 has no
`scan.primary_identifiers`), so it is the default; `build(report, schema_version)` declares another 15.x.
Identity: `id` is a UUIDv5 of the line-free finding key, and `tracking` carries a line-free signature, so a
vulnerability survives lines inserted above it (reference/ci-and-sarif.md §8).
"""
from __future__ import annotations

import datetime
import json
import re
import uuid
from collections import Counter

from scanner.evaluate.result import Finding
from scanner.evaluate.policies import Policy
from scanner.report import labels
from scanner.report.model import TOOL_NAME, Report, gated_severity

DEFAULT_SCHEMA_VERSION = "15.0.1"
SCHEMA_URL = ("https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
              "v{version}/dist/sast-report-format.json")
IDENTIFIER_TYPE = "sovscan_rule_id"
# The UUIDv5 namespace of vulnerability ids; fixed, so ids stay the same from release to release.
NAMESPACE = uuid.UUID("732e23a1-9693-5cec-b27c-bca18d74165a")
EPOCH = "1970-01-01T00:00:00"
SEVERITY = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Info"}
# The schema minors GitLab validates reports against (its security-report-schemas gem vendors 15.0.0 to 15.2.x;
# an unknown patch falls back to the newest of its minor, an unknown minor is refused and the report not ingested),
# less 15.0.0, whose schema lacks scan.primary_identifiers, which this report writes
SCHEMA_VERSION = re.compile(r"^15\.(?:0\.[1-9]\d*|[12]\.(?:0|[1-9]\d*))$")
SUPPORTED = "15.0.1 to 15.2.x; 15.0.0 lacks scan.primary_identifiers"
_MAX_NAME, _MAX_SOLUTION, _MAX_DESCRIPTION = 255, 7000, 1024 * 1024


def timestamp(value: str) -> str:
    """`yyyy-mm-ddThh:mm:ss` in UTC, the only form the schema accepts; "" or garbage gives the epoch."""
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return EPOCH
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def identifier(policy: Policy, report: Report) -> dict:
    """The primary identifier: the same object in `scan.primary_identifiers` and in each vulnerability (a
    link only when report.docs_url is configured)."""
    found = {"type": IDENTIFIER_TYPE, "name": f"{policy.id} {policy.text(report.lang).title}", "value": policy.id}
    url = report.help_uri(policy.id)
    return {**found, "url": url} if url else found


def vulnerability_id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def _details(finding: Finding) -> dict:
    fields = {"resource": ("Resource", finding.address), "resource_type": ("Resource type", finding.resource_type),
              "attribute": ("Attribute", finding.attribute), "family": ("Policy family", finding.family),
              "enforcement": ("Enforcement", finding.mode),
              "suppression": ("Suppression", finding.suppression.justification if finding.suppression else "")}
    return {key: {"name": name, "type": "text", "value": value} for key, (name, value) in fields.items() if value}


def _description(finding: Finding, policy: Policy, lang: str) -> str:
    lead = finding.message_in(lang)
    if finding.suppression is not None:
        lead += f" (suppressed, {finding.suppression.kind}: {finding.suppression.justification})"
    elif finding.kind == "open":
        lead += " (unresolved: the check could not be decided statically)"
    elif finding.mode == "audit":
        lead += " (audit mode: reported, not failing the scan)"
    return f"{lead}\n\n{policy.text(lang).rationale}"[:_MAX_DESCRIPTION]


def _links(policy: Policy, report: Report) -> list[dict]:
    url = report.help_uri(policy.id)
    links = [{"name": f"{policy.id} documentation", "url": url}] if url else []
    links += [{"url": url} for url in policy.references.get("links", []) if re.match(r"^https?://.+", url)]
    return links


def _vulnerability(finding: Finding, policy: Policy, occurrence: int, report: Report) -> dict:
    line = max(finding.line, 1)
    key = finding.fingerprint if occurrence == 1 else f"{finding.fingerprint}:{occurrence}"
    signature = f"{finding.path}|{finding.address}|{finding.attribute}:{occurrence - 1}"
    return {
        "id": vulnerability_id(key),
        "name": policy.text(report.lang).title[:_MAX_NAME],
        "description": _description(finding, policy, report.lang),
        "severity": SEVERITY.get(gated_severity(finding) or "", "Unknown"),   # held to the level, as SARIF's
        "solution": report.fix(finding)[:_MAX_SOLUTION],
        "location": {"file": finding.path, "start_line": line, "end_line": line},
        "identifiers": [identifier(policy, report)],
        "links": _links(policy, report),
        "details": _details(finding),
        "tracking": {"type": "source", "items": [{
            "file": finding.path, "start_line": line, "end_line": line,
            "signatures": [{"algorithm": "scope_offset", "value": signature}],
        }]},
    }


def _messages(report: Report) -> list[dict]:
    messages = [{"level": "warn" if n.level in ("warning", "error") else "info",
                 "value": f"{n.path}:{n.line}: {n.message}" if n.line else f"{n.path}: {n.message}" if n.path else n.message}
                for n in report.result.notices]
    if report.rules is not None and report.rules.loosened:
        statements = labels.rule_statements(report.rules, report.lang)
        messages.append({"level": "warn", "value": "; ".join(statements)})
    unresolved = len(report.result.unresolved)
    if unresolved:
        plural = "s" if unresolved != 1 else ""
        messages.append({"level": "info", "value": f"{unresolved} check{plural} could not be decided statically"})
    return messages


def _scan(report: Report) -> dict:
    tool: dict = {"id": TOOL_NAME, "name": TOOL_NAME, "version": report.version, "vendor": {"name": TOOL_NAME}}
    if report.docs_url:
        tool["url"] = report.docs_home
    # Every rule that ran, so GitLab resolves a vulnerability whose rule ran and no longer fires.
    policies = sorted(report.result.policies, key=lambda p: p.id)
    scan = {"analyzer": dict(tool), "scanner": dict(tool), "type": "sast", "status": "success",
            "start_time": timestamp(report.started), "end_time": timestamp(report.finished or report.started),
            "primary_identifiers": [identifier(p, report) for p in policies]}
    messages = _messages(report)
    if messages:
        scan["messages"] = messages
    return scan


def build(report: Report, schema_version: str = DEFAULT_SCHEMA_VERSION) -> dict:
    if not SCHEMA_VERSION.match(schema_version):
        raise ValueError(f"GitLab SAST schema version {schema_version!r} is not one GitLab validates that this "
                         f"report satisfies ({SUPPORTED})")
    policies = report.policies_by_id
    seen: Counter = Counter()
    vulnerabilities = []
    for finding in report.shown():
        seen[finding.fingerprint] += 1
        vulnerabilities.append(_vulnerability(finding, policies[finding.policy_id], seen[finding.fingerprint], report))
    return {"version": schema_version, "schema": SCHEMA_URL.format(version=schema_version),
            "scan": _scan(report), "vulnerabilities": vulnerabilities}


def render(report: Report) -> str:
    return json.dumps(build(report, report.gitlab_schema_version or DEFAULT_SCHEMA_VERSION), indent=2,
                      ensure_ascii=False) + "\n"
