"""Command line: the only module that prints, reads the environment or exits."""
from __future__ import annotations

import dataclasses
import datetime
import os
import posixpath
import shlex
import signal
import re
import sys
import threading
import traceback
from typing import TYPE_CHECKING, Iterable, Mapping, NoReturn, Sequence

import click

# Only what every command needs is imported here: the scan pipeline, the evaluation stage and the report
# formats load inside the commands that use them, so `sovscan --version` and `--help` start at once.
from scanner import __version__, checkout, clock, config as config_module, git, output, terminal
from scanner.errors import SovscanError
from scanner.evaluate.citations import LANGUAGES
from scanner.focus import Focus, changed_since as find_changes, display_path
from scanner.notices import strict_problems
from scanner.report import FORMATTERS
from scanner.starter import starter_config

if TYPE_CHECKING:
    from scanner.config import Config
    from scanner.pipeline import ScanRequest

FAIL_ON = ("error", "warning", "note", "never")
SARIF_CATEGORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,98}[A-Za-z0-9._-]|[A-Za-z0-9]")
ARGS_VARIABLE = "SOVSCAN_ARGS"


def _formats(values: tuple[str, ...], known: Iterable[str] = ()) -> list[tuple[str, str | None]]:
    """(format, file or None for standard output) per `-f FMT[=FILE]`; `known` defaults to the scan's formats."""
    names = sorted(known or FORMATTERS)
    out = []
    for value in values or ("text",):
        name, given, target = value.partition("=")
        if name not in names:
            raise click.BadParameter(f"unknown format {name!r}; choose from {', '.join(names)}", param_hint="--format")
        if given and not target:    # `sarif=` from an unset variable: not standard output by surprise
            raise click.BadParameter(f"{value!r} names no file; give {name}=FILE, or {name} for standard output",
                                     param_hint="--format")
        out.append((name, target or None))
    stdout_formats = [n for n, t in out if t is None]
    if len(stdout_formats) > 1:
        raise click.BadParameter("only one format can go to standard output; give the others =FILE",
                                 param_hint="--format")
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.version_option(__version__, "--version", "-V", prog_name="sovscan", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """sovscan: sovereignty and security policies for Terraform and Kubernetes."""
    ctx.obj = {"debug": debug}


def _targets(paths: tuple[str, ...]) -> tuple[tuple[str, ...], Focus | None]:
    """Scan roots, and the files to report when files were named (pre-commit passes files).

    A named file is scanned with what it is deployed with (its Terraform module, Helm chart or whole
    Kustomize build: scanner.scan_roots), so values resolve as in a full scan; only its own findings are
    reported, and roots inside other roots are scanned once, with them (also a directory named twice, `infra`
    and `./infra`: its files would be counted and judged twice).
    """
    from scanner.scan_roots import outermost, scan_roots
    files = [p for p in paths if os.path.isfile(p)]
    if not files:
        return outermost(paths), None
    from scanner.discover import too_deep
    roots = outermost([root for path in paths for root in scan_roots(path)])
    focus = {display_path(p, roots): None for p in files}
    for directory in (p for p in paths if not os.path.isfile(p)):
        for root, subdirectories, names in os.walk(directory):
            if too_deep(root, directory):
                subdirectories[:] = []
            focus.update({display_path(os.path.join(root, n), roots): None for n in names})
    return roots, Focus(focus)


def _scan_options(function):
    options = [
        click.argument("paths", nargs=-1, type=click.Path(exists=True)),
        click.option("--config", "config_path", type=click.Path(),
                     help="Configuration file (default: the nearest .sovscan.yaml from the scanned paths up to the "
                          "repository root)."),
        click.option("--profile", help="Built-in profile (" + ", ".join(config_module.profile_names()) +
                                       ") or a profile file."),
        click.option("--policies", "policy_dirs", multiple=True, type=click.Path(), help="Extra policy directory (repeatable)."),
        click.option("--only", multiple=True, help="Run only these families, opt-in groups or policy ids (repeatable, or comma-separated)."),
        click.option("--skip", multiple=True, help="Skip these families, opt-in groups or policy ids (repeatable, or comma-separated)."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(), help="Terraform variables file for root modules (repeatable)."),
        click.option("--exclude", multiple=True, help="Glob of paths to leave out, as reports show them (repeatable)."),
        click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
                     help="Where parsed files, evaluated Terraform root modules, rendered Kustomize and Helm builds, "
                          "check outcomes and scan results are remembered between runs "
                          "(default: $XDG_CACHE_HOME/sovscan, else ~/.cache/sovscan)."),
        click.option("--no-cache", is_flag=True, help="Parse, evaluate and judge everything again; "
                                                      "read and write no cache."),
        click.option("--haven-results", "haven_results", multiple=True, type=click.Path(), metavar="FILE",
                     help="Haven Compliancy Checker results of the live cluster (haven check --output=json, or "
                          "kubectl get compliancies -o json); each check becomes a result (repeatable)."),
        click.option("--plan", "plans", multiple=True, type=click.Path(), metavar="FILE",
                     help="A Terraform plan as JSON (terraform show -json PLANFILE): values for the root module it "
                          "was made in; findings stay on the .tf lines (repeatable)."),
        click.option("--helm-engine", type=click.Choice(["auto", "sdk", "binary", "none"]), default="auto",
                     show_default=True, help="What renders Helm charts: the helm extra (sdk), a helm binary on PATH, "
                                             "either (auto), or nothing (none: every chart is a notice, and --strict "
                                             "fails)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _request(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude, cache_dir, no_cache,
             **extra) -> tuple[ScanRequest, Config]:
    from scanner.evaluate import policies as policy_module, selection
    from scanner.cachedir import CacheDirectory, check_location, default_directory as default_cache_directory
    from scanner.pipeline import ScanRequest

    for option, value in (("--profile", profile), ("--cache-dir", cache_dir)):
        if value is not None and not value.strip():   # "$UNSET": not the default, quietly
            raise click.BadParameter(f"{value!r} names nothing", param_hint=option)
    paths = paths or (".",)
    roots, focus = _targets(tuple(paths))
    cache = None if no_cache else CacheDirectory(cache_dir or default_cache_directory(os.environ))
    directory = None if cache is None else cache.directory
    if directory is not None:
        check_location(directory, roots)
    config = config_module.load(config_path, tuple(paths), profile, directory)
    catalogue = policy_module.load(tuple(config.policy_dirs) + tuple(policy_dirs), directory)
    selection.check_enforcement(config, catalogue)
    chosen = selection.select(catalogue, tuple(only), tuple(skip))
    today = clock.fixed_date(os.environ.get(clock.EPOCH_VARIABLE, ""))
    request = ScanRequest(roots, tuple(chosen), config, tuple(exclude), tuple(config.var_files) + tuple(var_files),
                          focus=focus, today=today, cache=cache, **extra)
    return request, config


def _report_targets(outputs: list[tuple[str, str | None]], paths: tuple[str, ...]) -> list[str]:
    """The files this run writes: checked (no symlinked directory inside the checkout) and emptied of an
    earlier run's reports before the scan starts."""
    targets = [t for _, t in outputs if t is not None]
    checkouts = [os.getcwd()] + [str(checkout.root_of(p)) for p in paths or (".",)]
    output.check_targets(targets, checkouts)
    output.discard(targets)
    return targets


@cli.command("scan")
@_scan_options
@click.option("-f", "--format", "formats", multiple=True, metavar="FMT[=FILE]",
              help="Output format, repeatable: " + ", ".join(sorted(FORMATTERS)) + ". FMT=FILE writes to a file.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Lowest level that makes the scan exit 1.")
@click.option("--show-unresolved", is_flag=True, help="List the checks that could not be decided statically.")
@click.option("--baseline", type=click.Path(), help="Report only findings that are not in this baseline file.")
@click.option("--include-suppressed", is_flag=True, help="Also report waived and baselined findings (audit logs).")
@click.option("--changed-since", metavar="REF", help="Report only findings on lines or resources changed since the git "
                                                     "commit REF, and every waiver or configuration change since then.")
@click.option("--gitlab-schema-version", default="", metavar="15.X.Y",
              help="Schema version the gitlab-sast report declares (default: the lowest 15.x it satisfies).")
@click.option("--sarif-category", default="sovscan", show_default=True, metavar="NAME",
              help="Code scanning category of the SARIF run (automationDetails.id NAME/): one per scan of a repository.")
@click.option("-q", "--quiet", is_flag=True, help="Text output: the findings only, no fix hints, notices or summary.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) when no file is scanned, a file cannot be read or parsed, or a "
                                                 "Kustomize build or Helm chart is not rendered in full, a module call is not evaluated, or a directory tagged as a cache that is neither sovscan's nor a known tool's is left out.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of every report: titles, messages, fixes, labels, verdict (default: report.lang, else en).")
def scan_command(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude, cache_dir, no_cache,
                 formats, fail_on, show_unresolved, baseline, include_suppressed, changed_since, haven_results, gitlab_schema_version,
                 sarif_category, plans, helm_engine, quiet, strict, lang):
    """Scan PATHS (default: the current directory)."""
    from scanner import review
    from scanner.pipeline import scan
    from scanner.report.model import Report, sovereignty_target

    outputs = _formats(formats)
    if gitlab_schema_version:
        from scanner.report.gitlab_sast import SCHEMA_VERSION, SUPPORTED   # here: only a run that names one loads it
        if not SCHEMA_VERSION.fullmatch(gitlab_schema_version):
            raise click.BadParameter(f"{gitlab_schema_version!r} is not a schema version GitLab validates that the "
                                     f"report satisfies ({SUPPORTED})", param_hint="--gitlab-schema-version")
    if not SARIF_CATEGORY.fullmatch(sarif_category):
        raise click.BadParameter(f"{sarif_category!r}: a letter or digit, then letters, digits and . _ - /, at most "
                                 "100, not ending in /", param_hint="--sarif-category")
    _report_targets(outputs, paths)
    epoch = os.environ.get(clock.EPOCH_VARIABLE, "")
    started = clock.now(epoch)
    request, config = _request(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude,
                               cache_dir, no_cache, baseline=baseline, haven_results=tuple(haven_results), plans=tuple(plans),
                               helm_engine=helm_engine)
    change = find_changes(changed_since) if changed_since else None
    if change is not None:
        request = dataclasses.replace(request, focus=change.focus)
    today = request.today or datetime.date.today()
    with terminal.Progress(", ".join(terminal.inert(p) for p in paths or (".",))):
        result, files = scan(request)
    if change is not None:
        result = review.attach(result, review.changes(change, config, result, tuple(policy_dirs), request.paths))
    problems = strict_problems(result.notices, files, config.source) if strict else ()
    _warn_nothing_scanned(files, paths, bool(request.excludes or config.exclude))
    report_facts = dict(show_unresolved=show_unresolved, started=started, finished=clock.now(epoch),
                        include_suppressed=include_suppressed, gitlab_schema_version=gitlab_schema_version,
                        sarif_category=sarif_category,
                        rules=review.summarise(config, result, today), fail_on=fail_on,
                        strict_problems=problems, lang=lang or config.report_lang, docs_url=config.docs_url,
                        scan_date=today.isoformat(), paths=_shown(paths or (".",), request.paths),
                        revision=git.revision(paths),
                        target=sovereignty_target(config))
    for name, target in outputs:
        on_terminal = target is None and name == "text"
        report = Report(result, files, color=on_terminal and terminal.wants_color(sys.stdout),
                        quiet=quiet and name == "text", width=terminal.width(sys.stdout) if on_terminal else 0,
                        **report_facts)
        text = FORMATTERS[name](report)
        if target is None:
            click.echo(text, nl=False)
        else:
            output.write(target, text)
    code = result.exit_code(fail_on)
    sys.exit(code if code or not problems else 1)


def _shown(paths: Sequence[str], roots: tuple[str, ...]) -> tuple[str, ...]:
    """The scanned paths as reports show their files, sorted and once each (a path inside another is scanned
    with it): how a path is spelled (`infra`, `infra/`, `./infra`, its absolute path), where it is named from
    and in what order do not change a report."""
    from scanner.scan_roots import outermost
    return tuple(sorted({posixpath.normpath(display_path(p, roots)) for p in outermost(paths)}))


def _warn_nothing_scanned(files: int, paths: tuple[str, ...], excluding: bool) -> None:
    if files == 0:
        shown = " ".join(terminal.inert(p) for p in paths or (".",))
        after = " (after excludes)" if excluding else ""
        click.echo(f"sovscan: warning: no files to scan in {shown}{after}; nothing was checked", err=True)


@cli.group("baseline")
def baseline_group() -> None:
    """Record today's findings so that only new ones are reported (--baseline)."""


@baseline_group.command("create")
@_scan_options
@click.option("-o", "--output", "target", required=True, type=click.Path(), help="Baseline file to write.")
def baseline_create(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude, cache_dir, no_cache,
                    haven_results, plans, helm_engine, target):
    """Write the fingerprints of the current findings of PATHS to a baseline file."""
    from scanner.evaluate import waivers
    from scanner.pipeline import scan

    _report_targets([("baseline", target)], paths)
    request, _ = _request(paths, config_path, profile, policy_dirs, only, skip, var_files, exclude, cache_dir, no_cache,
                          haven_results=tuple(haven_results), plans=tuple(plans), helm_engine=helm_engine)
    result, _ = scan(request)
    output.write(target, waivers.render_baseline(result))
    entries = len(waivers.baseline_entries(result))   # one per instance a finding stands for
    click.echo(f"sovscan: wrote {terminal.plural(len(result.active), 'finding')} ({terminal.plural(entries, 'entry', 'entries')}) "
               f"to {terminal.inert(target)}", err=True)


@cli.command("init")
@click.option("--profile", default="default", show_default=True, help="Profile the file starts from.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.argument("path", default=config_module.CONFIG_FILE, type=click.Path())
def init_command(profile, force, path):
    """Write a commented starter .sovscan.yaml (PATH: the file, or a directory to write it in)."""
    if profile not in config_module.profile_names():
        raise SovscanError(f"--profile: unknown profile {profile!r}; built-in profiles: {', '.join(config_module.profile_names())}")
    if os.path.isdir(path):
        path = os.path.join(path, config_module.CONFIG_FILE)
    if os.path.lexists(path) and not force:
        raise SovscanError(f"{path} exists; use --force to overwrite it")
    output.check_targets([path], [os.getcwd()])
    output.write(path, starter_config(profile))
    click.echo(f"sovscan: wrote {terminal.inert(path)} (profile {profile})", err=True)


@cli.group("policies")
def policies_group() -> None:
    """The policy catalogue."""


_LANG = click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
                     help="Language of titles and texts (a policy without that translation shows its English).")


@policies_group.command("list")
@click.option("--only", multiple=True, help="Families or ids to list.")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(), help="Extra policy directory.")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
@_LANG
def policies_list(only, policy_dirs, output_format, lang) -> None:
    """List the policies: id, family, level and title (--format markdown adds whether each runs by default, its severity, checks, controls and sources)."""
    from scanner.evaluate import selection
    from scanner.report.catalogue import render_list, render_markdown

    chosen = selection.select(_catalogue(policy_dirs), tuple(only))
    click.echo(render_markdown(chosen, lang) if output_format == "markdown" else render_list(chosen, lang), nl=False)


