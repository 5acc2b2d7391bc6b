"""Haven Compliancy Checker results: both JSON shapes, log lines around them, bad input, and how a
results file enters a scan (--haven-results, or found in the scanned tree)."""
from __future__ import annotations

import json

import pytest

from scanner import cli
from scanner.errors import InputError
from scanner.parse import hcc

LABELS = {"multiaz": "Multiple availability zones in use", "hamasters": "Running at least 3 master nodes",
          "logs": "Log aggregation is running"}


def checks(results: dict[str, str], key=str.title) -> list[dict]:
    return [{key("name"): n, key("label"): LABELS.get(n, n), key("category"): "Infrastructure",
             key("rationale"): "why", key("result"): r} for n, r in results.items()]


def cli_output(results: dict[str, str], suggested: dict[str, str] | None = None) -> dict:
    failed = sum(1 for r in results.values() if r == "NO")
    return {"Version": "Haven v12.8.0", "HavenCompliant": failed == 0, "StartTS": "2026-11-20T09:00:00+01:00",
            "Config": {"CNCF": True, "CIS": False, "KESC": False},
            "CompliancyChecks": {"Results": checks(results), "Summary": {"Total": len(results), "Failed": failed}},
            "SuggestedChecks": {"Results": checks(suggested or {})}}


def compliancy(results: dict[str, str], created: str) -> dict:
    lower = str.lower
    output = {"version": "Haven v12.8.0", "havenCompliant": "NO" not in results.values(), "startTS": created,
              "config": {"CIS": False, "CNCF": True, "kubescape": False},
              "compliancyChecks": {"results": checks(results, lower), "summary": {"total": len(results)}},
              "suggestedChecks": {"results": []}}
    return {"apiVersion": "haven.commonground.nl/v1alpha1", "kind": "Compliancy", "metadata": {"name": created},
            "spec": {"compliant": output["havenCompliant"], "created": created, "version": "Haven v12.8.0",
                     "input": {}, "output": output}}


def test_cli_output_after_log_lines_with_trailing_text():
    text = "[I] Haven v12.8.0 - Copyright VNG Realisatie\n[I] Running checks in parallel...\n" \
           + json.dumps(cli_output({"multiaz": "NO", "hamasters": "YES"}, {"cis": "SKIPPED"})) + "\n[I] done\n"
    report = hcc.parse_text("hcc.json", text)
    assert report.version == "Haven v12.8.0" and report.semver == "12.8.0"
    assert report.compliant is False
    assert [(c.name, c.result, c.suggested, c.line) for c in report.checks] == [
        ("multiaz", "NO", False, 3), ("hamasters", "YES", False, 3), ("cis", "SKIPPED", True, 3)]
    assert [c.name for c in report.mandatory] == ["multiaz", "hamasters"]
    assert report.checks[0].label == "Multiple availability zones in use"


def test_results_are_read_case_insensitively_and_unknown_values_become_unknown():
    data = cli_output({"multiaz": "yes", "hamasters": "Unknown", "logs": "maybe"})
    report = hcc.parse_text("hcc.json", json.dumps(data))
    assert [c.result for c in report.checks] == ["YES", "UNKNOWN", "UNKNOWN"]


def test_a_single_compliancy_object_in_camel_case():
    report = hcc.parse_text("c.json", json.dumps(compliancy({"multiaz": "YES", "logs": "NO"}, "2026-11-20T09:00:00Z")))
    assert [(c.name, c.result) for c in report.checks] == [("multiaz", "YES"), ("logs", "NO")]
    assert report.compliant is False


def test_kubectl_list_uses_the_newest_run_and_its_lines():
    old = compliancy({"multiaz": "YES", "logs": "YES"}, "2026-10-01T09:00:00Z")
    new = compliancy({"multiaz": "NO", "logs": "YES"}, "2026-11-20T09:00:00Z")
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": [old, new]}, indent=2)
    report = hcc.parse_text("list.json", text)
    assert [(c.name, c.result) for c in report.checks] == [("multiaz", "NO"), ("logs", "YES")]
    lines = text.splitlines()
    for check in report.checks:
        assert f'"name": "{check.name}"' in lines[check.line - 1]
        assert check.line > len(lines) // 2, "the line is in the newest run, not the older one"


@pytest.mark.parametrize("text, reason", [
    ("", "no JSON object found"),
    ("[I] only logs\n", "no JSON object found"),
    ('{"Version": "Haven v12.8.0", "CompliancyChecks": ', "invalid JSON"),
    ('{"apiVersion": "v1", "kind": "ConfigMap"}', "kind ConfigMap"),
    ('{"kind": "List", "items": []}', "holds no Compliancy object"),
    ('{"kind": "Compliancy", "spec": {}}', "without spec.output"),
    ('{"CompliancyChecks": {"Results": {"Name": "x"}}}', "Results is not a list"),
    ('{"CompliancyChecks": {"Results": [{"Result": "YES"}]}}', "check 1 has no Name"),
    ('{"CompliancyChecks": []}', "no CompliancyChecks object"),
])
def test_bad_input_names_the_reason(text, reason):
    with pytest.raises(InputError) as caught:
        hcc.parse_text("bad.json", text)
    assert str(caught.value).startswith("bad.json: ") and reason in str(caught.value)


