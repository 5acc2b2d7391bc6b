"""The report a security officer signs: one self-contained HTML file.

No network at view time (no CDN, no web font, no image file; a Content-Security-Policy forbids loading
anything), readable without JavaScript (a few lines of inline script only add a filter to the findings), laid
out for printing to PDF, and deterministic: the same scan gives the same bytes. Ten sections, each with its
numbers before its prose: the verdict, the sovereignty posture, residency, results per family, Haven, exit
readiness, the waiver register, control coverage (BIO2/ISO 27002:2022 and SOV), every finding, and the inputs
not judged in full (the notices: a go/no-go must see what the scan could not look at).

Everything from the scanned repository is escaped; secrets are masked before they reach the result.
"""
from __future__ import annotations

from collections import Counter

from scanner.evaluate import citations
from scanner.evaluate.result import LEVEL_RANK, Finding
from scanner.model.rendered import NOT_WRITTEN
from scanner.report import html_sections, labels, tally
from scanner.report.html_parts import CSS, SCRIPT, esc, figures, heading, in_eu, location, registry_term, state_badge, table
from scanner.report.html_words import words as html_words
from scanner.report.model import TOOL_NAME, Report
from scanner.report.text import POSTURE_SOURCE, label
from scanner.registries.providers import as_of as providers_as_of

SECTIONS = ("verdict", "posture", "residency", "families", "haven", "exit", "waivers", "controls", "findings",
            "notices")
MAX_NOTICES = 500   # rows of the notices table; the figures count them all
FAIL_ON_LEVELS = ("error", "warning", "note", "never")
TOP_RULES = 10
TOP_PER_FAMILY = 5


def page(lang: str, title: str, header: list[str], body: list[str], footer: str, wide: bool = False) -> str:
    """The document around the sections: head with the inline style and policy, header, body, footer; `wide`
    for the organisation's tables of a dozen columns."""
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{esc(lang)}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
        'script-src \'unsafe-inline\'; img-src data:">',
        '<meta name="referrer" content="no-referrer">', f"<title>{esc(title)}</title>", f"<style>{CSS}</style>",
        "</head>", '<body class="wide">' if wide else "<body>", "<header>", *header, "</header>", "<main>", *body, "</main>",
        f"<footer><p>{footer}</p></footer>", f"<script>{SCRIPT}</script>", "</body>", "</html>", ""])


def render(report: Report) -> str:
    words = html_words(report.lang)
    finding_ids = {id(f): f"f{n}" for n, f in enumerate(_listed(report), 1)}
    body = _contents(words, SECTIONS) + _verdict(report, finding_ids) + _posture(report) + \
        html_sections.residency(report) + _families(report, finding_ids) + html_sections.haven(report) + \
        html_sections.exit_readiness(report) + html_sections.waivers(report) + html_sections.controls(report) + \
        _findings(report, finding_ids) + _notices(report)
    title = f"{words['title']}: {', '.join(report.paths) or '.'}"
    return page(report.lang, title, _header(report, title), body,
                esc(words["footer"].format(version=report.version)))


def _header(report: Report, title: str) -> list[str]:
    words = html_words(report.lang)
    rules = report.rules
    facts = [(words["scanned"], ", ".join(report.paths) or "."), (words["revision"], report.revision or "—"),
             (words["date"], report.scan_date or "—"),
             (words["tool"], f"{TOOL_NAME} {report.version}"),
             (words["profile"], rules.profile if rules else "—"),
             (words["configuration"], (rules.configuration or words["none"]) if rules else "—"),
             (words["language"], report.lang)]
    items = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts)
    return [f"<h1>{esc(title)}</h1>", f'<dl class="facts">{items}</dl>']


def _contents(words: dict[str, str], sections: tuple[str, ...]) -> list[str]:
    items = "".join(f'<li><a href="#{s}">{esc(words["s_" + s])}</a></li>' for s in sections)
    return [f'<nav aria-label="{esc(words["contents"])}"><h2>{esc(words["contents"])}</h2><ol>{items}</ol></nav>']