@policies_group.command("show")
@click.argument("policy_id")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(), help="Extra policy directory.")
@_LANG
def policies_show(policy_id, policy_dirs, lang) -> None:
    """Show one policy: rationale, remediation, controls, sources and what it checks."""
    from scanner.report.catalogue import render_show

    catalogue = {name: p for p in _catalogue(policy_dirs) for name in reversed(p.names)}   # an id wins over an earlier id
    if policy_id not in catalogue:
        raise SovscanError(f"no policy {terminal.inert(policy_id)!r}; `sovscan policies list` shows the catalogue")
    policy = catalogue[policy_id]
    if policy.id != policy_id:
        click.echo(f"sovscan: {terminal.inert(policy_id)} is now {policy.id}", err=True)
    click.echo(render_show(policy, lang), nl=False)


def _catalogue(policy_dirs: tuple[str, ...]) -> list:
    """The policies `policies list` and `show` know: the pack (and the directories given) and the built-in
    REVIEW-001, which a --changed-since run adds."""
    from scanner import review
    from scanner.evaluate import policies as policy_module
    return policy_module.load(tuple(policy_dirs)) + [review.REVIEW]


MERGE_FORMATS = ("text", "html", "json")


@cli.group("report")
def report_group() -> None:
    """Reports across scans."""


