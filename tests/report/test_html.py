"""The HTML report as a reader gets it: valid HTML5 (html5lib's strict parser), self-contained, the same
bytes on every run, every section with the scan's own numbers, and in Dutch or English."""
from __future__ import annotations

import dataclasses
import datetime
import json
from collections import Counter
from pathlib import Path

import html5lib
import pytest

from scanner import cli, review
from scanner import config as config_module
from scanner.report import Report
from scanner.report.model import sovereignty_target
from scanner.report import html as html_report
from scanner.report import tally

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 11, 23)   # the date run_scan scans on
SECTIONS = ["verdict", "posture", "residency", "families", "haven", "exit", "waivers", "controls", "findings",
            "notices"]


def parse(text: str):
    """The document tree; html5lib in strict mode raises on any parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def figures(section) -> dict[str, str]:
    """The section's numbers: figure label -> value."""
    return {text_of(tile.find("dt")): text_of(tile.find("dd")) for tile in section.iter("div")
            if "figure" in (tile.get("class") or "").split()}


def section(document, anchor: str):
    return next(s for s in document.iter("section") if s.get("id") == anchor)


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """The bundled examples scanned once per language: (html text, json data) by language."""
    out = {}
    directory = tmp_path_factory.mktemp("reports")
    for lang in ("en", "nl"):
        page, data = directory / f"report-{lang}.html", directory / f"report-{lang}.json"
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(ROOT)
            code = cli.main(["scan", "examples", "--lang", lang, "-f", f"html={page}", "-f", f"json={data}"])
        assert code == 1
        out[lang] = (page.read_text("utf-8"), json.loads(data.read_text("utf-8")))
    return out


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_valid_html5_with_every_section_in_order(examples, lang):
    document = parse(examples[lang][0])
    assert document.get("lang") == lang
    assert [s.get("id") for s in document.iter("section")] == SECTIONS
    for anchor in SECTIONS:
        assert figures(section(document, anchor)), f"section {anchor} starts with its numbers"


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_loads_nothing_from_anywhere(examples, lang):
    page = examples[lang][0]
    document = parse(page)
    for element in document.iter():
        for name in ("src", "srcset", "data", "poster", "action", "formaction"):
            assert element.get(name) is None, (element.tag, name)
        href = element.get("href")
        assert href is None or href.startswith("#"), href
        assert element.tag not in ("link", "iframe", "object", "embed", "img", "base")
    assert "url(" not in page and "@import" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    policy = next(m for m in document.iter("meta") if m.get("http-equiv") == "Content-Security-Policy")
    assert policy.get("content").startswith("default-src 'none'")


