"""Configuration: found where users put it, one per run, bad input a clear exit 2, waivers that name and expire."""
from __future__ import annotations

import dataclasses
import datetime
import json
import os

import pytest

from scanner import cli, config

US = 'resource "azurerm_resource_group" "rg" {\n  location = "uksouth"\n}\n'
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def run(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("with_git", [True, False])
def test_root_configuration_applies_whatever_path_is_scanned(write, tmp_path, capsys, with_git):
    write({".sovscan.yaml": "residency:\n  tier: adequacy\n", "infra/main.tf": US})
    if with_git:
        (tmp_path / ".git").mkdir()
    verdicts = {target: run(capsys, "scan", target, "--only", "RES-001") for target in (".", "infra", "infra/main.tf")}
    assert {t: v[0] for t, v in verdicts.items()} == {".": 0, "infra": 0, "infra/main.tf": 0}
    assert all("configuration: .sovscan.yaml (profile default)" in v[1] for v in verdicts.values())
    assert run(capsys, "scan", "infra", "--only", "RES-001", "--config", os.devnull)[0] == 1


def test_configuration_is_found_from_a_subdirectory_up_to_the_git_root(write, tmp_path, capsys, monkeypatch):
    write({".sovscan.yaml": "residency:\n  tier: adequacy\n", "infra/main.tf": US})
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "infra")
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert code == 0 and "configuration: ../.sovscan.yaml" in out


def test_two_configurations_in_one_run_exit_2(write, capsys):
    write({".sovscan.yaml": "", "infra/.sovscan.yaml": "environment: nonprod\n", "infra/main.tf": US, "k8s/a.yaml": ""})
    code, _, err = run(capsys, "scan", "infra", "k8s")
    assert code == 2 and "two configurations in one run" in err
    assert "infra uses infra/.sovscan.yaml" in err and "k8s uses .sovscan.yaml" in err


@pytest.mark.parametrize("setting, key", [
    ("var_files: ['../..']", "var_files[0]"),
    ("var_files: ['/etc/passwd']", "var_files[0]"),
    ("policies: ['../outside']", "policies[0]"),
    ("profile: ../outside/profile.yaml", "profile"),
    ("profile: /etc/passwd", "profile"),
    ("exit: {plan: ../outside/profile.yaml}", "exit.plan"),
])
def test_a_repository_configuration_never_names_a_path_outside_it(write, tmp_path, capsys, setting, key):
    root = tmp_path / "repo"
    write({"repo/.sovscan.yaml": setting + "\n", "repo/main.tf": US, "outside/profile.yaml": "environment: prod\n",
           "outside/x/X-001.yaml": "id: X-001\n"})
    (root / ".git").mkdir()
    os.chdir(root)
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and f".sovscan.yaml: {key}:" in err
    assert "outside the repository" in err or "absolute path" in err


def test_symlinks_out_of_the_repository_are_refused(write, tmp_path, capsys):
    write({"repo/main.tf": US, "repo/vars/ok.tfvars": "", "outside/token.tfvars": 'region = "x"\n',
           "outside/sovscan.yaml": "environment: prod\n"})
    root = tmp_path / "repo"
    (root / ".git").mkdir()
    os.symlink(tmp_path / "outside" / "token.tfvars", root / "vars" / "token.tfvars")
    os.chdir(root)
    (root / ".sovscan.yaml").write_text("var_files: [vars/token.tfvars]\n")
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and "var_files[0]: 'vars/token.tfvars' points outside the repository" in err
    (root / ".sovscan.yaml").unlink()
    os.symlink(tmp_path / "outside" / "sovscan.yaml", root / ".sovscan.yaml")
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and "is a symbolic link to a file outside the repository" in err


def test_caller_paths_stay_allowed(write, tmp_path, capsys):
    """A var file on the command line, and a configuration outside the repository (the target branch's), may
    name any path: they are the caller's, not the pull request's."""
    write({"repo/main.tf": 'variable "where" {}\n' + US.replace('"uksouth"', "var.where"),
           "elsewhere/prod.tfvars": 'where = "westeurope"\n',
           "elsewhere/base.yaml": f"var_files: [{tmp_path / 'elsewhere' / 'prod.tfvars'}]\n"})
    (tmp_path / "repo" / ".git").mkdir()
    os.chdir(tmp_path / "repo")
    assert run(capsys, "scan", ".", "--only", "RES-001", "--var-file", str(tmp_path / "elsewhere" / "prod.tfvars"))[0] == 0
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001", "--config", str(tmp_path / "elsewhere" / "base.yaml"))
    assert code == 0 and "1 check (1 passed)" in out


