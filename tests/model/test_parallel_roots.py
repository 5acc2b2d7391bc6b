"""Root modules evaluated in worker processes: the model is the one evaluating them in the main process gives
(resources, notices, visited directories, what each evaluation read, shared tables), also for an expression
nested nearly too deeply, their root cache entries are written by the workers and answer the next run, and a
root a worker cannot send back (values the codec cannot keep, a worker that died), a root a plan gives values,
or a scan where no worker can start (or a fork fails) is evaluated in the main process. A file a worker finds
changed since parsing is a notice of the scan as when the main process finds it, and a cache directory a
worker cannot write is not written by the others."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import sys

import zlib

import pytest

from scanner import workers
from scanner.discover import discover
from scanner.model import terraform as tf_model
from scanner.model.terraform import cache as cache_module
from scanner.model.terraform import parallel
from scanner.model.terraform.cache import RootCache
from scanner.parse import terraform
from scanner.parse import texts as texts_module
from scanner.parse.codec import Unencodable
from scanner.parse.files import parse_all
from scanner.parse.modules import parse_manifest
from scanner.parse.packed import unpacked
from scanner.parse.plan import read_plan
from scanner.parse.texts import ScannedTexts
from scanner.model.values import Unknown
from tests.forks import no_new_workers, second_fork_fails
from tests.model.test_root_cache import FILES, INSTALLED, MANIFEST, PROD, _packed

ROOTS = ["envs/dev", PROD]


@pytest.fixture
def in_workers(monkeypatch) -> None:
    """Workers from the first root on, on a machine of two cores."""
    monkeypatch.setattr(parallel, "SLOW_SECONDS", 0)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)


@pytest.fixture
def evaluated_here(monkeypatch) -> list[str]:
    """The roots evaluated in this process (a worker appends to its own copy of the list)."""
    roots: list[str] = []
    real = tf_model._evaluated

    def counting(model, directory, var_files, logged):
        roots.append(directory)
        return real(model, directory, var_files, logged)
    monkeypatch.setattr(tf_model, "_evaluated", counting)
    return roots


def _build(cache: RootCache | None = None, files: dict[str, str] = FILES, plans=None):
    tfvars = [terraform.parse_text(p, t) for p, t in sorted(files.items()) if p.endswith(".tfvars")]
    digests = {p: hashlib.sha256(t.encode()).hexdigest() for p, t in files.items()}
    return tf_model.build(_packed(files), tfvars, [], dict(files), digests, {PROD: parse_manifest(MANIFEST, PROD)},
                          {INSTALLED}, plans, cache)


def _as_data(model) -> tuple:
    """Everything the Terraform model hands on, comparable with ==."""
    return model.resources, model.notices, model.visited, model.evaluations


def test_roots_evaluated_in_workers_make_the_model_evaluating_here_makes(tmp_path, monkeypatch, evaluated_here):
    here = _as_data(_build())
    assert evaluated_here == ROOTS
    monkeypatch.setattr(parallel, "SLOW_SECONDS", 0)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    evaluated_here.clear()
    model = _build()
    assert evaluated_here == [] and _as_data(model) == here
    dev, prod = (next(r for r in model.resources if r.address == "module.app.azurerm_storage_account.sa" and
                      r.root == root) for root in ROOTS)
    assert dev.locations == prod.locations and dev.locations is prod.locations   # the model's shared tables


def test_workers_write_the_root_cache_entries_the_next_run_reads(tmp_path, in_workers, evaluated_here):
    cache = RootCache(str(tmp_path / "cache"))
    cold = _as_data(_build(cache))
    assert evaluated_here == [] and len(list((tmp_path / "cache").glob("roots/*/*.json"))) == 2
    assert cache.written == sum(p.stat().st_size for p in (tmp_path / "cache").glob("roots/*/*.json"))
    warm = _build(RootCache(str(tmp_path / "cache")))
    assert evaluated_here == [] and _as_data(warm) == cold
    assert _as_data(_build())[:3] == cold[:3]   # without a cache, no evaluation is recorded


def test_a_root_a_worker_cannot_send_back_is_evaluated_here(in_workers, monkeypatch, evaluated_here):
    real = cache_module.encode

    def refusing_prod(evaluated):
        if any(r.root == PROD for r in evaluated.resources):
            raise Unencodable("value")
        return real(evaluated)
    monkeypatch.setattr(cache_module, "encode", refusing_prod)   # the workers are forks: they refuse it too
    model = _build()
    assert evaluated_here == [PROD]
    monkeypatch.setattr(parallel, "SLOW_SECONDS", 10 ** 9)
    evaluated_here.clear()
    assert _as_data(model) == _as_data(_build()) and evaluated_here == ROOTS


def test_roots_whose_worker_died_are_evaluated_here(in_workers, monkeypatch, evaluated_here):
    main = os.getpid()
    real = tf_model._evaluated

    def dying_in_a_worker(model, directory, var_files, logged):
        if os.getpid() != main:
            os._exit(9)
        return real(model, directory, var_files, logged)
    monkeypatch.setattr(tf_model, "_evaluated", dying_in_a_worker)
    model = _build()
    monkeypatch.setattr(parallel, "SLOW_SECONDS", 10 ** 9)
    assert _as_data(model) == _as_data(_build())


def test_without_workers_every_root_is_evaluated_here(in_workers, monkeypatch, evaluated_here):
    monkeypatch.setattr(workers, "pool", lambda *args, **kwargs: None)   # a sandbox without sem_open
    _build()
    assert evaluated_here == ROOTS


def test_roots_quick_to_evaluate_are_evaluated_here(monkeypatch, evaluated_here):
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    _build()
    assert evaluated_here == ROOTS


def test_a_file_a_worker_finds_changed_is_noticed_by_the_scan(tmp_path, in_workers, monkeypatch, evaluated_here):
    for path, text in FILES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    files, _ = parse_all(sorted(discover(str(tmp_path))[0]))
    texts = ScannedTexts(files)
    policy = next(p for p in texts if p.endswith("envs/prod/policy.json"))
    real = texts_module.read_again
    monkeypatch.setattr(texts_module, "read_again",
                        lambda source, digest: None if source.path == policy else real(source, digest))
    syntax = [f.terraform for f in files if f.terraform is not None and f.source.kind == "terraform"]
    tfvars = [unpacked(f.terraform) for f in files if f.terraform is not None and f.source.kind == "tfvars"]
    prefix = policy[: -len("envs/prod/policy.json")]
    model = tf_model.build(syntax, tfvars, [], texts, {f.source.path: f.digest for f in files},
                           {prefix + PROD: parse_manifest(MANIFEST, prefix + PROD)}, {prefix + INSTALLED})
    group = next(r for r in model.resources if r.address == "azurerm_resource_group.rg")
    assert group.values["tags"]["policy"] == ""          # read as empty, as file() reads a changed file
    assert texts.changed == {policy} and evaluated_here == []


def test_a_root_a_plan_gives_values_is_evaluated_here(tmp_path, in_workers, monkeypatch, evaluated_here):
    """The plan records which of its resources the code matched (planned_only reports the others): in the
    main process."""
    module = 'variable "location" {}\nresource "azurerm_storage_account" "x" {\n  name = "stx"\n  location = var.location\n}\n'
    caller = 'module "m" {{\n  source = "../mod"\n  location = "{}"\n}}\n'
    own = 'resource "azurerm_storage_account" "own" {\n  name = "stprod"\n  location = "westeurope"\n}\n'
    files = {"mod/main.tf": module, "a/main.tf": caller.format("westeurope"), "b/main.tf": caller.format("northeurope"),
             "prod/main.tf": caller.format("westeurope") + own}

    def planned(address: str, name: str, location: str) -> dict:
        return {"address": address, "mode": "managed", "type": "azurerm_storage_account", "name": address.split(".")[-1],
                "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
                "values": {"name": name, "location": location}, "sensitive_values": {}}
    (tmp_path / "plan.json").write_text(json.dumps({
        "format_version": "1.2", "terraform_version": "1.9.5", "variables": {}, "resource_changes": [],
        "planned_values": {"root_module": {
            "resources": [planned("azurerm_storage_account.own", "stprod", "westeurope")],
            "child_modules": [{"address": "module.m",
                               "resources": [planned("module.m.azurerm_storage_account.x", "stx", "eastus")]}]}}}))
    plan = dataclasses.replace(read_plan(str(tmp_path / "plan.json")), directory="prod")
    model = _build(files=files, plans=[plan])
    assert evaluated_here == ["prod"]
    assert [r.address for r in model.resources if r.root == "prod" and r.type == "azurerm_storage_account"] == \
        ["azurerm_storage_account.own", "module.m.azurerm_storage_account.x"]    # each once: the plan matched both
    assert not any("planned" in n.message for n in model.notices)
    monkeypatch.setattr(parallel, "SLOW_SECONDS", 10 ** 9)
    assert _as_data(model) == _as_data(_build(files=files, plans=[plan]))


def test_a_failed_fork_leaves_no_worker_and_every_root_is_evaluated_here(in_workers, monkeypatch, evaluated_here):
    forks = second_fork_fails(monkeypatch)
    before = set(multiprocessing.active_children())
    model = _build()
    assert len(forks) == 2 and evaluated_here == ROOTS and no_new_workers(before)
    monkeypatch.setattr(parallel, "SLOW_SECONDS", 10 ** 9)
    assert _as_data(model) == _as_data(_build())


def _chain(depth: int) -> dict[str, str]:
    """Two roots whose storage account's name is a chain of `depth` locals."""
    chain = "\n".join(f"  l{i} = local.l{i + 1}" for i in range(depth)) + f'\n  l{depth} = "x"'
    root = f'locals {{\n{chain}\n}}\nresource "azurerm_storage_account" "s" {{\n  name = local.l0\n}}\n'
    return {"a/main.tf": root, "b/main.tf": root}