@report_group.command("merge")
@click.argument("results", nargs=-1, required=True, metavar="[NAME=]RESULT.json ...")
@click.option("-f", "--format", "formats", multiple=True, metavar="FMT[=FILE]",
              help="Output format, repeatable: text (default, to standard output), html, json. FMT=FILE writes a file.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the HTML report.")
@click.option("--within", "within_days", type=click.IntRange(0, 3650), default=30, show_default=True, metavar="DAYS",
              help="Waivers expiring within DAYS of the latest scan merged are listed as expiring soon.")
def report_merge(results, formats, lang, within_days) -> None:
    """Combine the JSON results of many scans (sovscan scan -f json=FILE, one per repository) into one
    organisation report; a result is named after its file, or NAME=FILE."""
    from scanner.report import organisation, organisation_html

    outputs = _formats(formats, MERGE_FORMATS)
    _report_targets(outputs, ())
    merged = organisation.merge(list(results), within_days)
    render = {"text": organisation.render_text, "json": lambda o: organisation.render_json(o, lang),
              "html": lambda o: organisation_html.render(o, lang, __version__)}
    for name, target in outputs:
        text = render[name](merged)
        if target is None:
            click.echo(terminal.guard(text) if name == "text" else text, nl=False)
        else:
            output.write(target, text)


