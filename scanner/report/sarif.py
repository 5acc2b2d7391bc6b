"""SARIF 2.1.0 as plain data, per the contract in design.md §4 (validated against the OASIS schema in tests)."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

from scanner.evaluate import citations
from scanner.evaluate.result import Finding
from scanner.evaluate.policies import SECURITY_SEVERITY, Policy
from scanner.report import labels, policy_docs
from scanner.report.model import TOOL_NAME, Report, help_uri, severity_at

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_NAME = "sovscanFindingKey/v1"
ISO_TAXONOMY, SOV_TAXONOMY = "ISO/IEC 27002:2022", "EU Cloud Sovereignty Framework"
RUN_LANGUAGE = {"en": "en-US", "nl": "nl-NL"}


def _help_text(policy: Policy, lang: str) -> str:
    text = policy.text(lang)
    fix = labels.words(lang)["fix"]
    remediation = " ".join(v if k == "default" else f"{k}: {v}" for k, v in text.remediation.items())
    return f"{text.rationale} {fix.capitalize()}: {remediation}"


# GitHub shows a full description of at most this many characters; the help has the whole rationale.
MAX_FULL_DESCRIPTION = 1024


def result_level(finding: Finding) -> str:
    return finding.level if finding.kind == "fail" else "note"


def rule_id(policy: Policy, level: str) -> str:
    """The rule a result at `level` belongs to: the policy's own id at its own level, else a variant of it
    (`HAVEN-002/note`). GitHub reads a result's severity from its rule alone, and gates pull requests on it."""
    return policy.id if level == policy.level else f"{policy.id}/{level}"


def security_severity(severity: str, level: str) -> str:
    """GitHub shows and gates on this score instead of the level (its default fails a pull request on high and
    critical), so it is the severity held to the level."""
    return SECURITY_SEVERITY[severity_at(severity, level)]


def _full_description(rationale: str) -> str:
    if len(rationale) <= MAX_FULL_DESCRIPTION:
        return rationale
    cut = rationale[: MAX_FULL_DESCRIPTION - 1].rsplit(" ", 1)[0]
    return cut + "\u2026"


def rule(policy: Policy, lang: str = "en", docs_url: str = "", taxa: dict[str, int] | None = None,
         level: str = "") -> dict:
    """The rule of the policy's results at `level` (default: the policy's own) with its full help (rationale,
    fix per provider, citations, examples), a help link only when report.docs_url is configured, and its
    relationships to the ISO/IEC 27002:2022 and SOV taxa."""
    level = level or policy.level
    text = policy.text(lang)
    described: dict[str, Any] = {
        "id": rule_id(policy, level),
        "name": "".join(w.capitalize() for w in policy.title.replace("-", " ").split() if w.isalnum())[:255] or policy.id,
        "shortDescription": {"text": text.title},
        "fullDescription": {"text": _full_description(text.rationale)},
        "help": {"text": _help_text(policy, lang), "markdown": policy_docs.help_markdown(policy, lang)},
    }
    url = help_uri(docs_url, policy.id, lang)
    if url:
        described["helpUri"] = url
    described["defaultConfiguration"] = {"level": level}
    described["properties"] = {
        "tags": [policy.family, "security", policy.input],
        "precision": policy.precision,
        "security-severity": security_severity(policy.severity, level),
    }
    relationships = _relationships(policy, taxa or {})
    if relationships:
        described["relationships"] = relationships
    return described


def _controls(policy: Policy) -> list[tuple[int, str]]:
    """(taxonomy index, taxon id) of every control and objective the policy maps to."""
    refs = policy.references
    return [(0, c) for c in refs.get("iso27002", [])] + [(1, o) for o in refs.get("sov", [])]


