"""The model stage consumes the parsed syntax: a module directory's Terraform trees are freed as soon as nothing
left to evaluate may call it (never sooner: the model is the same without releasing), all of them once the
root modules are evaluated, and a file's YAML documents once Kubernetes is rendered, so a large scan never
holds all the parsed trees together with the whole model (the peak of its memory). They are freed by
reference counting, not left for the cyclic collector, which a scan runs seldom. Equal tables and attribute
paths are kept once, and the Helm SDK's worker is forked while the scan is still small."""
from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from scanner import stages
from scanner.config import Config
from scanner.discover import discover
from scanner.model import build as model_stage
from scanner.model import helm, helm_engines
from scanner.model import terraform as tf_model
from scanner.model.terraform.modules import TerraformModel
from scanner.parse import codec
from scanner.parse import files as files_module
from scanner.parse.files import ParsedFile, parse_all
from scanner.pipeline import ScanRequest

def _parsed(root: Path) -> list[ParsedFile]:
    sources, _ = discover(str(root))
    return parse_all(sources)[0]


FILES = {
    "main.tf": 'module "store" {\n  source = "./modules/store"\n  name   = "logs"\n}\n',
    "modules/store/main.tf": 'variable "name" {}\nresource "azurerm_storage_account" "s" {\n  name = var.name\n}\n',
    "deploy/base/kustomization.yaml": "resources:\n- app.yaml\n",
    "deploy/base/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: b\n",
    "deploy/prod/kustomization.yaml": "resources:\n- ../base\nnamespace: prod\n",
}


def test_the_syntax_trees_are_freed_by_the_build_without_the_collector(write):
    root: Path = write(FILES)
    files = _parsed(root)
    trees = [weakref.ref(f.terraform) for f in files if f.terraform is not None]
    documents = [weakref.ref(d) for f in files if f.source.path.endswith("app.yaml") for d in f.documents]
    assert len(trees) == 2 and len(documents) == 1
    gc.disable()
    try:
        model = model_stage.build(files)
        assert [r for r in trees if r() is not None] == []
        assert [r for r in documents if r() is not None] == []
    finally:
        gc.enable()
    by_address = {r.address: r for r in model.resources}
    assert by_address["module.store.azurerm_storage_account.s"].values["name"] == "logs"
    assert [r.values["metadata"] for r in model.resources if r.kind == "kubernetes"] == \
        [{"name": "app", "namespace": "prod"}]


def test_a_tree_the_codec_cannot_pack_stays_a_tree_and_is_evaluated_the_same(write, monkeypatch):
    root: Path = write(FILES)
    packed = model_stage.build(_parsed(root))

    def unencodable(*args, **kwargs):
        raise codec.Unencodable("splat step")
    monkeypatch.setattr(files_module, "pack", unencodable)
    files = _parsed(root)
    assert [type(f.terraform).__name__ for f in files if f.terraform is not None] == ["TerraformFile"] * 2
    assert model_stage.build(files).resources == packed.resources


CHART = {"app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
         "app/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"}


@pytest.mark.parametrize("files, engine, started", [
    (CHART, "auto", True),
    (CHART, "sdk", True),
    (CHART, "binary", False),
    (CHART, "none", False),
    ({"main.tf": 'resource "x_a" "r" {}\n'}, "auto", False),
])
def test_the_helm_sdk_worker_starts_before_parsing_when_a_chart_is_scanned(write, monkeypatch, files, engine,
                                                                         started):
    """Forked after the model is built, the worker would share (and, as the scan writes, copy) the scan's memory."""
    events: list[str] = []
    parse = stages.parse_all
    monkeypatch.setattr(helm_engines, "_sdk_available", lambda: events.append("worker"))
    monkeypatch.setattr(helm, "choose", lambda preference="auto": None)   # rendering asks no engine here
    monkeypatch.setattr(stages, "parse_all", lambda *a, **k: (events.append("parse"), parse(*a, **k))[1])
    stages.run(ScanRequest((str(write(files)),), (), Config(), helm_engine=engine))
    assert events == (["worker", "parse"] if started else ["parse"])


def test_instances_of_one_module_share_their_tables_and_keep_their_own_values(write):
    """A module called twice gives each instance equal location, literal, reference, origin and place tables:
    kept once."""
    root = write({
        "main.tf": 'module "a" {\n  source = "./m"\n  name = "one"\n}\nmodule "b" {\n  source = "./m"\n  name = "two"\n}\n',
        "m/main.tf": 'variable "name" {}\nresource "x_a" "r" {\n  name = var.name\n  tags = { team = "t" }\n}\n'
                     'resource "x_a" "s" {\n  tags = { team = "t" }\n  name = var.name\n}\n',
    })
    by_address = {r.address: r for r in model_stage.build(_parsed(root)).resources}
    one, two = by_address["module.a.x_a.r"], by_address["module.b.x_a.r"]
    assert (one.values["name"], two.values["name"]) == ("one", "two")
    assert one.locations is two.locations and one.literal_paths is two.literal_paths
    assert one.locations == {"name": 3, "tags": 4}
    other = by_address["module.a.x_a.s"]   # the same entries in another order, on other lines: its own table
    assert other.locations is not one.locations and list(other.locations) == ["tags", "name"]
    # where each caller wrote `name`: one table per call site, kept once for the resources that share it
    assert one.origins != two.origins and other.origins is one.origins
    assert one.places is two.places is other.places and one.provider_values is two.provider_values


