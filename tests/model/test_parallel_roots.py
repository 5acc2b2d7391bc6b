"""Root modules evaluated in worker processes: the model is the one evaluating them in the main process gives
(resources, notices, visited directories, shared tables), their root cache entries are written by the workers
and answer the next run, and a root a worker cannot send back (values the codec cannot keep, a worker that
died) or a scan where no worker can start is evaluated in the main process. A file a worker finds changed
since parsing is a notice of the scan as when the main process finds it."""
from __future__ import annotations

import hashlib
import os

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
from scanner.parse.texts import ScannedTexts
from tests.model.test_root_cache import FILES, INSTALLED, MANIFEST, PROD, _as_data, _packed

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


def _build(cache: RootCache | None = None, texts=None):
    tfvars = [terraform.parse_text(p, t) for p, t in sorted(FILES.items()) if p.endswith(".tfvars")]
    digests = {p: hashlib.sha256(t.encode()).hexdigest() for p, t in FILES.items()}
    return tf_model.build(_packed(FILES), tfvars, [], texts if texts is not None else dict(FILES), digests,
                          {PROD: parse_manifest(MANIFEST, PROD)}, {INSTALLED}, None, cache)


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
    assert _as_data(_build()) == cold


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


def test_a_file_a_worker_finds_changed_is_noticed_by_the_scan(tmp_path, in_workers, monkeypatch):
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
    assert texts.changed == {policy}