def test_an_unreadable_file_is_never_quoted(write, capsys):
    """A file that is not a configuration (here /etc/passwd-like text) gives an error with at most a short,
    masked excerpt."""
    write({"main.tf": US, "passwd.yaml": "root:x:0:0:root:/root:/bin/bash secret-looking-content\n"})
    code, _, err = run(capsys, "scan", ".", "--config", "passwd.yaml")
    assert code == 2 and "passwd.yaml: (top level): expected a mapping, got 'root****'" in err
    assert "x:0:0" not in err and "bash" not in err


@pytest.mark.parametrize("content, message", [
    ("waivers:\n  - {rule: RES-001, resource: a.b, reason: r, expires: 2027-13-45}\n",
     "waivers[0].expires: '2027-13-45' is not a valid date; use YYYY-MM-DD"),
    ("exit:\n  last_test: 2026-02-30\n", "exit.last_test: '2026-02-30' is not a valid date; use YYYY-MM-DD"),
    ("enforcement:\n  residency: {mode: audit, deny_from: 2027-02-30}\n",
     "enforcement.residency: deny_from: '2027-02-30' is not a valid date; use YYYY-MM-DD"),
    ("enforcement:\n  RES-013: never\n", "enforcement.RES-013: 'never' is not allowed; use one of: off, audit, deny"),
    # the mapping form names what inside it is wrong, not that a mapping is not allowed
    ("enforcement:\n  exit: {mode: never}\n", "enforcement.exit: mode: 'never' is not allowed; use one of: off, audit"),
    ("enforcement:\n  exit: {mode: audit, deny_from: 20270101}\n", "enforcement.exit: deny_from: expected a string"),
    ("enforcement:\n  RES-001: off\n  NOPE-999: off\n",            # a mistyped id would change nothing silently
     "enforcement.NOPE-999: 'NOPE-999' is neither a family, an opt-in group nor a policy id"),
    ("enforcement:\n  res-001: audit\n", "enforcement.res-001: 'res-001' is neither a family"),
    ("environment: staging\n", "environment: 'staging' is not allowed; use one of: prod, nonprod"),
    ("a: &x [*x]\n", "configuration refers to itself (a self-referencing YAML alias)"),
    ("a: " + "[" * 100 + "]" * 100 + "\n", "configuration is nested deeper than 32 levels"),
    ("waivers:\n  - {rule: '*', resource: a.b, reason: r}\n", "waivers[0].rule: '*' is not a policy id"),
    ("waivers:\n  - {rule: RES-001, resource: '*', reason: r}\n", "waivers[0].resource: '*' does not name a resource"),
    ("waivers:\n  - {rule: RES-001, resource: 'aws_s3_bucket.*', reason: r}\n",
     "waivers[0].resource: 'aws_s3_bucket.*' does not name a resource"),
    ("profile: mars\n", "profile: unknown profile 'mars'; built-in profiles: default, hardened, municipal-azure, nds-sovereign"),
    ("exit: !!timestamp soon\n", "configuration holds a value YAML cannot read (a date that does not exist, a number"),
    ("max_waiver_days: !!int 0x" + "f" * 5000 + "\n", "configuration holds a number of more than 64 bits"),
    ("max_waiver_days: " + "9" * 5000 + "\n", "configuration holds a value YAML cannot read"),
    ("exit:\n  max_age_months: 0\n", "exit.max_age_months: 0 is out of range; allowed: 1 or more"),
    ("policies: [no-such-dir]\n", "policies[0]: no-such-dir: does not exist"),
    ("policies: [main.tf]\n", "policies[0]: main.tf: is not a directory"),
    ("var_files: [prod.tfvars]\n", "var_files[0]: prod.tfvars: does not exist"),
    ("var_files: [.]\n", "var_files[0]: .: is not a file"),
    ("exit:\n  plan: docs/exit-plan.md\n", "exit.plan: docs/exit-plan.md: does not exist"),
    ("exit:\n  plan: .\n", "exit.plan: .: is not a file"),     # a directory is no plan: EXIT-005 passed it
])
def test_bad_configuration_exits_2_naming_file_key_and_valid_form(write, capsys, content, message):
    write({"main.tf": US, ".sovscan.yaml": content})
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and f".sovscan.yaml: {message}" in err, err


