"""The stages of a scan, one after the other: discover -> parse -> model -> evaluate, then the waivers, the
baseline, copies reported once and a pre-commit run's focus. `pipeline.scan` runs them when the result cache
has no answer."""
from __future__ import annotations

import dataclasses
import datetime
import os
import posixpath
from typing import TYPE_CHECKING

from scanner import checkout, collector, terminal
from scanner.config import Config
from scanner.discover import KUSTOMIZATION_FILES, MAX_FILE_BYTES, Source, discover, display_prefix, installed_module_sources, unused_excludes
from scanner.errors import InputError
from scanner.evaluate import copies, demonstration, engine, waivers
from scanner.evaluate.conditions import reads_others
from scanner.evaluate.outcome_cache import OutcomeCache, Units, scan_digest
from scanner.evaluate.result import Finding, Result
from scanner.evaluate.summaries import summarise
from scanner.focus import Focus
from scanner.model import helm_engines
from scanner.model.build import build
from scanner.model.build_cache import BuildCache
from scanner.model.helm import chart_roots
from scanner.model.kustomize.kustfile import under
from scanner.model.rendered import RenderedBuild
from scanner.model.terraform.cache import RootCache
from scanner.notices import CACHE_SKIPPED, UNRENDERED, Notice
from scanner.parse import hcc, terraform
from scanner.parse.cache import ParseCache
from scanner.parse.files import ParsedFile, parse_all
from scanner.parse.texts import ScannedTexts
from scanner.parse.modules import ModuleManifest, read_manifest
from scanner.parse.plan import Plan, read_plan
from scanner.regular_file import read_bytes
from scanner.registries.regions import regions

if TYPE_CHECKING:
    from scanner.pipeline import ScanRequest


