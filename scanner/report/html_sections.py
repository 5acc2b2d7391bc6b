"""Sections 3 and 5 to 8 of the HTML report: residency (with its chart), Haven, exit readiness, the waiver
register and control coverage. Each is a pure function of the report; the facts come from the typed
summaries of the result (scanner.evaluate.summaries) and the counts of scanner.report.tally."""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from scanner.evaluate.result import Judged, ResidencySummary
from scanner.evaluate.waivers import WaiverEntry
from scanner.registries.kubernetes import hcc_checks
from scanner.registries.regions import TIERS
from scanner.report import labels, tally
from scanner.report.html_parts import esc, figures, heading, location, state_badge, table
from scanner.report.html_words import words as html_words
from scanner.report.model import Report

TIER_ORDER = TIERS + ("unknown",)
TIER_COLOUR = {"eu": "#1a7f37", "eea": "#2da44e", "adequacy": "#bf8700", "third-country": "#cf222e",
               "unknown": "#8c959f"}
STATE_TONE = {"pass": "pass", "fail": "fail", "open": "open", "waived": "waived", "unchecked": "waived", "cannot": "waived",
              "": "waived"}


# --- 3. residency -----------------------------------------------------------------------------------------

def residency(report: Report) -> list[str]:
    words, summary = html_words(report.lang), report.result.residency
    out = heading(3, "residency", words["s_residency"])
    if summary is None or not (summary.regions or summary.unresolved):
        return out + [figures([(words["regions"], 0, "")]), f"<p>{esc(words['no_regions'])}</p>", "</section>"]
    # placements, as the chart counts them: a module's resource that two roots place in two regions is two
    placed = [r for use in summary.regions for r in use.resources]
    outside = [r for use in summary.regions if use.allowed is False for r in use.resources]
    unknown = [use for use in summary.regions if use.tier == "unknown"]
    countries = {use.country for use in summary.regions if use.country}
    numbers = [(words["regions"], len(summary.regions), ""), (words["countries"], len(countries), ""),
               (words["placed"], len(placed), ""), (words["outside"], len(outside), "fail" if outside else "pass"),
               (words["unknown_regions"], len(unknown), "warn" if unknown else ""),
               (words["unresolved_places"], len(summary.unresolved), "")]
    per_tier: Counter = Counter()
    for use in summary.regions:
        per_tier[use.tier] += len(use.resources)
    out += [figures(numbers), f"<p>{esc(_allowed_text(summary, words))}</p>", chart(per_tier, words)]
    rows = []
    for country, tier, uses in summary.countries():
        for use in uses:
            listed = "<br>".join(f"<code>{esc(address)}</code> {location(path, line)} "
                                 f"<span class=\"where\">{esc(words['role_' + role])}</span>"
                                 for address, path, line, role in use.resources)
            allowed = {True: state_badge("pass", words["yes"]), False: state_badge("fail", words["no"]),
                       None: state_badge("warn", words["unknown"])}[use.allowed]
            rows.append([esc(words["tier_" + tier]), esc(country or "—"), f"{esc(use.region)} ({esc(use.provider)})",
                         allowed, listed])
    out.append(table(words["s_residency"], [words["tier"], words["country"], words["region"], words["allowed"],
                                            words["resources"]], rows, raw=(0, 1, 2, 3, 4)))
    if summary.unresolved:
        out.append(f"<h3>{esc(words['unresolved_places'])}</h3><ul>" + "".join(
            f"<li><code>{esc(a)}</code> {location(p, n)}: {esc(words['depends_on'].format(what=why))}</li>"
            for a, p, n, why in summary.unresolved)
            + "</ul>")
    return out + [f"<p class=\"where\">{esc(words['region_registry'].format(as_of=summary.registry_as_of))}</p>",
                  "</section>"]


def _allowed_text(summary: ResidencySummary, words: dict[str, str]) -> str:
    text = words["allowed_target"].format(tier=summary.target_tier)
    if summary.allow:
        text += f"; {words['allow_list']}: {', '.join(summary.allow)}"
    if summary.deny:
        text += f"; {words['deny_list']}: {', '.join(summary.deny)}"
    return text