def test_an_exit_plan_that_exists_or_is_a_url_is_accepted(write, capsys):
    """exit.plan names the plan: a file in the repository that is there, or a URL sovscan does not fetch."""
    config = "exit:\n  plan: PLAN\n  last_test: 2026-10-01\n"
    write({"main.tf": 'provider "azurerm" {\n  features {}\n}\n', "docs/exit-plan.md": "# exit\n",
           ".sovscan.yaml": config.replace("PLAN", "docs/exit-plan.md")})
    assert run(capsys, "scan", ".", "--only", "EXIT-005")[0] == 0
    write({".sovscan.yaml": config.replace("PLAN", "https://wiki.example.eu/exit")})
    assert run(capsys, "scan", ".", "--only", "EXIT-005")[0] == 0


def test_non_utf8_configuration_and_policy_name_the_byte_offset(write, capsys):
    write({"main.tf": US, ".sovscan.yaml": b"environment: prod\n# caf\xe9\n"})
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and ".sovscan.yaml: configuration is not UTF-8: byte 0xe9 at byte offset 23" in err
    write({".sovscan.yaml": "", "mine/custom/ORG-001.yaml": b"id: ORG-001\ntitle: \xff\n"})
    code, _, err = run(capsys, "scan", ".", "--policies", "mine")
    assert code == 2 and "ORG-001.yaml: policy file is not UTF-8: byte 0xff at byte offset 19" in err


@pytest.mark.parametrize("content, message", [
    ("since: 2024-02-30\n", "policy file holds a value YAML cannot read (a date that does not exist"),
    ("n: !!float nope\n", "policy file holds a value YAML cannot read"),
    ("n: !!int 0x" + "f" * 5000 + "\n", "policy file holds a number of more than 64 bits"),
    ("a: &x [*x]\n", "policy file refers to itself (a self-referencing YAML alias)"),
])
def test_a_policy_file_yaml_cannot_hold_exits_2_naming_it(write, capsys, content, message):
    write({"main.tf": US, "mine/custom/ORG-001.yaml": "id: ORG-001\ntitle: t\n" + content})
    code, _, err = run(capsys, "scan", ".", "--policies", "mine")
    assert code == 2 and f"ORG-001.yaml: {message}" in err, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
def test_a_fifo_is_never_opened_as_a_scanned_file_var_file_or_configuration(write, capsys):
    """Opening a FIFO blocks until a writer comes; a checkout or a hostile configuration can hold one."""
    write({"main.tf": US})
    os.mkfifo("pipe.tf")
    os.mkfifo("pipe.tfvars")
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert code == 1 and "pipe.tf: skipped: not a regular file (a FIFO, device or socket is never read)" in out
    code, _, err = run(capsys, "scan", ".", "--var-file", "pipe.tfvars")
    assert code == 2 and "--var-file pipe.tfvars: cannot read: not a regular file (a FIFO)" in err
    os.mkfifo("fifo.yaml")
    code, _, err = run(capsys, "scan", "main.tf", "--config", "fifo.yaml")
    assert code == 2 and "fifo.yaml: cannot read configuration: not a regular file (a FIFO)" in err
    # the repository's own configuration file as a FIFO or a directory: refused, never passed over
    os.mkfifo(".sovscan.yaml")
    code, _, err = run(capsys, "scan", "main.tf")
    assert code == 2 and ".sovscan.yaml: cannot read configuration: not a regular file (a FIFO)" in err
    os.remove(".sovscan.yaml")
    os.mkdir(".sovscan.yaml")
    code, _, err = run(capsys, "scan", "main.tf")
    assert code == 2 and ".sovscan.yaml: cannot read configuration:" in err and "directory" in err