def test_byte_identical_across_runs(examples, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    again = tmp_path / "again.html"
    assert cli.main(["scan", "examples", "--lang", "nl", "-f", f"html={again}"]) == 1
    assert again.read_text("utf-8") == examples["nl"][0]


def test_numbers_are_the_scans_own(examples):
    page, data = examples["en"]
    document = parse(page)
    summary = data["summary"]
    verdict = figures(section(document, "verdict"))
    assert verdict == {"Gate": "FAILED", "Findings that fail the gate": str(summary["failing"]),
                       "Files": str(summary["files"]), "Policies": str(summary["policies"]),
                       "Checks": str(summary["checks"]), "Passed": str(summary["passes"]),
                       "Findings": str(summary["findings"]), "Unresolved": str(summary["unresolved"]),
                       "Waived": str(summary["suppressed"])}
    totals = {k: sum(p[k] for p in data["policies"]) for k in tally.OUTCOMES}
    assert sum(totals.values()) == summary["checks"]
    families = figures(section(document, "families"))
    assert families == {"Checks": str(summary["checks"]), "Passed": str(totals["passed"]),
                        "Failed": str(totals["failed"]), "Unresolved": str(totals["unresolved"]),
                        "Waived": str(totals["waived"])}
    findings = section(document, "findings")
    assert len([a for a in findings.iter("article")]) == summary["findings"] + summary["unresolved"]
    # a control is evidenced when a check of one of its policies ran here: not every control the policies name
    controls = section(document, "controls")
    rows = [[text_of(td) for td in tr.iter("td")] for tr in controls.iter("tr") if list(tr.iter("td"))]
    iso = [row for row in rows if row[0][0].isdigit()]
    evidenced = sum(1 for row in iso if any(int(n) for n in row[3:7]))
    assert 0 < evidenced <= len(iso)
    assert figures(controls)["ISO/IEC 27002:2022 controls (BIO2)"] == f"{evidenced} of {len(iso)}"
    notices = section(document, "notices")   # an auditor sees what the scan could not look at, as JSON lists it
    levels = Counter(n["level"] for n in data["notices"])
    assert figures(notices) == {"error": str(levels["error"]), "warning": str(levels["warning"]),
                                "note": str(levels["note"])}
    rows = [[text_of(td) for td in tr.iter("td")] for tr in notices.iter("tr") if list(tr.iter("td"))]
    assert len(rows) == len(data["notices"]) > 0
    assert sorted(row[1] for row in rows) == sorted(f"{n['path']}:{n['line']}" if n["line"] else n["path"] or "—"
                                                    for n in data["notices"])


def test_residency_lists_every_region_by_tier_with_a_chart(examples):
    page, data = examples["en"]
    residency = section(parse(page), "residency")
    regions = data["residency"]["regions"]
    assert figures(residency)["Regions"] == str(len(regions))
    # placements as the chart counts them, so the figure and the bars agree
    assert figures(residency)["Placements (a resource in a region)"] == str(sum(len(r["resources"]) for r in regions))
    assert figures(residency)["Placed outside the allowed residency"] == str(
        sum(len(r["resources"]) for r in regions if r["allowed"] is False))
    rows = [[text_of(td) for td in tr.findall("td")] for tr in residency.iter("tr") if tr.findall("td")]
    uksouth = next(r for r in rows if r[2] == "uksouth (azurerm)")
    assert uksouth[:4] == ["adequacy decision", "GB", "uksouth (azurerm)", "no"]
    assert "azurerm_storage_account.logs examples/azure-municipal/main.tf:94 own location" in uksouth[4]
    replica = next(r for r in rows if r[2] == "ukwest (azurerm)")
    assert "replica (paired region)" in replica[4]
    assert next(r for r in rows if r[2] == "us-east-1 (aws)")[:4] == ["other (third country)", "US", "us-east-1 (aws)", "no"]
    (chart,) = [e for e in residency.iter() if e.tag.endswith("svg")]
    bars = {text_of(t) for t in chart.iter() if t.tag.endswith("text")}
    assert {"EU", "adequacy decision", "other (third country)"} <= bars


def test_every_finding_has_its_place_evidence_reason_and_fix(examples):
    page, data = examples["en"]
    articles = {a.get("id"): a for a in section(parse(page), "findings").iter("article")}
    logs = next(a for a in articles.values() if "examples/azure-municipal/main.tf:94" in text_of(a)
                and "CMK-001" in text_of(a.find("h4")))
    terms = {text_of(dt): text_of(dd) for dt, dd in zip(logs.iter("dt"), logs.iter("dd"))}
    assert terms["Evidence (masked)"] == "customer_managed_key is not set"
    assert terms["Deployed by the root module"] == "examples/azure-municipal"   # which deployment it judges
    assert terms["Why it matters"].startswith("Privacy-sensitive data is encrypted with keys the organisation controls")
    assert terms["Fix"].startswith("Add a customer_managed_key block")
    secret = next(a for a in articles.values() if "SEC-001" in text_of(a.find("h4")))
    assert "Welkom01" not in text_of(secret)


def test_in_dutch(examples):
    page, data = examples["nl"]
    document = parse(page)
    assert text_of(section(document, "verdict").find("h2")) == "1. Oordeel"
    assert text_of(section(document, "waivers").find("h2")) == "7. Uitzonderingenregister"
    assert figures(section(document, "verdict"))["Poort"] == "AFGEKEURD"
    assert "is niet versleuteld met een klantbeheerde sleutel" in page
    posture = [[text_of(td) for td in tr.iter("td")] for tr in section(document, "posture").iter("tr")
               if list(tr.iter("td"))]
    aws = next(row for row in posture if "hashicorp/aws" in row[0])
    assert aws[2:5] == ["buiten de EU", "buiten de EU", "publieke cloud"]   # the registry's terms, in Dutch
    assert data["findings"][0]["message"] in page.replace("&#x27;", "'").replace("&quot;", '"')


def test_readable_without_script_the_filter_only_appears_with_it(examples):
    document = parse(examples["en"][0])
    box = next(d for d in document.iter("div") if d.get("class") == "filter")
    assert box.get("hidden") is not None
    (script,) = list(document.iter("script"))
    assert "fetch" not in script.text and "XMLHttpRequest" not in script.text and "import" not in script.text


def test_text_from_the_repository_is_escaped(make_finding, make_report):
    hostile = make_finding(message='<script>alert(1)</script> "quoted" & <img src=x onerror=alert(2)>',
                           address="azurerm_storage_account.x<b>")
    page = html_report.render(make_report([hostile]))
    parse(page)
    assert "<script>alert" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_waiver_register_posture_and_live_hcc(write, tmp_path, run_scan):
    hcc = (ROOT / "tests/policies/haven/HAVEN-101/fail/hcc-results.json").read_text("utf-8").split("  # expect")[0]
    root = write({
        "infra/main.tf": 'terraform {\n  required_providers {\n    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }\n'
                         '  }\n}\n'
                         'resource "azurerm_storage_account" "logs" {\n  location = "uksouth"\n}\n'
                         'resource "azurerm_storage_account" "old" {  # sovscan:ignore RES-001 reason="moves in Q3" until=2026-12-31\n'
                         '  location = "eastus"\n}\n',
        ".sovscan.yaml": "seal_target: 3\nwaivers:\n"
                         "  - {rule: RES-001, resource: azurerm_storage_account.logs, reason: migration, owner: team-a, "
                         "expires: 2026-01-31}\n"
                         "  - {rule: CMK-001, resource: azurerm_storage_account.gone, reason: removed, owner: team-b, "
                         "expires: 2026-12-31}\n",
        "hcc.json": hcc,
    }, tmp_path / "repo")
    config = config_module.load(None, str(root))
    result = run_scan(root, config=config)   # on 2026-11-23
    report = Report(result, 3, target=sovereignty_target(config), scan_date="2026-11-23",
                    rules=review.summarise(config, result, TODAY))
    document = parse(html_report.render(report))
    register = section(document, "waivers")
    rows = {(cells[0], cells[1], cells[2]): cells for cells in
            ([text_of(td) for td in tr.findall("td")] for tr in register.iter("tr")) if cells}
    inline = rows[("inline comment", "RES-001", "azurerm_storage_account.old")]
    assert inline[3:9] == ["infra/main.tf:9", "—", "moves in Q3", "2026-12-31", "active", "1"]
    expired = rows[("configuration", "RES-001", "azurerm_storage_account.logs")]
    assert expired[4:8] == ["team-a", "migration", "2026-01-31", "expired"]
    unused = rows[("configuration", "CMK-001", "azurerm_storage_account.gone")]
    assert unused[4] == "team-b" and unused[7:9] == ["unused", "0"]
    assert figures(register)["expired"] == "1" and figures(register)["unused"] == "1"
    posture = figures(section(document, "posture"))
    assert posture["SEAL target"] == "SEAL-3" and posture["Meet the target"] == "0 / 1"
    haven = section(document, "haven")
    assert figures(haven)["Live HCC results"] == "1"
    matrix = [[text_of(c) for c in tr] for tr in haven.iter("tr")]
    assert ["Self test: HCC version is latest major or within 3 months upgrade window", "NO"] in matrix


def test_no_findings(make_report):
    document = parse(html_report.render(dataclasses.replace(make_report(), fail_on="error")))
    assert figures(section(document, "verdict"))["Gate"] == "PASSED"
    assert text_of(section(document, "findings")).endswith("No findings.")
    assert text_of(section(document, "notices")).endswith("Every input was read, rendered and evaluated in full.")



def test_a_region_not_known_statically_says_what_it_depends_on(write, run_scan):
    root = write({"main.tf": 'variable "where" {}\nresource "azurerm_resource_group" "rg" {\n  location = var.where\n}\n'})
    residency = section(parse(html_report.render(Report(run_scan(root), 1))), "residency")
    assert figures(residency)["Placement not known statically"] == "1"
    items = [text_of(li) for li in residency.iter("li")]
    assert items == ["azurerm_resource_group.rg main.tf:2: depends on var.where"]


def test_controls_no_check_of_this_scan_touched_are_not_counted_as_evidenced(make_finding, make_report):
    """A repository with storage only: the controls of the Kubernetes and Haven rules are listed with zeros, and
    the figure counts only the controls a check of this scan evidences."""
    document = parse(html_report.render(make_report([make_finding("CMK-001")])))
    controls = section(document, "controls")
    rows = [[text_of(td) for td in tr.iter("td")] for tr in controls.iter("tr") if list(tr.iter("td"))]
    iso = [row for row in rows if row[0][0].isdigit()]
    evidenced = [row[0] for row in iso if any(int(n) for n in row[3:7])]
    assert 0 < len(evidenced) < len(iso)
    assert figures(controls)["ISO/IEC 27002:2022 controls (BIO2)"] == f"{len(evidenced)} of {len(iso)}"


def test_an_exit_readiness_figure_is_amber_when_every_gap_left_is_waived():
    from scanner.evaluate.result import Judged
    from scanner.report.html_sections import _coverage_tone

    def judged(*states):
        return [Judged(f"a.{i}", "t", "main.tf", i + 1, state) for i, state in enumerate(states)]
    assert _coverage_tone(judged("pass", "pass")) == "pass"
    assert _coverage_tone(judged("pass", "waived")) == "warn"
    assert _coverage_tone(judged("waived", "fail")) == "fail" and _coverage_tone(judged("open")) == "fail"
    assert _coverage_tone([]) == ""