def chart(per_tier: Counter, words: dict[str, str]) -> str:
    """Resources per residency tier as horizontal bars (inline SVG, no script, prints as drawn)."""
    tiers = [t for t in TIER_ORDER if per_tier[t]]
    width, label_width, bar_height, gap = 640, 190, 22, 8
    most = max(per_tier.values()) if per_tier else 1
    height = len(tiers) * (bar_height + gap) + gap
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="chart-title">',
             f'<title id="chart-title">{esc(words["chart"])}</title>']
    for row, tier in enumerate(tiers):
        y = gap + row * (bar_height + gap)
        length = max(2, round((width - label_width - 60) * per_tier[tier] / most))
        parts += [f'<text x="0" y="{y + 16}" font-size="13" fill="#1b1f24">{esc(words["tier_" + tier])}</text>',
                  f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{TIER_COLOUR[tier]}"/>',
                  f'<text x="{label_width + length + 6}" y="{y + 16}" font-size="13" fill="#1b1f24">'
                  f"{per_tier[tier]}</text>"]
    parts.append("</svg>")
    return f'<figure>{"".join(parts)}<figcaption>{esc(words["chart"])}</figcaption></figure>'


# --- 5. Haven ---------------------------------------------------------------------------------------------

def haven(report: Report) -> list[str]:
    words, summary = html_words(report.lang), report.result.haven
    out = heading(5, "haven", words["s_haven"])
    clusters = summary.clusters if summary else ()
    live = summary.live if summary else ()
    passing = sum(c.count("pass") for c in clusters)
    total = sum(len(c.checks) for c in clusters)
    numbers = [(words["clusters"], len(clusters), ""),
               (words["preflight_passing"], words["of"].format(n=passing, m=total), "pass" if passing == total else "fail"),
               (words["live_files"], len(live), "")]
    out.append(figures(numbers))
    if not clusters and not live:
        return out + [f"<p>{esc(words['no_haven'])}</p>", "</section>"]
    out.append(f"<p>{esc(words['haven_note'])}</p>")
    rows = [[f"<code>{esc(c.address)}</code><br>{location(c.path, c.line)}",
             esc(words["of"].format(n=c.count("pass"), m=len(c.checks))),
             esc("; ".join(c.labels("fail")) or "—"), esc("; ".join(c.labels("open")) or "—")] for c in clusters]
    if rows:
        out.append(table(words["preflight"], [words["cluster"], words["preflight"], words["would_fail"],
                                              words["not_decided"]], rows, raw=(0, 1, 2, 3)))
    out.append(_matrix(report))
    for result in live:
        out.append(f"<p><code>{esc(result.path)}</code> ({esc(result.version)}): {esc(result.line())}</p>")
    return out + ["</section>"]