@cli.command("version")
def version() -> None:
    """Print the version."""
    click.echo(f"sovscan {__version__}")


def with_environment_args(args: list[str], environ: Mapping[str, str]) -> list[str]:
    """`sovscan scan` takes more options from SOVSCAN_ARGS, split as a POSIX shell would split them (quotes,
    escapes) but without running a shell: CI variables such as `--exclude 'test/**'` work as written."""
    command = next((a for a in args if not a.startswith("-")), None)
    extra = environ.get(ARGS_VARIABLE, "")
    if command != "scan" or not extra.strip():
        return args
    try:
        words = shlex.split(extra, comments=False, posix=True)
    except ValueError as err:
        raise SovscanError(f"{ARGS_VARIABLE}: cannot split {terminal.inert(extra)[:60]!r}: {err}") from None
    return args + words


class _Terminated(BaseException):
    """SIGTERM, raised where the main thread is so the scan unwinds (and stops its workers) as on Ctrl-C."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated()


def run() -> NoReturn:
    """The `sovscan` command: main(), then leave without Python's teardown, which frees every object of the
    scan one by one (half a second after a cold whole-corpus scan, 5 % of it) although the system takes the
    memory back at once. Everything is written and closed by then; standard output and error are flushed
    here, and if they cannot be, the normal exit reports it."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        return _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    args = list(argv) if argv is not None else sys.argv[1:]
    debug = "--debug" in args
    try:
        args = with_environment_args(args, os.environ)
        cli.main(args=args, prog_name="sovscan", standalone_mode=False)
    except SovscanError as err:
        click.echo(terminal.guard(f"sovscan: error: {terminal.inert(err)}"), err=True)
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
