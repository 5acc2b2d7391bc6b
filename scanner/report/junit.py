"""JUnit XML for test widgets (GitLab `artifacts:reports:junit`, Jenkins, test-report actions).

Shape (reference/ci-and-sarif.md §4): one <testsuite> per policy input kind, one <testcase> per finding with
a unique classname + name (GitLab merges duplicates), <failure> for deny findings, <skipped> for audit
findings, waived findings (with --include-suppressed) and unresolved checks, and a suite of <error> cases for input files that could not be parsed.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from scanner.evaluate.result import Finding
from scanner.evaluate.policies import Policy
from scanner.notices import Notice
from scanner.report.model import TOOL_NAME, Report, help_uri
from scanner.terminal import inert

INPUT_ORDER = ("terraform", "kubernetes", "file", "mixed")
# Characters XML 1.0 cannot carry at all, even escaped: they would make the whole report unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """One value from the scanned repository: control and bidi characters escaped (scanner.terminal), then
    anything XML 1.0 still cannot carry replaced."""
    return _NOT_XML.sub("\ufffd", inert(text))


def _case_name(finding: Finding, policy: Policy) -> str:
    name = f"[{finding.severity.upper()}][{finding.policy_id}] {policy.title}"
    return f"{name} ({finding.attribute})" if finding.attribute else name


def _body(finding: Finding, policy: Policy) -> str:
    lines = [_clean(finding.message), f"location: {_clean(finding.path)}:{finding.line}",
             f"resource: {_clean(finding.address)}"]
    if finding.kind == "fail":
        lines.append(f"fix: {policy.remediation_for(finding.resource_type)}")
    lines.append(f"help: {help_uri(finding.policy_id)}")
    return "\n".join(lines)


def _testcase(suite: ET.Element, finding: Finding, policy: Policy, name: str) -> str:
    case = ET.SubElement(suite, "testcase", {
        "classname": _clean(f"{finding.path}.{finding.address}"), "name": _clean(name),
        "file": _clean(finding.path), "line": str(max(finding.line, 1)), "time": "0"})
    if finding.kind == "open":
        ET.SubElement(case, "skipped", {"message": _clean(f"unresolved: {finding.message}")})
        return "skipped"
    if finding.suppression is not None:
        reason = f"waived ({finding.suppression.justification}): {finding.message}"
        ET.SubElement(case, "skipped", {"message": _clean(reason)})
        return "skipped"
    if finding.mode == "audit":
        ET.SubElement(case, "skipped", {"message": _clean(f"audit mode (not failing): {finding.message}")})
        return "skipped"
    failure = ET.SubElement(case, "failure", {"message": _clean(finding.message), "type": finding.policy_id})
    failure.text = _body(finding, policy)
    return "failures"


def _set_counts(element: ET.Element, counts: Counter) -> None:
    for key in ("tests", "failures", "errors", "skipped"):
        element.set(key, str(counts[key]))
    element.set("time", "0")


def _finding_suites(root: ET.Element, report: Report, totals: Counter) -> None:
    policies = report.policies_by_id
    groups: dict[str, list[Finding]] = {}
    for finding in report.shown():
        groups.setdefault(policies[finding.policy_id].input, []).append(finding)
    for kind in sorted(groups, key=lambda k: (INPUT_ORDER.index(k) if k in INPUT_ORDER else len(INPUT_ORDER), k)):
        suite = ET.SubElement(root, "testsuite", {"name": f"{TOOL_NAME} {kind}"})
        counts: Counter = Counter()
        used: Counter = Counter()
        for finding in groups[kind]:
            policy = policies[finding.policy_id]
            name = _case_name(finding, policy)
            used[(finding.path, finding.address, name)] += 1
            seen = used[(finding.path, finding.address, name)]
            outcome = _testcase(suite, finding, policy, name if seen == 1 else f"{name} #{seen}")
            counts["tests"] += 1
            counts[outcome] += 1
        _set_counts(suite, counts)
        totals.update(counts)


def _notice_suite(root: ET.Element, notices: list[Notice], totals: Counter) -> None:
    if not notices:
        return
    suite = ET.SubElement(root, "testsuite", {"name": f"{TOOL_NAME} inputs"})
    counts: Counter = Counter()
    used: Counter = Counter()
    for notice in notices:
        used[notice.path] += 1
        name = "input file" if used[notice.path] == 1 else f"input file #{used[notice.path]}"
        case = ET.SubElement(suite, "testcase", {"classname": _clean(notice.path), "name": name,
                                                 "file": _clean(notice.path), "time": "0"})
        where = f"{notice.path}:{notice.line}" if notice.line else notice.path
        if notice.level == "error":
            error = ET.SubElement(case, "error", {"message": _clean(notice.message), "type": "input"})
            error.text = f"{_clean(where)}: {_clean(notice.message)}"
            counts["errors"] += 1
        else:
            ET.SubElement(case, "skipped", {"message": _clean(f"{where}: {notice.message}")})
            counts["skipped"] += 1
        counts["tests"] += 1
    _set_counts(suite, counts)
    totals.update(counts)


def _rules_suite(root: ET.Element, report: Report, totals: Counter) -> None:
    """When the configuration switches policies off, excludes paths or waivers suppress findings, a skipped
    case says so, so the test widget never shows a clean run without saying what was not checked."""
    if report.rules is None or not report.rules.loosened:
        return
    suite = ET.SubElement(root, "testsuite", {"name": f"{TOOL_NAME} rules"})
    case = ET.SubElement(suite, "testcase", {"classname": _clean(report.rules.configuration or TOOL_NAME),
                                             "name": "rules of this run", "time": "0"})
    statements = report.rules.statements()
    ET.SubElement(case, "skipped", {"message": _clean("; ".join(statements))})
    counts = Counter({"tests": 1, "skipped": 1})
    _set_counts(suite, counts)
    totals.update(counts)


def render(report: Report) -> str:
    root = ET.Element("testsuites", {"name": TOOL_NAME})
    totals: Counter = Counter()
    _finding_suites(root, report, totals)
    _notice_suite(root, report.result.notices, totals)
    _rules_suite(root, report, totals)
    _set_counts(root, totals)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
