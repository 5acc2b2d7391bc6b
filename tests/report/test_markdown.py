from __future__ import annotations

import re

import dataclasses

from scanner.evaluate.result import ClusterSummary, HavenSummary, ProviderPosture
from scanner.evaluate.waivers import WaiverEntry
from scanner.report import FORMATTERS, Report, markdown


def table_rows(text: str) -> list[str]:
    """Rows of the findings table (the one with a Message column), header and rule excluded."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Level | Policy |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_totals_by_level_and_family_and_unresolved_count(mixed_report):
    text = markdown.render(mixed_report)
    assert "**4 findings** (3 error, 1 warning) in 3 files" in text
    assert "| error | 3 |" in text and "| warning | 1 |" in text
    assert "| cmk | 1 |" in text and "| residency | 1 |" in text and "| workload | 1 |" in text
    assert "1 of them in audit mode" in text
    assert "1 check unresolved" in text
    assert "2 input notices" in text


def test_table_lists_most_severe_first_without_links_unless_configured(mixed_report):
    rows = [cells(r) for r in table_rows(markdown.render(mixed_report))]
    assert [r[0] for r in rows] == ["error", "error", "error", "warning (audit)", "unresolved"]
    assert all(len(r) == 6 for r in rows)
    assert rows[0][1] == "CMK-001"
    linked = dataclasses.replace(mixed_report, docs_url="https://docs.example.org/sovscan/policies")
    rows = [cells(r) for r in table_rows(markdown.render(linked))]
    assert rows[0][1] == "[CMK-001](https://docs.example.org/sovscan/policies/CMK-001.md)"


def test_every_finding_is_listed_below_the_size_limit(make_finding, make_report):
    findings = [make_finding(address=f"azurerm_storage_account.s{i}", line=i + 1) for i in range(263)]
    text = markdown.render(make_report(findings))
    assert len(table_rows(text)) == 263
    assert "The summary stops here" not in text


def test_fix_hints_posture_haven_and_waivers_are_included(mixed_report):
    result = mixed_report.result.but(
        posture=[ProviderPosture("hashicorp/azurerm", "Microsoft Azure", True, "US", "non-eu", "non-eu",
                                 "public-cloud", "0-1")],
        haven=HavenSummary((ClusterSummary("azurerm_kubernetes_cluster.aks", "infra/aks.tf", 2,
                                           (("Multiple availability zones in use", "pass"),
                                            ("Running at least 3 master nodes", "fail"))),)),
        register=(WaiverEntry("configuration", "RES-001", "azurerm_storage_account.old", ".sovscan.yaml", 0,
                              "team-a", "migration in Q3", "2027-03-31", "unused", 0),))
    text = markdown.render(dataclasses.replace(mixed_report, result=result))
    assert "- **CMK-001** Object storage is encrypted with a customer-managed key: Add a customer\\_managed\\_key" in text
    assert "| Microsoft Azure (hashicorp/azurerm) | US | non-eu | non-eu | 0-1 |" in text
    assert "- azurerm\\_kubernetes\\_cluster.aks (infra/aks.tf:2): 1 of 2 HCC checks pass the pre-flight" in text
    assert "  - fail the pre-flight: Running at least 3 master nodes" in text
    assert ("| configuration (.sovscan.yaml) | RES-001 | azurerm\\_storage\\_account.old | team-a | migration in Q3 | "
            "2027-03-31 | unused |") in text


def test_in_dutch(mixed_report):
    text = markdown.render(dataclasses.replace(mixed_report, lang="nl"))
    assert "**4 bevindingen** (3 fout, 1 waarschuwing) in 3 bestanden" in text
    assert "| Niveau | Policy | Bestand | Regel | Resource | Melding |" in text
    assert "### Zo los je het op" in text
    assert "**AFGEKEURD: 3 bevindingen op of boven error (--fail-on error)**" in text


def test_cells_cannot_break_the_table_or_inject_html(make_finding, make_report):
    message = "a | b\nc <img src=x onerror=alert(1)> `code` [link](http://x) " + "x" * 1000
    (row,) = table_rows(markdown.render(make_report([make_finding(message=message)])))
    assert len(cells(row)) == 6
    assert "<img" not in row and "\n" not in row and "&lt;img" in row
    assert len(cells(row)[5]) < 2 * markdown.MAX_MESSAGE


def test_over_one_mebibyte_leaves_out_the_least_severe_rows_and_says_so(make_finding, make_report):
    findings = [make_finding(address="a" * 500 + str(i), message="m" * 1000, line=i + 1) for i in range(3000)]
    findings.append(make_finding("EXIT-002", address="azurerm_mssql_server.db", line=9999,
                                 resource_type="azurerm_mssql_server"))
    text = markdown.render(make_report(findings))
    assert len(text.encode("utf-8")) <= markdown.MAX_BYTES
    rows = table_rows(text)
    assert 1000 < len(rows) < 3001 and all(cells(r)[0] == "error" for r in rows)
    assert (f"**The summary stops here: GitHub takes at most 1 MiB per step summary, so {3001 - len(rows)} of 3001 "
            "findings are not shown. Every finding is in the full report (-f html=FILE, -f sarif=FILE, -f json=FILE) "
            "of this run.**") in text
    assert text.rstrip().endswith("</sub>")


def test_clean_scan(make_report):
    text = markdown.render(make_report())
    assert "**0 findings**" in text and "No findings." in text and "| Level | Policy |" not in text


def test_registered_and_scans_real_files(write, run_scan):
    root = write({"main.tf": 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'})
    text = FORMATTERS["markdown"](Report(run_scan(root), 1))
    assert any("main.tf" in row for row in table_rows(text))


def test_waived_findings_are_not_counted_and_listed_last(waived_report):
    text = markdown.render(waived_report)
    assert "**1 finding** (1 error)" in text
    assert [cells(r)[0] for r in table_rows(text)] == ["error", "waived"]
