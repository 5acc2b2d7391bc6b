"""Reports built from hand-made findings, so each format test controls exactly what it renders."""
from __future__ import annotations

import dataclasses

import pytest

from scanner.evaluate.result import Finding, Passed, Result, Suppression
from scanner.evaluate.fingerprint import finding_key
from scanner.notices import Notice
from scanner.report import Report

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


@pytest.fixture
def make_finding(catalogue):
    policies = {p.id: p for p in catalogue}

    def _make(policy_id: str = "CMK-001", path: str = "infra/main.tf", line: int = 3,
              address: str = "azurerm_storage_account.logs", attribute: str = "customer_managed_key",
              kind: str = "fail", mode: str = "deny", message: str | None = None,
              resource_type: str = "azurerm_storage_account") -> Finding:
        policy = policies[policy_id]
        level = "note" if kind == "open" else LEVEL[policy.severity]
        if mode == "audit" and level == "error":
            level = "warning"
        return Finding(policy.id, policy.family, policy.severity, level, kind,
                       message or f"{address} violates {policy_id}", path, line, address, attribute,
                       finding_key(policy.id, path, address, attribute), resource_type, mode)
    return _make


@pytest.fixture
def make_report(catalogue):
    def _make(findings=(), unresolved=(), notices=(), show_unresolved: bool = False, **kwargs) -> Report:
        passed = [Passed("CMK-001", f"azurerm_storage_account.ok{i}", "main.tf", i + 1) for i in range(7)]
        result = Result(list(findings), list(unresolved), list(catalogue), passed, list(notices),
                        checks=len(findings) + len(unresolved) + 7)
        return Report(result, 3, show_unresolved=show_unresolved, **kwargs)
    return _make


@pytest.fixture
def mixed_report(make_finding, make_report):
    """Deny and audit failures, Terraform and Kubernetes, an unresolved check and a parse notice."""
    findings = [
        make_finding(),
        make_finding("RES-001", line=4, attribute="location"),
        make_finding("EXIT-008", path="versions.tf", line=2, address="provider.aws", attribute="version",
                     resource_type="terraform_required_provider", mode="audit"),
        make_finding("WL-001", path="k8s/app.yaml", line=9, address="Pod/default/web",
                     attribute="containers[name=web].securityContext.privileged", resource_type="Pod"),
    ]
    unresolved = [make_finding("RES-001", path="infra/aks.tf", line=2, address="azurerm_kubernetes_cluster.aks",
                               attribute="location", kind="open", resource_type="azurerm_kubernetes_cluster")]
    notices = [Notice("infra/broken.tf", 1, "not parsed: unexpected end of file", "error"),
               Notice("big.json", 0, "skipped: file is larger than 5 MiB", "note")]
    return make_report(findings, unresolved, notices, show_unresolved=True)


@pytest.fixture
def waived_report(make_finding, make_report):
    """One active finding and one waived finding, suppressed findings included in the output."""
    waived = dataclasses.replace(make_finding("RES-001", line=4, attribute="location"),
                                 suppression=Suppression("inSource", "accepted until the migration", "team-a"))
    return make_report([make_finding(), waived], include_suppressed=True)
