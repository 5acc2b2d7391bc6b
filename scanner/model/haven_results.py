"""Stage 3 for live evidence: each Haven Compliancy Checker check becomes a Resource `hcc/<Name>`.

The HCC runs against a live cluster; its results enter the same model as the static code, so policies
(HAVEN-1xx) report them like any other check and the reports show them next to the pre-flight rules.
"""
from __future__ import annotations

from scanner.model.resource import Resource
from scanner.parse.hcc import HccReport

KIND = "haven"
CHECK_TYPE = "hcc_check"


def build(reports: list[HccReport]) -> list[Resource]:
    resources = []
    for report in reports:
        for check in report.checks:
            values = {"name": check.name, "label": check.label, "category": check.category,
                      "rationale": check.rationale, "result": check.result, "suggested": check.suggested,
                      "version": report.version, "compliant": report.compliant}
            locations = {"": check.line, **{key: check.line for key in values}}
            resources.append(Resource(KIND, CHECK_TYPE, f"hcc/{check.name}", report.path, check.line, values,
                                      locations))
    return resources
