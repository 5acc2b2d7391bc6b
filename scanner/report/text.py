"""Human-readable report: findings grouped by file, then a summary."""
from __future__ import annotations

from collections import Counter
from itertools import groupby

from scanner.report.model import Report

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"


def _paint(text: str, level: str, color: bool) -> str:
    return f"{_COLOURS.get(level, '')}{text}{_RESET}" if color else text


def render(report: Report) -> str:
    policies = report.policies_by_id
    lines: list[str] = []
    for path, findings in groupby(report.shown(), key=lambda f: f.path):
        lines.append(path)
        for finding in findings:
            policy = policies[finding.policy_id]
            label = "unresolved" if finding.kind == "open" else finding.level
            if finding.mode == "audit" and finding.kind == "fail":
                label += " (audit)"
            lines.append(f"  {finding.line:>4}  {_paint(f'{label:<8}', finding.level, report.color)} "
                         f"{finding.policy_id:<10} {finding.message}")
            if finding.kind == "fail":
                lines.append(f"{'':17}fix: {policy.remediation_for(finding.resource_type)}")
        lines.append("")
    for notice in report.result.notices:
        where = f"{notice.path}:{notice.line}" if notice.line else notice.path
        lines.append(f"notice: {where}: {notice.message}")
    if report.result.notices:
        lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _summary(report: Report) -> str:
    result = report.result
    levels = Counter(f.level for f in result.findings)
    families = Counter(f.family for f in result.findings)
    audit = sum(1 for f in result.findings if f.mode == "audit")
    parts = [f"{len(result.findings)} findings"]
    if result.findings:
        parts.append(", ".join(f"{levels[k]} {k}" for k in ("error", "warning", "note") if levels[k]))
    summary = (f"sovscan {report.version}: {report.files_scanned} files, {len(result.policies)} policies, "
               f"{result.checks} checks: {'; '.join(parts)}")
    if families:
        summary += "\n  by family: " + ", ".join(f"{k} {families[k]}" for k in sorted(families))
    if audit:
        summary += f"\n  {audit} in audit mode (reported, not failing)"
    hint = "" if report.show_unresolved else " (--show-unresolved lists them)"
    summary += f"\n  {len(result.unresolved)} checks unresolved: a value was not known statically{hint}"
    if result.notices:
        summary += f"\n  {len(result.notices)} notices (files skipped or not parsed)"
    return summary
