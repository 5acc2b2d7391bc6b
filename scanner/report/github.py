"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding, for
repositories without code scanning (and fork pull requests, where a SARIF upload is refused).

`-f github` goes to standard output, where the runner reads it. File names and messages come from the
scanned repository, so they are escaped the way GitHub's toolkit does (`%`, CR and LF in the message;
also `:` and `,` in properties) after control characters are made inert: no value can end the
annotation, start a second command (`::add-mask::`, `::stop-commands::`) or colour the log. GitHub shows
at most 10 annotations of each level per step; every finding is still printed in the log, most severe first.
"""
from __future__ import annotations

from scanner.evaluate.result import LEVEL_RANK, Finding
from scanner.report import labels
from scanner.report.model import Report
from scanner.terminal import guard, inert

COMMAND = {"error": "error", "warning": "warning", "note": "notice", "none": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(finding: Finding) -> str:
    if finding.kind == "open" or finding.suppression is not None:
        return "notice"
    return COMMAND.get(finding.level, "notice")


def _title(finding: Finding, report: Report) -> str:
    words = labels.words(report.lang)
    title = f"{finding.policy_id} {report.title(finding.policy_id)}"
    if finding.suppression is not None:
        return f"{title} ({words['waived']})"
    if finding.kind == "open":
        return f"{title} ({words['unresolved']})"
    return f"{title} ({words['audit']})" if finding.mode == "audit" else title


def annotation(finding: Finding, report: Report) -> str:
    properties = [f"file={escape_property(inert(finding.path))}"]
    if finding.line > 0:
        properties.append(f"line={finding.line}")
    properties.append(f"title={escape_property(inert(_title(finding, report)))}")
    message = inert(report.message(finding))
    if finding.kind == "fail" and finding.suppression is None:
        message += f" {labels.words(report.lang)['fix'].capitalize()}: " + inert(report.fix(finding))
    return f"::{_command(finding)} {','.join(properties)}::{escape_data(message)}"


def render(report: Report) -> str:
    order = {"error": 0, "warning": 1, "notice": 2}
    findings = sorted(report.shown(), key=lambda f: (order[_command(f)], -LEVEL_RANK.get(f.level, 0), f.sort_key))
    lines = [annotation(f, report) for f in findings]
    for notice in report.result.notices + report.result.waiver_problems:
        where = f"file={escape_property(inert(notice.path))}," if notice.path and not notice.path.startswith("-") else ""
        where += f"line={notice.line}," if notice.line and where else ""
        level = "warning" if notice.level in ("warning", "error") else "notice"
        lines.append(f"::{level} {where}title=sovscan::{escape_data(inert(notice.message))}")
    if report.rules is not None and report.rules.loosened:
        statements = labels.rule_statements(report.rules, report.lang)
        lines.append(f"::notice title=sovscan rules::{escape_data(inert('; '.join(statements)))}")
    result = report.result
    lang, words = report.lang, labels.words(report.lang)
    lines.append(guard(inert(f"sovscan {report.version}: {labels.count(report.files_scanned, 'file', lang)}, "
                             f"{labels.count(result.checks, 'check', lang)} ({result.passes} {words['passed']}), "
                             f"{labels.count(len(result.active), 'finding', lang)}, "
                             f"{len(result.unresolved)} {words['unresolved']}")))
    lines.append(guard(inert(report.verdict())))
    return "\n".join(lines) + "\n"
