"""The words every report format uses around the policies' own texts, in English and Dutch.

The Dutch is written for Dutch government engineers, in the terms the source documents use (klantbeheerde
sleutels, exit-strategie, soevereiniteit, uitzondering). Each language has the same keys (a test checks it).
Evidence (a predicate's `{detail}`, notices, HCC's own labels) stays as the tool read it.
"""
from __future__ import annotations

import re

from scanner.review import RuleSummary

LANGUAGES = ("en", "nl")

_EN = {
    # levels and states
    "error": "error", "warning": "warning", "note": "note", "waived": "waived", "unresolved": "unresolved",
    "audit": "audit", "passed": "passed", "failed": "failed", "fix": "fix", "waived_because": "waived",
    "finding": "finding", "findings": "findings", "file": "file", "files": "files", "policy": "policy",
    "policies": "policies", "check": "check", "checks": "checks", "notice": "notice", "notices": "notices",
    # the verdict
    "FAILED": "FAILED", "PASSED": "PASSED",
    "verdict_failed": "{FAILED}: {count} at or above {level} (--fail-on {level})",
    "verdict_strict": "{FAILED} (--strict): {problems}",
    "verdict_never": "{PASSED}: --fail-on never (findings are reported, none fails the run)",
    "verdict_passed": "{PASSED}: no finding at or above {level} (--fail-on {level})",
    # summaries (text, Markdown, JUnit, HTML)
    "summary": "{tool} {version}: {files}, {policies}, {checks} ({passed} passed): {findings}",
    "by_family": "by family", "audit_count": "{n} in audit mode (reported, not failing)",
    "unresolved_count": "{checks} unresolved: a value was not known statically",
    "unresolved_hint": "--show-unresolved lists them",
    "notices_count": "{notices} (inputs not read, rendered or evaluated in full)",
    "posture_line": "sovereignty posture (indicative, after {source})",
    "posture_known": "{name} ({source}): {jurisdiction} jurisdiction, SEAL {seal}",
    "posture_unknown": "{source}: not in the provider registry",
    "haven_heading": "Haven Compliancy Checker checks, in HCC's own terms",
    "haven_cluster": "{passed} of {total} HCC checks pass the pre-flight",
    "would_fail": "fail the pre-flight", "not_decided": "not decided statically",
    "not_preflighted": "not pre-flighted for this cluster", "cannot_preflight": "cannot be pre-flighted", "live_cluster": "live cluster",
    "hcc_failed": "failed",
    # Markdown
    "md_heading": "{tool} results", "md_headline": "{findings} in {files}; {policies}, {checks}, {passed} passed.",
    "md_no_findings": "No findings.", "level": "Level", "family": "Family", "rule": "Policy", "line": "Line",
    "resource": "Resource", "message": "Message", "md_fix_heading": "How to fix",
    "md_cut": "The summary stops here: GitHub takes at most 1 MiB per step summary, so {hidden} of {total} findings "
              "are not shown. Every finding is in the full report ({formats}) of this run.",
    "md_cut_bytes": "The summary is cut here: GitHub takes at most 1 MiB per step summary. The full report "
                    "({formats}) of this run has everything.",
    "md_posture": "Sovereignty posture (indicative)", "md_haven": "Haven pre-flight",
    "md_waivers": "Waivers and baseline", "md_in_audit": "{n} of them in audit mode (reported, not failing).",
    "md_waiver_problems": "{n} waiver problems (expired, without a reason, or unused).",
    "md_notices": "{n} input notices (inputs not read, rendered or evaluated in full).",
    "md_unrendered": "not rendered in full: {place}: {message}",
    "md_unrendered_more": "… and {n} more builds not rendered in full.",
    "provider": "Provider", "jurisdiction": "Jurisdiction", "control": "Control", "operations": "Operations",
    "seal": "Indicative SEAL", "not_in_registry": "not in the provider registry",
    # JUnit
    "junit_suite": "{tool} {family}: {title}", "junit_below": "{level} below --fail-on {fail_on} (not failing): {message}",
    "junit_audit": "audit mode (not failing): {message}", "junit_never": "--fail-on never (not failing): {message}", "junit_waived": "waived ({reason}): {message}",
    "junit_unresolved": "unresolved: {message}", "junit_location": "location", "junit_help": "help",
    "junit_inputs": "{tool} inputs", "junit_rules": "{tool} rules", "junit_rules_case": "rules of this run",
    "junit_input_file": "input file",
    # waiver register states and sources
    "active": "active", "expired": "expired", "unused": "unused", "invalid": "invalid", "stale": "stale",
    "inline": "inline comment", "configuration": "configuration", "baseline": "baseline",
    "owner": "Owner", "reason": "Reason", "expires": "Expires", "state": "State", "source": "Source",
    "none": "none",
}

