"""Hostile names, values and report targets: nothing printed can act on the terminal or the CI runner, nothing
is written outside what was asked, and no report is ever half written or left stale."""
from __future__ import annotations

import json
import os
import random
import string

import pytest

from scanner import cli, output
from scanner.errors import SovscanError

US = 'resource "azurerm_resource_group" "rg" {\n  location = "uksouth"\n}\n'
HOSTILE_NAMES = ["evil\n::error::forged.tf", "::add-mask::x.tf", "\x1b]8;;https://evil\x07link\x1b[2J.tf",
                 "##[error]old.tf", "::stop-commands::token.tf", "bidi\u202eft.tf"]
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"web\\n::error file=x::forged\\u001b[31m\"\n  namespace: default\n"
       "spec:\n  containers:\n  - name: c\n    image: nginx:latest\n    securityContext: {privileged: true}\n")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _commands(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.lstrip().startswith(("::", "##["))]


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_hostile_names_are_inert_in_the_log(write, tmp_path, capsys, fmt):
    write({name: US for name in HOSTILE_NAMES} | {"pod.yaml": POD})
    code = cli.main(["scan", ".", "--only", "RES-001", "--only", "WL-001", "-f", fmt])
    out = capsys.readouterr().out
    assert code == 1
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\u202e" not in out
    commands = _commands(out)
    if fmt == "text":
        assert commands == []
        assert out.count("RES-001") == len(HOSTILE_NAMES)
        assert "./::add-mask::x.tf:2: error RES-001" in out
        assert "evil\\n::error::forged.tf:2: error RES-001" in out
    else:
        assert len(commands) == len(HOSTILE_NAMES) + 1          # one annotation per finding, nothing more
        assert all(c.startswith(("::error file=", "::warning file=", "::notice file=")) for c in commands)
        assert "::error file=evil\\n%3A%3Aerror%3A%3Aforged.tf,line=2,title=RES-001" in out
        assert "file=%3A%3Aadd-mask%3A%3Ax.tf,line=2" in out


def test_github_escaping_follows_the_toolkit():
    from scanner.report.github import escape_data, escape_property
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_report_through_a_planted_symlink_replaces_the_link(write, tmp_path, capsys):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    write({"repo/main.tf": US})
    os.chdir(tmp_path / "repo")
    os.symlink(victim, "gl-sast-report.json")
    code = cli.main(["scan", ".", "-f", "gitlab-sast=gl-sast-report.json", "-f", "text"])
    assert code == 1 and victim.read_text() == "precious\n"
    assert not os.path.islink("gl-sast-report.json")
    assert json.loads(open("gl-sast-report.json").read())["vulnerabilities"]
    assert sorted(os.listdir(".")) == ["gl-sast-report.json", "main.tf"]


def test_report_in_a_symlinked_directory_of_the_checkout_is_refused(write, tmp_path, capsys):
    (tmp_path / "outside").mkdir()
    write({"repo/main.tf": US})
    os.chdir(tmp_path / "repo")
    os.symlink(tmp_path / "outside", "reports")
    code = cli.main(["scan", ".", "-f", "json=reports/sovscan.json"])
    err = capsys.readouterr().err
    assert code == 2 and "is a symbolic link inside the scanned checkout" in err
    assert os.listdir(tmp_path / "outside") == []


def test_a_failed_run_leaves_no_stale_report(write, capsys):
    write({"main.tf": US, "out.sarif": '{"stale": true}', ".sovscan.yaml": "residency: {tier: mars}\n"})
    assert cli.main(["scan", ".", "-f", "sarif=out.sarif"]) == 2
    assert not os.path.exists("out.sarif")


def test_an_interrupted_write_leaves_neither_report_nor_temporary_file(tmp_path, monkeypatch):
    def interrupted(source, target):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(SovscanError, match="No space left on device"):
        output.write(str(tmp_path / "report.json"), "{}")
    assert os.listdir(tmp_path) == []