def _names(files: dict[str, str]) -> list:
    return [r.values["name"] for r in _build(files=files).resources]


def test_an_expression_nested_nearly_too_deeply_is_as_deep_in_a_worker(monkeypatch, evaluated_here):
    """A worker starts deeper in the stack (below the frames its fork copied): it is given as many more
    frames, so what is too deep here is too deep there, and only that."""
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "SLOW_SECONDS", 10 ** 9)
    low, high = 1, sys.getrecursionlimit()            # the deepest chain that resolves here
    while low + 1 < high:
        middle = (low + high) // 2
        low, high = (middle, high) if _names(_chain(middle)) == ["x", "x"] else (low, middle)
    monkeypatch.setattr(parallel, "SLOW_SECONDS", 0)
    evaluated_here.clear()
    assert _names(_chain(low)) == ["x", "x"]
    too_deep = _names(_chain(high))
    assert all(isinstance(name, Unknown) and "nested too deeply" in name.reason for name in too_deep)
    assert evaluated_here == []      # both chains evaluated in workers


def test_a_worker_lets_go_of_what_it_unpacked_for_a_root(monkeypatch):
    """Each worker evaluates many roots: the syntax it unpacked for one is not kept for the next (what several
    roots call was unpacked before the fork)."""
    model = tf_model.TerraformModel(tf_model.group_modules(_packed(FILES), []), dict(FILES))
    job = parallel.RootJob(model, [], None, None, tf_model._evaluated, headroom=parallel._headroom())
    monkeypatch.setattr(parallel, "_job", job)
    limit = sys.getrecursionlimit()
    sent = parallel._evaluate("envs/dev")
    assert sent is not None and model.modules.unpacked_directories() == set() and sys.getrecursionlimit() == limit
    assert [r.address for r in cache_module.decode(zlib.decompress(sent.body)).resources][0].startswith("module.app")