def _relationships(policy: Policy, taxa: dict[str, int]) -> list[dict]:
    out = []
    for taxonomy, taxon in _controls(policy):
        if taxon not in taxa:
            continue
        name = (ISO_TAXONOMY, SOV_TAXONOMY)[taxonomy]
        out.append({"target": {"id": taxon, "index": taxa[taxon], "toolComponent": {"name": name, "index": taxonomy}},
                    "kinds": ["relevant"]})
    return out


def taxonomies(policies: list[Policy], lang: str) -> tuple[list[dict], dict[str, int]]:
    """The two taxonomies with the taxa these policies map to (a SOV criterion after its objective), and each
    taxon's index within its taxonomy."""
    registry = citations.builtin()
    iso = sorted({c for p in policies for c in p.references.get("iso27002", []) if c in registry.controls},
                 key=lambda c: tuple(int(n) for n in c.split(".")))
    sov = sorted({o for p in policies for o in p.references.get("sov", [])} |
                 {o.split(".")[0] for p in policies for o in p.references.get("sov", [])})
    iso_taxa = [{"id": c, "name": getattr(registry.controls[c], lang if lang == "nl" else "en"),
                 "shortDescription": {"text": citations.control_citation(c, lang)}} for c in iso]
    sov_taxa = [{"id": o, "name": o, "shortDescription": {"text": citations.objective_citation(o, lang)}} for o in sov]
    index = {c: i for i, c in enumerate(iso)}
    index.update({o: i for i, o in enumerate(sov)})
    standards = {s.key: s for s in registry.standards}
    made = [
        {"name": ISO_TAXONOMY, "fullName": standards["iso27002"].title, "organization": "ISO/IEC", "version": "2022",
         "shortDescription": {"text": "Information security controls; BIO2 (Baseline Informatiebeveiliging Overheid 2) "
                                      "follows this numbering" if lang != "nl" else
                                      "Beheersmaatregelen voor informatiebeveiliging; BIO2 (Baseline "
                                      "Informatiebeveiliging Overheid 2) volgt deze nummering"},
         "isComprehensive": False, "taxa": iso_taxa},
        {"name": SOV_TAXONOMY, "fullName": registry.framework, "organization": standards["eu-csf"].publisher_short,
         "version": standards["eu-csf"].version or "",
         "shortDescription": {"text": "Sovereignty objectives (SOV-n) and their assessment criteria (SOV-n.criterion)"
                              if lang != "nl" else
                              "Soevereiniteitsdoelstellingen (SOV-n) en hun beoordelingscriteria (SOV-n.criterium)"},
         "isComprehensive": False, "taxa": sov_taxa},
    ]
    return made, index


def _result(finding: Finding, rule: tuple[str, int], occurrence: int, with_suppressions: bool,
            lang: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"family": finding.family, "severity": finding.severity, "enforcement": finding.mode}
    result: dict[str, Any] = {
        "ruleId": rule[0],
        "ruleIndex": rule[1],
        "kind": finding.kind,
        "level": result_level(finding),
        "message": {"text": finding.message_in(lang)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": quote(finding.path)},
                "region": {"startLine": max(finding.line, 1)},
            },
            "logicalLocations": [{"fullyQualifiedName": finding.address, "kind": "resource"}],
        }],
        "partialFingerprints": {
            "primaryLocationLineHash": f"{finding.fingerprint[:16]}:{occurrence}",
            FINGERPRINT_NAME: finding.fingerprint,
        },
        "properties": properties,
    }
    if finding.attribute:
        properties["attribute"] = finding.attribute
    if finding.suppression is not None:
        suppression: dict[str, Any] = {"kind": finding.suppression.kind, "status": "accepted",
                       "justification": finding.suppression.justification}
        extra = {k: v for k, v in (("owner", finding.suppression.owner), ("until", finding.suppression.until)) if v}
        if extra:
            suppression["properties"] = extra
        result["suppressions"] = [suppression]
    elif with_suppressions:
        result["suppressions"] = []    # SARIF: within a run, on all results or on none
    return result


