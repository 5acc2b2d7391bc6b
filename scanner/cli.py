"""Command line: the only module that prints, reads the environment or exits."""
from __future__ import annotations

import dataclasses
import datetime
import os
import re
import signal
import sys
import threading
import traceback
from typing import Sequence

import click

from scanner import __version__, config as config_module
from scanner.config import Config
from scanner.discover import classify
from scanner.errors import SovscanError
from scanner.evaluate import policies as policy_module
from scanner.evaluate import waivers
from scanner.focus import Focus, changed_since as changed_since_focus, display_path
from scanner.starter import starter_config
from scanner.pipeline import ScanRequest, scan
from scanner.report import FORMATTERS, Report
from scanner.report.catalogue import render_list, render_markdown, render_show

FAIL_ON = ("error", "warning", "note", "never")


def _formats(values: tuple[str, ...]) -> list[tuple[str, str | None]]:
    out = []
    for value in values or ("text",):
        name, _, target = value.partition("=")
        if name not in FORMATTERS:
            raise click.BadParameter(f"unknown format {name!r}; choose from {', '.join(sorted(FORMATTERS))}",
                                     param_hint="--format")
        out.append((name, target or None))
    stdout_formats = [n for n, t in out if t is None]
    if len(stdout_formats) > 1:
        raise click.BadParameter("only one format can go to standard output; give the others =FILE",
                                 param_hint="--format")
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """sovscan: sovereignty and security policies for Terraform and Kubernetes."""
    ctx.obj = {"debug": debug}


def _targets(paths: tuple[str, ...]) -> tuple[tuple[str, ...], Focus | None]:
    """Scan roots, and the files to report when files were named (pre-commit passes files).

    A named Terraform file is scanned with the rest of its module (its directory), so variables and
    module calls resolve as in a full scan; only its own findings are reported.
    """
    files = [p for p in paths if os.path.isfile(p)]
    if not files:
        return paths, None
    roots = []
    for path in paths:
        terraform_file = os.path.isfile(path) and classify(path) in ("terraform", "terraform-json", "tfvars")
        roots.append(os.path.dirname(path) or "." if terraform_file else path)
    focus = {display_path(p): None for p in files}
    for directory in (p for p in paths if not os.path.isfile(p)):
        for root, _, names in os.walk(directory):
            focus.update({display_path(os.path.join(root, n)): None for n in names})
    return tuple(dict.fromkeys(roots)), Focus(focus)


