"""Markdown summary for `$GITHUB_STEP_SUMMARY` and merge/pull request comments.

GitHub takes at most 1 MiB of summary per step and drops a larger one whole, so the table is capped
(most severe first) and the text is cut at MAX_BYTES as a last resort.
"""
from __future__ import annotations

from collections import Counter

from scanner.evaluate.result import LEVEL_RANK, Finding
from scanner.notices import UNRENDERED
from scanner.report.model import TOOL_NAME, Report, help_uri
from scanner.terminal import inert

MAX_ROWS = 50
MAX_UNRENDERED = 10
MAX_BYTES = 1024 * 1024
MAX_MESSAGE = 300
LEVELS = ("error", "warning", "note")
_MARKUP = set("\\`*_[]|~")  # escaped so a message cannot format, link or split a cell


def cell(text: str, limit: int = MAX_MESSAGE) -> str:
    """One table cell: a single line, no HTML, no column breaks."""
    text = inert(" ".join(str(text).split()))
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + char if char in _MARKUP else char for char in text)


def _headline(report: Report) -> str:
    findings = report.result.active
    levels = Counter(f.level for f in findings)
    parts = ", ".join(f"{levels[k]} {k}" for k in LEVELS if levels[k])
    count = f"**{len(findings)} finding{'s' if len(findings) != 1 else ''}**" + (f" ({parts})" if parts else "")
    files = f"{report.files_scanned} file{'s' if report.files_scanned != 1 else ''}"
    policies, checks = len(report.result.policies), report.result.checks
    return (f"{count} in {files}; {policies} {'policy' if policies == 1 else 'policies'}, "
            f"{checks} check{'s' if checks != 1 else ''}, {report.result.passes} passed.")


def _totals(report: Report) -> list[str]:
    findings = report.result.active
    if not findings:
        return []
    levels = Counter(f.level for f in findings)
    families = Counter(f.family for f in findings)
    lines = ["| Level | Findings |", "|---|---:|"]
    lines += [f"| {level} | {levels[level]} |" for level in LEVELS if levels[level]]
    lines += ["", "| Family | Findings |", "|---|---:|"]
    lines += [f"| {cell(family)} | {families[family]} |" for family in sorted(families)]
    audit = sum(1 for f in findings if f.mode == "audit")
    if audit:
        lines += ["", f"{audit} of them in audit mode (reported, not failing)."]
    return lines + [""]


def _label(finding: Finding) -> str:
    if finding.suppression is not None:
        return "waived"
    if finding.kind == "open":
        return "unresolved"
    return f"{finding.level} (audit)" if finding.mode == "audit" else finding.level


def _table(findings: list[Finding]) -> list[str]:
    # Most severe first, so the capped table keeps what matters.
    ordered = sorted(findings, key=lambda f: (f.suppression is not None, f.kind != "fail", -LEVEL_RANK[f.level],
                                              f.sort_key))
    lines = ["| Level | Policy | File | Line | Resource | Message |", "|---|---|---|---:|---|---|"]
    for finding in ordered[:MAX_ROWS]:
        policy = f"[{cell(finding.policy_id)}]({help_uri(finding.policy_id)})"
        lines.append(f"| {_label(finding)} | {policy} | {cell(finding.path, 120)} | {finding.line} | "
                     f"{cell(finding.address, 120)} | {cell(finding.message)} |")
    hidden = len(ordered) - MAX_ROWS
    if hidden > 0:
        lines += ["", f"… and {hidden} more, not shown here: see the SARIF or JSON report."]
    return lines + [""]


def _footer(report: Report) -> list[str]:
    result = report.result
    lines = []
    unresolved = len(result.unresolved)
    hint = "" if report.show_unresolved else " (`--show-unresolved` lists them)"
    lines.append(f"{unresolved} check{'s' if unresolved != 1 else ''} unresolved: "
                 f"a value was not known statically{hint}.")
    if report.rules is not None:
        lines += [cell(statement, 1000) + "." for statement in report.rules.statements()]
    elif result.suppressed:
        lines.append(f"{len(result.suppressed)} waived or baselined findings, not counted above.")
    if result.waiver_problems:
        lines.append(f"{len(result.waiver_problems)} waiver problems (expired, without a reason, or unused).")
    if result.notices:
        lines.append(f"{len(result.notices)} input notices (files skipped or not parsed).")
    unrendered = [n for n in result.notices if n.kind == UNRENDERED]
    for notice in unrendered[:MAX_UNRENDERED]:   # a build that did not render is not judged: say so in the comment
        lines.append(f"- not rendered in full: {cell(notice.path, 120)}:{notice.line}: {cell(notice.message)}")
    if len(unrendered) > MAX_UNRENDERED:
        lines.append(f"- … and {len(unrendered) - MAX_UNRENDERED} more builds not rendered in full.")
    lines.append(f"**{cell(report.verdict(), 300)}**")
    lines.append("")
    lines.append(f"<sub>{TOOL_NAME} {cell(report.version, 40)}</sub>")
    return lines


def _cap(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= MAX_BYTES:
        return text
    tail = "\n\n… summary cut at 1 MiB: see the SARIF or JSON report.\n"
    room = MAX_BYTES - len(tail.encode("utf-8"))
    return data[:room].decode("utf-8", errors="ignore") + tail


def render(report: Report) -> str:
    lines = [f"## {TOOL_NAME} results", "", _headline(report), ""]
    lines += _totals(report)
    shown = report.shown()
    if shown:
        lines += _table(shown)
    else:
        lines += ["No findings.", ""]
    lines += _footer(report)
    return _cap("\n".join(lines) + "\n")
