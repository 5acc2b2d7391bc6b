from __future__ import annotations

import json
import os

import pytest

from scanner import cli
from scanner.evaluate import engine

VIOLATION = 'resource "azurerm_resource_group" "a" {\n  location = "eastus"\n}\n'
CLEAN = 'resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n'


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def run(args, capsys):
    code = cli.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_exit_codes_0_and_1(write, tmp_path, capsys):
    write({"clean/main.tf": CLEAN, "bad/main.tf": VIOLATION})
    assert run(["scan", "clean", "--only", "residency"], capsys)[0] == 0
    code, out, _ = run(["scan", "bad", "--only", "residency"], capsys)
    assert code == 1 and "RES-001" in out and "bad/main.tf" in out


@pytest.mark.parametrize("args, said", [
    (["-f", "sarif="], "'sarif=' names no file"),                       # -f "sarif=$UNSET"
    (["--only", ""], "--only/--skip: '' names no family"),              # --only "$UNSET": not every policy
    (["--skip", " , "], "--only/--skip: ' , ' names no family"),
    (["--profile", ""], "'' names nothing"),                             # --profile "$UNSET": not the default
    (["--cache-dir", ""], "'' names nothing"),
])
def test_an_empty_value_where_a_name_belongs_exits_2(write, capsys, args, said):
    write({"main.tf": VIOLATION})
    code, out, err = run(["scan", ".", *args], capsys)
    assert code == 2 and said in err and out == ""