def _listed(report: Report) -> list[Finding]:
    """The findings section lists these, in this order: active (most severe first), waived, unresolved."""
    result = report.result
    active = sorted(result.active, key=lambda f: (-LEVEL_RANK[f.level], f.mode != "deny", f.sort_key))
    return active + sorted(result.suppressed, key=lambda f: f.sort_key) + sorted(result.unresolved,
                                                                                  key=lambda f: f.sort_key)


# --- 1. verdict -------------------------------------------------------------------------------------------

def _verdict(report: Report, ids: dict[int, str]) -> list[str]:
    words, lang, result = html_words(report.lang), report.lang, report.result
    failing = report.failing()
    passed = not failing and not report.strict_problems
    numbers = [(words["gate"], labels.words(lang)["PASSED" if passed else "FAILED"], "pass" if passed else "fail"),
               (words["failing"], len(failing), "fail" if failing else "pass"),
               (words["files"], report.files_scanned, ""), (words["policies"], len(result.policies), ""),
               (words["checks"], result.checks, ""), (words["passed"], result.passes, ""),
               (words["findings"], len(result.active), ""), (words["unresolved"], len(result.unresolved), ""),
               (words["waived"], len(result.suppressed), "")]
    out = heading(1, "verdict", words["s_verdict"]) + [figures(numbers), f'<p class="verdict">{esc(report.verdict())}</p>']
    rows = []
    for level in FAIL_ON_LEVELS:
        count = len(report.failing_at(level))
        outcome = words["gate_fails"] if count else words["gate_passes"]
        mark = f" ({words['this_run']})" if level == report.fail_on else ""
        rows.append([f"--fail-on {level}{mark}", state_badge("fail" if count else "pass", outcome),
                     labels.count(count, "finding", lang)])
    out.append(table(words["fail_on_table"], [words["fail_on"], words["outcome"], words["failing"]], rows,
                     numeric=(2,), raw=(1,)))
    out += _why(report, failing, ids)
    if report.rules is not None:
        statements = labels.rule_statements(report.rules, lang)
        out.append(f"<h3>{esc(words['rules_of_run'])}</h3><ul>" + "".join(f"<li>{esc(s)}</li>" for s in statements)
                   + "</ul>")
    return out + ["</section>"]


def _why(report: Report, failing: list[Finding], ids: dict[int, str]) -> list[str]:
    words = html_words(report.lang)
    if report.fail_on == "never":
        return [f"<p>{esc(words['why_never'])}</p>"]
    if not failing:
        lines = [f"<p>{esc(words['why_passes'].format(level=report.fail_on))}</p>"]
    else:
        count = labels.count(len(failing), "finding", report.lang)
        lines = [f"<p>{esc(words['why_fails'].format(count=count, level=report.fail_on))}</p>", "<ol>"]
        by_rule = Counter(f.policy_id for f in failing)
        for policy_id, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES]:
            first = next(f for f in failing if f.policy_id == policy_id)
            lines.append(f'<li><a href="#{ids[id(first)]}">{esc(policy_id)}</a> {esc(report.title(policy_id))}: '
                         f"{esc(labels.count(n, 'finding', report.lang))}</li>")
        lines.append("</ol>")
    if report.strict_problems:
        lines.append(f"<p>{esc(words['strict'])}: {esc('; '.join(report.strict_problems))}</p>")
    return lines


# --- 2. sovereignty posture -------------------------------------------------------------------------------