_NL = {
    "error": "fout", "warning": "waarschuwing", "note": "opmerking", "waived": "uitgezonderd",
    "unresolved": "onbeslist", "audit": "audit", "passed": "geslaagd", "failed": "gefaald", "fix": "oplossing",
    "waived_because": "uitgezonderd", "finding": "bevinding", "findings": "bevindingen", "file": "bestand",
    "files": "bestanden", "policy": "policy", "policies": "policies", "check": "controle", "checks": "controles",
    "notice": "melding", "notices": "meldingen",
    "FAILED": "AFGEKEURD", "PASSED": "GOEDGEKEURD",
    "verdict_failed": "{FAILED}: {count} op of boven {level} (--fail-on {level})",
    "verdict_strict": "{FAILED} (--strict): {problems}",
    "verdict_never": "{PASSED}: --fail-on never (bevindingen worden gemeld, geen ervan keurt de run af)",
    "verdict_passed": "{PASSED}: geen bevinding op of boven {level} (--fail-on {level})",
    "summary": "{tool} {version}: {files}, {policies}, {checks} ({passed} geslaagd): {findings}",
    "by_family": "per familie", "audit_count": "{n} in auditmodus (gemeld, keurt niet af)",
    "unresolved_count": "{checks} onbeslist: een waarde was statisch niet bekend",
    "unresolved_hint": "--show-unresolved noemt ze",
    "notices_count": "{notices} (invoer niet volledig gelezen, gerenderd of geëvalueerd)",
    "posture_line": "soevereiniteitspositie (indicatief, naar {source})",
    "posture_known": "{name} ({source}): jurisdictie {jurisdiction}, SEAL {seal}",
    "posture_unknown": "{source}: niet in het providerregister",
    "haven_heading": "Controles van de Haven Compliancy Checker, in de termen van HCC zelf",
    "haven_cluster": "{passed} van {total} HCC-controles slagen in de preflight",
    "would_fail": "falen in de preflight", "not_decided": "statisch niet te beslissen",
    "not_preflighted": "voor dit cluster niet vooraf gecontroleerd", "cannot_preflight": "niet vooraf te controleren", "live_cluster": "live cluster",
    "hcc_failed": "gefaald",
    "md_heading": "{tool}-resultaten", "md_headline": "{findings} in {files}; {policies}, {checks}, {passed} geslaagd.",
    "md_no_findings": "Geen bevindingen.", "level": "Niveau", "family": "Familie", "rule": "Policy",
    "line": "Regel", "resource": "Resource", "message": "Melding", "md_fix_heading": "Zo los je het op",
    "md_cut": "De samenvatting stopt hier: GitHub neemt per stap hoogstens 1 MiB samenvatting, dus {hidden} van "
              "{total} bevindingen staan er niet in. Elke bevinding staat in het volledige rapport ({formats}) van "
              "deze run.",
    "md_cut_bytes": "De samenvatting is hier afgekapt: GitHub neemt per stap hoogstens 1 MiB samenvatting. Het "
                    "volledige rapport ({formats}) van deze run bevat alles.",
    "md_posture": "Soevereiniteitspositie (indicatief)", "md_haven": "Haven-preflight",
    "md_waivers": "Uitzonderingen en baseline", "md_in_audit": "{n} daarvan in auditmodus (gemeld, keurt niet af).",
    "md_waiver_problems": "{n} problemen met uitzonderingen (verlopen, zonder reden of ongebruikt).",
    "md_notices": "{n} invoermeldingen (invoer niet volledig gelezen, gerenderd of geëvalueerd).",
    "md_unrendered": "niet volledig gerenderd: {place}: {message}",
    "md_unrendered_more": "… en nog {n} builds die niet volledig gerenderd zijn.",
    "provider": "Aanbieder", "jurisdiction": "Jurisdictie", "control": "Zeggenschap", "operations": "Beheer",
    "seal": "Indicatief SEAL", "not_in_registry": "niet in het providerregister",
    "junit_suite": "{tool} {family}: {title}",
    "junit_below": "{level} onder --fail-on {fail_on} (keurt niet af): {message}",
    "junit_audit": "auditmodus (keurt niet af): {message}",
    "junit_never": "--fail-on never (keurt niet af): {message}", "junit_waived": "uitgezonderd ({reason}): {message}",
    "junit_unresolved": "onbeslist: {message}", "junit_location": "locatie", "junit_help": "uitleg",
    "junit_inputs": "{tool} invoer", "junit_rules": "{tool} regels", "junit_rules_case": "regels van deze run",
    "junit_input_file": "invoerbestand",
    "active": "actief", "expired": "verlopen", "unused": "ongebruikt", "invalid": "ongeldig", "stale": "verouderd",
    "inline": "commentaar in de code", "configuration": "configuratie", "baseline": "baseline",
    "owner": "Eigenaar", "reason": "Reden", "expires": "Verloopt", "state": "Status", "source": "Bron",
    "none": "geen",
}

