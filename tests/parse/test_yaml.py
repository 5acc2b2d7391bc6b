from __future__ import annotations

import multiprocessing
import pickle

import pytest

from tests.forks import no_new_workers, second_fork_fails

from scanner.discover import Source
from scanner.parse.files import parse_file
from scanner.parse.packed import PackedTerraform, unpacked
from scanner.parse import yaml as yaml_stage
from scanner.parse.yaml import YamlTooComplex, parse_stream, parse_text

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh"))


def test_multi_document_values_and_lines():
    docs = parse_text("d.yaml", "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n")
    assert [d.values["kind"] for d in docs] == ["ConfigMap", "Pod"]
    assert docs[1].locations[("spec", "containers", 0, "name")] == 8
    assert docs[1].line == 4


def test_alias_bomb_is_refused():
    with pytest.raises(YamlTooComplex):
        parse_text("bomb.yaml", BOMB)


def test_recursive_anchor_is_refused():
    with pytest.raises(YamlTooComplex):
        parse_text("r.yaml", "a: &a\n  b: *a\n")


def test_merge_keys():
    docs = parse_text("m.yaml", "base: &b {x: 1}\nkind: K\napiVersion: v\nthing:\n  <<: *b\n  y: 2\n")
    assert docs[0].values["thing"] == {"x": 1, "y": 2}


