"""Human-readable report: one line per finding starting with `file:line`, then a summary and a verdict.

Every value that comes from the scanned repository (paths, addresses, messages) is made inert
(scanner.terminal): control characters are escaped and no line can start a CI workflow command. Off a
terminal the output never depends on the machine (no colour, no wrapping).
"""
from __future__ import annotations

from collections import Counter
from itertools import groupby

from scanner.evaluate import citations
from scanner.evaluate.result import Finding
from scanner.report import labels
from scanner.report.model import Report
from scanner.terminal import guard, inert, wrap

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m", "FAILED": "\033[1;31m",
            "PASSED": "\033[1;32m"}
_RESET = "\033[0m"
FIX_INDENT = 4
POSTURE_SOURCE = ["003:455-497"]   # the SEAL typology (Figure 5) the indicative posture follows; cited by title


def _paint(text: str, key: str, color: bool) -> str:
    return f"{_COLOURS.get(key, '')}{text}{_RESET}" if color and key in _COLOURS else text


def location(path: str, line: int) -> str:
    """`path:line` for terminals and editors to jump to; a path starting like a command is made `./`-relative."""
    shown = inert(path)
    if shown.startswith((":", "#", "-")):
        shown = "./" + shown
    return f"{shown}:{line}" if line > 0 else shown


def label(finding: Finding, lang: str = "en") -> str:
    """What a finding is: its level, `(audit)`, waived or unresolved, in `lang`."""
    words = labels.words(lang)
    if finding.suppression is not None:
        return words["waived"]
    if finding.kind == "open":
        return words["unresolved"]
    shown = labels.level(finding.level, lang)
    return f"{shown} ({words['audit']})" if finding.mode == "audit" else shown


def _finding_lines(report: Report, finding: Finding) -> list[str]:
    words = labels.words(report.lang)
    label_ = label(finding, report.lang)
    head = f"{location(finding.path, finding.line)}: {label_} {finding.policy_id} {inert(report.message(finding))}"
    lines = wrap(head, report.width, FIX_INDENT)
    if report.color:
        lines[0] = lines[0].replace(f": {label_} ", f": {_paint(label_, finding.level, True)} ", 1)
    if finding.suppression is not None:
        prefix = f"{words['waived_because']}: "
        lines += wrap(f"{'':{FIX_INDENT}}{prefix}{inert(finding.suppression.justification)}", report.width,
                      FIX_INDENT + len(prefix))
    elif finding.kind == "fail" and not report.quiet:
        prefix = f"{words['fix']}: "
        lines += wrap(f"{'':{FIX_INDENT}}{prefix}{inert(report.fix(finding))}", report.width, FIX_INDENT + len(prefix))
    return lines


def render(report: Report) -> str:
    lines: list[str] = []
    for _, findings in groupby(report.shown(), key=lambda f: f.path):
        for finding in findings:
            lines.extend(_finding_lines(report, finding))
        if not report.quiet:
            lines.append("")
    if report.quiet:
        return guard("\n".join(lines) + "\n") if lines else ""
    lines.extend(_notice_lines(report))
    haven = _haven(report)
    if haven:
        lines.extend(haven + [""])
    lines.extend(_summary(report))
    verdict = report.verdict()
    lines.append(_paint(verdict, "FAILED" if report.failing() or report.strict_problems else "PASSED", report.color))
    return guard("\n".join(lines) + "\n")


def _notice_lines(report: Report) -> list[str]:
    lines = []
    result = report.result
    for heading, notices in (("notice", result.notices), ("waiver", result.waiver_problems),
                             ("migration", result.migration)):
        for notice in notices:
            where = f"{location(notice.path, notice.line)}: " if notice.path else ""   # about the run, not a file
            lines.append(f"{heading}: {where}{inert(notice.message)}")
    for entry in result.stale_baseline:
        lines.append(f"baseline: stale entry {inert(entry.get('rule'))} {inert(entry.get('address'))} "
                     f"in {inert(entry.get('path'))}: no longer found")
    if lines:
        lines.append("")
    return lines


def _haven(report: Report) -> list[str]:
    """Per Terraform cluster, the HCC checks its static pre-flight covers; per HCC results file, HCC's own
    result line. Check names are HCC's labels, so the lines read like a `haven check` run."""
    summary = report.result.haven
    if not summary:
        return []
    words = labels.words(report.lang)
    lines = [f"haven: {words['haven_heading']}"]
    for cluster in summary.clusters:
        passing = words["haven_cluster"].format(passed=cluster.count("pass"), total=cluster.total)
        lines.append(f"  {location(cluster.path, cluster.line)} {inert(cluster.address)}: {passing}")
        for state, heading in (("fail", words["would_fail"]), ("open", words["not_decided"]),
                               ("unchecked", words["not_preflighted"]), ("cannot", words["cannot_preflight"])):
            if cluster.labels(state):
                lines.append(f"{'':6}{heading}: " + "; ".join(cluster.labels(state)))
    for live in summary.live:
        lines.append(f"  {inert(live.path)} ({words['live_cluster']}, {inert(live.version)}): {inert(live.line())}")
        failed = [inert(name) for name, result in live.results if result == "NO"]
        if failed:
            lines.append(f"{'':6}{words['hcc_failed']}: " + "; ".join(failed))
    return lines


def _summary(report: Report) -> list[str]:
    result, lang = report.result, report.lang
    words = labels.words(lang)
    levels = Counter(f.level for f in result.active)
    families = Counter(f.family for f in result.active)
    audit = sum(1 for f in result.active if f.mode == "audit")
    counts = ", ".join(f"{levels[k]} {labels.level(k, lang)}" for k in ("error", "warning", "note") if levels[k])
    head = words["summary"].format(
        tool="sovscan", version=report.version, files=labels.count(report.files_scanned, "file", lang),
        policies=labels.count(len(result.policies), "policy", lang), checks=labels.count(result.checks, "check", lang),
        passed=result.passes, findings=labels.count(len(result.active), "finding", lang) + (f" ({counts})" if counts else ""))
    lines = [head]
    if families:
        lines.append(f"  {words['by_family']}: " + ", ".join(f"{k} {families[k]}" for k in sorted(families)))
    if audit:
        lines.append("  " + words["audit_count"].format(n=audit))
    if report.rules is not None:
        lines += [f"  {inert(statement)}" for statement in labels.rule_statements(report.rules, lang)]
    if result.posture:
        source = "; ".join(citations.document_citations(POSTURE_SOURCE, lang))
        lines.append("  " + words["posture_line"].format(source=inert(source)) + ": " + "; ".join(
            words["posture_known"].format(name=p.name, source=p.source, jurisdiction=p.jurisdiction, seal=p.seal)
            if p.known else words["posture_unknown"].format(source=inert(p.source)) for p in result.posture))
    hint = "" if report.show_unresolved else f" ({words['unresolved_hint']})"
    unresolved = words["unresolved_count"].format(checks=labels.count(result.unresolved_checks, "check", lang))
    lines.append(f"  {unresolved}{hint}")
    if result.notices:
        lines.append("  " + words["notices_count"].format(notices=labels.count(len(result.notices), "notice", lang)))
    return lines