def _posture(report: Report) -> list[str]:
    words, posture, target = html_words(report.lang), report.result.posture, report.target
    seal = target.seal if target is not None else None
    known = [p for p in posture if p.known]
    meeting = [p for p in known if seal is not None and (_seal_max(p.seal) or -1) >= seal]
    numbers = [(words["providers"], len(posture), ""),
               (words["outside_eu"], sum(1 for p in known if not in_eu(p.jurisdiction)),
                "warn" if any(not in_eu(p.jurisdiction) for p in known) else ""),
               (words["seal_target"], f"SEAL-{seal}" if seal is not None else words["no_target"], ""),
               (words["meets_target"], f"{len(meeting)} / {len(known)}" if seal is not None else "—",
                "" if seal is None else ("pass" if len(meeting) == len(known) else "fail"))]
    out = heading(2, "posture", words["s_posture"]) + [figures(numbers)]
    if target is not None and target.requirement:
        out.append(f"<p>{esc(words['requirement'])}: {esc(target.requirement)}</p>")
    if not posture:
        return out + [f"<p>{esc(words['no_providers'])}</p>", "</section>"]
    rows = []
    for p in posture:
        name = f"{esc(p.name)}<br><code>{esc(p.source)}</code>"
        if not p.known:
            rows.append([name, esc(words["not_in_registry"]), "", "", "", "", ""])
            continue
        top = _seal_max(p.seal)
        against = "—" if seal is None or top is None else state_badge(
            "pass" if top >= seal else "fail", words["meets"] if top >= seal else words["below"])
        rows.append([name, esc(p.jurisdiction), esc(registry_term(p.control, words)),
                     esc(registry_term(p.operations, words)), esc(registry_term(p.hosting_type, words)),
                     esc(p.seal), against])
    out.append(table(words["s_posture"], [words["provider"], words["jurisdiction"], words["control"],
                                          words["operations"], words["hosting"], words["seal"],
                                          words["against_target"]], rows, raw=tuple(range(7))))
    source = "; ".join(citations.document_citations(POSTURE_SOURCE, report.lang))
    as_of = providers_as_of()
    out += [f"<p>{esc(words['posture_after'].format(source=source))}</p>",
            f"<h3>{esc(words['boundaries'])}</h3>", "<ul>",
            f"<li>{esc(words['b_jurisdiction'].format(as_of=as_of))}</li>", f"<li>{esc(words['b_control'])}</li>",
            f"<li>{esc(words['b_seal'])}</li>", "</ul>", "</section>"]
    return out


def _seal_max(seal: str) -> int | None:
    """The top of an indicative SEAL range such as `0-1` or `3`."""
    digits = [int(part) for part in seal.replace("SEAL-", "").split("-") if part.strip().isdigit()]
    return max(digits) if digits else None


# --- 4. per family ----------------------------------------------------------------------------------------

def _families(report: Report, ids: dict[int, str]) -> list[str]:
    words, lang = html_words(report.lang), report.lang
    counts = tally.by_family(report.result.policies, tally.by_policy(report.result))
    total = sum(counts.values(), tally.Tally())
    numbers = [(words["checks"], total.checks, ""), (words["passed"], total.passed, "pass"),
               (words["failed"], total.failed, "fail" if total.failed else ""),
               (words["unresolved"], total.unresolved, ""), (words["waived"], total.waived, "")]
    rows = [[esc(family), esc(labels.family_title(family, lang)), str(c.checks), str(c.passed), str(c.failed),
             str(c.unresolved), str(c.waived), f"{round(100 * c.passed / c.checks)}%" if c.checks else "—"]
            for family, c in counts.items()]
    out = heading(4, "families", words["s_families"]) + [figures(numbers), table(
        words["s_families"], [words["family"], words["protects"], words["checks"], words["passed"], words["failed"],
                              words["unresolved"], words["waived"], words["pass_rate"]], rows,
        numeric=(2, 3, 4, 5, 6, 7), raw=tuple(range(8)))]
    active = sorted(report.result.active, key=lambda f: (-LEVEL_RANK[f.level], f.sort_key))
    for family in counts:
        top = [f for f in active if f.family == family][:TOP_PER_FAMILY]
        if not top:
            continue
        out.append(f"<h3>{esc(words['top_findings'])}: {esc(family)}</h3><ol>")
        out += [f'<li>{_level_badge(f, lang)} <a href="#{ids[id(f)]}">{esc(f.policy_id)}</a> '
                f"{esc(report.message(f))} <span class=\"where\">{location(f.path, f.line)}</span></li>" for f in top]
        out.append("</ol>")
    return out + ["</section>"]


def _level_badge(finding: Finding, lang: str) -> str:
    kind = "open" if finding.kind == "open" else ("waived" if finding.suppression is not None else finding.level)
    return f'<span class="badge {esc(kind)}">{esc(label(finding, lang))}</span>'


# --- 9. findings ------------------------------------------------------------------------------------------