def _scan_options(function):
    options = [
        click.argument("paths", nargs=-1, type=click.Path(exists=True)),
        click.option("--config", "config_path", type=click.Path(), help="Configuration file (default: .sovscan.yaml in the first path)."),
        click.option("--profile", help="Built-in profile: " + ", ".join(config_module.profile_names()) + "."),
        click.option("--policies", "policy_dirs", multiple=True, type=click.Path(), help="Extra policy directory (repeatable)."),
        click.option("--only", multiple=True, help="Run only these families or policy ids (repeatable)."),
        click.option("--skip", multiple=True, help="Skip these families or policy ids (repeatable)."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(), help="Terraform variables file for root modules."),
        click.option("--exclude", multiple=True, help="Glob of paths to leave out (repeatable)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _request(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude, **extra) -> tuple[ScanRequest, Config]:
    paths = paths or (".",)
    roots, focus = _targets(tuple(paths))
    config = config_module.load(config_path, roots[0], profile)
    catalogue = policy_module.load(tuple(config.policy_dirs) + tuple(policy_dirs))
    chosen = policy_module.select(catalogue, tuple(only), tuple(skip))
    request = ScanRequest(roots, tuple(chosen), config, tuple(exclude), tuple(config.var_files) + tuple(var_files),
                          focus=focus, **extra)
    return request, config


@cli.command("scan")
@_scan_options
@click.option("-f", "--format", "formats", multiple=True, metavar="FMT[=FILE]",
              help="Output format, repeatable: " + ", ".join(sorted(FORMATTERS)) + ". FMT=FILE writes to a file.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Lowest level that makes the scan exit 1.")
@click.option("--show-unresolved", is_flag=True, help="List the checks that could not be decided statically.")
@click.option("--baseline", type=click.Path(), help="Report only findings that are not in this baseline file.")
@click.option("--include-suppressed", is_flag=True, help="Also report waived and baselined findings (audit logs).")
@click.option("--changed-since", metavar="REF", help="Report only findings on lines or resources changed since git REF.")
@click.option("--gitlab-schema-version", default="", metavar="15.X.Y",
              help="Schema version the gitlab-sast report declares (default: the lowest 15.x it satisfies).")
@click.option("--haven-results", "haven_results", multiple=True, type=click.Path(), metavar="FILE",
              help="Haven Compliancy Checker results of the live cluster (haven check --output=json, or "
                   "kubectl get compliancies -o json); each check becomes a result (repeatable).")
def scan_command(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude, formats, fail_on,
                 show_unresolved, baseline, include_suppressed, changed_since, haven_results, gitlab_schema_version):
    """Scan PATHS (default: the current directory)."""
    outputs = _formats(formats)
    if gitlab_schema_version and not re.fullmatch(r"15\.\d+\.\d+", gitlab_schema_version):
        raise click.BadParameter(f"{gitlab_schema_version!r} is not a 15.x version such as 15.0.1",
                                 param_hint="--gitlab-schema-version")
    started = _now()
    request, _ = _request(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude, baseline=baseline,
                          haven_results=tuple(haven_results))
    if changed_since:
        request = dataclasses.replace(request, focus=changed_since_focus(changed_since))
    result, files = scan(request)
    finished = _now()
    for name, target in outputs:
        report = Report(result, files, show_unresolved, color=target is None and name == "text" and sys.stdout.isatty(),
                        started=started, finished=finished, include_suppressed=include_suppressed,
                        gitlab_schema_version=gitlab_schema_version)
        text = FORMATTERS[name](report)
        if target is None:
            click.echo(text, nl=False)
        else:
            _write(target, text)
    sys.exit(result.exit_code(fail_on))


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


@cli.group("baseline")
def baseline_group() -> None:
    """Record today's findings so that only new ones are reported (--baseline)."""


@baseline_group.command("create")
@_scan_options
@click.option("-o", "--output", required=True, type=click.Path(), help="Baseline file to write.")
def baseline_create(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude, output):
    """Write the fingerprints of the current findings of PATHS to a baseline file."""
    request, _ = _request(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude)
    result, _ = scan(request)
    _write(output, waivers.render_baseline(result))
    click.echo(f"sovscan: wrote {len(result.active)} findings to {output}", err=True)


@cli.command("init")
@click.option("--profile", default="default", show_default=True, help="Profile the file starts from.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.argument("path", default=config_module.CONFIG_FILE, type=click.Path())
def init_command(profile, force, path):
    """Write a commented starter .sovscan.yaml."""
    if profile not in config_module.profile_names():
        raise SovscanError(f"--profile: unknown profile {profile!r}; built-in profiles: {', '.join(config_module.profile_names())}")
    if os.path.exists(path) and not force:
        raise SovscanError(f"{path} exists; use --force to overwrite it")
    _write(path, starter_config(profile))
    click.echo(f"sovscan: wrote {path} (profile {profile})", err=True)


def _write(target: str, text: str) -> None:
    try:
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as err:
        raise SovscanError(f"cannot write {target}: {err.strerror}") from None


@cli.group("policies")
def policies_group() -> None:
    """The policy catalogue."""


@policies_group.command("list")
@click.option("--only", multiple=True, help="Families or ids to list.")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(), help="Extra policy directory.")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def policies_list(only, policy_dirs, output_format) -> None:
    """List the policies with family, severity and references."""
    chosen = policy_module.select(policy_module.load(tuple(policy_dirs)), tuple(only))
    click.echo(render_markdown(chosen) if output_format == "markdown" else render_list(chosen), nl=False)


@policies_group.command("show")
@click.argument("policy_id")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(), help="Extra policy directory.")
def policies_show(policy_id, policy_dirs) -> None:
    """Show one policy: rationale, remediation, references and what it checks."""
    catalogue = {p.id: p for p in policy_module.load(tuple(policy_dirs))}
    if policy_id not in catalogue:
        raise SovscanError(f"no policy {policy_id!r}; `sovscan policies list` shows the catalogue")
    click.echo(render_show(catalogue[policy_id]), nl=False)


@cli.command("version")
def version() -> None:
    """Print the version."""
    click.echo(f"sovscan {__version__}")


class _Terminated(BaseException):
    """SIGTERM, raised where the main thread is so the scan unwinds (and stops its workers) as on Ctrl-C."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        return _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="sovscan", standalone_mode=False)
    except SovscanError as err:
        click.echo(f"sovscan: error: {err}", err=True)
        return 2
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as err:
        err.show()
        return 2
    except click.exceptions.Abort as abort:
        if isinstance(abort.__cause__, KeyboardInterrupt):     # click turns Ctrl-C into Abort
            click.echo("sovscan: interrupted", err=True)
            return 130
        click.echo("Aborted.", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("sovscan: interrupted", err=True)
        return 130
    except _Terminated:
        click.echo("sovscan: terminated", err=True)
        return 143
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 0
    except Exception:  # noqa: BLE001 - the one funnel: a bug must not look like a policy result
        click.echo("sovscan: internal error (a bug): please report it with the command you ran"
                   + ("" if debug else "; --debug shows the traceback"), err=True)
        if debug:
            traceback.print_exc()
        return 3
    return 0
