"""The command line people expect: --version, -q, colour rules, progress, plurals and a verdict, --strict,
SOVSCAN_ARGS, SOURCE_DATE_EPOCH, and the rules of a run stated in every format."""
from __future__ import annotations

import io
import os
import json
import xml.etree.ElementTree as ET

import pytest

from scanner import cli, terminal

US = 'resource "azurerm_resource_group" "rg" {\n  location = "uksouth"\n}\n'


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("SOVSCAN_ARGS", raising=False)


def run(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_review_rule_is_in_the_catalogue_view(capsys):
    code, out, _ = run(capsys, "policies", "show", "REVIEW-001")
    assert code == 0 and out.startswith("REVIEW-001: Rule changes made by this change are reviewed\n")


def test_version_option(capsys):
    assert run(capsys, "--version") == (0, "sovscan 0.1.0\n", "")
    assert run(capsys, "version") == (0, "sovscan 0.1.0\n", "")


def test_text_output_lines(write, capsys):
    write({"main.tf": US})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001")
    assert code == 1
    assert out.splitlines() == [
        "main.tf:2: error RES-001 azurerm_resource_group.rg is located outside the allowed regions: "
        "uksouth (GB, tier adequacy) is outside the allowed tier eu",
        "    fix: Set location to an EU region such as westeurope, northeurope, germanywestcentral or swedencentral.",
        "",
        "sovscan 0.1.0: 1 file, 1 policy, 1 check (0 passed): 1 finding (1 error)",
        "  by family: residency 1",
        "  configuration: none (profile default)",
        "  0 checks unresolved: a value was not known statically (--show-unresolved lists them)",
        "FAILED: 1 finding at or above error (--fail-on error)",
    ]
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001", "--fail-on", "never")
    assert code == 0 and out.splitlines()[-1] == "PASSED: --fail-on never (findings are reported, none fails the run)"


def test_quiet_prints_findings_only(write, capsys):
    write({"main.tf": US, "broken.tf": "resource {\n"})
    code, out, err = run(capsys, "scan", ".", "--only", "RES-001", "-q")
    assert code == 1 and err == ""
    assert out == ("main.tf:2: error RES-001 azurerm_resource_group.rg is located outside the allowed regions: "
                   "uksouth (GB, tier adequacy) is outside the allowed tier eu\n")
    write({"main.tf": US.replace("uksouth", "westeurope")})
    assert run(capsys, "scan", ".", "--only", "RES-001", "-q")[:2] == (0, "")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("environ, colour", [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False),
                                             ({"NO_COLOR": ""}, True)])
def test_colour_only_on_a_terminal_and_never_with_no_color_or_dumb(environ, colour):
    assert terminal.wants_color(FakeTerminal(), environ) is colour
    assert terminal.wants_color(io.StringIO(), {}) is False


def test_wrapping_only_on_a_terminal():
    assert terminal.width(io.StringIO()) == 0
    assert terminal.wrap("a " * 30, 0, 4) == ["a " * 30]
    assert terminal.wrap("word " * 12, 20, 4) == ["word word word word", "    word word word", "    word word word",
                                                  "    word word"]


def test_progress_line_is_drawn_and_cleared_on_a_terminal_only():
    screen = FakeTerminal()
    with terminal.Progress("infra", screen, delay=3600, environ={}) as progress:
        progress.tick(4.2)
    assert screen.getvalue() == "\r\x1b[2Ksovscan: scanning infra… 4 s\r\x1b[2K"
    log = io.StringIO()
    with terminal.Progress("infra", log, delay=0, environ={}) as progress:
        assert progress.enabled is False
    assert log.getvalue() == ""
    assert terminal.Progress("x", FakeTerminal(), environ={"TERM": "dumb"}).enabled is False


def test_no_files_says_so_and_strict_fails(write, capsys):
    write({"README.md": "nothing to scan\n"})
    (code, out, err) = run(capsys, "scan", ".", "--exclude", "README.md")
    assert code == 0 and "sovscan: warning: no files to scan in . (after excludes); nothing was checked" in err
    code, out, _ = run(capsys, "scan", ".", "--exclude", "README.md", "--strict")
    assert code == 1 and out.splitlines()[-1] == "FAILED (--strict): no file was scanned"
    (write({}) / "empty").mkdir()
    code, _, err = run(capsys, "scan", "empty")                       # nothing excluded: no word of excludes
    assert code == 0 and "sovscan: warning: no files to scan in empty; nothing was checked" in err


def test_strict_fails_on_a_file_that_cannot_be_parsed(write, capsys):
    write({"main.tf": US.replace("uksouth", "westeurope"), "broken.tf": "resource {\n"})
    assert run(capsys, "scan", ".", "--only", "RES-001")[0] == 0
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001", "--strict")
    assert code == 1 and out.splitlines()[-1] == "FAILED (--strict): 1 file could not be read or parsed: broken.tf"


