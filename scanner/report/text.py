"""Human-readable report: findings grouped by file, then a summary."""
from __future__ import annotations

from collections import Counter
from itertools import groupby

from scanner.evaluate import citations
from scanner.report.model import Report

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"
_POSTURE_SOURCE = ["003:455-497"]   # the SEAL typology (Figure 5) the indicative posture follows


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
            if finding.suppression is not None:
                label = "waived"
            lines.append(f"  {finding.line:>4}  {_paint(f'{label:<8}', finding.level, report.color)} "
                         f"{finding.policy_id:<10} {finding.message}")
            if finding.kind == "fail":
                lines.append(f"{'':17}fix: {policy.remediation_for(finding.resource_type)}")
        lines.append("")
    for heading, notices in (("notice", report.result.notices), ("waiver", report.result.waiver_problems),
                             ("migration", report.result.migration)):
        for notice in notices:
            where = f"{notice.path}:{notice.line}" if notice.line else notice.path
            lines.append(f"{heading}: {where}: {notice.message}")
    for entry in report.result.stale_baseline:
        lines.append(f"baseline: stale entry {entry.get('rule')} {entry.get('address')} in {entry.get('path')}: no longer found")
    if report.result.notices or report.result.waiver_problems or report.result.migration or report.result.stale_baseline:
        lines.append("")
    haven = _haven(report)
    if haven:
        lines.extend(haven + [""])
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _haven(report: Report) -> list[str]:
    """Per Terraform cluster, the HCC checks its static pre-flight covers; per HCC results file, HCC's own
    result line. Check names are HCC's labels, so the lines read like a `haven check` run."""
    summary = report.result.haven
    if not summary:
        return []
    lines = ["haven: Haven Compliancy Checker checks, in HCC's own terms"]
    for cluster in summary.clusters:
        lines.append(f"  {cluster.path}:{cluster.line} {cluster.address}: {cluster.count('pass')} of "
                     f"{cluster.total} HCC checks pass the pre-flight")
        for state, heading in (("fail", "would fail"), ("open", "not decided statically"),
                               ("unchecked", "not pre-flighted for this cluster"),
                               ("cannot", "cannot be pre-flighted")):
            if cluster.labels(state):
                lines.append(f"{'':6}{heading}: " + "; ".join(cluster.labels(state)))
    for live in summary.live:
        lines.append(f"  {live.path} (live cluster, {live.version}): {live.line()}")
        failed = [label for label, result in live.results if result == "NO"]
        if failed:
            lines.append(f"{'':6}failed: " + "; ".join(failed))
    return lines


def _summary(report: Report) -> str:
    result = report.result
    levels = Counter(f.level for f in result.active)
    families = Counter(f.family for f in result.active)
    audit = sum(1 for f in result.active if f.mode == "audit")
    parts = [f"{len(result.active)} findings"]
    if result.active:
        parts.append(", ".join(f"{levels[k]} {k}" for k in ("error", "warning", "note") if levels[k]))
    summary = (f"sovscan {report.version}: {report.files_scanned} files, {len(result.policies)} policies, "
               f"{result.checks} checks: {'; '.join(parts)}")
    if families:
        summary += "\n  by family: " + ", ".join(f"{k} {families[k]}" for k in sorted(families))
    if audit:
        summary += f"\n  {audit} in audit mode (reported, not failing)"
    suppressed = result.suppressed
    if suppressed:
        waived = sum(1 for f in suppressed if f.suppression.justification != "in the baseline")
        summary += f"\n  {waived} waived, {len(suppressed) - waived} in the baseline (not failing)"
    if result.posture:
        source = "; ".join(citations.document_citations(_POSTURE_SOURCE))
        summary += f"\n  sovereignty posture (indicative, after {source}): " + "; ".join(
            f"{p.name} ({p.source}): {p.jurisdiction} jurisdiction, SEAL {p.seal}" if p.known
            else f"{p.source}: not in the provider registry" for p in result.posture)
    hint = "" if report.show_unresolved else " (--show-unresolved lists them)"
    summary += f"\n  {len(result.unresolved)} checks unresolved: a value was not known statically{hint}"
    if result.notices:
        summary += f"\n  {len(result.notices)} notices (files skipped or not parsed)"
    return summary