def test_fail_on_threshold(write, capsys):
    write({"main.tf": 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'})
    assert run(["scan", ".", "--only", "EXIT-008"], capsys)[0] == 0          # medium = warning
    assert run(["scan", ".", "--only", "EXIT-008", "--fail-on", "warning"], capsys)[0] == 1
    assert run(["scan", ".", "--fail-on", "never"], capsys)[0] == 0


def test_sarif_file_and_text_in_one_run(write, tmp_path, capsys):
    write({"main.tf": VIOLATION})
    code, out, _ = run(["scan", ".", "-f", "sarif=out.sarif", "-f", "text"], capsys)
    assert code == 1 and "RES-001" in out
    log = json.loads((tmp_path / "out.sarif").read_text())
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["RES-001"]


def test_sarif_category_names_the_run(write, tmp_path, capsys):
    """upload-sarif's own category never replaces an id the SARIF has: a second scan of one repository (a
    matrix over paths, a --changed-since scan) needs its own category from sovscan."""
    write({"main.tf": VIOLATION})
    run(["scan", ".", "-f", "sarif=default.sarif"], capsys)
    run(["scan", ".", "-f", "sarif=infra.sarif", "--sarif-category", "sovscan-infra/eu"], capsys)
    ids = [json.loads((tmp_path / name).read_text())["runs"][0]["automationDetails"]["id"]
           for name in ("default.sarif", "infra.sarif")]
    assert ids == ["sovscan/", "sovscan-infra/eu/"]


@pytest.mark.parametrize("category", ["", "infra/", "a b", "-x", "x" * 101])
def test_a_bad_sarif_category_exits_2(write, capsys, category):
    write({"main.tf": VIOLATION})
    code, out, err = run(["scan", ".", "--sarif-category", category], capsys)
    assert code == 2 and "--sarif-category" in err and out == ""


def test_only_and_skip(write, capsys):
    write({"main.tf": VIOLATION})
    assert run(["scan", ".", "--skip", "residency"], capsys)[0] == 0
    assert run(["scan", ".", "--only", "RES-001"], capsys)[0] == 1
    code, _, err = run(["scan", ".", "--only", "nope"], capsys)
    assert code == 2 and "'nope' is neither a family, an opt-in group nor a policy id" in err


def test_usage_errors_exit_2(write, capsys):
    assert run(["scan", "does-not-exist"], capsys)[0] == 2
    assert run(["scan", ".", "-f", "pdf"], capsys)[0] == 2
    assert run(["scan", ".", "-f", "text", "-f", "json"], capsys)[0] == 2


def test_bad_config_names_file_and_field(write, capsys):
    write({"main.tf": CLEAN, ".sovscan.yaml": "residency:\n  tier: mars\n"})
    code, _, err = run(["scan", "."], capsys)
    assert code == 2 and ".sovscan.yaml: residency.tier: 'mars' is not allowed; use one of: eu, eea, adequacy" in err
    write({"other.yaml": "colour: red\n"})
    code, _, err = run(["scan", ".", "--config", "other.yaml"], capsys)
    assert code == 2 and "other.yaml: (top level): unknown key 'colour'; allowed keys: classification," in err


def test_config_tier_loosens_residency(write, capsys):
    write({"main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "uksouth"\n}\n'})
    assert run(["scan", ".", "--only", "RES-001"], capsys)[0] == 1
    write({".sovscan.yaml": "residency:\n  tier: adequacy\n"})
    assert run(["scan", ".", "--only", "RES-001"], capsys)[0] == 0


def test_broken_user_policy_exits_2(write, capsys):
    write({"main.tf": CLEAN, "mine/custom/ORG-001.yaml": "id: ORG-001\ntitle: x\n"})
    code, _, err = run(["scan", ".", "--policies", "mine"], capsys)
    assert code == 2 and "ORG-001.yaml:1: (top level): 'family' is a required property" in err


def test_user_policy_runs(write, capsys):
    write({"main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n',
           "mine/custom/ORG-001.yaml": """\
id: ORG-001
title: Resource groups carry an owner tag
family: custom
severity: medium
rationale: Every resource group needs an owner for the audit trail.
remediation: Add tags = { owner = "team" }.
references: {}
input: terraform
checks:
  - match: {terraform: [azurerm_resource_group]}
    assert: {path: tags.owner, op: exists}
"""})
    code, out, _ = run(["scan", ".", "--policies", "mine", "--only", "ORG-001", "--fail-on", "warning"], capsys)
    assert code == 1 and "ORG-001" in out and "tags.owner is not set" in out


def test_internal_error_exits_3(write, capsys, monkeypatch):
    write({"main.tf": CLEAN})

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(engine, "evaluate", broken)
    code, _, err = run(["scan", "."], capsys)
    assert code == 3 and "internal error" in err and "Traceback" not in err
    code, _, err = run(["--debug", "scan", "."], capsys)
    assert code == 3 and "RuntimeError: boom" in err


def test_policies_list_and_show(capsys):
    code, out, _ = run(["policies", "list", "--only", "cmk"], capsys)
    assert code == 0 and "CMK-001" in out and "RES-001" not in out
    assert f"{'':31}controls: 8.24, SOV-3.1\n" in out
    code, out, _ = run(["policies", "show", "CMK-001"], capsys)
    assert code == 0 and "Why:" in out and "Fix:" in out
    assert "\nControls:\n  ISO/IEC 27002:2022 (BIO2) 8.24 Use of cryptography\n" in out
    assert ("  Verkenning Soevereine Cloud (Gartner / BZK, 2026-04-30), §4.2. Beoordelingscriteria die extra "
            "prioriteit krijgen; §2. Risico's, 7. Beheer van cryptografische sleutels en toegangspaden\n") in out
    assert run(["policies", "show", "NOPE-001"], capsys)[0] == 2
    code, out, _ = run(["policies", "show", "REVIEW-001"], capsys)    # made by the review, not by checks
    assert code == 0 and out.startswith("REVIEW-001: ") and "\nchecks:" not in out and "\nWhy:\n" in out
    code, out, _ = run(["policies", "list", "--only", "REVIEW-001"], capsys)   # listed as shown, not "0 policies"
    assert code == 0 and "REVIEW-001 review     warning  Rule changes made by this change are reviewed\n" in out
    assert out.endswith("\n1 policy\n") and run(["policies", "list"], capsys)[1].count("REVIEW-001") == 1
    code, out, err = run(["policies", "show", "HAVEN-025"], capsys)   # an earlier id, as --only takes it
    assert code == 0 and out.startswith("WL-030: ") and "HAVEN-025 is now WL-030" in err


def test_policies_in_dutch(capsys):
    code, out, _ = run(["policies", "show", "CMK-001", "--lang", "nl"], capsys)
    assert code == 0 and out.startswith("CMK-001: Objectopslag is versleuteld met een klantbeheerde sleutel\n"
                                        "familie: cmk    niveau: error    ernst: high    draait: standaard    invoer: terraform\n")
    assert "\nWaarom:\n  Privacygevoelige gegevens worden versleuteld" in out and "\nOplossing:\n" in out
    assert "\nBeheersmaatregelen:\n  ISO/IEC 27002:2022 (BIO2) 8.24 Gebruik van cryptografie\n" in out
    code, out, _ = run(["policies", "list", "--only", "exit", "--lang", "nl"], capsys)
    assert code == 0 and "EXIT-005   exit       warning  Er is een exitplan en het is in het afgelopen jaar getest\n" in out
    assert out.endswith("11 policies\n")
    assert run(["policies", "list", "--lang", "fr"], capsys)[0] == 2
    assert run(["policies", "list", "--only", "CMK-001"], capsys)[1].endswith("\n1 policy\n")


def test_user_policy_without_dutch_shows_its_english(write, capsys):
    write({"mine/custom/ORG-002.yaml": """\
id: ORG-002
title: Resource groups carry a cost centre tag
family: custom
severity: low
rationale: Every resource group needs a cost centre for the chargeback.
remediation: Add tags = { cost_centre = "..." }.
references: {iso27002: ["5.9"]}
input: terraform
checks:
  - match: {terraform: [azurerm_resource_group]}
    assert: {path: tags.cost_centre, op: exists}
"""})
    code, out, _ = run(["policies", "show", "ORG-002", "--policies", "mine", "--lang", "nl"], capsys)
    assert code == 0 and out.startswith("ORG-002: Resource groups carry a cost centre tag\nfamilie: custom")
    assert "  ISO/IEC 27002:2022 (BIO2) 5.9 Inventarisatie van informatie en andere gerelateerde bedrijfsmiddelen\n" in out


def test_unknown_control_in_a_user_policy_is_exit_2(write, capsys):
    write({"mine/custom/ORG-003.yaml": """\
id: ORG-003
title: Resource groups carry an owner tag
family: custom
severity: low
rationale: Every resource group needs an owner for the audit trail.
remediation: Add tags = { owner = "team" }.
references:
  iso27002: ["5.9", "10.1"]
input: terraform
checks:
  - match: {terraform: [azurerm_resource_group]}
    assert: {path: tags.owner, op: exists}
"""})
    code, _, err = run(["policies", "list", "--policies", "mine"], capsys)
    assert code == 2 and "ORG-003.yaml:8: references.iso27002[1]: '10.1' does not match" in err


def test_show_unresolved_lists_the_blocker(write, capsys):
    write({"main.tf": 'variable "where" {}\nresource "azurerm_resource_group" "rg" {\n  location = var.where\n}\n'})
    code, out, _ = run(["scan", ".", "--only", "RES-001"], capsys)
    assert code == 0 and "1 check unresolved" in out and "var.where" not in out
    code, out, _ = run(["scan", ".", "--only", "RES-001", "--show-unresolved"], capsys)
    assert code == 0 and "unresolved" in out and "var.where is not known statically" in out


def test_var_file_option(write, capsys):
    write({"main.tf": 'variable "where" {}\nresource "azurerm_resource_group" "rg" {\n  location = var.where\n}\n',
           "prod.tfvars": 'where = "eastus"\n', "broken.tfvars": "where = \n"})
    assert run(["scan", ".", "--only", "RES-001", "--var-file", "prod.tfvars"], capsys)[0] == 1
    code, _, err = run(["scan", ".", "--var-file", "broken.tfvars"], capsys)
    assert code == 2 and "broken.tfvars" in err


@pytest.mark.parametrize("cache", ["bad", ".", "bad/../bad"])
def test_a_cache_directory_that_holds_the_scanned_path_exits_2(write, tmp_path, capsys, cache):
    """sovscan tags its cache directory and never scans one: a cache that is the scanned directory, or
    holds it, would make this and every later scan find nothing and pass."""
    write({"bad/main.tf": VIOLATION})
    code, _, err = run(["scan", "bad", "--only", "residency", "--cache-dir", cache], capsys)
    assert code == 2 and "--cache-dir" in err and "holds the scanned path bad" in err
    assert not (tmp_path / "bad" / "CACHEDIR.TAG").exists()
    code, out, _ = run(["scan", "bad", "--only", "residency", "--cache-dir", "bad/.cache"], capsys)
    assert code == 1 and "RES-001" in out          # inside the tree: skipped, the scan goes on


def test_a_directory_of_the_project_is_never_made_a_cache(write, tmp_path, capsys):
    """--cache-dir naming a source folder inside the scanned tree would tag it and leave its files out of this
    and every later scan (which would pass): refused, nothing written there."""
    write({"repo/infra/main.tf": VIOLATION})
    code, out, err = run(["scan", "repo", "--only", "residency", "--cache-dir", "repo/infra"], capsys)
    assert code == 2 and "--cache-dir repo/infra: a directory of the scanned path repo that holds other files" in err
    assert not (tmp_path / "repo/infra/CACHEDIR.TAG").exists()
    assert run(["scan", "repo", "--only", "residency"], capsys)[0] == 1


def test_a_damaged_tag_of_a_cache_inside_the_tree_is_written_again_before_discovery(write, tmp_path, capsys):
    write({"repo/main.tf": CLEAN})
    assert run(["scan", "repo", "--only", "residency", "--cache-dir", "repo/.cache"], capsys)[0] == 0
    (tmp_path / "repo/.cache/CACHEDIR.TAG").write_text("not a tag\n")
    code, out, _ = run(["scan", "repo", "--only", "residency", "--cache-dir", "repo/.cache"], capsys)
    assert code == 0
    assert (tmp_path / "repo/.cache/CACHEDIR.TAG").read_bytes().startswith(b"Signature: 8a477f597d28d172789f06886806bc55")
    # a file planted in the cache directory is not the cache's: the run refuses rather than leave it out unseen
    write({"repo/.cache/planted/main.tf": VIOLATION})
    code, out, err = run(["scan", "repo", "--only", "residency", "--cache-dir", "repo/.cache"], capsys)
    assert code == 2 and "that holds other files" in err


@pytest.mark.parametrize("link, target", [(".cache/sovscan", "../k8s"), (".cache", "k8s"), (".cache/sovscan", None)])
def test_a_cache_directory_reached_through_a_link_in_the_scanned_tree_exits_2(write, tmp_path, capsys, monkeypatch,
                                                                               link, target):
    """A committed link would let the repository decide where sovscan writes, and which directory it tags as its
    cache and leaves out (GitLab's cache lives in the project directory)."""
    write({"k8s/main.tf": VIOLATION, "README.md": "# x\n"})
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target or str(outside), tmp_path / link)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    code, _, err = run(["scan", ".", "--only", "residency"], capsys)
    assert code == 2 and "--cache-dir" in err and "reached through the link" in err
    assert not (tmp_path / "k8s" / "CACHEDIR.TAG").exists() and not any(outside.iterdir())


def test_a_cache_link_in_the_tree_is_found_when_the_tree_is_reached_through_a_link(write, tmp_path, capsys,
                                                                                    monkeypatch):
    """$PWD through a link (macOS's /tmp, a checkout under a linked directory) does not hide the link inside."""
    write({"repo/k8s/main.tf": VIOLATION, "repo/README.md": "# x\n"})
    (tmp_path / "repo" / ".cache").mkdir()
    os.symlink("../k8s", tmp_path / "repo" / ".cache" / "sovscan")
    os.symlink(tmp_path / "repo", tmp_path / "alias")
    monkeypatch.chdir(tmp_path / "alias")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "alias" / ".cache"))
    code, _, err = run(["scan", ".", "--only", "residency"], capsys)
    assert code == 2 and "reached through the link" in err
    assert not (tmp_path / "repo" / "k8s" / "CACHEDIR.TAG").exists()


@pytest.mark.parametrize("paths", [["infra", "./infra"], ["infra", "infra/net"], ["infra/net", "infra/"]])
def test_a_path_named_twice_or_inside_another_is_scanned_once(write, tmp_path, capsys, paths):
    write({"infra/main.tf": VIOLATION, "infra/net/main.tf": CLEAN})
    run(["scan", "infra", "--only", "residency", "-f", "json=once.json"], capsys)
    run(["scan", *paths, "--only", "residency", "-f", "json=twice.json"], capsys)
    once, twice = (json.loads((tmp_path / name).read_text())["summary"] for name in ("once.json", "twice.json"))
    assert (twice["files"], twice["checks"], twice["passes"]) == (once["files"], once["checks"], once["passes"]) == (2, 4, 3)


def test_reports_do_not_depend_on_how_or_from_where_the_scanned_path_is_named(write, tmp_path, capsys, monkeypatch):
    """The scanned paths a report names (JSON scan.paths, the HTML report's title) are shown as the report shows
    its files, sorted and once each: `infra`, `infra/`, `./infra` or the absolute path give the same bytes, and
    so does scanning the directory from inside it or from a directory elsewhere."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796000000")
    write({"infra/main.tf": VIOLATION, "infra/net/main.tf": CLEAN, "elsewhere/.keep": ""})

    def reports(*paths: str) -> tuple[bytes, bytes]:
        run(["scan", *paths, "-f", f"json={tmp_path}/r.json", "-f", f"html={tmp_path}/r.html"], capsys)
        return (tmp_path / "r.json").read_bytes(), (tmp_path / "r.html").read_bytes()

    named = reports("infra")
    assert json.loads(named[0])["scan"]["paths"] == ["infra"]
    for spelling in (["infra/"], ["./infra"], [str(tmp_path / "infra")], ["infra/net", "infra/"]):
        assert reports(*spelling) == named, spelling
    monkeypatch.chdir(tmp_path / "infra")
    inside = reports(".")
    assert json.loads(inside[0])["scan"]["paths"] == ["."]
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert reports(str(tmp_path / "infra")) == inside
    assert reports(str(tmp_path / "infra/main.tf"), str(tmp_path / "infra/net/main.tf")) == \
        reports(str(tmp_path / "infra/net/main.tf"), str(tmp_path / "infra/main.tf"))


DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: frontend\nspec:\n  template:\n    spec:\n"
              "      containers:\n        - name: app\n          image: nginx:1.27\n")


def test_a_relative_scan_path_finds_the_checkout_above_the_working_directory(write, tmp_path, capsys, monkeypatch):
    """Whether the scanned tree lies in a git checkout (its subdirectories with a LICENSE and a .gitignore are then
    the checkout's, not repositories of their own) and whether it is the checkout's top (EXIT-005) does not
    depend on the scanned path being spelled relative to the working directory or absolute."""
    write({".git/HEAD": "ref: refs/heads/main\n", "live/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n',
           **{f"svc/{name}/{file}": text for name in ("a", "b")
              for file, text in (("LICENSE", "MIT\n"), (".gitignore", "*.log\n"), ("web.yaml", DEPLOYMENT))}})

    def findings(*paths: str) -> list[str]:
        run(["scan", *paths, "--only", "WL-021,EXIT-005", "-f", f"json={tmp_path}/r.json"], capsys)
        report = json.loads((tmp_path / "r.json").read_text())
        return sorted(f"{f['policy_id']} {f['kind']} {f['level']} {f['path']}" for f in report["findings"] + report["unresolved"])

    top = findings("live", "svc")
    assert top == findings(str(tmp_path / "live"), str(tmp_path / "svc"))
    assert "EXIT-005 fail warning live/main.tf" in top            # the checkout's top has no exit plan
    monkeypatch.chdir(tmp_path / "svc")
    below = findings(".")
    assert below == findings(str(tmp_path / "svc")) == findings("a", "b")
    assert below == ["WL-021 fail warning a/web.yaml"]   # one checkout: one namespace, one finding
