from __future__ import annotations

import re

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


def test_table_lists_most_severe_first_with_links(mixed_report):
    rows = [cells(r) for r in table_rows(markdown.render(mixed_report))]
    assert [r[0] for r in rows] == ["error", "error", "error", "warning (audit)", "unresolved"]
    assert all(len(r) == 6 for r in rows)
    assert rows[0][1] == "[CMK-001](https://sovscan.invalid/policies/CMK-001)"


def test_table_is_capped_with_a_count_of_the_rest(make_finding, make_report):
    findings = [make_finding(address=f"azurerm_storage_account.s{i}", line=i + 1) for i in range(63)]
    text = markdown.render(make_report(findings))
    assert len(table_rows(text)) == markdown.MAX_ROWS
    assert "… and 13 more" in text


def test_cells_cannot_break_the_table_or_inject_html(make_finding, make_report):
    message = "a | b\nc <img src=x onerror=alert(1)> `code` [link](http://x) " + "x" * 1000
    (row,) = table_rows(markdown.render(make_report([make_finding(message=message)])))
    assert len(cells(row)) == 6
    assert "<img" not in row and "\n" not in row and "&lt;img" in row
    assert len(cells(row)[5]) < 2 * markdown.MAX_MESSAGE


def test_stays_under_one_mebibyte(make_finding, make_report):
    findings = [make_finding(address="a" * 5000 + str(i), message="m" * 100_000, line=i + 1) for i in range(60)]
    text = markdown.render(make_report(findings))
    assert len(text.encode("utf-8")) <= markdown.MAX_BYTES
    huge = markdown._cap("y" * (2 * markdown.MAX_BYTES))
    assert len(huge.encode("utf-8")) <= markdown.MAX_BYTES and huge.endswith("see the SARIF or JSON report.\n")


def test_clean_scan(make_report):
    text = markdown.render(make_report())
    assert "**0 findings**" in text and "No findings." in text and "| Level | Policy |" not in text


def test_registered_and_scans_real_files(write, run_scan):
    root = write({"main.tf": 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'})
    text = FORMATTERS["markdown"](Report(run_scan(root), 1))
    assert any("main.tf" in row for row in table_rows(text))


def test_waived_findings_are_not_counted_and_listed_last(waived_report):
    text = markdown.render(waived_report)
    assert "**1 finding** (1 error)" in text and "1 waived or baselined findings" in text
    assert [cells(r)[0] for r in table_rows(text)] == ["error", "waived"]
