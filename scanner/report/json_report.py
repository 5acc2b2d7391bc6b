"""sovscan's own JSON: every finding with its fingerprint, plus unresolved checks and notices."""
from __future__ import annotations

import dataclasses
import json

from scanner.report.model import Report


def render(report: Report) -> str:
    result = report.result
    data = {
        "tool": {"name": "sovscan", "version": report.version},
        "summary": {"files": report.files_scanned, "policies": len(result.policies), "checks": result.checks,
                    "passes": result.passes, "findings": len(result.active), "suppressed": len(result.suppressed),
                    "unresolved": len(result.unresolved), "notices": len(result.notices),
                    "verdict": report.verdict()},
        "rules": report.rules.as_dict() if report.rules is not None else None,
        "findings": [dataclasses.asdict(f) for f in (result.findings if report.include_suppressed else result.active)],
        "unresolved": [dataclasses.asdict(f) for f in result.unresolved],
        "notices": [dataclasses.asdict(n) for n in result.notices],
        "waivers": [dataclasses.asdict(n) for n in result.waiver_problems],
        "migration": [dataclasses.asdict(n) for n in result.migration],
        "stale_baseline": result.stale_baseline,
        "sovereignty_posture": [p.as_dict() for p in result.posture],
        "haven": dataclasses.asdict(result.haven) if result.haven is not None else None,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