def test_an_empty_provider_table_is_not_a_provider_blocks_own_values(write):
    """Resources without provider values share one empty table, which is no provider block's `values`: a
    change to a provider's values must reach no other resource."""
    root = write({"main.tf": 'provider "aws" {}\nresource "aws_s3_bucket" "b" {}\nresource "x_y" "c" {}\n'})
    by_address = {r.address: r for r in model_stage.build(_parsed(root)).resources}
    bucket, other = by_address["aws_s3_bucket.b"], by_address["x_y.c"]
    provider = next(r for r in by_address.values() if r.type == "provider")
    assert bucket.provider_values == other.provider_values == {}
    assert other.provider_values is bucket.provider_values and other.provider_values is not provider.values


ROOTS = {
    "a/main.tf": 'module "own" {\n  source = "../modules/only_a"\n}\n'
                 'module "common" {\n  source = "../modules/shared"\n}\n',
    "b/main.tf": 'module "common" {\n  source = "../modules/shared"\n}\n',
    "modules/only_a/main.tf": 'resource "x_a" "own" {\n  name = "own"\n}\n',
    "modules/shared/main.tf": 'resource "x_a" "common" {\n  name = "common"\n}\n',
}


def _alive_directories_per_root(write, monkeypatch, files: dict[str, str]):
    """(the module directories whose syntax is alive as each root module starts to be evaluated, the model),
    with the collector off: what reference counting alone frees."""
    directories: dict[str, weakref.ref] = {}
    group, evaluate = tf_model.group_modules, tf_model._evaluate_root

    def grouped(*args):
        modules = group(*args)
        directories.update({path: weakref.ref(module) for path, module in modules.items()})
        return modules

    alive: dict[str, list[str]] = {}

    def evaluated(model, directory, *rest):
        alive[directory] = sorted(path for path, ref in directories.items() if ref() is not None)
        evaluate(model, directory, *rest)

    monkeypatch.setattr(tf_model, "group_modules", grouped)
    monkeypatch.setattr(tf_model, "_evaluate_root", evaluated)
    parsed = _parsed(write(files))
    gc.disable()
    try:
        return alive, model_stage.build(parsed)
    finally:
        gc.enable()


def test_a_module_directory_s_syntax_is_dropped_once_no_root_left_calls_it(write, monkeypatch):
    alive, model = _alive_directories_per_root(write, monkeypatch, ROOTS)
    assert alive == {"a": ["a", "b", "modules/only_a", "modules/shared"], "b": ["b", "modules/shared"]}
    assert {r.address for r in model.resources if r.type == "x_a"} == \
        {"module.own.x_a.own", "module.common.x_a.common"}
    assert sorted(r.root for r in model.resources if r.type == "x_a") == ["a", "a", "b"]


def test_a_root_whose_module_source_is_not_a_literal_keeps_every_directory_until_it_is_evaluated(write, monkeypatch):
    """Where a computed source leads is known only when it is evaluated: b reaches only_a through a local, so
    nothing is dropped before b is evaluated."""
    files = dict(ROOTS, **{"b/main.tf": 'locals {\n  where = "../modules/only_a"\n}\n'
                                        'module "borrowed" {\n  source = local.where\n}\n'})
    alive, model = _alive_directories_per_root(write, monkeypatch, files)
    assert alive["b"] == ["a", "b", "modules/only_a", "modules/shared"]
    assert [(r.address, r.root) for r in model.resources if r.type == "x_a" and r.root == "b"] == \
        [("module.borrowed.x_a.own", "b")]


def test_objects_share_their_equal_attribute_paths(write):
    """Every object of a kind repeats the same paths: one string each, rendered or plain."""
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n"
                  "      containers:\n      - name: app\n        image: registry.example/{name}:1\n")
    root = write({
        "deploy/kustomization.yaml": "resources:\n- a.yaml\n- b.yaml\n",
        "deploy/a.yaml": deployment.format(name="a"),
        "deploy/b.yaml": deployment.format(name="b"),
        "plain/c.yaml": deployment.format(name="c"),
    })
    objects = [r for r in model_stage.build(_parsed(root)).resources if r.type == "Deployment"]
    assert len(objects) == 3
    path = "spec.template.spec.containers[0].image"
    keys = [next(k for k in (*r.places, *r.locations) if k == path) for r in objects]
    assert keys[0] is keys[1] is keys[2]


