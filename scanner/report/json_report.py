"""sovscan's own JSON: every finding with its fingerprint, unresolved checks, notices, and everything the
organisation report (`sovscan report merge`) combines: outcomes per policy, the verdict and exit code, the
sovereignty posture, the regions in use, exit readiness, the Haven summary and the waiver register.

The document says what it is (`format`: name and version); `report merge` reads this version only.
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any

from scanner.evaluate import citations
from scanner.evaluate.result import Finding
from scanner.report import tally
from scanner.report.model import Report

FORMAT_NAME = "sovscan-result"
FORMAT_VERSION = 2


def _finding(finding: Finding, report: Report) -> dict[str, Any]:
    # Fields by hand, not dataclasses.asdict: that deep-copies every string of `instances` and `translations`
    # (a third of a cached whole-corpus run's JSON report); the other fields are strings, numbers and tuples
    data: dict[str, Any] = {f.name: getattr(finding, f.name) for f in dataclasses.fields(finding)
                            if f.name != "translations"}
    data["suppression"] = None if finding.suppression is None else dataclasses.asdict(finding.suppression)
    data["message"] = report.message(finding)
    if finding.kind == "fail" and finding.policy_id in report.policies_by_id:
        data["fix"] = report.fix(finding)
    return data


def _policies(report: Report) -> list[dict[str, Any]]:
    counts = tally.by_policy(report.result)
    return [{"id": p.id, "family": p.family, "severity": p.severity, "title": p.text(report.lang).title,
             "controls": citations.control_ids(p.references), **counts.get(p.id, tally.Tally()).as_dict()}
            for p in sorted(report.result.policies, key=lambda p: p.id)]


def _exit_code(report: Report) -> int:
    return 1 if report.failing() or report.strict_problems else 0


def build(report: Report) -> dict[str, Any]:
    result = report.result
    return {
        "format": {"name": FORMAT_NAME, "version": FORMAT_VERSION},
        "tool": {"name": "sovscan", "version": report.version},
        "scan": {"paths": list(report.paths), "date": report.scan_date or None, "fail_on": report.fail_on,
                 "exit_code": _exit_code(report), "lang": report.lang, "revision": report.revision or None},
        "summary": {"files": report.files_scanned, "policies": len(result.policies), "checks": result.checks,
                    "passes": result.passes, "findings": len(result.active), "suppressed": len(result.suppressed),
                    "unresolved": len(result.unresolved), "notices": len(result.notices),
                    "failing": len(report.failing()), "verdict": report.verdict()},
        "rules": report.rules.as_dict() if report.rules is not None else None,
        "policies": _policies(report),
        "findings": [_finding(f, report) for f in (result.findings if report.include_suppressed else result.active)],
        "unresolved": [_finding(f, report) for f in result.unresolved],
        "notices": [dataclasses.asdict(n) for n in result.notices],
        "waivers": [dataclasses.asdict(n) for n in result.waiver_problems],
        "migration": [dataclasses.asdict(n) for n in result.migration],
        "stale_baseline": result.stale_baseline,
        "sovereignty_posture": [p.as_dict() for p in result.posture],
        "haven": dataclasses.asdict(result.haven) if result.haven is not None else None,
        "residency": dataclasses.asdict(result.residency) if result.residency is not None else None,
        "exit_readiness": dataclasses.asdict(result.exit_readiness) if result.exit_readiness is not None else None,
        "waiver_register": [dataclasses.asdict(entry) for entry in result.register],
    }


def render(report: Report) -> str:
    return json.dumps(build(report), indent=2, ensure_ascii=False) + "\n"
