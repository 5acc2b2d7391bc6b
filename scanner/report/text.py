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
from scanner.report.model import Report
from scanner.terminal import guard, inert, plural, wrap

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m", "FAILED": "\033[1;31m",
            "PASSED": "\033[1;32m"}
_RESET = "\033[0m"
FIX_INDENT = 4
_POSTURE_SOURCE = ["003:455-497"]   # the SEAL typology (Figure 5) the indicative posture follows


def _paint(text: str, key: str, color: bool) -> str:
    return f"{_COLOURS.get(key, '')}{text}{_RESET}" if color and key in _COLOURS else text


def location(path: str, line: int) -> str:
    """`path:line` for terminals and editors to jump to; a path starting like a command is made `./`-relative."""
    shown = inert(path)
    if shown.startswith((":", "#", "-")):
        shown = "./" + shown
    return f"{shown}:{line}" if line > 0 else shown


def _label(finding: Finding) -> str:
    if finding.suppression is not None:
        return "waived"
    if finding.kind == "open":
        return "unresolved"
    return f"{finding.level} (audit)" if finding.mode == "audit" else finding.level


def _finding_lines(report: Report, finding: Finding) -> list[str]:
    label = _label(finding)
    head = f"{location(finding.path, finding.line)}: {label} {finding.policy_id} {inert(finding.message)}"
    lines = wrap(head, report.width, FIX_INDENT)
    if report.color:
        lines[0] = lines[0].replace(f": {label} ", f": {_paint(label, finding.level, True)} ", 1)
    if finding.suppression is not None:
        lines += wrap(f"{'':{FIX_INDENT}}waived: {inert(finding.suppression.justification)}", report.width,
                      FIX_INDENT + 8)
    elif finding.kind == "fail" and not report.quiet:
        policy = report.policies_by_id[finding.policy_id]
        lines += wrap(f"{'':{FIX_INDENT}}fix: {inert(policy.remediation_for(finding.resource_type))}", report.width,
                      FIX_INDENT + 5)
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
    lines.append(_paint(report.verdict(), report.verdict().split(":")[0].split(" ")[0], report.color))
    return guard("\n".join(lines) + "\n")


def _notice_lines(report: Report) -> list[str]:
    lines = []
    result = report.result
    for heading, notices in (("notice", result.notices), ("waiver", result.waiver_problems),
                             ("migration", result.migration)):
        for notice in notices:
            lines.append(f"{heading}: {location(notice.path, notice.line)}: {inert(notice.message)}")
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
    lines = ["haven: Haven Compliancy Checker checks, in HCC's own terms"]
    for cluster in summary.clusters:
        lines.append(f"  {location(cluster.path, cluster.line)} {inert(cluster.address)}: {cluster.count('pass')} of "
                     f"{cluster.total} HCC checks pass the pre-flight")
        for state, heading in (("fail", "would fail"), ("open", "not decided statically"),
                               ("unchecked", "not pre-flighted for this cluster"),
                               ("cannot", "cannot be pre-flighted")):
            if cluster.labels(state):
                lines.append(f"{'':6}{heading}: " + "; ".join(cluster.labels(state)))
    for live in summary.live:
        lines.append(f"  {inert(live.path)} (live cluster, {inert(live.version)}): {inert(live.line())}")
        failed = [inert(label) for label, result in live.results if result == "NO"]
        if failed:
            lines.append(f"{'':6}failed: " + "; ".join(failed))
    return lines


def _summary(report: Report) -> list[str]:
    result = report.result
    levels = Counter(f.level for f in result.active)
    families = Counter(f.family for f in result.active)
    audit = sum(1 for f in result.active if f.mode == "audit")
    counts = ", ".join(f"{levels[k]} {k}" for k in ("error", "warning", "note") if levels[k])
    head = (f"sovscan {report.version}: {plural(report.files_scanned, 'file')}, "
            f"{plural(len(result.policies), 'policy', 'policies')}, {plural(result.checks, 'check')} "
            f"({result.passes} passed): {plural(len(result.active), 'finding')}" + (f" ({counts})" if counts else ""))
    lines = [head]
    if families:
        lines.append("  by family: " + ", ".join(f"{k} {families[k]}" for k in sorted(families)))
    if audit:
        lines.append(f"  {audit} in audit mode (reported, not failing)")
    if report.rules is not None:
        lines += [f"  {inert(statement)}" for statement in report.rules.statements()]
    if result.posture:
        source = "; ".join(citations.document_citations(_POSTURE_SOURCE))
        lines.append(f"  sovereignty posture (indicative, after {inert(source)}): " + "; ".join(
            f"{p.name} ({p.source}): {p.jurisdiction} jurisdiction, SEAL {p.seal}" if p.known
            else f"{inert(p.source)}: not in the provider registry" for p in result.posture))
    hint = "" if report.show_unresolved else " (--show-unresolved lists them)"
    unresolved = len(result.unresolved)
    lines.append(f"  {plural(unresolved, 'check')} unresolved: a value was not known statically{hint}")
    if result.notices:
        lines.append(f"  {plural(len(result.notices), 'notice')} (files skipped or not parsed)")
    return lines
