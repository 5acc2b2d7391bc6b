"""JUnit XML for test widgets (GitLab `artifacts:reports:junit`, Jenkins, test-report actions).

Shape (reference/ci-and-sarif.md §4): one <testsuite> per policy family, named after what it protects, and
one <testcase> per policy and target (the resource, file or repository it judged), passes included, with a
unique classname + name (GitLab merges duplicates). A case fails exactly when one of its findings fails the
run at --fail-on, so the widget's failures agree with the exit code; a finding below --fail-on, in audit mode
or waived, and an unresolved check, is <skipped> with the reason. Input files that could not be read are a
suite of their own: <error> where --strict fails the run on them (a file not read or parsed, a build not
rendered in full, a module call not evaluated, a tagged directory left out), <skipped> otherwise.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from scanner.evaluate.result import Finding
from scanner.notices import NOTHING_SCANNED, Notice, fails_strict
from scanner.report import labels, tally
from scanner.report.model import TOOL_NAME, Report
from scanner.terminal import inert

# Characters XML 1.0 cannot carry at all, even escaped: they would make the whole report unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """One value from the scanned repository: control and bidi characters escaped (scanner.terminal), then
    anything XML 1.0 still cannot carry replaced."""
    return _NOT_XML.sub("\ufffd", inert(text))


def _body(report: Report, findings: list[Finding]) -> str:
    words = labels.words(report.lang)
    lines = []
    for finding in findings:
        lines += [_clean(report.message(finding)), f"{words['junit_location']}: {_clean(finding.path)}:{finding.line}"]
        if finding.kind == "fail":
            lines.append(f"{words['fix']}: {report.fix(finding)}")
        url = report.help_uri(finding.policy_id)
        if url:
            lines.append(f"{words['junit_help']}: {url}")
    return "\n".join(lines)


def _why_not_failing(report: Report, finding: Finding) -> str:
    words = labels.words(report.lang)
    message = report.message(finding)
    if finding.kind == "open":
        return words["junit_unresolved"].format(message=message)
    if finding.suppression is not None:
        return words["junit_waived"].format(reason=finding.suppression.justification, message=message)
    if finding.mode == "audit":
        return words["junit_audit"].format(message=message)
    if report.fail_on == "never":
        return words["junit_never"].format(message=message)
    return words["junit_below"].format(level=labels.level(finding.level, report.lang), fail_on=report.fail_on,
                                       message=message)


def _testcase(suite: ET.Element, report: Report, target: tally.TargetOutcome) -> str:
    policy = report.policies_by_id[target.policy_id]
    case = ET.SubElement(suite, "testcase", {
        "classname": _clean(f"{policy.id} {policy.text(report.lang).title}"),
        "name": _clean(target.address if target.address == target.path else f"{target.address} ({target.path})"),
        "file": _clean(target.path), "line": str(max(target.line, 1)), "time": "0"})
    failing = [f for f in target.findings if tally.fails_run(f, report.fail_on)]
    if failing:
        failure = ET.SubElement(case, "failure", {"message": _clean(report.message(failing[0])), "type": policy.id})
        failure.text = _body(report, failing)
        return "failures"
    others = list(target.findings) + list(target.unresolved)
    if others:
        ET.SubElement(case, "skipped", {"message": _clean(_why_not_failing(report, others[0]))})
        return "skipped"
    return "passed"


def _set_counts(element: ET.Element, counts: Counter) -> None:
    for key in ("tests", "failures", "errors", "skipped"):
        element.set(key, str(counts[key]))
    element.set("time", "0")


def _family_suites(root: ET.Element, report: Report, totals: Counter) -> None:
    policies = report.policies_by_id
    groups: dict[str, list[tally.TargetOutcome]] = {}
    for target in tally.targets(report.result):
        if target.policy_id in policies:
            groups.setdefault(policies[target.policy_id].family, []).append(target)
    for family in sorted(groups):
        title = labels.words(report.lang)["junit_suite"].format(tool=TOOL_NAME, family=family,
                                                                 title=labels.family_title(family, report.lang))
        suite = ET.SubElement(root, "testsuite", {"name": title})
        counts: Counter = Counter()
        for target in groups[family]:
            counts[_testcase(suite, report, target)] += 1
            counts["tests"] += 1
        _set_counts(suite, counts)
        totals.update(counts)


def _notice_suite(root: ET.Element, report: Report, totals: Counter) -> None:
    """The inputs not judged in full. Under --strict, those it fails the run on are errors (and so is a run
    that scanned no file), so the widget agrees with the exit code; the others, and all without it, skipped."""
    notices: list[Notice] = report.result.notices
    nothing_scanned = bool(report.strict_problems) and report.files_scanned == 0
    if not notices and not nothing_scanned:
        return
    words = labels.words(report.lang)
    suite = ET.SubElement(root, "testsuite", {"name": words["junit_inputs"].format(tool=TOOL_NAME)})
    counts: Counter = Counter()
    used: Counter = Counter()
    for notice in notices:
        used[notice.path] += 1
        name = words["junit_input_file"] + ("" if used[notice.path] == 1 else f" #{used[notice.path]}")
        case = ET.SubElement(suite, "testcase", {"classname": _clean(notice.path or TOOL_NAME), "name": name,
                                                 **({"file": _clean(notice.path)} if notice.path else {}), "time": "0"})
        where = f"{notice.path}:{notice.line}: " if notice.line else f"{notice.path}: " if notice.path else ""
        if report.strict_problems and fails_strict(notice, report.rules.configuration if report.rules else ""):
            error = ET.SubElement(case, "error", {"message": _clean(notice.message), "type": "input"})
            error.text = f"{_clean(where)}{_clean(notice.message)}"
            counts["errors"] += 1
        else:
            ET.SubElement(case, "skipped", {"message": _clean(f"{where}{notice.message}")})
            counts["skipped"] += 1
        counts["tests"] += 1
    if nothing_scanned:
        case = ET.SubElement(suite, "testcase", {"classname": TOOL_NAME, "name": NOTHING_SCANNED, "time": "0"})
        ET.SubElement(case, "error", {"message": NOTHING_SCANNED, "type": "input"}).text = NOTHING_SCANNED
        counts["errors"] += 1
        counts["tests"] += 1
    _set_counts(suite, counts)
    totals.update(counts)


def _rules_suite(root: ET.Element, report: Report, totals: Counter) -> None:
    """When the configuration switches policies off, excludes paths or waivers suppress findings, a skipped
    case says so, so the test widget never shows a clean run without saying what was not checked."""
    if report.rules is None or not report.rules.loosened:
        return
    words = labels.words(report.lang)
    suite = ET.SubElement(root, "testsuite", {"name": words["junit_rules"].format(tool=TOOL_NAME)})
    case = ET.SubElement(suite, "testcase", {"classname": _clean(report.rules.configuration or TOOL_NAME),
                                             "name": words["junit_rules_case"], "time": "0"})
    statements = labels.rule_statements(report.rules, report.lang)
    ET.SubElement(case, "skipped", {"message": _clean("; ".join(statements))})
    counts = Counter({"tests": 1, "skipped": 1})
    _set_counts(suite, counts)
    totals.update(counts)


def render(report: Report) -> str:
    root = ET.Element("testsuites", {"name": TOOL_NAME})
    totals: Counter = Counter()
    _family_suites(root, report, totals)
    _notice_suite(root, report, totals)
    _rules_suite(root, report, totals)
    _set_counts(root, totals)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