def _source(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return Source(name, "yaml", str(path))


def test_parse_file_turns_problems_into_notices(tmp_path):
    parsed, notices = parse_file(_source(tmp_path, "bad.yaml", b"apiVersion: v1\nkind: [\n"))
    assert parsed.documents == () and notices[0].line == 3 and "YAML syntax error" in notices[0].message
    parsed, notices = parse_file(_source(tmp_path, "latin.yaml", "apiVersion: v1\nkind: é\n".encode("latin-1")))
    assert parsed is None and "not UTF-8" in notices[0].message
    parsed, notices = parse_file(_source(tmp_path, "bomb.yaml", ("apiVersion: v1\nkind: X\n" + BOMB).encode()))
    assert "alias bomb" in notices[0].message and notices[0].line == 1


def test_helm_templates_are_skipped_with_a_notice(tmp_path):
    (tmp_path / "templates").mkdir()
    source = _source(tmp_path, "templates/deploy.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n")
    parsed, notices = parse_file(source)
    assert parsed.documents == () and "Helm" in notices[0].message


def test_braces_in_valid_yaml_are_not_templates(tmp_path):
    source = _source(tmp_path, "rule.yaml", b"apiVersion: v1\nkind: PrometheusRule\nspec:\n  summary: '{{ $labels.pod }} down'\n")
    parsed, notices = parse_file(source)
    assert notices == [] and parsed.documents[0].values["kind"] == "PrometheusRule"


def test_many_files_parse_the_same_on_every_core(tmp_path, monkeypatch):
    from scanner.parse import files as parse_stage
    from scanner.discover import discover
    for i in range(70):
        (tmp_path / f"m{i}.tf").write_text(f'resource "x" "r{i}" {{\n  n = {i}\n}}\n')
        (tmp_path / f"k{i}.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n")
    (tmp_path / "bad.tf").write_text('resource "x" {\n')
    sources, _ = discover(str(tmp_path))
    monkeypatch.setattr(parse_stage.os, "cpu_count", lambda: 2)
    chunks = _counting_worker_chunks(parse_stage, monkeypatch)
    parallel = parse_stage.parse_all(sources)
    assert sorted(s.path for chunk in chunks for s in chunk) == sorted(s.path for s in sources)
    monkeypatch.setattr(parse_stage, "PARALLEL_FILES", 10 ** 6)
    monkeypatch.setattr(parse_stage, "PARALLEL_BYTES", 10 ** 9)
    chunks.clear()
    sequential = parse_stage.parse_all(sources)
    assert chunks == []
    assert parallel == sequential and len(parallel[0]) == 141 and len(parallel[1]) == 1
    discovered = {s.path: s for s in sources}   # not the worker's copy: two more strings per file on a large scan
    assert all(parsed.source is discovered[parsed.source.path] for parsed in parallel[0])
    packed = [p.terraform for p in parallel[0] if isinstance(p.terraform, PackedTerraform)]
    assert len(packed) == 70 and all(tree.source is discovered[tree.path] for tree in packed)


def test_a_worker_sends_back_each_parse_without_its_source(tmp_path):
    """The main process has every Source: a copy of each, sent back, was 20 MB at once in a 50,000-file tree."""
    from scanner.parse import files as parse_stage
    from scanner.discover import discover
    (tmp_path / "m.tf").write_text('resource "x" "r" {\n  n = 1\n}\n')
    (tmp_path / "k.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    sources, _ = discover(str(tmp_path))
    results = parse_stage._parse_chunk(sources, None)
    assert len(results) == 2 and all(p.source is parse_stage._SOURCE_LEFT_OUT for p, _ in results)
    assert [type(p.terraform).__name__ for p, _ in results] == ["NoneType", "PackedTerraform"]
    assert results[1][0].terraform.source is parse_stage._SOURCE_LEFT_OUT
    assert str(tmp_path).encode() not in pickle.dumps(results)


def _counting_worker_chunks(parse_stage, monkeypatch) -> list:
    chunks: list = []
    real = parse_stage._parse_in_workers

    def counting(given, *args):
        chunks.extend(given)
        return real(given, *args)
    monkeypatch.setattr(parse_stage, "_parse_in_workers", counting)
    return chunks


def test_a_few_large_files_are_parsed_on_every_core_in_chunks_of_about_equal_bytes(tmp_path, monkeypatch):
    from scanner.parse import files as parse_stage
    from scanner.discover import discover
    monkeypatch.setattr(parse_stage.os, "cpu_count", lambda: 2)
    body = "".join(f'resource "x" "r{i}" {{\n  name = "{i:0>40}"\n}}\n' for i in range(1500))   # ~100 KB
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.tf").write_text(body)
    (tmp_path / "small.tf").write_text('locals {\n  a = 1\n}\n')
    chunks = _counting_worker_chunks(parse_stage, monkeypatch)
    files, notices = parse_stage.parse_all(discover(str(tmp_path))[0])
    assert [[s.path for s in chunk] for chunk in chunks] == [["a.tf"], ["b.tf"], ["c.tf"], ["small.tf"]]
    assert notices == [] and [len(unpacked(f.terraform).blocks) for f in files] == [1500, 1500, 1500, 1]
    assert parse_stage._chunks(list("abcde"), [100, 1, 1, 100, 1], 2) == [["a", "b"], ["c", "d"], ["e"]]


def test_templates_inside_a_chart_are_text_for_the_chart_render_without_a_notice(tmp_path):
    from scanner.discover import discover
    from scanner.parse.files import parse_all
    from scanner.parse.texts import ScannedTexts
    (tmp_path / "web" / "templates").mkdir(parents=True)
    (tmp_path / "web" / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    (tmp_path / "web" / "templates" / "deploy.yaml").write_text(template)
    (tmp_path / "loose" / "templates").mkdir(parents=True)
    (tmp_path / "loose" / "templates" / "deploy.yaml").write_text(template)
    files, notices = parse_all(discover(str(tmp_path))[0])
    assert [(n.path, "Helm" in n.message) for n in notices] == [("loose/templates/deploy.yaml", True)]
    in_chart = next(f for f in files if f.source.path == "web/templates/deploy.yaml")
    assert in_chart.has_text and in_chart.documents == ()
    assert ScannedTexts(files)["web/templates/deploy.yaml"] == template


# --- limits per document and per List item (fuzzing round, issue 17) --------------------------------
def _notices(tmp_path, text: str):
    return parse_file(_source(tmp_path, "m.yaml", text.encode()))


def test_a_document_over_a_limit_is_skipped_with_the_reason_and_the_others_are_judged(tmp_path):
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\n"
            "apiVersion: v1\nkind: ConfigMap\n" + BOMB +
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: last}\n"
            "---\napiVersion: v1\nkind: ConfigMap\ndata: &x [*x]\n"
            "---\napiVersion: v1\nkind: ConfigMap\ndata: " + "[" * 150 + "]" * 150 + "\n")
    parsed, notices = _notices(tmp_path, text)
    assert [d.values["metadata"]["name"] for d in parsed.documents] == ["first", "last"]
    assert [(n.line, n.message) for n in notices] == [
        (5, "document 2 not judged: aliases in this file expand to more than 100000 values (an alias bomb?)"),
        (20, "document 4 not judged: an alias refers to a value that contains it (a recursive anchor)"),
        (24, "document 5 not judged: nested deeper than 100 levels, sovscan's limit"),
    ]


def test_list_items_are_objects_of_their_own_each_within_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(yaml_stage, "MAX_NODES", 40)
    item = "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {{name: d{i}}}\n  spec: {{replicas: 2}}\n"
    big = "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: big}\n  data: [" + ", ".join("x" * 50) + "]\n"
    text = "apiVersion: v1\nkind: List\nitems:\n" + "".join(item.format(i=i) for i in range(20)) + big + item.format(i=20)
    parsed, notices = _notices(tmp_path, text)
    names = [d.values["metadata"]["name"] for d in parsed.documents]
    assert names == [f"d{i}" for i in range(21)]
    assert parsed.documents[1].line == 8 and parsed.documents[1].locations[("spec", "replicas")] == 11
    assert [(n.line, n.message) for n in notices] == [
        (84, "document 1 not judged: items[20]: more than 40 values, sovscan's limit for one document or List item")]


def test_aliases_are_counted_across_list_items(tmp_path, monkeypatch):
    monkeypatch.setattr(yaml_stage, "MAX_ALIAS_NODES", 30)
    text = ("apiVersion: v1\nkind: List\nitems:\n- &a {apiVersion: v1, kind: ConfigMap, data: [1, 2, 3, 4, 5, 6, 7]}\n"
            + "- *a\n" * 5)
    parsed, notices = _notices(tmp_path, text)
    assert len(parsed.documents) == 3          # the anchored item and two aliases: 22 values added
    assert [n.message[:31] for n in notices] == [f"document 1 not judged: items[{i}]" for i in (3, 4, 5)]
    assert "alias bomb" in notices[0].message and notices[0].line == 4     # an alias is where its anchor is


@pytest.mark.parametrize("scalar,value", [
    ("9" * 5000, "9" * 5000),              # over Python's 4,300-digit int-string limit
    ("2024-02-30", "2024-02-30"),          # a timestamp the calendar does not have
    ("0x" + "f" * 5000, "0x" + "f" * 5000),
    (".inf", float("inf")),
])
def test_scalars_python_cannot_hold_stay_the_text_written(tmp_path, scalar, value):
    parsed, notices = _notices(tmp_path, f"apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {scalar}\n")
    assert notices == [] and parsed.documents[0].values["spec"]["replicas"] == value


def test_a_lone_surrogate_never_leaves_the_yaml_parser():
    loader = yaml_stage.LOADER
    try:
        yaml_stage.LOADER = __import__("yaml").SafeLoader     # the pure-Python loader lets "\ud800" through
        docs = parse_text("s.yaml", 'apiVersion: v1\nkind: ConfigMap\ndata: {"k\\ud800": "v\\udfff"}\n')
    finally:
        yaml_stage.LOADER = loader
    assert docs[0].values["data"] == {"k\ufffd": "v\ufffd"}


# --- CustomResourceDefinitions are read without their OpenAPI schema --------------------------------------

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.eu
spec:
  group: example.eu
  names: {kind: Widget, plural: widgets}
  conversion:
    strategy: Webhook
    webhook: {clientConfig: {service: {name: convert, namespace: system}}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
"""
CRD_V1BETA1 = """apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.eu}
spec:
  group: example.eu
  validation:
    openAPIV3Schema: {type: object}
  version: v1
"""


def test_a_crd_is_read_without_its_schema_and_keeps_everything_else():
    [crd, old], _ = parse_stream("crds.yaml", CRD + "---\n" + CRD_V1BETA1)
    assert crd.values["spec"]["versions"] == [{"name": "v1", "served": True, "storage": True}]
    assert crd.values["spec"]["conversion"]["webhook"]["clientConfig"]["service"]["namespace"] == "system"
    assert crd.locations[("spec", "versions", 0, "storage")] == 14
    assert not [key for key in crd.locations if "schema" in key]
    assert old.values["spec"] == {"group": "example.eu", "version": "v1"}


def test_a_crd_in_a_list_is_read_without_its_schema_and_other_kinds_keep_such_fields():
    indented = "".join(f"  {line}\n" for line in CRD.splitlines())
    listed = "apiVersion: v1\nkind: List\nitems:\n- " + indented[4:]
    [crd], _ = parse_stream("list.yaml", listed)
    assert "schema" not in crd.values["spec"]["versions"][0] and crd.values["metadata"]["name"] == "widgets.example.eu"
    custom = CRD.replace("kind: CustomResourceDefinition", "kind: Widget")
    [widget], _ = parse_stream("widget.yaml", custom)
    assert widget.values["spec"]["versions"][0]["schema"] == {"openAPIV3Schema": {"type": "object"}}


def test_dropping_a_crd_schema_leaves_what_an_anchor_shares_with_another_item():
    listed = """apiVersion: v1
kind: List
items:
- apiVersion: apiextensions.k8s.io/v1
  kind: CustomResourceDefinition
  metadata: {name: widgets.example.eu}
  spec: &shared
    versions:
    - name: v1
      schema: {openAPIV3Schema: {type: object}}
- apiVersion: example.eu/v1
  kind: Widget
  metadata: {name: w}
  spec: *shared
"""
    crd, widget = parse_stream("list.yaml", listed)[0]
    assert crd.values["spec"] == {"versions": [{"name": "v1"}]}
    assert widget.values["spec"] == {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": {"type": "object"}}}]}


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="parse workers are forks only where fork is the default start method")
def test_a_failed_fork_leaves_no_parse_worker_and_the_files_are_parsed_here(tmp_path, monkeypatch):
    """A worker forked before a fork failed waits for tasks: it must be ended (the scan would never end, its
    output held open), and every file is parsed all the same."""
    import multiprocessing
    from scanner.parse import files as parse_stage
    from scanner.discover import discover
    for i in range(70):
        (tmp_path / f"m{i}.tf").write_text(f'resource "x" "r{i}" {{\n  n = {i}\n}}\n')
    sources, _ = discover(str(tmp_path))
    monkeypatch.setattr(parse_stage.os, "cpu_count", lambda: 2)
    forks = second_fork_fails(monkeypatch)
    before = set(multiprocessing.active_children())
    files, notices = parse_stage.parse_all(sources)
    assert len(forks) == 2 and len(files) == 70 and notices == [] and no_new_workers(before)
