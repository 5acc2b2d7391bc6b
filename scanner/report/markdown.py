"""Markdown summary for `$GITHUB_STEP_SUMMARY` and merge/pull request comments.

Every finding is listed (most severe first) with the fix for each rule, the sovereignty posture, the Haven
pre-flight and the waivers. GitHub takes at most 1 MiB of summary per step and drops a larger one whole, so
only then are the least severe rows left out, and the summary says how many and where to find them.
"""
from __future__ import annotations

from collections import Counter

from scanner.evaluate.result import LEVEL_RANK, Finding
from scanner.notices import UNRENDERED
from scanner.report import labels
from scanner.report.model import TOOL_NAME, Report
from scanner.report.text import label
from scanner.terminal import inert

MAX_UNRENDERED = 10
MAX_BYTES = 1024 * 1024
MAX_MESSAGE = 300
LEVELS = ("error", "warning", "note")
FULL_REPORTS = "-f html=FILE, -f sarif=FILE, -f json=FILE"
_MARKUP = set("\\`*_[]|~")  # escaped so a message cannot format, link or split a cell


def cell(text: str, limit: int = MAX_MESSAGE) -> str:
    """One table cell: a single line, no HTML, no column breaks."""
    text = inert(" ".join(str(text).split()))
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + char if char in _MARKUP else char for char in text)


def _headline(report: Report) -> str:
    lang = report.lang
    findings = report.result.active
    levels = Counter(f.level for f in findings)
    parts = ", ".join(f"{levels[k]} {labels.level(k, lang)}" for k in LEVELS if levels[k])
    count = f"**{labels.count(len(findings), 'finding', lang)}**" + (f" ({parts})" if parts else "")
    return labels.words(lang)["md_headline"].format(
        findings=count, files=labels.count(report.files_scanned, "file", lang),
        policies=labels.count(len(report.result.policies), "policy", lang),
        checks=labels.count(report.result.checks, "check", lang), passed=report.result.passes)


def _totals(report: Report) -> list[str]:
    words, findings = labels.words(report.lang), report.result.active
    if not findings:
        return []
    levels = Counter(f.level for f in findings)
    families = Counter(f.family for f in findings)
    lines = [f"| {words['level']} | {words['findings'].capitalize()} |", "|---|---:|"]
    lines += [f"| {labels.level(level, report.lang)} | {levels[level]} |" for level in LEVELS if levels[level]]
    lines += ["", f"| {words['family']} | {words['findings'].capitalize()} |", "|---|---:|"]
    lines += [f"| {cell(family)} | {families[family]} |" for family in sorted(families)]
    audit = sum(1 for f in findings if f.mode == "audit")
    if audit:
        lines += ["", words["md_in_audit"].format(n=audit)]
    return lines + [""]


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.suppression is not None, f.kind != "fail", -LEVEL_RANK[f.level],
                                           f.sort_key))


def _policy_cell(report: Report, policy_id: str) -> str:
    url = report.help_uri(policy_id)
    return f"[{cell(policy_id)}]({url})" if url else cell(policy_id)


def _table(report: Report, findings: list[Finding]) -> list[str]:
    words = labels.words(report.lang)
    lines = [f"| {words['level']} | {words['rule']} | {words['file'].capitalize()} | {words['line']} | "
             f"{words['resource']} | {words['message']} |", "|---|---|---|---:|---|---|"]
    for finding in findings:
        lines.append(f"| {label(finding, report.lang)} | {_policy_cell(report, finding.policy_id)} | "
                     f"{cell(finding.path, 120)} | {finding.line} | {cell(finding.address, 120)} | "
                     f"{cell(report.message(finding))} |")
    return lines + [""]


def _fixes(report: Report, findings: list[Finding]) -> list[str]:
    """How to fix each rule that failed: one line per rule and provider in play."""
    failing = [f for f in findings if f.kind == "fail" and f.suppression is None]
    if not failing:
        return []
    lines = [f"### {labels.words(report.lang)['md_fix_heading']}", ""]
    seen: dict[str, list[str]] = {}
    for finding in sorted(failing, key=lambda f: f.policy_id):
        fix = report.fix(finding)
        if fix not in seen.setdefault(finding.policy_id, []):
            seen[finding.policy_id].append(fix)
    for policy_id, fixes in seen.items():
        title = cell(report.title(policy_id), 200)
        lines += [f"- **{_policy_cell(report, policy_id)}** {title}: " + " ".join(cell(f, 1000) for f in fixes)]
    return lines + [""]


def _posture(report: Report) -> list[str]:
    posture, words = report.result.posture, labels.words(report.lang)
    if not posture:
        return []
    lines = [f"### {words['md_posture']}", "",
             f"| {words['provider']} | {words['jurisdiction']} | {words['control']} | {words['operations']} | "
             f"{words['seal']} |", "|---|---|---|---|---|"]
    for p in posture:
        name = f"{cell(p.name)} ({cell(p.source)})"
        lines.append(f"| {name} | {cell(p.jurisdiction)} | {cell(p.control)} | {cell(p.operations)} | {cell(p.seal)} |"
                     if p.known else f"| {name} | {words['not_in_registry']} | | | |")
    return lines + [""]