def _matrix(report: Report) -> str:
    """Each HCC check (rows) with the pre-flight state per cluster next to the live result per HCC file."""
    words, summary = html_words(report.lang), report.result.haven
    assert summary is not None
    names: list[str] = []
    for cluster in summary.clusters:
        names += [name for name, _ in cluster.checks if name not in names]
    for result in summary.live:
        names += [name for name, _ in result.results if name not in names]
    order = {check.label: index for index, check in enumerate(hcc_checks())}
    names.sort(key=lambda name: order.get(name, len(order)))
    groups = f'<th scope="col" rowspan="2">{esc(words["hcc_check"])}</th>'
    if summary.clusters:
        groups += f'<th scope="colgroup" class="group" colspan="{len(summary.clusters)}">{esc(words["preflight"])}</th>'
    if summary.live:
        groups += f'<th scope="colgroup" class="group" colspan="{len(summary.live)}">{esc(words["live"])}</th>'
    columns = "".join(f'<th scope="col"><code>{esc(c.address)}</code></th>' for c in summary.clusters) + \
        "".join(f'<th scope="col"><code>{esc(r.path)}</code></th>' for r in summary.live)
    rows = []
    for name in names:
        cells = [f'<th scope="row">{esc(name)}</th>']
        for cluster in summary.clusters:
            state = dict(cluster.checks).get(name, "")
            cells.append(state_badge(STATE_TONE[state], words["state_" + state]) if state else "—")
        for result in summary.live:
            answer = dict(result.results).get(name, "")
            cells.append(state_badge({"YES": "pass", "NO": "fail"}.get(answer, "open"), answer) if answer else "—")
        rows.append("<tr>" + cells[0] + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>")
    return (f'<div class="table"><table><caption>{esc(words["s_haven"])}</caption><thead><tr>{groups}</tr>'
            f"<tr>{columns}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


# --- 6. exit readiness ------------------------------------------------------------------------------------

def _coverage_tone(judged: Sequence[Judged]) -> str:
    """Green when all pass, amber when every gap left is waived (accepted, still a gap), red otherwise."""
    states = {j.state for j in judged}
    if not states or states == {"pass"}:
        return "pass" if states else ""
    return "warn" if states <= {"pass", "waived"} else "fail"


def exit_readiness(report: Report) -> list[str]:
    words, ready = html_words(report.lang), report.result.exit_readiness
    out = heading(6, "exit", words["s_exit"])
    if ready is None:
        return out + ["</section>"]
    lockin, plan = ready.lockin, ready.plan
    backups = ready.backups or ()
    covered = sum(1 for b in backups if b.state == "pass")
    numbers = [(words["proprietary_share"], f"{lockin.share}%" if lockin.share is not None else "—",
                "warn" if lockin.proprietary else "pass"),
               (words["backed_up"], words["of"].format(n=covered, m=len(backups)) if ready.backups is not None
                else words["not_checked"], _coverage_tone(backups))]
    for what, judged in ready.pinning:
        pinned = sum(1 for j in judged if j.state == "pass")
        numbers.append((f"{words['pinned']}: {words['pin_' + what]}", words["of"].format(n=pinned, m=len(judged)),
                        _coverage_tone(judged)))
    numbers += [(words["exit_plan"], words["present"] if plan.where else words["missing"],
                 "pass" if plan.where else "fail"),
                (words["last_test"], plan.last_test or "—", {"pass": "pass", "fail": "fail"}.get(plan.state, ""))]
    out.append(figures(numbers))
    classes = [(words["class_" + k], n) for k, n in (("proprietary", lockin.proprietary), ("moderate", lockin.moderate),
                                                      ("portable", lockin.portable),
                                                      ("undetermined", lockin.undetermined))]
    out.append(f"<h3>{esc(words['lockin'])}</h3><p>" + ", ".join(f"{esc(k)}: {n}" for k, n in classes) + "</p>")
    if lockin.proprietary_types:
        out.append(table(words["lockin"], [words["type"], words["count"]],
                         [[t, str(n)] for t, n in lockin.proprietary_types], numeric=(1,)))
    out.append(f"<h3>{esc(words['backups'])}</h3>")
    if not backups:
        out.append(f"<p>{esc(words['no_data_stores'] if ready.backups is not None else words['not_checked'])}</p>")
    else:
        out.append(table(words["backups"], [words["data_store"], words["type"], words["where"], words["state"]],
                         [[f"<code>{esc(b.address)}</code>", esc(b.type), location(b.path, b.line),
                           state_badge(STATE_TONE[b.state], words["state_" + b.state])] for b in backups],
                         raw=(0, 1, 2, 3)))
    rows = []
    for what, judged in ready.pinning:
        states = Counter(j.state for j in judged)
        loose = "<br>".join(f"<code>{esc(j.address)}</code> {location(j.path, j.line)}" for j in judged
                            if j.state == "fail")
        rows.append([esc(words["pin_" + what]), str(states["pass"]), str(states["fail"]), str(states["waived"]),
                     str(states["open"]), loose or "—"])
    out += [f"<h3>{esc(words['pinning'])}</h3>", table(words["pinning"], [words["what"], words["pinned"],
            words["not_pinned"], words["waived"], words["unresolved"], words["not_pinned_where"]], rows,
            numeric=(1, 2, 3, 4), raw=(0, 5))]
    state = state_badge(STATE_TONE[plan.state], words["state_" + plan.state]) if plan.state else esc(words["not_checked"])
    out.append(table(words["exit_plan"], [words["plan_where"], words["last_test"], words["max_age"],
                                          words["plan_state"]],
                     [[esc(plan.where or words["missing"]), esc(plan.last_test or "—"),
                       esc(words["months"].format(n=plan.max_age_months)), state]], raw=(0, 1, 2, 3)))
    return out + ["</section>"]


# --- 7. waiver register -----------------------------------------------------------------------------------

def waivers(report: Report) -> list[str]:
    words, register = html_words(report.lang), report.result.register
    states = Counter(entry.state for entry in register)
    numbers = [(words["entries"], len(register), "")]
    numbers += [(words[state], states[state], "fail" if state in ("expired", "invalid") and states[state] else "")
                for state in ("active", "expired", "unused", "invalid", "stale")]
    numbers.append((words["baseline"], sum(1 for e in register if e.source == "baseline"), ""))
    out = heading(7, "waivers", words["s_waivers"]) + [figures(numbers)]
    if not register:
        return out + [f"<p>{esc(words['no_waivers'])}</p>", "</section>"]
    rows = [_waiver_row(entry, words, report.lang) for entry in register]
    out.append(table(words["s_waivers"], [words["source"], words["rule"], words["resource"], words["where"],
                                          words["owner"], words["reason"], words["expires"], words["state"],
                                          words["findings_waived"], words["problem"]], rows, numeric=(8,),
                     raw=(3, 7)))
    return out + ["</section>"]


def _waiver_row(entry: WaiverEntry, words: dict[str, str], lang: str) -> list[str]:
    source = {"inline": words["inline"], "configuration": words["configuration_src"],
              "baseline": words["baseline"]}[entry.source]
    tone = {"active": "pass", "expired": "fail", "invalid": "fail", "unused": "warn", "stale": "warn"}[entry.state]
    return [source, entry.rule, entry.resource or "—", location(entry.path, entry.line), entry.owner or "—",
            entry.reason or "—", entry.expires or "—", state_badge(tone, words[entry.state]), str(entry.findings),
            labels.waiver_problem(entry.problem, lang) or "—"]


# --- 8. control coverage ----------------------------------------------------------------------------------

def controls(report: Report) -> list[str]:
    words = html_words(report.lang)
    iso, sov = tally.controls(report.result.policies, tally.by_policy(report.result), report.lang)
    return coverage_section(words, iso, sov, 8, words["s_controls"])


def coverage_section(words: dict[str, str], iso: list[tally.ControlCoverage], sov: list[tally.ControlCoverage],
                     number: int, title: str) -> list[str]:
    failing = [c for c in iso + sov if c.tally.failed]
    # evidenced: a check of a policy that maps to it ran here (a rule with nothing to judge shows nothing)
    numbers = [(words["iso_controls"], words["of"].format(n=sum(1 for c in iso if c.tally.checks), m=len(iso)), ""),
               (words["sov_objectives"], words["of"].format(n=sum(1 for c in sov if c.tally.checks), m=len(sov)), ""),
               (words["controls_failing"], len(failing), "fail" if failing else "pass")]
    out = heading(number, "controls", title) + [figures(numbers), f"<p>{esc(words['coverage_note'])}</p>"]
    headers = [words["id"], words["control_title"], words["policies"], words["passed"], words["failed"],
               words["unresolved"], words["waived"]]
    for caption, rows in ((words["iso_controls"], iso), (words["sov_objectives"], sov)):
        out.append(table(caption, headers, [[c.id, c.title, ", ".join(c.policies), str(c.tally.passed),
                                             str(c.tally.failed), str(c.tally.unresolved), str(c.tally.waived)]
                                            for c in rows], numeric=(3, 4, 5, 6)))
    return out + ["</section>"]