def _notification(notice) -> dict:
    entry = {"level": notice.level, "message": {"text": notice.message},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": quote(notice.path or ".")}}}]}
    if notice.line:
        entry["locations"][0]["physicalLocation"]["region"] = {"startLine": notice.line}
    return entry


MAX_RESULTS = 25_000   # GitHub code scanning rejects a run with more results


_RANK = {"error": 0, "warning": 1, "note": 2, "none": 3}


def _within_limit(findings: list[Finding]) -> tuple[list[Finding], int]:
    """The most severe findings when there are more than GitHub accepts, and how many were left out."""
    if len(findings) <= MAX_RESULTS:
        return findings, 0
    kept = sorted(findings, key=lambda f: (f.kind != "fail", _RANK.get(f.level, 3), f.sort_key))[:MAX_RESULTS]
    return sorted(kept, key=lambda f: f.sort_key), len(findings) - MAX_RESULTS


def _truncation(left_out: int) -> list[dict]:
    if not left_out:
        return []
    return [{"level": "warning", "message": {"text": f"{left_out} less severe results left out: GitHub code scanning "
                                                     f"accepts at most {MAX_RESULTS} results per run"}}]


def _run_properties(report: Report) -> dict:
    result = report.result
    properties: dict[str, object] = {"filesScanned": report.files_scanned, "checks": result.checks,
                  "unresolvedChecks": len(result.unresolved)}
    if report.rules is not None:
        rules = report.rules.as_dict()
        properties["configuration"] = {"file": rules["configuration"], "profile": rules["profile"],
                                       "policiesSwitchedOff": rules["policies_switched_off"],
                                       "policiesInAudit": rules["policies_in_audit"], "excludes": rules["excludes"],
                                       "waived": rules["waived"]}
    if result.posture:
        properties["sovereigntyPosture"] = [p.as_dict() for p in result.posture]
    clusters = result.haven.clusters if result.haven is not None else ()
    if clusters:
        properties["havenPreflight"] = [
            {"cluster": c.address, "uri": quote(c.path), "passed": c.count("pass"), "checks": len(c.checks),
             "failing": c.labels("fail")} for c in clusters]
    return properties


def build(report: Report) -> dict:
    findings, left_out = _within_limit(report.shown())
    policies = report.policies_by_id
    variants = sorted({(f.policy_id, result_level(f)) for f in findings},
                      key=lambda v: rule_id(policies[v[0]], v[1]))
    index = {variant: (rule_id(policies[variant[0]], variant[1]), i) for i, variant in enumerate(variants)}
    seen: Counter = Counter()
    results = []
    with_suppressions = any(f.suppression is not None for f in findings)
    for finding in findings:
        seen[(finding.path, finding.fingerprint)] += 1
        results.append(_result(finding, index[(finding.policy_id, result_level(finding))],
                               seen[(finding.path, finding.fingerprint)], with_suppressions, report.lang))
    used = [policies[r] for r in sorted({policy_id for policy_id, _ in variants})]
    taxonomy_list, taxa = taxonomies(used, report.lang)
    driver: dict[str, Any] = {"name": TOOL_NAME, "semanticVersion": report.version}
    if report.docs_home:
        driver["informationUri"] = report.docs_home
    driver["rules"] = [rule(policies[policy_id], report.lang, report.docs_url, taxa, level) for policy_id, level in variants]
    driver["supportedTaxonomies"] = [{"name": t["name"], "index": i} for i, t in enumerate(taxonomy_list)]
    run = {
        "tool": {"driver": driver},
        "taxonomies": taxonomy_list,
        "automationDetails": {"id": f"{report.sarif_category}/"},   # upload-sarif's `category` never replaces it
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [_notification(n) for n in
                                           report.result.notices + report.result.waiver_problems] + _truncation(left_out),
        }],
        "results": results,
        "properties": _run_properties(report),
        "language": RUN_LANGUAGE.get(report.lang, "en-US"),
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(build(report), indent=2, ensure_ascii=False) + "\n"