def test_a_cache_a_worker_cannot_write_is_not_written_again(tmp_path, in_workers):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "roots").write_text("not a directory")
    cache = RootCache(str(tmp_path / "cache"))
    _build(cache)
    assert cache.writable is False and cache.written == 0



def test_roots_evaluated_here_for_a_stale_entry_count_towards_starting_workers(tmp_path, monkeypatch,
                                                                                evaluated_here):
    """A root whose entry no longer holds (a file its file() reads changed) is evaluated here, and the time it
    takes counts: a change every root reads must not make a warm scan evaluate every root on one core."""
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "SLOW_SECONDS", 1e-9)
    reading = 'resource "azurerm_storage_account" "s" {\n  name = file("${path.module}/name.txt")\n}\n'
    plain = 'resource "azurerm_storage_account" "s" {\n  name = "plain"\n}\n'
    cache = RootCache(str(tmp_path / "cache"))
    _build(cache, files={"a/main.tf": reading, "a/name.txt": "one"})             # a's entry
    evaluated_here.clear()
    changed = {"a/main.tf": reading, "a/name.txt": "two", "b/main.tf": plain, "c/main.tf": plain}
    model = _build(cache, files=changed)
    assert evaluated_here == ["a"]         # b and c, which have no entry, in workers once a was evaluated here
    assert [r.values["name"] for r in model.resources] == ["two", "plain", "plain"]