def _findings(report: Report, ids: dict[int, str]) -> list[str]:
    words, lang, result = html_words(report.lang), report.lang, report.result
    levels = Counter(f.level for f in result.active)
    numbers = [(labels.level(level, lang), levels[level], level) for level in ("error", "warning", "note")]
    numbers += [(words["waived"], len(result.suppressed), ""), (words["unresolved"], len(result.unresolved), "")]
    out = heading(9, "findings", words["s_findings"]) + [figures(numbers)]
    listed = _listed(report)
    if not listed:
        return out + [f"<p>{esc(words['no_findings'])}</p>", "</section>"]
    out.append(f'<div class="filter" hidden><label>{esc(words["filter"])} <input type="search" id="filter" '
               f'placeholder="{esc(words["filter_hint"])}"></label></div>')
    groups = ((words["active_findings"], result.active), (words["waived_findings"], result.suppressed),
              (words["unresolved_checks"], result.unresolved))
    for title, members in groups:
        chosen = [f for f in listed if any(f is m for m in members)]
        if chosen:
            out.append(f"<h3>{esc(title)} ({len(chosen)})</h3>")
            out += [_finding(report, f, ids[id(f)]) for f in chosen]
    return out + ["</section>"]


def _notices(report: Report) -> list[str]:
    """What the scan did not read, render or evaluate in full, errors and warnings first."""
    words, lang, notices = html_words(report.lang), report.lang, report.result.notices
    levels = Counter(n.level for n in notices)
    numbers = [(labels.level(level, lang), levels[level], level) for level in ("error", "warning", "note")]
    out = heading(10, "notices", words["s_notices"]) + [figures(numbers)]
    if not notices:
        return out + [f"<p>{esc(words['no_notices'])}</p>", "</section>"]
    ordered = sorted(notices, key=lambda n: (-LEVEL_RANK[n.level], n.path, n.line, n.message))
    rows = [[labels.level(n.level, lang), location(n.path, n.line) if n.path else "—", n.message]
            for n in ordered[:MAX_NOTICES]]
    out.append(table(words["s_notices"], [words["level"], words["where"], words["message"]], rows, raw=(1,)))
    if len(ordered) > MAX_NOTICES:
        out.append(f"<p>{esc(words['more_notices'].format(n=len(ordered) - MAX_NOTICES))}</p>")
    return out + ["</section>"]


def _finding(report: Report, finding: Finding, anchor: str) -> str:
    words, lang = html_words(report.lang), report.lang
    policy = report.policies_by_id.get(finding.policy_id)
    title = policy.text(lang).title if policy is not None else ""
    parts = [f'<article class="finding" id="{anchor}" data-level="{esc(finding.level)}">',
             f"<h4>{_level_badge(finding, lang)} {esc(finding.policy_id)} {esc(title)}</h4>",
             f'<p class="where">{location(finding.path, finding.line)} · <code>{esc(finding.address)}</code></p>',
             f"<p>{esc(report.message(finding))}</p>", "<dl>"]
    if finding.root:   # a module's resource is judged once for each root module that deploys it
        parts.append(f"<dt>{esc(words['root_module'])}</dt><dd><code>{esc(finding.root)}</code></dd>")
    if finding.evidence:
        parts.append(f"<dt>{esc(words['evidence'])}</dt><dd><code>{esc(finding.evidence)}</code></dd>")
    if finding.suppression is not None:
        parts.append(f"<dt>{esc(words['waived'])}</dt><dd>{esc(finding.suppression.justification)}"
                     + (f" ({esc(finding.suppression.owner)})" if finding.suppression.owner else "")
                     + (f", {esc(words['expires'].lower())} {esc(finding.suppression.until)}"
                        if finding.suppression.until else "") + "</dd>")
    if policy is not None:
        parts.append(f"<dt>{esc(words['why'])}</dt><dd>{esc(policy.text(lang).rationale)}</dd>")
        if finding.kind == "fail":
            parts.append(f"<dt>{esc(words['fix'])}</dt><dd>{esc(report.fix(finding))}</dd>")
    decided = [location(path, line) for path, line, role in finding.chain if role not in NOT_WRITTEN]
    if decided:
        parts.append(f"<dt>{esc(words['decided_by'])}</dt><dd>{', '.join(decided)}</dd>")
    url = report.help_uri(finding.policy_id)
    if url:
        parts.append(f'<dt>{esc(words["help"])}</dt><dd><a href="{esc(url)}" rel="noreferrer">{esc(url)}</a></dd>')
    return "".join(parts) + "</dl></article>"
