"""A pull request that changes the rules is reported in that pull request (REVIEW-001), next to what it excuses."""
from __future__ import annotations

import datetime
import json

from scanner import cli
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
