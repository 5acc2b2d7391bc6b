"""`sovscan report merge`: the JSON results of one scan per repository become one organisation report whose
totals are the sums of the repositories'."""
from __future__ import annotations

import json
from pathlib import Path

import html5lib
import pytest

from scanner import cli
from scanner.report import organisation, tally

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["azure-municipal", "aws-data-platform", "gcp-analytics", "k8s-app"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Each example scanned as its own repository: example -> JSON result file."""
    directory = tmp_path_factory.mktemp("results")
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        for example in EXAMPLES:
            out[example] = directory / f"{example}.json"
            assert cli.main(["scan", f"examples/{example}", "-f", f"json={out[example]}"]) == 1
    return out


def test_totals_are_the_sums_of_the_repositories(results, tmp_path, capsys):
    merged = tmp_path / "org.json"
    page = tmp_path / "org.html"
    assert cli.main(["report", "merge", *map(str, results.values()), "-f", f"json={merged}",
                     "-f", f"html={page}"]) == 0
    data = json.loads(merged.read_text("utf-8"))
    scans = {name: json.loads(path.read_text("utf-8")) for name, path in results.items()}
    assert data["format"] == {"name": "sovscan-organisation", "version": 1}
    assert [r["name"] for r in data["repositories"]] == sorted(EXAMPLES)
    for key in organisation.SUMMED:
        assert data["totals"][key] == sum(s["summary"][key] for s in scans.values()), key
    assert data["totals"]["repositories"] == 4 and data["totals"]["failing_repositories"] == 4
    for family, counts in data["families"].items():
        for outcome in tally.OUTCOMES:
            assert counts[outcome] == sum(p[outcome] for s in scans.values() for p in s["policies"]
                                          if p["family"] == family)
    assert sum(sum(c.values()) for c in data["families"].values()) == data["totals"]["checks"]
    for control in data["controls"]["iso27002"]:
        assert control["failed"] == sum(p["failed"] for s in scans.values() for p in s["policies"]
                                        if control["id"] in p["controls"])
    providers = {p["source"]: p["repositories"] for p in data["posture"]}
    assert providers == {"hashicorp/aws": ["aws-data-platform"], "hashicorp/azurerm": ["azure-municipal"],
                         "hashicorp/google": ["gcp-analytics"]}
    uksouth = next(r for r in data["regions"] if r["region"] == "uksouth")
    assert (uksouth["tier"], uksouth["allowed"], uksouth["repositories"]) == ("adequacy", False, {"azure-municipal": 1})
    worst = data["worst_offenders"]["workload"][0]
    assert worst["repository"] == "k8s-app" and worst["failed"] == scans["k8s-app"]["summary"]["findings"] - sum(
        p["failed"] for p in scans["k8s-app"]["policies"] if p["family"] != "workload")


def test_html_is_valid_and_shows_the_totals(results, tmp_path):
    page = tmp_path / "org.html"
    assert cli.main(["report", "merge", *map(str, results.values()), "--lang", "nl", "-f", f"html={page}"]) == 0
    text = page.read_text("utf-8")
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    assert document.get("lang") == "nl"
    assert [s.get("id") for s in document.iter("section")] == list(
        ("verdict", "posture", "repositories", "worst", "residency", "waivers", "controls"))
    total_row = [r for r in document.iter("tr") if "".join(r.itertext()).startswith("Totalen")]
    checks = sum(json.loads(p.read_text("utf-8"))["summary"]["checks"] for p in results.values())
    assert len(total_row) == 1 and str(checks) in ["".join(td.itertext()) for td in total_row[0].findall("td")]
    again = tmp_path / "again.html"
    assert cli.main(["report", "merge", *map(str, results.values()), "--lang", "nl", "-f", f"html={again}"]) == 0
    assert again.read_bytes() == page.read_bytes()
    # a dozen columns: the page is wide; the registry's terms in the report's language
    assert document.find("body").get("class") == "wide" and "buiten de EU" in text and "non-eu" not in text
    # the failing repositories' verdicts in the report's language (the results were scanned in English)
    verdicts = ["".join(li.itertext()) for li in next(s for s in document.iter("section")
                                                         if s.get("id") == "verdict").iter("li")]
    assert len(verdicts) == 4 and all("op of boven error (--fail-on error)" in v for v in verdicts), verdicts
    assert all("at or above" not in v for v in verdicts)


def test_waivers_expiring_soon_counted_from_the_latest_scan(results, tmp_path):
    data = json.loads(results["k8s-app"].read_text("utf-8"))
    data["scan"]["date"] = "2026-11-23"
    entry = {"source": "configuration", "resource": "Deployment/meldingen/web", "path": ".sovscan.yaml", "line": 0,
             "owner": "team-web", "reason": "r", "state": "active", "findings": 1, "problem": ""}
    data["waiver_register"] = [entry | {"rule": "HAVEN-012", "expires": "2026-12-10"},
                               entry | {"rule": "HAVEN-014", "expires": "2027-06-01"},
                               entry | {"rule": "HAVEN-016", "expires": "2026-10-01", "state": "expired"},
                               entry | {"rule": "HAVEN-015", "expires": ""}]
    edited = tmp_path / "k8s.json"
    edited.write_text(json.dumps(data), "utf-8")
    merged = organisation.merge([f"web={edited}", str(results["azure-municipal"])], within_days=30)
    assert [(r.name, e["rule"]) for r, e in merged.expiring()] == [("web", "HAVEN-016"), ("web", "HAVEN-012")]
    assert merged.reference_date == max("2026-11-23", json.loads(results["azure-municipal"].read_text())["scan"]["date"])


@pytest.mark.parametrize("content, message", [
    ("not json", "not JSON"),
    ('{"tool": {"name": "sovscan"}, "findings": []}', "not a sovscan result of format version 2"),
    ('{"format": {"name": "sovscan-result", "version": 2}, "scan": {}}', "a sovscan result with a broken field"),
])
def test_a_file_that_is_no_result_exits_2_naming_it(tmp_path, capsys, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, "utf-8")
    assert cli.main(["report", "merge", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: {message}" in err


def test_two_results_with_one_name_exit_2(results, capsys):
    path = str(results["k8s-app"])
    assert cli.main(["report", "merge", path, f"k8s-app={results['azure-municipal']}"]) == 2
    assert "two results are named 'k8s-app'; name them NAME=FILE" in capsys.readouterr().err


def test_text_summary_to_standard_output(results, capsys):
    assert cli.main(["report", "merge", *map(str, results.values())]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("aws-data-platform: FAILED: ")
    assert lines[-1].startswith("sovscan organisation: 4 repositories (4 failing), ")


def test_text_summary_of_one_repository_says_one_repository(results, capsys):
    assert cli.main(["report", "merge", str(results["k8s-app"])]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("sovscan organisation: 1 repository (1 failing), ") and " 1 repositories" not in last


@pytest.mark.parametrize("field, value", [(("scan",), None), (("scan", "date"), "x"),
                                          (("policies", 0, "controls"), None), (("policies", 0, "controls"), [1]),
                                          (("residency", "regions", 0), "x"), (("sovereignty_posture",), [5])])
def test_a_result_with_a_field_of_the_wrong_shape_exits_2_naming_it(results, tmp_path, capsys, field, value):
    """Every field the organisation's reports read is read when the file is: a broken one is refused naming
    the file (exit 2), never an exit 3 while a report is written."""
    data = json.loads(results["azure-municipal"].read_text("utf-8"))
    data.setdefault("residency", {"regions": [{}]})
    node = data
    for key in field[:-1]:
        node = node[key]
    node[field[-1]] = value
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    code = cli.main(["report", "merge", str(broken), "-f", f"html={tmp_path / 'o.html'}"])
    assert code == 2 and "broken.json: a sovscan result with a broken field" in capsys.readouterr().err