def test_two_reports_to_one_file_exit_2(write, capsys):
    write({"main.tf": US})
    assert cli.main(["scan", ".", "-f", "json=r.json", "-f", "sarif=./r.json"]) == 2


TOKEN = "glpat-" + "".join(random.Random(7).choice(string.ascii_letters + string.digits) for _ in range(24))


@pytest.mark.parametrize("fmt", ["text", "sarif", "json", "gitlab-sast", "codequality", "junit", "markdown", "github"])
def test_a_token_in_a_module_source_is_masked_in_every_format(write, capsys, fmt):
    """A message that echoes a value with URL credentials shows them masked (the region id here, which RES-013
    quotes); EXIT-008 no longer quotes the source at all, and the token is nowhere."""
    write({"main.tf": f'module "net" {{\n  source = "git::https://gitlab-ci-token:{TOKEN}@gitlab.example.com/n.git"\n}}\n'
                      f'resource "azurerm_storage_account" "s" {{\n'
                      f'  location = "https://gitlab-ci-token:{TOKEN}@gitlab.example.com"\n}}\n'})
    cli.main(["scan", ".", "--only", "EXIT-008", "--only", "SEC-002", "--only", "RES-013", "-f", f"{fmt}=report",
              "--include-suppressed", "--show-unresolved"])
    report = open("report", encoding="utf-8").read()
    assert "EXIT-008" in report and "RES-013" in report
    assert TOKEN not in report and TOKEN[:8] not in report
    assert "gitlab-ci-token:glpa****@" in report.replace("\\", "")


@pytest.mark.parametrize("fmt", ["markdown", "junit"])
def test_hostile_names_carry_no_control_characters_into_ci_summaries(write, capsys, fmt):
    write({name: US for name in HOSTILE_NAMES})
    cli.main(["scan", ".", "--only", "RES-001", "-f", f"{fmt}=report"])
    report = open("report", encoding="utf-8").read()
    assert "\x1b" not in report and "\x07" not in report and "\u202e" not in report
    assert _commands(report) == []


@pytest.mark.parametrize("fmt", ["text", "sarif", "json", "gitlab-sast", "junit", "markdown", "html"])
def test_a_file_name_that_is_not_utf8_is_scanned_and_shown_with_its_bytes_escaped(fmt):
    """Linux allows any bytes in a name; the file is judged (hiding it would fail open) and every report can
    print its name."""
    os.mkdir("infra")
    with open(os.fsencode("infra/caf\xe9-\xff.tf".encode("latin-1")), "w", encoding="utf-8") as handle:
        handle.write(US)
    assert cli.main(["scan", ".", "--only", "RES-001", "-f", f"{fmt}=report"]) == 1
    report = open("report", encoding="utf-8").read()
    shown = "infra/caf%5Cxe9-%5Cxff.tf" if fmt == "sarif" else "infra/caf\\xe9-\\xff.tf"   # SARIF: a URI
    assert shown in report.replace("\\\\", "\\")


def test_a_report_to_a_named_pipe_goes_through_the_pipe_and_leaves_it_a_pipe(write, tmp_path, capsys):
    import stat
    import threading
    write({"main.tf": US})
    pipe = tmp_path / "report.pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text(encoding="utf-8")))
    reader.start()
    code = cli.main(["scan", ".", "--only", "RES-001", "-f", f"json={pipe}"])
    reader.join(timeout=30)
    assert code == 1 and stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert [f["policy_id"] for f in json.loads(received[0])["findings"]] == ["RES-001"]


def test_a_report_to_dev_null_leaves_the_device_in_place(write, capsys):
    import stat
    write({"main.tf": US})
    assert cli.main(["scan", ".", "--only", "RES-001", "-f", f"sarif={os.devnull}", "-f", "text"]) == 1
    assert stat.S_ISCHR(os.lstat(os.devnull).st_mode)
    assert output.is_stream("/dev/stdout") and not output.is_stream("main.tf")