def test_looks_like_hcc_is_only_true_for_hcc_output():
    assert hcc.looks_like_hcc(json.dumps(cli_output({"multiaz": "YES"})))
    assert hcc.looks_like_hcc(json.dumps(compliancy({"multiaz": "YES"}, "t")))
    assert not hcc.looks_like_hcc('{"name": "package", "results": []}')


# --- how results enter a scan ---------------------------------------------------------------------


def test_given_results_become_findings_per_check_and_a_summary(write, run_scan, tmp_path):
    results = write({"hcc.json": json.dumps(cli_output({"multiaz": "NO", "hamasters": "YES", "newcheck": "NO"},
                                                       {"cis": "SKIPPED"}))}, tmp_path / "results")
    code = write({"main.tf": "# nothing\n"}, tmp_path / "code")
    result = run_scan(code, only=("haven",), haven_results=(str(results / "hcc.json"),))
    assert sorted((f.policy_id, f.address) for f in result.findings) == [
        ("HAVEN-100", "hcc/newcheck"), ("HAVEN-103", "hcc/multiaz")]
    assert [(f.policy_id, f.address) for f in result.unresolved] == [("HAVEN-117", "hcc/cis")]
    assert {f.path for f in result.findings} == {str(results / "hcc.json")}
    newcheck = next(f for f in result.findings if f.policy_id == "HAVEN-100")
    assert '"newcheck" (newcheck)' in newcheck.message and "Haven v12.8.0 reported NO" in newcheck.message
    live = result.haven.live[0]
    assert live.line() == ("Results: 1 out of 3 checks passed, 0 checks skipped, 0 checks unknown. "
                           "This is NOT a Haven Compliant cluster.")


def test_results_in_the_scanned_tree_are_read_once(write, run_scan, tmp_path):
    root = write({"ops/hcc.json": json.dumps(cli_output({"multiaz": "NO"}))})
    found = run_scan(root, only=("HAVEN-103",))
    assert [(f.path, f.line) for f in found.findings] == [("ops/hcc.json", 1)]
    both = run_scan(root, only=("HAVEN-103",), haven_results=(str(root / "ops/hcc.json"),))
    assert len(both.findings) == 1


def test_a_broken_results_file_in_the_tree_is_a_notice_not_a_crash(write, run_scan, tmp_path):
    root = write({"hcc.json": '{"CompliancyChecks": {"Results": [{"Result": "NO"}]}}',
                  "main.tf": 'resource "aws_eks_cluster" "e" {\n  name = "e"\n}\n'})
    result = run_scan(root, only=("haven",))
    assert [(n.path, "check 1 has no Name" in n.message) for n in result.notices] == [("hcc.json", True)]
    assert not any(f.address.startswith("hcc/") for f in result.findings)


def test_cli_exits_2_with_the_reason_for_a_bad_results_file(write, tmp_path, capsys):
    root = write({"main.tf": "# nothing\n", "hcc.json": "[I] no json here\n"})
    assert cli.main(["scan", str(root / "main.tf"), "--haven-results", str(tmp_path / "missing.json")]) == 2
    assert "--haven-results" in capsys.readouterr().err
    code = cli.main(["scan", str(root / "main.tf"), "--haven-results", str(root / "hcc.json")])
    err = capsys.readouterr().err
    assert code == 2 and "no JSON object found" in err


def test_text_report_shows_the_live_result_line(write, tmp_path, capsys):
    results = write({"hcc.json": json.dumps(cli_output({"multiaz": "NO", "hamasters": "YES"}))}, tmp_path / "r")
    code = write({"main.tf": "# nothing\n"}, tmp_path / "c")
    cli.main(["scan", str(code), "--only", "haven", "--haven-results", str(results / "hcc.json")])
    out = capsys.readouterr().out
    assert "(live cluster, Haven v12.8.0): Results: 1 out of 2 checks passed" in out
    assert "failed: Multiple availability zones in use" in out


# --- hostile results files (issue 17) -----------------------------------------------------------------------
def test_results_nested_deeper_than_json_allows_are_an_input_error():
    text = '{"CompliancyChecks": {"Results": ' + "[" * 100_000 + "]" * 100_000 + "}}\n"
    with pytest.raises(InputError, match="JSON nested deeper than Python's decoder allows"):
        hcc.parse_text("deep.json", text)


def test_a_huge_number_or_a_lone_surrogate_in_results_is_not_a_crash():
    text = ('{"CompliancyChecks": {"Results": [{"Name": "multi\\ud800az", "Label": "L\\udfff", "Result": "NO", '
            '"Count": ' + "9" * 5000 + "}]}}\n")
    check = hcc.parse_text("odd.json", text).checks[0]
    assert (check.name, check.label, check.result) == ("multi\ufffdaz", "L\ufffd", "NO")


def test_check_lines_of_a_long_results_file_come_from_one_index():
    data = {"CompliancyChecks": {"Results": [{"Name": f"é{i}", "Result": "YES"} for i in range(3000)]}}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    report = hcc.parse_text("long.json", text)
    assert [c.line for c in report.checks[:2]] == [5, 9] and report.checks[-1].line == 4 * 3000 + 1


def test_a_log_of_many_brace_lines_is_tried_a_bounded_number_of_times():
    text = '{"a": [\n' * 5000 + '{"CompliancyChecks": {"Results": []}}\n'
    with pytest.raises(InputError, match="not Haven Compliancy Checker output"):
        hcc.parse_text("log.json", text)