def _haven(report: Report) -> list[str]:
    summary, words = report.result.haven, labels.words(report.lang)
    if not summary:
        return []
    lines = [f"### {words['md_haven']}", ""]
    for cluster in summary.clusters:
        passing = words["haven_cluster"].format(passed=cluster.count("pass"), total=len(cluster.checks))
        lines.append(f"- {cell(cluster.address)} ({cell(cluster.path)}:{cluster.line}): {passing}")
        for state, heading in (("fail", words["would_fail"]), ("open", words["not_decided"])):
            if cluster.labels(state):
                lines.append(f"  - {heading}: " + "; ".join(cell(name) for name in cluster.labels(state)))
    for live in summary.live:
        lines.append(f"- {cell(live.path)} ({words['live_cluster']}, {cell(live.version)}): {cell(live.line())}")
    return lines + [""]


def _waivers(report: Report) -> list[str]:
    register, words = report.result.register, labels.words(report.lang)
    if not register:
        return []
    lines = [f"### {words['md_waivers']}", "",
             f"| {words['source']} | {words['rule']} | {words['resource']} | {words['owner']} | {words['reason']} | "
             f"{words['expires']} | {words['state']} |", "|---|---|---|---|---|---|---|"]
    for entry in register:
        where = f"{entry.path}:{entry.line}" if entry.line else entry.path
        lines.append(f"| {words[entry.source]} ({cell(where, 120)}) | {cell(entry.rule)} | {cell(entry.resource, 200)} | "
                     f"{cell(entry.owner)} | {cell(entry.reason)} | {cell(entry.expires)} | {words[entry.state]} |")
    return lines + [""]


def _footer(report: Report) -> list[str]:
    result, words = report.result, labels.words(report.lang)
    hint = "" if report.show_unresolved else f" ({words['unresolved_hint']})"
    unresolved = words["unresolved_count"].format(checks=labels.count(result.unresolved_checks, "check", report.lang))
    lines = [f"{unresolved}{hint}."]
    if report.rules is not None:
        lines += [cell(s, 1000) + "." for s in labels.rule_statements(report.rules, report.lang)]
    if result.waiver_problems:
        lines.append(words["md_waiver_problems"].format(n=len(result.waiver_problems)))
    if result.notices:
        lines.append(words["md_notices"].format(n=len(result.notices)))
    unrendered = [n for n in result.notices if n.kind == UNRENDERED]
    for notice in unrendered[:MAX_UNRENDERED]:   # a build that did not render is not judged: say so in the comment
        lines.append("- " + words["md_unrendered"].format(place=f"{cell(notice.path, 120)}:{notice.line}",
                                                          message=cell(notice.message)))
    if len(unrendered) > MAX_UNRENDERED:
        lines.append("- " + words["md_unrendered_more"].format(n=len(unrendered) - MAX_UNRENDERED))
    lines += [f"**{cell(report.verdict(), 300)}**", "", f"<sub>{TOOL_NAME} {cell(report.version, 40)}</sub>"]
    return lines


def _document(report: Report, shown: list[Finding], hidden: int) -> str:
    words = labels.words(report.lang)
    lines = [f"## {words['md_heading'].format(tool=TOOL_NAME)}", "", _headline(report), ""]
    lines += _totals(report)
    if shown:
        lines += _table(report, shown)
    elif not hidden:
        lines += [words["md_no_findings"], ""]
    if hidden:
        lines += [f"**{words['md_cut'].format(hidden=hidden, total=len(shown) + hidden, formats=FULL_REPORTS)}**", ""]
    lines += _fixes(report, shown) + _posture(report) + _haven(report) + _waivers(report) + _footer(report)
    return "\n".join(lines) + "\n"


def render(report: Report) -> str:
    ordered = _ordered(report.shown())
    text = _document(report, ordered, 0)
    if len(text.encode("utf-8")) <= MAX_BYTES:
        return text
    low, high = 0, len(ordered)      # the most rows that still fit, found by halving
    while low < high:
        middle = (low + high + 1) // 2
        if len(_document(report, ordered[:middle], len(ordered) - middle).encode("utf-8")) <= MAX_BYTES:
            low = middle
        else:
            high = middle - 1
    text = _document(report, ordered[:low], len(ordered) - low)
    return text if len(text.encode("utf-8")) <= MAX_BYTES else _cut(text, report)


def _cut(text: str, report: Report) -> str:
    """Last resort, when even the summary without rows is too large (a huge waiver register)."""
    words = labels.words(report.lang)
    tail = "\n\n**" + words["md_cut_bytes"].format(formats=FULL_REPORTS) + "**\n"
    room = MAX_BYTES - len(tail.encode("utf-8"))
    return text.encode("utf-8")[:room].decode("utf-8", errors="ignore") + tail
