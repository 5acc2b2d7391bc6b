"""The organisation report as one self-contained HTML file: the same page, style and guarantees as the
repository report (scanner.report.html), with sections across the repositories merged."""
from __future__ import annotations

from collections import Counter

from scanner.report import html_sections, labels
from scanner.report.html import page
from scanner.report.html_parts import esc, figures, heading, in_eu, registry_term, state_badge, table
from scanner.report.html_words import words as html_words
from scanner.report.organisation import Organisation

SECTIONS = ("verdict", "posture", "repositories", "worst", "residency", "waivers", "controls")


def render(organisation: Organisation, lang: str = "en", version: str = "") -> str:
    words = html_words(lang)
    titles = {"verdict": words["s_verdict"], "posture": words["org_posture"], "repositories": words["per_repository"],
              "worst": words["worst"], "residency": words["s_org_residency"], "waivers": words["expiring"],
              "controls": words["s_org_controls"]}
    nav = "".join(f'<li><a href="#{s}">{esc(titles[s])}</a></li>' for s in SECTIONS)
    body = [f'<nav aria-label="{esc(words["contents"])}"><h2>{esc(words["contents"])}</h2><ol>{nav}</ol></nav>']
    body += _verdict(organisation, words, lang) + _posture(organisation, words, titles["posture"])
    body += _repositories(organisation, words, lang, titles["repositories"]) + _worst(organisation, words, lang)
    body += _residency(organisation, words, titles["residency"]) + _expiring(organisation, words, titles["waivers"])
    iso, sov = organisation.controls(lang)
    body += html_sections.coverage_section(words, iso, sov, 7, titles["controls"])
    facts = [(words["repositories"], str(len(organisation.repositories))),
             (words["date"], organisation.reference_date or "—"), (words["tool"], f"sovscan {version}".strip()),
             (words["language"], lang)]
    header = [f"<h1>{esc(words['org_title'])}</h1>", '<dl class="facts">' + "".join(
        f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts) + "</dl>"]
    return page(lang, words["org_title"], header, body, esc(words["footer"].format(version=version)), wide=True)


def _verdict(organisation: Organisation, words: dict[str, str], lang: str) -> list[str]:
    totals = organisation.totals
    failing = organisation.failing_repositories
    numbers = [(words["repositories"], totals["repositories"], ""),
               (words["failing_repositories"], totals["failing_repositories"], "fail" if failing else "pass"),
               (words["failing"], totals["failing"], "fail" if totals["failing"] else "pass"),
               (words["files"], totals["files"], ""), (words["checks"], totals["checks"], ""),
               (words["passed"], totals["passes"], ""), (words["findings"], totals["findings"], ""),
               (words["unresolved"], totals["unresolved"], ""), (words["waived"], totals["suppressed"], "")]
    out = heading(1, "verdict", words["s_verdict"]) + [figures(numbers)]
    if failing:
        out.append("<ul>" + "".join(f"<li>{esc(r.name)}: {esc(r.verdict_in(lang))}</li>" for r in failing) + "</ul>")
    return out + ["</section>"]


def _posture(organisation: Organisation, words: dict[str, str], title: str) -> list[str]:
    posture = organisation.posture()
    outside = [e for e, _ in posture if e.get("known") and not in_eu(str(e.get("jurisdiction")))]
    numbers = [(words["providers"], len(posture), ""), (words["outside_eu"], len(outside), "warn" if outside else "")]
    rows = [[esc(e.get("name")) + f"<br><code>{esc(e.get('source'))}</code>",
             esc(e.get("jurisdiction", words["not_in_registry"]) if e.get("known") else words["not_in_registry"]),
             esc(registry_term(str(e.get("control", "")), words)),
             esc(registry_term(str(e.get("operations", "")), words)), esc(e.get("seal", "")),
             esc(", ".join(names))] for e, names in posture]
    return heading(2, "posture", title) + [figures(numbers), table(title, [
        words["provider"], words["jurisdiction"], words["control"], words["operations"], words["seal"],
        words["in_repositories"]], rows, raw=tuple(range(6))), "</section>"]