# Trees where a directory's syntax is still needed after the last root that reaches it: a directory no root
# visits is evaluated as a root of its own at the end, with what it calls.
STILL_NEEDED = {
    "called only with count = 0": {
        "main.tf": 'variable "backup" {\n  default = false\n}\nmodule "backup" {\n  source = "./modules/backup"\n'
                   '  count  = var.backup ? 1 : 0\n}\nmodule "store" {\n  source = "./modules/store"\n}\n',
        "modules/backup/main.tf": 'module "store" {\n  source = "../store"\n}\n',
        "modules/store/main.tf": 'resource "x_a" "s" {\n  name = "s"\n}\n',
    },
    "a cycle that calls a root's module": {
        "r/main.tf": 'module "e" {\n  source = "../e"\n}\n',
        "c1/main.tf": 'module "c2" {\n  source = "../c2"\n}\nmodule "e" {\n  source = "../e"\n}\n',
        "c2/main.tf": 'module "c1" {\n  source = "../c1"\n}\n',
        "e/main.tf": 'resource "x_a" "e" {\n  name = "e"\n}\n',
    },
    "a later root with a computed source": dict(ROOTS, **{
        "b/main.tf": 'locals {\n  where = "../modules/only_a"\n}\n'
                     'module "borrowed" {\n  source = local.where\n}\n'}),
    "roots sharing a module": ROOTS,
}


@pytest.mark.parametrize("files", STILL_NEEDED.values(), ids=list(STILL_NEEDED))
def test_releasing_syntax_changes_nothing_the_model_holds(write, tmp_path, monkeypatch, files):

    def model_of(directory: str):
        model = model_stage.build(_parsed(write(files, tmp_path / directory)))
        return sorted((r.root, r.address, r.path, r.line) for r in model.resources), model.notices

    released = model_of("released")
    monkeypatch.setattr(tf_model.Releases, "after", lambda self, root, visited: [])
    assert released == model_of("kept")


def test_working_out_releases_stays_linear_on_a_deep_chain_of_modules(write, monkeypatch):
    """Each directory of a chain of N may call all below it (N*N/2 in all): past a budget per directory of the
    scan the syntax is kept to the end instead."""
    count = 300
    files = {"root/main.tf": 'module "m" {\n  source = "../m0"\n}\n', f"m{count - 1}/main.tf": 'resource "x_a" "r" {}\n'}
    files.update({f"m{n}/main.tf": f'module "n" {{\n  source = "../m{n + 1}"\n}}\n' for n in range(count - 1)})
    walked: list[int] = []
    reached = TerraformModel.reached

    def counted(self, directory):
        found = reached(self, directory)
        walked.append(len(found[0]) if found is not None else 0)
        return found

    monkeypatch.setattr(TerraformModel, "reached", counted)
    released: list[str] = []
    after = tf_model.Releases.after
    monkeypatch.setattr(tf_model.Releases, "after", lambda self, *a: released.extend(after(self, *a)) or [])
    model_stage.build(_parsed(write(files)))
    assert sum(walked) <= tf_model.RELEASE_WORK_PER_DIRECTORY * (count + 1) + count + 1 < count * count // 2
    assert released == []


def test_what_every_file_and_every_passed_check_makes_has_no_dict_of_its_own(write):
    """A repository of 50,000 files makes 50,000 sources, parsed files and text-file resources, and hundreds of
    thousands of passed checks: none carries a __dict__, and the text files' resources share their empty tables
    (there are seven per resource) instead of holding seven empty dictionaries each."""
    from scanner.evaluate.result import Passed
    from scanner.model import files as file_model
    root = write({"a.md": "one\n", "b/c.txt": "two\n"})
    files = _parsed(root)
    resources = file_model.build(files)
    assert [r.path for r in resources] == ["a.md", "b/c.txt"]
    for thing in (files[0], files[0].source, resources[0], Passed("SEC-001", "a.md", "a.md", 1)):
        assert not hasattr(thing, "__dict__"), type(thing).__name__
    first, second = resources
    for table in ("locations", "references", "provider_values", "origins", "chains", "places"):
        assert getattr(first, table) == {} and getattr(first, table) is getattr(second, table)
    assert first.facts is not second.facts          # derived facts are a resource's own


def test_the_scan_root_of_many_files_is_found_from_their_directories_once_each():
    """posixpath.commonpath splits every path it is given into a list of parts: given each of 50,000 files'
    directories it made the largest allocation of a large scan (22 MB), given each directory once, none."""
    import tracemalloc

    from scanner.model.repository import root_of
    paths = [f"repo/src/part{n // 100}/file{n}.py" for n in range(20_000)] + ["repo/infra/main.tf"]
    tracemalloc.start()
    try:
        root = root_of(paths)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert root == "repo"
    assert peak < 512 * 1024
    assert root_of(["main.tf", "modules/a/main.tf"]) == "" and root_of([]) == ""