FAMILY_TITLES = {
    "en": {"cmk": "customer-managed keys", "residency": "EU residency and sovereignty", "secrets": "secrets",
           "exit": "exit strategy and portability", "haven": "Haven", "workload": "Kubernetes workload hardening",
           "baseline": "baseline hardening", "custom": "own policies", "review": "rule changes under review"},
    "nl": {"cmk": "klantbeheerde sleutels", "residency": "dataresidentie en soevereiniteit", "secrets": "secrets",
           "exit": "exit-strategie en portabiliteit", "haven": "Haven", "workload": "hardening van Kubernetes-workloads",
           "baseline": "basishardening", "custom": "eigen policies", "review": "regelwijzigingen ter review"},
}

WORDS = {"en": _EN, "nl": _NL}

# Singular and plural of the nouns counts use.
_NOUNS = {
    "en": {"finding": ("finding", "findings"), "file": ("file", "files"), "policy": ("policy", "policies"),
           "check": ("check", "checks"), "notice": ("notice", "notices"), "waiver": ("waiver", "waivers"),
           "resource": ("resource", "resources"), "region": ("region", "regions"),
           "country": ("country", "countries"), "repository": ("repository", "repositories")},
    "nl": {"finding": ("bevinding", "bevindingen"), "file": ("bestand", "bestanden"), "policy": ("policy", "policies"),
           "check": ("controle", "controles"), "notice": ("melding", "meldingen"),
           "waiver": ("uitzondering", "uitzonderingen"), "resource": ("resource", "resources"),
           "region": ("regio", "regio's"), "country": ("land", "landen"),
           "repository": ("repository", "repository's")},
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, _EN)


def count(n: int, noun: str, lang: str) -> str:
    """`1 finding`, `3 bevindingen`."""
    singular, plural = _NOUNS.get(lang, _NOUNS["en"])[noun]
    return f"{n} {singular if n == 1 else plural}"


def family_title(family: str, lang: str) -> str:
    return FAMILY_TITLES.get(lang, FAMILY_TITLES["en"]).get(family, family)


def level(name: str, lang: str) -> str:
    return words(lang).get(name, name)


