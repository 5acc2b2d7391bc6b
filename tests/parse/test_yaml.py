from __future__ import annotations

import pytest

from scanner.discover import Source
from scanner.parse import parse_file
from scanner.parse.yaml import YamlTooComplex, parse_text

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
    assert parsed.documents == [] and notices[0].line == 3 and "YAML syntax error" in notices[0].message
    parsed, notices = parse_file(_source(tmp_path, "latin.yaml", "apiVersion: v1\nkind: é\n".encode("latin-1")))
    assert parsed is None and "not UTF-8" in notices[0].message
    parsed, notices = parse_file(_source(tmp_path, "bomb.yaml", ("apiVersion: v1\nkind: X\n" + BOMB).encode()))
    assert "nodes" in notices[0].message


def test_helm_templates_are_skipped_with_a_notice(tmp_path):
    (tmp_path / "templates").mkdir()
    source = _source(tmp_path, "templates/deploy.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n")
    parsed, notices = parse_file(source)
    assert parsed.documents == [] and "Helm" in notices[0].message


def test_braces_in_valid_yaml_are_not_templates(tmp_path):
    source = _source(tmp_path, "rule.yaml", b"apiVersion: v1\nkind: PrometheusRule\nspec:\n  summary: '{{ $labels.pod }} down'\n")
    parsed, notices = parse_file(source)
    assert notices == [] and parsed.documents[0].values["kind"] == "PrometheusRule"


def test_many_files_parse_the_same_on_every_core(tmp_path, monkeypatch):
    from scanner import parse as parse_stage
    from scanner.discover import discover
    for i in range(70):
        (tmp_path / f"m{i}.tf").write_text(f'resource "x" "r{i}" {{\n  n = {i}\n}}\n')
        (tmp_path / f"k{i}.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n")
    (tmp_path / "bad.tf").write_text('resource "x" {\n')
    sources, _ = discover(str(tmp_path))
    parallel = parse_stage.parse_all(sources)
    monkeypatch.setattr(parse_stage, "PARALLEL_THRESHOLD", 10 ** 6)
    sequential = parse_stage.parse_all(sources)
    assert parallel == sequential and len(parallel[0]) == 141 and len(parallel[1]) == 1


def test_templates_inside_a_chart_are_text_for_the_chart_render_without_a_notice(tmp_path):
    from scanner.discover import discover
    from scanner.parse import parse_all
    (tmp_path / "web" / "templates").mkdir(parents=True)
    (tmp_path / "web" / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    (tmp_path / "web" / "templates" / "deploy.yaml").write_text(template)
    (tmp_path / "loose" / "templates").mkdir(parents=True)
    (tmp_path / "loose" / "templates" / "deploy.yaml").write_text(template)
    files, notices = parse_all(discover(str(tmp_path))[0])
    assert [(n.path, "Helm" in n.message) for n in notices] == [("loose/templates/deploy.yaml", True)]
    in_chart = next(f for f in files if f.source.path == "web/templates/deploy.yaml")
    assert in_chart.text == template and in_chart.documents == []