def test_documented_off_form_and_starter_file_are_accepted(write, capsys):
    write({"main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "marsnorth"\n}\n'})
    assert run(capsys, "scan", ".", "--only", "RES-013", "--fail-on", "note")[0] == 1
    write({".sovscan.yaml": "enforcement:\n  RES-013: off\n"})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-013", "--fail-on", "note")
    assert code == 0 and "the configuration switches off 1 of the 1 policy that runs by default: RES-013" in out
    assert run(capsys, "init", "--force")[0] == 0
    starter = open(".sovscan.yaml", encoding="utf-8").read().replace("# enforcement:", "enforcement:") \
        .replace("#   RES-013: off", "  RES-013: off")
    open(".sovscan.yaml", "w", encoding="utf-8").write(starter)
    assert run(capsys, "scan", ".", "--only", "RES-013", "--fail-on", "note")[0] == 0


def test_profile_from_a_file_in_the_repository(write, capsys):
    write({"main.tf": US, "team/profile.yaml": "residency:\n  tier: adequacy\n", ".sovscan.yaml": "profile: team/profile.yaml\n"})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert code == 0 and "configuration: .sovscan.yaml (profile team/profile.yaml)" in out


def test_a_profile_file_builds_on_the_profile_it_names(write):
    write({"main.tf": US, ".sovscan.yaml": "profile: team/profile.yaml\nenvironment: nonprod\n",
           "team/profile.yaml": "profile: team/base.yaml\nresidency:\n  tier: adequacy\n",
           "team/base.yaml": "profile: municipal-azure\nenforcement:\n  haven: deny\n"})
    loaded = config.load(None, ".")
    assert loaded.profile == "team/profile.yaml" and loaded.environment == "nonprod"
    assert loaded.residency_tier == "adequacy" and loaded.classification == "bbn2"   # municipal-azure's
    assert loaded.mode("EXIT-003", "exit", TODAY) == "audit"      # municipal-azure's
    assert loaded.mode("HAVEN-001", "haven", TODAY) == "deny"     # team/base.yaml overrides it


@pytest.mark.parametrize("files, message", [
    ({"team/profile.yaml": "profile: mars\n"},
     "team/profile.yaml: profile: unknown profile 'mars'; built-in profiles:"),
    ({"team/profile.yaml": "profile: team/other.yaml\n", "team/other.yaml": "profile: team/profile.yaml\n"},
     "team/other.yaml: profile: 'team/profile.yaml' builds on this profile again"),
    ({"team/profile.yaml": "profile: team/profile.yaml\n"},
     "team/profile.yaml: profile: 'team/profile.yaml' builds on this profile again"),
    ({"team/profile.yaml": "profile: ../../etc/profile.yaml\n"}, "team/profile.yaml: profile: '../../etc/profile.yaml' points outside"),
    ({"team/profile.yaml": "profile: 3\n"}, "team/profile.yaml"),
])
def test_a_profile_file_naming_a_bad_profile_is_a_configuration_error(write, capsys, files, message):
    write({"main.tf": US, ".sovscan.yaml": "profile: team/profile.yaml\n", **files})
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and message in err, err


def test_profiles_that_build_on_one_another_too_deep_are_refused(write, capsys):
    chain = {f"p/{i}.yaml": f"profile: p/{i + 1}.yaml\n" for i in range(12)}
    write({"main.tf": US, ".sovscan.yaml": "profile: p/0.yaml\n", **chain, "p/12.yaml": "environment: prod\n"})
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and "p/7.yaml: profile: profiles build on one another more than 8 deep" in err, err


def _waiver(expires: datetime.date | None, rule: str = "RES-001", resource: str = "azurerm_resource_group.rg") -> str:
    expiry = f", expires: {expires}" if expires else ""
    return f"waivers:\n  - {{rule: {rule}, resource: '{resource}', reason: approved{expiry}}}\n"


@pytest.mark.parametrize("expires, honoured, problem", [
    (TODAY + datetime.timedelta(days=30), True, ""),
    (TODAY + datetime.timedelta(days=365), True, ""),
    (TODAY + datetime.timedelta(days=366), False, "more than 365 days ahead (max_waiver_days): it suppresses nothing"),
    (datetime.date(9999, 12, 31), False, "expires on 9999-12-31, more than 365 days ahead"),
    (None, False, "has no expiry (expires: YYYY-MM-DD, at most 365 days ahead): it suppresses nothing"),
])
def test_configuration_waiver_expires_within_the_maximum(write, capsys, expires, honoured, problem):
    write({"main.tf": US, ".sovscan.yaml": _waiver(expires)})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert code == (0 if honoured else 1)
    assert problem in out
    if honoured:
        assert "1 finding waived (not failing): 0 by inline sovscan:ignore comments, 1 by configuration waivers" in out


def test_maximum_expiry_is_configurable_and_module_globs_name_a_resource(write, capsys):
    far = TODAY + datetime.timedelta(days=600)
    write({"main.tf": 'module "legacy" {\n  source = "./m"\n}\n', "m/main.tf": US,
           ".sovscan.yaml": _waiver(far, resource="module.legacy.*") + "max_waiver_days: 730\n"})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert code == 0 and "1 finding waived" in out


@pytest.mark.parametrize("rules", ["*", "all", "RES-001,*"])
def test_inline_waiver_for_every_rule_is_not_honoured(write, capsys, rules):
    until = TODAY + datetime.timedelta(days=30)
    write({"main.tf": f'# sovscan:ignore {rules} reason="everything" until={until}\n' + US})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert code == 1   # a waiver that also names every rule is refused whole
    assert f"waiver: main.tf:1: waiver for {rules} names every rule: name the rule it waives" in out


def test_inline_waiver_expiry_is_checked_too(write, capsys):
    write({"main.tf": '# sovscan:ignore RES-001 reason="forever" until=9999-12-31\n' + US})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert code == 1 and "expires on 9999-12-31, more than 365 days ahead" in out
    write({"main.tf": '# sovscan:ignore RES-001 reason="no date"\n' + US})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert code == 1 and "has no expiry (until=YYYY-MM-DD, at most 365 days ahead)" in out


def test_exclude_matches_paths_as_reports_print_them(write, tmp_path, capsys):
    write({"examples/k8s-app/main.tf": US, "examples/other/main.tf": US})
    code, out, _ = run(capsys, "scan", "examples", "--only", "RES-001", "--exclude", "examples/k8s-app/*", "-f", "json")
    data = json.loads(out)
    assert [f["path"] for f in data["findings"]] == ["examples/other/main.tf"] and data["notices"] == []
    code, out, _ = run(capsys, "scan", "examples", "--only", "RES-001", "--exclude", "k8s-app/*", "-f", "json")
    notices = json.loads(out)["notices"]
    assert [(n["path"], n["message"]) for n in notices] == [
        ("", "--exclude 'k8s-app/*' matches no path (patterns match paths as reports show them)")]
    write({".sovscan.yaml": "exclude: ['nothing/**']\n"})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert "notice: .sovscan.yaml: exclude 'nothing/**' matches no path" in out


@pytest.mark.parametrize("fmt, shown", [
    ("text", "notice: --exclude 'nomatch/*' matches no path (patterns match paths as reports show them)\n"),
    ("github", "::warning title=sovscan::--exclude 'nomatch/*' matches no path (patterns match paths as reports show them)\n"),
    ("gitlab-sast", '"value": "--exclude \'nomatch/*\' matches no path (patterns match paths as reports show them)"'),
    ("junit", 'skipped message="--exclude \'nomatch/*\' matches no path (patterns match paths as reports show them)"'),
])
def test_an_exclude_option_that_matches_nothing_is_a_notice_on_no_file(write, capsys, fmt, shown):
    """It is about the run, so it names the option in its message and no file ("./--exclude" is none),
    and --strict does not count it as a file that could not be read."""
    write({"main.tf": US.replace("uksouth", "westeurope")})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001", "--exclude", "nomatch/*", "--strict", "-f", fmt)
    assert code == 0 and shown in out and "./--exclude" not in out


@pytest.mark.parametrize("profile", config.profile_names())
def test_the_starter_file_changes_nothing_its_profile_sets(write, capsys, profile):
    write({"main.tf": US})
    without_a_file = config.load(None, ".", profile=profile)
    assert run(capsys, "init", "--profile", profile)[0] == 0
    assert dataclasses.replace(config.load(None, "."), source="") == without_a_file


def test_init_into_a_directory_writes_the_file_there(write, capsys, tmp_path):
    write({"infra/main.tf": US})
    code, _, err = run(capsys, "init", "--profile", "municipal-azure", "infra")
    assert code == 0 and "wrote infra/.sovscan.yaml (profile municipal-azure)" in err
    assert "profile: municipal-azure" in (tmp_path / "infra" / ".sovscan.yaml").read_text(encoding="utf-8")
    code, _, err = run(capsys, "init", "infra")
    assert code == 2 and "infra/.sovscan.yaml exists; use --force to overwrite it" in err


def test_every_format_states_the_policies_the_configuration_puts_in_audit_mode(write, capsys, tmp_path):
    write({"main.tf": US, ".sovscan.yaml": "enforcement:\n  RES-001: audit\n"})
    code, _, _ = run(capsys, "scan", ".", "--only", "RES-001", "-f", "gitlab-sast=sast.json",
                     "-f", "codequality=cq.json", "-f", "junit=junit.xml", "-f", "github=github.txt")
    assert code == 0                        # in audit mode: reported, not failing
    statement = "the configuration puts 1 policy in audit mode (reported, not failing)"
    sast = json.loads((tmp_path / "sast.json").read_text(encoding="utf-8"))
    assert [m["level"] for m in sast["scan"]["messages"] if statement in m["value"]] == ["warn"]
    quality = json.loads((tmp_path / "cq.json").read_text(encoding="utf-8"))
    assert [i["severity"] for i in quality if statement in i["description"]] == ["info"]
    assert statement in (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert statement in (tmp_path / "github.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", ["1", "true", "null"])
def test_a_key_yaml_reads_as_no_string_exits_2_naming_where(tmp_path, key):
    """`kubernetes: {helm: {values: {1: [a]}}}` ended the run with exit 3; a JSON schema sees only string keys."""
    path = tmp_path / ".sovscan.yaml"
    path.write_text(f"kubernetes:\n  helm:\n    values:\n      {key}: [a.yaml]\n", encoding="utf-8")
    with pytest.raises(config.ConfigError) as raised:
        config.load(str(path), str(tmp_path))
    assert "kubernetes.helm.values: the key" in str(raised.value) and "is not a string" in str(raised.value)


def test_residency_lists_are_read_as_code_is_and_an_unknown_region_is_a_notice(write, capsys):
    """`deny: ["France South"]` denies francesouth as the code writes it either way; a mistyped id that no region
    table knows would change nothing while the file says it does: a notice names it."""
    write({".sovscan.yaml": 'residency:\n  deny: ["France South", frnacesouth]\n',
           "main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "francesouth"\n}\n'})
    code = cli.main(["scan", ".", "--only", "RES-001", "-f", "json=r.json"])
    data = json.loads(open("r.json", encoding="utf-8").read())
    assert code == 1 and [f["message"] for f in data["findings"]] == [
        "azurerm_resource_group.rg is located outside the allowed regions: francesouth is on the configured deny list"]
    assert [n["message"] for n in data["notices"]] == [
        "residency.deny: 'frnacesouth' is a region no provider's region table knows (as of "
        f"{data['residency']['registry_as_of']})"]


def test_a_key_given_twice_exits_2_naming_both_lines(tmp_path):
    """PyYAML keeps the last of two equal keys: `profile: default` then `profile: hardened` ran hardened without
    a word. A YAML merge (`<<: *base`) with a key of its own is not a duplicate."""
    path = tmp_path / ".sovscan.yaml"
    path.write_text("profile: default\nexclude: []\nprofile: hardened\n", encoding="utf-8")
    with pytest.raises(config.ConfigError) as raised:
        config.load(str(path), str(tmp_path))
    assert str(raised.value) == (f"{path}:3: configuration is not valid YAML (the key 'profile' is given twice "
                                 "(also on line 1))")
    merged = tmp_path / "merged.yaml"
    merged.write_text("base: &b {a: 1}\nuse: {<<: *b, a: 2}\n", encoding="utf-8")
    from scanner import yamlfile
    assert yamlfile.read(merged) == {"base": {"a": 1}, "use": {"a": 2}}