def test_strict_fails_on_a_directory_left_out_as_a_tagged_cache(write, capsys, tmp_path):
    write({"main.tf": US.replace("uksouth", "westeurope"), "infra/main.tf": US,
           "infra/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"})
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001", "--cache-dir", str(tmp_path / "c"))
    assert code == 0 and "infra: skipped: a cache directory (it holds a CACHEDIR.TAG)" in out
    code, out, _ = run(capsys, "scan", ".", "--only", "RES-001", "--strict", "--cache-dir", str(tmp_path / "c"))
    assert code == 1 and out.splitlines()[-1] == "FAILED (--strict): 1 directory left out as a tagged cache: infra"


def test_junit_errors_are_what_strict_fails_the_run_on(write, capsys, tmp_path):
    """The JUnit widget agrees with the exit code under --strict too: a module call not evaluated (a note) and a
    directory left out as a tagged cache fail the run, so they are errors there; another tool's cache is not."""
    write({"main.tf": US.replace("uksouth", "westeurope") + 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n',
           "infra/main.tf": US, "infra/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n",
           ".mypy_cache/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"})
    cache = str(tmp_path / "c")

    def errors_and_skips() -> tuple[list[str], list[str]]:
        root = ET.parse("junit.xml").getroot()
        inputs = next(s for s in root.iter("testsuite") if s.get("name") == "sovscan inputs")
        return ([c.get("classname") for c in inputs.iter("testcase") if c.find("error") is not None],
                [c.get("classname") for c in inputs.iter("testcase") if c.find("skipped") is not None])

    code, _, _ = run(capsys, "scan", ".", "--only", "RES-001", "--cache-dir", cache, "-f", "junit=junit.xml")
    assert code == 0 and errors_and_skips() == ([], [".mypy_cache", "infra", "main.tf"])
    code, _, _ = run(capsys, "scan", ".", "--only", "RES-001", "--cache-dir", cache, "-f", "junit=junit.xml", "--strict")
    assert code == 1 and errors_and_skips() == (["infra", "main.tf"], [".mypy_cache"])
    assert ET.parse("junit.xml").getroot().get("errors") == "2"


def test_junit_has_an_error_when_strict_fails_a_run_that_scanned_nothing(write, capsys):
    (write({}) / "empty").mkdir()
    code, _, _ = run(capsys, "scan", "empty", "-f", "junit=junit.xml")
    assert code == 0 and ET.parse("junit.xml").getroot().get("errors") == "0"
    code, _, _ = run(capsys, "scan", "empty", "-f", "junit=junit.xml", "--strict")
    root = ET.parse("junit.xml").getroot()
    assert code == 1 and root.get("errors") == "1"
    assert [c.get("name") for c in root.iter("testcase") if c.find("error") is not None] == ["no file was scanned"]


@pytest.mark.parametrize("version", ["15.0.0", "15.3.0", "14.1.0", "15.1"])
def test_a_gitlab_schema_version_the_report_does_not_satisfy_exits_2(write, capsys, version):
    """15.0.0 was accepted, though its schema lacks scan.primary_identifiers, which the report writes."""
    write({"main.tf": US})
    code, _, err = run(capsys, "scan", ".", "-f", "gitlab-sast=a.json", "--gitlab-schema-version", version)
    assert code == 2 and f"--gitlab-schema-version: {version!r} is not a schema version GitLab validates that the " \
        "report satisfies (15.0.1 to 15.2.x; 15.0.0 lacks scan.primary_identifiers)" in err
    assert not os.path.exists("a.json")
    code, _, _ = run(capsys, "scan", ".", "-f", "gitlab-sast=a.json", "--gitlab-schema-version", "15.2.4")
    assert code == 1 and json.loads(open("a.json", encoding="utf-8").read())["version"] == "15.2.4"


def test_source_date_epoch_fixes_the_gitlab_times(write, capsys, monkeypatch):
    write({"main.tf": US})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    run(capsys, "scan", ".", "-f", "gitlab-sast=a.json")
    run(capsys, "scan", ".", "-f", "gitlab-sast=b.json")
    first, second = (open(name, encoding="utf-8").read() for name in ("a.json", "b.json"))
    assert first == second
    scan = json.loads(first)["scan"]
    assert (scan["start_time"], scan["end_time"]) == ("2026-01-01T00:00:00", "2026-01-01T00:00:00")
    for bad in ("yesterday", "999999999999", "\u00b9\u00b2\u00b3", "-5"):   # words, the year 33658, superscripts
        monkeypatch.setenv("SOURCE_DATE_EPOCH", bad)
        code, _, err = run(capsys, "scan", ".")
        assert code == 2 and "SOURCE_DATE_EPOCH" in err, bad