def _repositories(organisation: Organisation, words: dict[str, str], lang: str, title: str) -> list[str]:
    rows = []
    for r in organisation.repositories:
        gate = state_badge("fail" if r.exit_code else "pass",
                           labels.words(lang)["FAILED" if r.exit_code else "PASSED"])
        s = r.summary
        rows.append([esc(r.name), gate, esc(r.fail_on), str(s["files"]), str(s["checks"]), str(s["passes"]),
                     str(s["findings"]), str(s["failing"]), str(s["unresolved"]), str(s["suppressed"]),
                     esc(", ".join(sorted(str(p.get("source")) for p in r.posture))), esc(r.date or "—")])
    totals = organisation.totals
    rows.append([f"<strong>{esc(words['totals'])}</strong>", "", "", str(totals["files"]), str(totals["checks"]),
                 str(totals["passes"]), str(totals["findings"]), str(totals["failing"]), str(totals["unresolved"]),
                 str(totals["suppressed"]), "", ""])
    numbers = [(words["repositories"], len(organisation.repositories), ""),
               (words["findings"], totals["findings"], "")]
    return heading(3, "repositories", title) + [figures(numbers), table(title, [
        words["repository"], words["gate"], words["fail_on"], words["files"], words["checks"], words["passed"],
        words["findings"], words["failing"], words["unresolved"], words["waived"], words["providers"], words["date"]],
        rows, numeric=(3, 4, 5, 6, 7, 8, 9), raw=tuple(range(12))), "</section>"]


def _worst(organisation: Organisation, words: dict[str, str], lang: str) -> list[str]:
    families = organisation.families()
    numbers = [(labels.family_title(f, lang), t.failed, "fail" if t.failed else "pass") for f, t in families.items()]
    out = heading(4, "worst", words["worst"]) + [figures(numbers)]
    for family, ranked in organisation.worst().items():
        if not ranked:
            continue
        rows = [[r.name, str(failed), ", ".join(f"{p} ({n})" for p, n in top)] for r, failed, top in ranked]
        out.append(table(f"{family}: {labels.family_title(family, lang)}",
                         [words["repository"], words["failed"], words["policies"]], rows, numeric=(1,)))
    return out + ["</section>"]


def _residency(organisation: Organisation, words: dict[str, str], title: str) -> list[str]:
    regions = organisation.regions()
    outside = [r for r, _ in regions if r.get("allowed") is False]
    numbers = [(words["regions"], len(regions), ""),
               (words["countries"], len({r.get("country") for r, _ in regions if r.get("country")}), ""),
               (words["regions_outside"], len(outside), "fail" if outside else "pass")]
    out = heading(5, "residency", title) + [figures(numbers)]
    per_tier: Counter = Counter()
    for region, used in regions:
        per_tier[str(region.get("tier"))] += sum(n for _, n in used)
    if per_tier:
        out.append(html_sections.chart(per_tier, words))
    rows = [[esc(words["tier_" + str(r.get("tier"))]), esc(r.get("country") or "—"),
             f"{esc(r.get('region'))} ({esc(r.get('provider'))})",
             _allowed(r.get("allowed"), words),
             esc(", ".join(f"{name} ({n})" for name, n in used))] for r, used in regions]
    out.append(table(title, [words["tier"], words["country"], words["region"], words["allowed"],
                             words["in_repositories"]], rows, raw=tuple(range(5))))
    return out + ["</section>"]


def _allowed(allowed: object, words: dict[str, str]) -> str:
    if allowed is True:
        return state_badge("pass", words["yes"])
    if allowed is False:
        return state_badge("fail", words["no"])
    return state_badge("warn", words["unknown"])


def _expiring(organisation: Organisation, words: dict[str, str], title: str) -> list[str]:
    found = organisation.expiring()
    expired = [e for _, e in found if e.get("state") == "expired"]
    numbers = [(words["expiring"], len(found), "warn" if found else "pass"),
               (words["expired"], len(expired), "fail" if expired else "")]
    out = heading(6, "waivers", title) + [figures(numbers), f"<p>{esc(words['expiring_within'].format(days=organisation.within_days, date=organisation.reference_date or '—'))}</p>"]
    if not found:
        return out + [f"<p>{esc(words['no_expiring'].format(days=organisation.within_days))}</p>", "</section>"]
    rows = [[r.name, str(e.get("rule")), str(e.get("resource") or "—"), str(e.get("owner") or "—"),
             str(e.get("reason") or "—"), str(e.get("expires")), words.get(str(e.get("state")), str(e.get("state")))]
            for r, e in found]
    out.append(table(title, [words["repository"], words["rule"], words["resource"], words["owner"], words["reason"],
                             words["expires"], words["state"]], rows))
    return out + ["</section>"]