_RULES = {
    "en": {"configuration": "configuration: {where} (profile {profile})", "none": "none",
           "off": "the configuration switches off {n} of the {policies} by default: {shown}",
           "off_one": "policy that runs", "off_many": "policies that run",
           "audit": "the configuration puts {policies} in audit mode (reported, not failing)",
           "excludes": "the configuration excludes {patterns}",
           "waived": "{findings} waived (not failing): {inline} by inline sovscan:ignore comments, "
                     "{configured} by configuration waivers",
           "baselined": "{findings} in the baseline (not failing)"},
    "nl": {"configuration": "configuratie: {where} (profiel {profile})", "none": "geen",
           "off": "de configuratie zet {n} van de {policies} standaard draaien uit: {shown}",
           "off_one": "policy die", "off_many": "policies die",
           "audit": "de configuratie zet {policies} in auditmodus (gemeld, keurt niet af)",
           "excludes": "de configuratie sluit {patterns} uit",
           "waived": "{findings} uitgezonderd (keurt niet af): {inline} door sovscan:ignore-commentaar in de code, "
                     "{configured} door uitzonderingen in de configuratie",
           "baselined": "{findings} in de baseline (keurt niet af)"},
}


def rule_statements(rules: RuleSummary, lang: str) -> list[str]:
    """The rules of the run (scanner.review) in `lang`: one sentence per fact, for every format."""
    text = _RULES.get(lang, _RULES["en"])
    lines = [text["configuration"].format(where=rules.configuration or text["none"], profile=rules.profile)]
    if rules.switched_off:
        shown = ", ".join(rules.switched_off[:8]) + (", …" if len(rules.switched_off) > 8 else "")
        policies = f"{rules.by_default} {text['off_one'] if rules.by_default == 1 else text['off_many']}"
        lines.append(text["off"].format(n=len(rules.switched_off), policies=policies, shown=shown))
    if rules.audit:
        lines.append(text["audit"].format(policies=count(len(rules.audit), "policy", lang)))
    if rules.excludes:
        lines.append(text["excludes"].format(patterns=", ".join(repr(e) for e in rules.excludes)))
    if rules.waived:
        lines.append(text["waived"].format(findings=count(rules.waived, "finding", lang), inline=rules.waived_inline,
                                           configured=rules.waived_configuration))
    if rules.baselined:
        lines.append(text["baselined"].format(findings=count(rules.baselined, "finding", lang)))
    return lines


# Why a waiver suppresses nothing, as scanner/evaluate/waivers.py and the directive parser say it (English, as
# the notices keep it), in Dutch for the register.
_WAIVER_PROBLEMS_NL = (
    (re.compile(r"has no expiry \((?P<form>.*), at most (?P<days>\d+) days ahead\): it suppresses nothing"),
     "heeft geen vervaldatum ({form}, hoogstens {days} dagen vooruit): onderdrukt niets"),
    (re.compile(r"expired on (?P<date>\S+): the finding is active again"),
     "verlopen op {date}: de bevinding is weer actief"),
    (re.compile(r"expires on (?P<date>\S+), more than (?P<days>\d+) days ahead \(max_waiver_days\): it suppresses nothing"),
     "verloopt op {date}, meer dan {days} dagen vooruit (max_waiver_days): onderdrukt niets"),
    (re.compile(r"names every rule: name the rule it waives \((?P<example>.*)\); it suppresses nothing"),
     "noemt alle regels: noem de regel die ze uitzondert ({example}); onderdrukt niets"),
    (re.compile(r'has no reason="\.\.\.": it suppresses nothing'), 'heeft geen reason="...": onderdrukt niets'),
    (re.compile(r"has no reason: it suppresses nothing"), "heeft geen reden (reason): onderdrukt niets"),
    (re.compile(r"until=(?P<value>.*) is not a date \(YYYY-MM-DD\)"), "until={value} is geen datum (JJJJ-MM-DD)"),
)


def waiver_problem(problem: str, lang: str) -> str:
    """Why a waiver suppresses nothing, in `lang` (the English when it has no translation)."""
    if lang != "nl":
        return problem
    for pattern, dutch in _WAIVER_PROBLEMS_NL:
        found = pattern.fullmatch(problem)
        if found:
            return dutch.format(**found.groupdict())
    return problem