def _var_file(path: str) -> terraform.TerraformFile:
    try:
        raw = read_bytes(path, MAX_FILE_BYTES)
        if len(raw) > MAX_FILE_BYTES:
            raise InputError(f"--var-file {path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        text = raw.decode("utf-8-sig")
    except OSError as err:
        raise InputError(f"--var-file {path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise InputError(f"--var-file {path}: not UTF-8 (byte offset {err.start})") from None
    try:
        if path.endswith(".json"):
            return terraform.parse_json_text(path + ".tfvars.json" if not path.endswith(".tfvars.json") else path, text)
        return terraform.parse_text(path, text)
    except terraform.HclSyntaxError as err:
        raise InputError(f"--var-file {path}:{err.line}: {err}") from None


def run(request: ScanRequest) -> tuple[Result, int, bool]:
    """(result, number of files scanned, whether the result may differ in another run over the same files: a
    file the scan read again had changed since parsing read it, or a build did not render for a reason of
    this run, such as its time limit) of `request`, its `today` set."""
    var_files = [_var_file(p) for p in request.var_files]
    sources, notices = [], []
    matched: set[str] = set()
    manifests: dict[str, ModuleManifest] = {}
    own_cache = "" if request.cache is None else os.path.realpath(request.cache.directory)
    for root in dict.fromkeys(request.paths):
        prefix = display_prefix(root, request.paths)
        found, problems = discover(root, request.excludes + request.config.exclude, prefix, matched, own_cache)
        installed, more = _installed_modules(root, prefix, found, manifests)
        sources.extend(found + installed)
        notices.extend(problems + more)
    notices.extend(unused_excludes(request.excludes, request.config.exclude, request.config.source, matched))
    notices.extend(_unknown_regions(request.config))
    if chart_roots([s.path for s in sources]):
        helm_engines.start_early(request.helm_engine)
    cache = None if request.cache is None else ParseCache(request.cache.directory, request.cache.limit)
    files, parse_notices = parse_all(sorted(set(sources)), cache)
    collector.keep_for_the_scan()
    texts = ScannedTexts(files)
    reports, hcc_notices = _haven_reports(request.haven_results, files, texts)
    plans = [_located(read_plan(p), request.paths) for p in request.plans]
    root_cache = None if request.cache is None else RootCache(request.cache.directory, request.cache.limit)
    build_cache = None if root_cache is None else BuildCache(root_cache.directory, root_cache.limit,
                                                             fingerprint=root_cache.fingerprint)
    the_model = build(files, var_files, reports, manifests, plans, request.config.helm_values,
                      request.helm_engine, request.config.demonstration_directories, root_cache, texts, build_cache)
    directives = [d for f in files for d in f.directives]
    foreign = [d for f in files for d in f.foreign_directives]
    del files   # the model has what judging needs of them: a large tree's parsed files are not held while it is judged
    today = request.today or datetime.date.today()   # set by scan
    units = None if root_cache is None else Units(the_model, OutcomeCache(
        root_cache.directory, root_cache.limit,
        scan=scan_digest(root_cache.fingerprint, today, list(request.policies), request.config)))
    result = engine.evaluate(the_model, list(request.policies), request.config, today, units)
    if units is not None:
        units.keep(unreadable=texts.changed)
    result = demonstration.lowered(result, the_model, request.config)
    planned = [n for p in plans for n in p.notices]
    result = result.but(
        notices=sorted(set(notices + parse_notices + hcc_notices + planned + the_model.notices + texts.notices())))
    result = waivers.apply(result, the_model, directives, foreign, request.config, today)
    if request.baseline:
        result = waivers.apply_baseline(result, waivers.load_baseline(request.baseline))
    result = summarise(result, the_model, request.config)   # after the waivers: a waived gap is shown as waived
    result = copies.reported_once(result, the_model)
    result = engine.grouped(result).but(register=waivers.register(result, the_model, directives, request.config, today))
    if request.focus is not None:
        result = _narrow(result, request.focus, _unrendered_places(the_model.builds, request.focus),
                         frozenset((d.path, d.line) for d in directives), _restructured(the_model.builds, request.focus))
    return result, len(sources), bool(texts.changed) or any(not b.repeatable for b in the_model.builds)


def _unknown_regions(config: Config) -> list[Notice]:
    """Region ids of the allow and deny lists that no provider's region table knows: a mistyped one
    (`frnacesouth`) would change nothing while the file says it does."""
    table = regions()
    return [Notice(config.source or ".sovscan.yaml", 0, f"residency.{name}: {terminal.inert(entry)!r} is a region no "
                                                        f"provider's region table knows (as of {table.as_of})")
            for name, entries in (("allow", config.allow_regions), ("deny", config.deny_regions)) for entry in entries
            if not any(table.lookup(provider, entry) for provider in table.tables)]


def _located(plan: Plan, roots: tuple[str, ...]) -> Plan:
    """The plan with the directory of its file as reports show paths, when a scanned directory holds it (a plan
    belongs to the root module it was made in, and is usually kept there)."""
    real = os.path.realpath(plan.path)
    for root in dict.fromkeys(roots):
        base = os.path.realpath(root)
        if os.path.isdir(base) and checkout.inside(real, base):
            below = os.path.relpath(os.path.dirname(real), base).replace(os.sep, "/")
            directory = display_prefix(root, roots) + ("" if below == "." else below)
            return dataclasses.replace(plan, directory=directory.rstrip("/"))
    return plan


def _installed_modules(root: str, prefix: str, found: list[Source],
                       manifests: dict[str, ModuleManifest]) -> tuple[list[Source], list[Notice]]:
    """Modules `terraform init` installed for the root modules among `found` (its modules.json), so registry
    and git module calls are followed into their downloaded source. `manifests` gets each root's record,
    keyed by the root module's directory as reports show it."""
    if not os.path.isdir(root):
        return [], []
    directories = sorted({posixpath.dirname(s.path[len(prefix):]) for s in found if s.kind == "terraform"})
    notices: list[Notice] = []
    wanted: list[str] = []
    for directory in directories:
        manifest = read_manifest(root, directory)
        notices.extend(manifest.notices)
        if manifest.modules:
            manifests[(prefix + directory).rstrip("/")] = manifest
            wanted.extend(m.path for m in manifest.modules.values() if m.key)
    installed, problems = installed_module_sources(root, prefix, wanted)
    return installed, notices + problems


def _haven_reports(given: tuple[str, ...], files: list[ParsedFile],
                   texts: ScannedTexts) -> tuple[list[hcc.HccReport], list[Notice]]:
    """HCC results named with --haven-results (bad input: exit 2), plus results files found in the scanned
    tree (bad input there: a notice, the scan goes on). A file named both ways is read once."""
    reports = []
    for path in given:
        try:
            reports.append(hcc.parse_file(path))
        except InputError as err:
            raise InputError(f"--haven-results {err}") from None
    named = {os.path.realpath(p) for p in given}
    notices = []
    for parsed in files:
        source = parsed.source
        if source.kind != "json" or source.path not in texts or os.path.realpath(source.abspath) in named:
            continue
        text = texts[source.path]
        if not hcc.looks_like_hcc(text):
            continue
        try:
            reports.append(hcc.parse_text(source.path, text))
        except InputError as err:
            reason = str(err).removeprefix(f"{source.path}: ")
            notices.append(Notice(source.path, 0, f"not read as Haven Compliancy Checker results: {reason}"))
    return reports, notices


def _unrendered_places(builds: list[RenderedBuild], focus: Focus) -> frozenset[tuple[str, int]]:
    """Where the notices of the builds rendered in part that hold a focused file are: a named patch whose
    base cannot be read is not judged, and the run must say so (and fail under --strict)."""
    def holds_focused(build: RenderedBuild) -> bool:
        return any(path in build.inputs or under(build.root, path) for path in focus.files)
    return frozenset((n.path, n.line) for b in builds if not b.complete and holds_focused(b) for n in b.notices)


# the files that say how a Kustomize build or a Helm chart is put together
BUILD_STRUCTURE = KUSTOMIZATION_FILES + ("Chart.yaml",)


def _restructured(builds: list[RenderedBuild], focus: Focus) -> frozenset[str]:
    """The files of every build whose structure the change touched: a kustomization or Chart.yaml edited, or a
    file deleted from the directory of one (a patch, a component, a values file). What such a build renders
    from its other files may differ anywhere, and what decided it is gone from the chains."""
    files: set[str] = set()
    for rendered in builds:
        structure = [path for path in rendered.inputs if posixpath.basename(path) in BUILD_STRUCTURE]
        if rendered.root in focus.gone or any(path in focus.files or posixpath.dirname(path) in focus.gone
                                              for path in structure):
            files |= rendered.inputs
    return frozenset(files)


def _across_objects(result: Result) -> frozenset[tuple[str, int]]:
    """(policy, check) of the checks on Kubernetes objects that look at other objects (a namespace's
    NetworkPolicies, a PodDisruptionBudget): a deleted manifest anywhere may have answered them."""
    return frozenset((policy.id, number) for policy in result.policies if policy.input == "kubernetes"
                     for number, check in enumerate(policy.checks) if reads_others([check.assertion, check.where]))


def _narrow(result: Result, focus: Focus, unrendered: frozenset[tuple[str, int]] = frozenset(),
            waivers: frozenset[tuple[str, int]] = frozenset(), restructured: frozenset[str] = frozenset()) -> Result:
    """`waivers`: where the scan's waiver comments are (path, line); `restructured`: the files of builds whose
    structure changed, whose findings all stay."""
    across = _across_objects(result) if focus.lost_manifest else frozenset()

    def keeps(finding: Finding) -> bool:
        """On a changed line or block, or decided by a changed place (a tfvars entry, a default, a local), or
        waived by a waiver comment on a changed line (the line above it or above its block: REVIEW-001 names
        what the new waiver waives); an edit of other code above it does not keep it."""
        waived_above = finding.suppression is not None and finding.suppression.kind == "inSource" and \
            any((finding.path, line - 1) in waivers and focus.keeps(finding.path, line - 1)
                for line in (finding.line, finding.resource_line) if line > 1)
        return focus.keeps(finding.path, finding.line, finding.resource_line, finding.resource_end_line) or \
            waived_above or finding.path in restructured or (finding.policy_id, finding.check) in across or \
            any(focus.changed(path) if role == "file" else focus.keeps(path, line) for path, line, role in finding.chain)
    return result.but(findings=[f for f in result.findings if keeps(f)],
                      unresolved=[f for f in result.unresolved if keeps(f)],
                      notices=[n for n in result.notices if n.path in focus.files or n.kind == CACHE_SKIPPED
                               or (n.kind == UNRENDERED and (n.path, n.line) in unrendered)])
