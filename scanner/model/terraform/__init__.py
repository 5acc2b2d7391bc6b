"""Stage 3 for Terraform: evaluate every root module statically into Resources.

Variables (defaults, terraform.tfvars, *.auto.tfvars, --var-file), locals, interpolation, references,
providers and aliases, local module calls with their arguments, count/for_each when the collection is
known. Every value that cannot be known is an Unknown naming what blocked it; every attribute keeps the
chain of places that decided its value. Each module instance evaluates each local, output and
attribute once, so large repositories stay linear.

    modules.py      module directories, root inputs          instance.py  one module instance's names
    expressions.py  one expression                            blocks.py    a block's values and lines
    emit.py         the resources an instance contributes     trace.py     provenance of a value
    plan_match.py   which root module a --plan was made in    plan_values.py  a plan's values
    cache.py        root modules evaluated in an earlier run  files.py     what file() reads
    parallel.py     root modules evaluated in worker processes

Each root module is evaluated on its own (empty lists of resources and notices, no module directory
visited) and what it made is then merged into the model, the same way whether it was evaluated now or
read from the root cache: so a cached root cannot depend on the roots evaluated before it.
"""
from __future__ import annotations

import time
from typing import Mapping

from scanner.model.terraform import emit, plan_match
from scanner.model.terraform.cache import Evaluated, RootCache, RootKeys, evaluation
from scanner.model.terraform.files import ScannedFiles
from scanner.model.terraform.instance import Instance
from scanner.model.terraform.modules import TerraformModel, group_modules
from scanner.model.terraform.parallel import EvaluatedAhead, evaluated_ahead
from scanner.parse.modules import ModuleManifest
from scanner.parse.plan import Plan
from scanner.parse.packed import TerraformSyntax
from scanner.parse.terraform import TerraformFile


def build(files: list[TerraformSyntax], tfvars: list[TerraformFile], var_files: list[TerraformFile],
          texts: Mapping[str, str] | None = None, digests: Mapping[str, str] | None = None,
          manifests: dict[str, ModuleManifest] | None = None,
          installed: set[str] | None = None, plans: list[Plan] | None = None,
          cache: RootCache | None = None) -> TerraformModel:
    """`cache`: root modules evaluated in earlier runs (read, and written for the others).

    The build consumes `files`: the list is emptied once its files are grouped into module directories, and
    a directory's syntax is dropped as soon as nothing left to evaluate may call it (Releases), so the syntax
    of a large scan is not all alive beside its whole model (the peak of its memory)."""
    model = TerraformModel(group_modules(files, tfvars), texts or {}, digests or {}, dict(manifests or {}),
                           set(installed or ()))
    called = model.called_dirs()
    roots = [d for d in sorted(model.modules) if d not in called and d not in model.installed]
    plan_match.assign(model, list(plans or []), roots)
    keys = RootKeys(model, files, tfvars, var_files, cache.fingerprint) if cache is not None else None
    files.clear()
    releases = Releases(model, roots)
    with evaluated_ahead(model, roots, var_files, cache, keys, _evaluated) as ahead:
        for directory in roots:
            _evaluate_root(model, directory, var_files, cache, keys, ahead)
            model.release(releases.after(directory, model.visited))
    for directory in sorted(model.modules):
        if directory not in model.visited and directory not in model.installed:   # a cycle, or its callers failed
            _evaluate_root(model, directory, var_files, cache, keys)
    for root, plan in sorted(model.plans.items()):
        emit.planned_only(model, root, plan)
    if cache is not None:
        cache.tidy()
    model.drop_syntax()
    return model


# Working out when to release costs the directories each directory may call: a few each in real code, but
# a chain of N modules costs N*N/2. Past this much per directory of the scan, the syntax is kept to the end.
RELEASE_WORK_PER_DIRECTORY = 50


class Releases:
    """When a module directory's syntax may go: no root left to evaluate may call it, and every directory that
    may call it has been visited. One no root visits (in a cycle, or called only with `count = 0`) is
    evaluated as a root of its own at the end, with whatever it calls. A directory whose module sources are
    not all literals may call any directory."""

    def __init__(self, model: TerraformModel, roots: list[str]):
        self.waiting: list[str] = []
        self.done_after: dict[str, list[str]] = {}
        self.callers: dict[str, set[str]] = {}
        reach = _reach_of_each(model)
        if reach is None:
            return
        last_root = {directory: root for root in roots for directory in reach[root]}
        for directory, root in sorted(last_root.items()):
            self.done_after.setdefault(root, []).append(directory)
        for caller, reached in reach.items():
            for directory in reached:
                self.callers.setdefault(directory, set()).add(caller)

    def after(self, root: str, visited: set[str]) -> list[str]:
        """The directories to release once `root` is evaluated (`visited`: the directories evaluated so far)."""
        self.waiting.extend(self.done_after.get(root, ()))
        ready = [d for d in self.waiting if d in visited and self.callers.get(d, set()) <= visited]
        released = set(ready)
        self.waiting = [d for d in self.waiting if d not in released]
        return ready


def _reach_of_each(model: TerraformModel) -> dict[str, list[str]] | None:
    """Directory -> the directories it may call, for each one that may be evaluated as a root (an installed
    module never is); None past RELEASE_WORK_PER_DIRECTORY."""
    budget = RELEASE_WORK_PER_DIRECTORY * len(model.modules)
    reach: dict[str, list[str]] = {}
    for directory in model.modules:
        if directory in model.installed:
            continue
        reached = model.reached(directory)
        reach[directory] = list(reached[0]) if reached is not None else list(model.modules)
        budget -= len(reach[directory])
        if budget < 0:
            return None
    return reach


def _evaluate_root(model: TerraformModel, directory: str, var_files: list[TerraformFile],
                   cache: RootCache | None = None, keys: RootKeys | None = None,
                   ahead: EvaluatedAhead | None = None) -> None:
    key = keys.key(directory) if keys is not None else None
    evaluated = ahead.take(directory) if ahead is not None else None   # its worker wrote its entry
    if evaluated is None and cache is not None and key is not None:
        evaluated = cache.get(key, ScannedFiles(model.texts, directory, model.ordered_paths()), model.share)
    if evaluated is None:
        started = time.monotonic()
        evaluated = _evaluated(model, directory, var_files, logged=key is not None)
        if ahead is not None:
            ahead.evaluated(time.monotonic() - started)
        if cache is not None and key is not None:
            cache.put(key, evaluated)
    if key is not None:
        model.evaluations[directory] = evaluation(key, evaluated.reads)
    _merge(model, evaluated)


def _evaluated(model: TerraformModel, directory: str, var_files: list[TerraformFile], logged: bool) -> Evaluated:
    """Evaluate one root module on its own (TerraformModel.apart) and return what it wrote; `logged`: with
    the questions its file functions asked (for the root cache)."""
    with model.apart(logged):
        module = model.modules[directory]
        inputs = dict(model.root_inputs(module, var_files))
        instance = Instance(model, module, "", dict(inputs), {}, 0, root=directory)
        emit.run(instance)
        instance.release()
        reads = list(dict.fromkeys(model.file_reads or ()))
        return Evaluated(model.resources, model.notices, sorted(model.visited), reads)


def _merge(model: TerraformModel, evaluated: Evaluated) -> None:
    """Add what a root wrote to the model: a module block said not evaluated by an earlier root is not said
    again (TerraformModel.tell), as when the roots are evaluated in one model."""
    model.resources.extend(evaluated.resources)
    for notice in evaluated.notices:
        model.tell(notice)
    model.visited.update(evaluated.visited)