def test_source_date_epoch_is_the_date_the_run_is_judged_as_of(write, capsys, monkeypatch):
    """A waiver until 2026-06-30 holds on 2026-01-01 and has expired on 2026-12-31, whatever today is."""
    write({"main.tf": '# sovscan:ignore RES-001 reason="pilot" until=2026-06-30\n' + US})
    for epoch, code, date in (("1767225600", 0, "2026-01-01"), ("1798675200", 1, "2026-12-31")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        assert run(capsys, "scan", ".", "--only", "RES-001", "-f", "html=r.html", "-f", "json=r.json")[0] == code
        assert json.load(open("r.json", encoding="utf-8"))["scan"]["date"] == date
        assert date in open("r.html", encoding="utf-8").read()


@pytest.mark.parametrize("args, kept", [
    ("--only residency --exclude 'test/**'", ["main.tf", "my dir/x.tf"]),
    ('--only residency --exclude "test/**" --exclude "my dir/*"', ["main.tf"]),
    ("--only residency", ["main.tf", "my dir/x.tf", "test/a/b.tf"]),
])
def test_sovscan_args_are_split_like_a_shell_without_one(write, capsys, monkeypatch, args, kept):
    write({"main.tf": US, "test/a/b.tf": US, "my dir/x.tf": US})
    monkeypatch.setenv("SOVSCAN_ARGS", args)
    code, out, _ = run(capsys, "scan", ".", "-f", "json")
    assert sorted({f["path"] for f in json.loads(out)["findings"]}) == kept


def test_sovscan_args_with_unbalanced_quotes_exit_2(capsys, monkeypatch):
    monkeypatch.setenv("SOVSCAN_ARGS", "--exclude 'test/**")
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and "SOVSCAN_ARGS: cannot split" in err and "No closing quotation" in err


EVERYTHING_OFF = "enforcement:\n" + "".join(f"  {f}: off\n" for f in ("cmk", "residency", "secrets", "exit", "haven", "workload"))


def test_every_format_states_the_rules_of_the_run(write, capsys):
    until = "2027-01-01"
    write({"main.tf": f'# sovscan:ignore RES-001 reason="approved" until={until}\n' + US,
           ".sovscan.yaml": "enforcement:\n  CMK-001: off\n  exit: audit\n"})
    formats = ["text", "sarif", "json", "gitlab-sast", "codequality", "junit", "markdown", "github"]
    cli.main(["scan", ".", *[a for f in formats for a in ("-f", f"{f}=out.{f}")]])
    read = {f: open(f"out.{f}", encoding="utf-8").read() for f in formats}
    statement = "the configuration switches off 1 of the 83 policies that run by default: CMK-001"
    waived = "1 finding waived (not failing): 1 by inline sovscan:ignore comments, 0 by configuration waivers"
    for name in ("text", "gitlab-sast", "codequality", "junit", "markdown", "github"):
        assert statement in read[name] and waived in read[name], name
    assert json.loads(read["json"])["rules"] == {
        "configuration": ".sovscan.yaml", "profile": "default", "policies_switched_off": ["CMK-001"],
        "policies_in_audit": sorted(p for p in json.loads(read["json"])["rules"]["policies_in_audit"]),
        "excludes": [], "waived": {"inline": 1, "configuration": 0, "baseline": 0}}
    assert len(json.loads(read["json"])["rules"]["policies_in_audit"]) == 10
    sarif = json.loads(read["sarif"])["runs"][0]["properties"]["configuration"]
    assert sarif["policiesSwitchedOff"] == ["CMK-001"] and sarif["waived"]["inline"] == 1
    ET.fromstring(read["junit"])


def test_a_configuration_that_switches_everything_off_says_so(write, capsys):
    write({"main.tf": US, ".sovscan.yaml": EVERYTHING_OFF})
    code, out, _ = run(capsys, "scan", ".")
    assert code == 0 and "0 checks" in out
    assert "the configuration switches off 83 of the 83 policies that run by default: CMK-001, CMK-002" in out


def test_strict_fails_when_a_chart_is_not_rendered(write, monkeypatch, capsys):
    root = write({"chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
                  "chart/values.yaml": "replicas: 2\n",
                  "chart/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n"
                                                 "spec:\n  replicas: {{ .Values.replicas }}\n"})
    monkeypatch.chdir(root)
    assert cli.main(["scan", ".", "--helm-engine", "none", "--only", "secrets"]) == 0
    capsys.readouterr()
    assert cli.main(["scan", ".", "--helm-engine", "none", "--only", "secrets", "--strict"]) == 1
    out = capsys.readouterr().out
    assert "not rendered in full: chart" in out


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_the_command_leaves_without_teardown_but_with_all_its_output_and_its_exit_code(tmp_path, stream):
    """`sovscan` (cli.run) ends with os._exit: what it printed to a pipe, block-buffered, must all arrive."""
    import subprocess
    import sys
    (tmp_path / "main.tf").write_text(US * 1)
    target = "-" if stream == "stdout" else "/dev/stderr"
    command = [sys.executable, "-c", "import sys; from scanner.cli import run; sys.argv[0] = 'sovscan'; run()"]
    done = subprocess.run(command + ["scan", str(tmp_path), "--no-cache", "-f",
                           f"json={target}" if stream == "stderr" else "json"],
                          capture_output=True, text=True, timeout=120)
    printed = json.loads(done.stdout if stream == "stdout" else done.stderr)
    assert done.returncode == 1 == printed["scan"]["exit_code"]
    assert [f["policy_id"] for f in printed["findings"]] == ["RES-001"]
