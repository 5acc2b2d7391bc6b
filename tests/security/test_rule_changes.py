"""A pull request that changes the rules is reported in that pull request (REVIEW-001), next to what it excuses."""
from __future__ import annotations

import datetime
import json

import pytest

from scanner import cli
from scanner.review import _in_scope
from tests.security.conftest import git

US = 'resource "azurerm_resource_group" "{name}" {{\n  location = "uksouth"\n}}\n'
UNTIL = datetime.date.today() + datetime.timedelta(days=60)


def _findings(repo):
    data = json.loads((repo / "out.json").read_text())
    return [(f["policy_id"], f["path"], f["line"], f["message"]) for f in data["findings"]]


def test_waivers_and_settings_added_by_the_change_are_findings(repo, capsys):
    (repo / ".sovscan.yaml").write_text("environment: prod\n", encoding="utf-8")
    (repo / "infra" / "old.tf").write_text(
        f'# sovscan:ignore RES-001 reason="old, reviewed" until={UNTIL}\n' + US.format(name="old"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "reviewed rules")
    (repo / ".sovscan.yaml").write_text(
        "environment: prod\nenforcement:\n  RES-013: off\nwaivers:\n"
        f"  - rule: RES-001\n    resource: azurerm_resource_group.new\n    reason: pr\n    expires: {UNTIL}\n",
        encoding="utf-8")
    with open(repo / "infra" / "old.tf", "a", encoding="utf-8") as handle:
        handle.write(f'# sovscan:ignore RES-001 reason="sneaky" until={UNTIL}\n' + US.format(name="sneaky"))
    (repo / "infra" / "new.tf").write_text(US.format(name="new"), encoding="utf-8")
    code = cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"])
    assert code == 0   # everything the change adds is waived; the waivers are warnings for the reviewer
    assert _findings(repo) == [
        ("REVIEW-001", ".sovscan.yaml", 3, "configuration changed in this change: enforcement.RES-013 = 'off' "
                                           "(was not set) in .sovscan.yaml"),
        ("REVIEW-001", ".sovscan.yaml", 5, f"waiver added in this change for RES-001 on azurerm_resource_group.new "
                                           f"(expires {UNTIL}): .sovscan.yaml"),
        ("REVIEW-001", "infra/old.tf", 5, f"waiver added in this change for RES-001 on azurerm_resource_group.sneaky "
                                          f"until {UNTIL}"),
    ]


def test_a_waiver_added_above_an_unchanged_resource_names_the_resource(repo, capsys):
    (repo / "infra" / "old.tf").write_text(US.format(name="old"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a resource")
    (repo / "infra" / "old.tf").write_text(f'# sovscan:ignore RES-001 reason="later" until={UNTIL}\n'
                                           + US.format(name="old"), encoding="utf-8")
    assert cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"]) == 0
    assert _findings(repo) == [("REVIEW-001", "infra/old.tf", 1, f"waiver added in this change for RES-001 on "
                                                                 f"azurerm_resource_group.old until {UNTIL}")]


def test_an_edit_above_a_waived_resource_that_is_no_waiver_leaves_it_out_of_the_change(repo, capsys):
    waived = (f'resource "azurerm_resource_group" "old" {{ # sovscan:ignore RES-001 reason="reviewed" until={UNTIL}\n'
              '  location = "uksouth"\n}\n')
    (repo / "infra" / "old.tf").write_text("# network\n" + waived, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a waived resource")
    (repo / "infra" / "old.tf").write_text("# networks\n" + waived, encoding="utf-8")
    assert cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"]) == 0
    data = json.loads((repo / "out.json").read_text())
    assert data["findings"] == [] and data["summary"]["suppressed"] == 0   # not a waived finding of this change


def test_review_cannot_be_switched_off_by_the_change(repo, capsys):
    (repo / ".sovscan.yaml").write_text("enforcement:\n  REVIEW-001: off\n  residency: off\n", encoding="utf-8")
    cli.main(["scan", ".", "--changed-since", "HEAD", "--skip", "residency", "-f", "json=out.json", "-f", "text"])
    out = capsys.readouterr().out
    messages = [m for rule, _, _, m in _findings(repo) if rule == "REVIEW-001"]
    assert len(messages) == 2 and "enforcement.REVIEW-001 = 'off'" in messages[0]
    assert ".sovscan.yaml:3: warning REVIEW-001 configuration changed in this change: enforcement.residency" in out


def test_a_configuration_outside_the_repository_is_not_part_of_the_change(repo, tmp_path, capsys):
    base = tmp_path / "base.yaml"
    base.write_text("enforcement:\n  RES-013: off\n", encoding="utf-8")
    (repo / "infra" / "main.tf").write_text(US.format(name="rg"), encoding="utf-8")
    code = cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "--config", str(base),
                     "-f", "json=out.json"])
    assert code == 1 and [f[0] for f in _findings(repo)] == ["RES-001"]


def _policy(rule: str, tag: str) -> str:
    return (f"id: {rule}\ntitle: Resource groups carry a {tag} tag\nfamily: custom\nseverity: medium\n"
            f"rationale: Every resource group needs a {tag}.\nremediation: Add the {tag} tag.\nreferences: {{}}\n"
            f"input: terraform\nchecks:\n  - match: {{terraform: [azurerm_resource_group]}}\n"
            f"    assert: {{path: tags.{tag}, op: exists}}\n")


def test_removing_the_configuration_is_a_finding_naming_what_it_set(repo, capsys):
    (repo / ".sovscan.yaml").write_text(
        "profile: hardened\nenvironment: prod\nenforcement:\n  RES-013: off\n  WL-001: audit\nwaivers:\n"
        f"  - rule: RES-001\n    resource: azurerm_resource_group.old\n    reason: reviewed\n    expires: {UNTIL}\n",
        encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "reviewed rules")
    (repo / ".sovscan.yaml").unlink()
    code = cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"])
    assert code == 0
    assert _findings(repo) == [
        ("REVIEW-001", ".sovscan.yaml", 1, "configuration file removed in this change: .sovscan.yaml; it set "
                                           "profile 'hardened'; enforcement RES-013='off', WL-001='audit'; "
                                           "1 waiver; environment"),
    ]


def test_a_nested_configuration_removed_is_reported_next_to_the_one_still_in_use(repo, capsys):
    (repo / ".sovscan.yaml").write_text("environment: prod\n", encoding="utf-8")
    (repo / "infra" / ".sovscan.yaml").write_text("enforcement:\n  residency: off\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two configurations")
    (repo / "infra" / ".sovscan.yaml").unlink()
    cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"])
    assert _findings(repo) == [
        ("REVIEW-001", "infra/.sovscan.yaml", 1, "configuration file removed in this change: infra/.sovscan.yaml; "
                                                 "it set enforcement residency='off'"),
    ]


def test_policy_files_of_the_repositorys_own_pack_added_removed_or_changed_are_findings(repo, capsys):
    (repo / ".sovscan.yaml").write_text("policies: [org]\n", encoding="utf-8")
    (repo / "org" / "custom").mkdir(parents=True)
    (repo / "org" / "custom" / "ORG-001.yaml").write_text(_policy("ORG-001", "owner"), encoding="utf-8")
    (repo / "org" / "custom" / "ORG-002.yaml").write_text(_policy("ORG-002", "cost_centre"), encoding="utf-8")
    (repo / "org" / "custom" / "ORG-003.yaml").write_text(_policy("ORG-003", "team"), encoding="utf-8")
    (repo / "org" / "README.md").write_text("our policies\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "org pack")
    (repo / "org" / "custom" / "ORG-001.yaml").write_text(
        _policy("ORG-001", "owner").replace("severity: medium", "severity: low"), encoding="utf-8")
    (repo / "org" / "custom" / "ORG-002.yaml").unlink()
    (repo / "org" / "custom" / "ORG-004.yaml").write_text(_policy("ORG-004", "purpose"), encoding="utf-8")
    (repo / "org" / "README.md").write_text("our policies, edited\n", encoding="utf-8")
    cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"])
    assert _findings(repo) == [
        ("REVIEW-001", "org/custom/ORG-001.yaml", 4, "policy file changed in this change: org/custom/ORG-001.yaml "
                                                     "(ORG-001)"),
        ("REVIEW-001", "org/custom/ORG-002.yaml", 1, "policy file removed in this change: org/custom/ORG-002.yaml "
                                                     "(ORG-002)"),
        ("REVIEW-001", "org/custom/ORG-004.yaml", 1, "policy file added in this change: org/custom/ORG-004.yaml "
                                                     "(ORG-004)"),
    ]


def test_a_policy_directory_given_with_policies_is_reviewed_too(repo, capsys):
    (repo / "org" / "custom").mkdir(parents=True)
    (repo / "org" / "custom" / "ORG-001.yaml").write_text(_policy("ORG-001", "owner"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "org pack")
    (repo / "org" / "custom" / "ORG-001.yaml").write_text(_policy("ORG-001", "team"), encoding="utf-8")
    cli.main(["scan", ".", "--changed-since", "HEAD", "--policies", "org", "--only", "RES-001",
              "-f", "json=out.json"])
    assert _findings(repo) == [
        ("REVIEW-001", "org/custom/ORG-001.yaml", 2, "policy file changed in this change: org/custom/ORG-001.yaml "
                                                     "(ORG-001)"),
    ]


def test_a_removed_configuration_is_not_compared_when_the_run_reads_one_from_outside(repo, tmp_path, capsys):
    (repo / ".sovscan.yaml").write_text("enforcement:\n  RES-013: off\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "configuration")
    (repo / ".sovscan.yaml").unlink()
    base = tmp_path / "base.yaml"
    base.write_text("environment: prod\n", encoding="utf-8")
    cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "--config", str(base),
              "-f", "json=out.json"])
    assert _findings(repo) == []


@pytest.mark.parametrize("configuration, working_directory, in_scope", [
    (".sovscan.yaml", "", True),
    ("infra/.sovscan.yaml", "", True),              # below the working directory
    (".sovscan.yaml", "infra", True),               # above it: found from a scanned path up to the root
    ("infra/.sovscan.yaml", "infra", True),
    ("infra/prod/.sovscan.yaml", "infra", True),
    ("other/.sovscan.yaml", "infra", False),        # beside it: no scan of the working directory reads it
    ("infrastructure/.sovscan.yaml", "infra", False),
])
def test_which_removed_configurations_a_scan_of_the_working_directory_could_have_read(
        configuration, working_directory, in_scope):
    assert _in_scope(configuration, working_directory) is in_scope


def test_a_directory_the_change_tags_as_a_cache_is_a_finding(repo, capsys):
    """Tagging infra/ as a cache leaves its code out of the scan: the change says so where it does it."""
    (repo / "infra" / "main.tf").write_text(US.format(name="rg"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "infra")
    (repo / "infra" / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n", encoding="utf-8")
    code = cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"])
    assert code == 0 and _findings(repo) == [
        ("REVIEW-001", "infra/CACHEDIR.TAG", 1, "cache directory tag added in this change: none of the files in infra "
                                                "is scanned any more (infra/CACHEDIR.TAG)")]
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tagged")
    cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"])
    assert _findings(repo) == []    # a tag the change did not add is the notice alone


def test_a_tag_the_change_makes_valid_is_a_finding_and_one_outside_the_working_directory_is_placed(repo, monkeypatch):
    (repo / "infra" / "mod").mkdir()
    (repo / "infra" / "mod" / "main.tf").write_text(US.format(name="rg"), encoding="utf-8")
    (repo / "infra" / "mod" / "CACHEDIR.TAG").write_text("Signature: not yet\n", encoding="utf-8")
    (repo / "docs").mkdir()
    (repo / "docs" / "README.md").write_text("docs\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a tag that is not one")
    (repo / "infra" / "mod" / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n",
                                                          encoding="utf-8")
    cli.main(["scan", ".", "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"])
    assert [f[:3] for f in _findings(repo)] == [("REVIEW-001", "infra/mod/CACHEDIR.TAG", 1)]
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tagged")
    monkeypatch.chdir(repo / "docs")          # the scanned directory lies outside the working directory
    for spellings in ([str(repo / "infra")], [str(repo / "infra"), str(repo / "infra") + "/"]):
        cli.main(["scan", *spellings, "--changed-since", "HEAD", "--only", "RES-001", "-f", "json=out.json"])
        assert _findings(repo / "docs") == []   # the tag is in HEAD: the notice alone, no finding on a wrong path
