"""Template line markers (no Helm engine needed): which template lines get a marker, and how output lines map back."""
from __future__ import annotations

import pytest
import yaml

from scanner.model.helm_engines import merge_maps, split_sources
from scanner.model.helm_lines import actions, mark, rendered_line_sources
from scanner.model.helm_values import Tracer, dependency_enabled, read_values
from scanner.model.rendered import Place


def marked_lines(template: str, documents_only: bool = False) -> list[int]:
    """The template line numbers that got a marker before them."""
    return [int(line.split(":")[2]) for line in mark(template, 0, documents_only).split("\n")
            if line.startswith("#@sovscan:")]


@pytest.mark.parametrize("template, expected", [
    # plain YAML lines and lines with actions in values: every line
    ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n", [1, 2, 3, 4]),
    # block scalar content (also a line that looks like a key, and a template line inside it): none
    ("data:\n  run.sh: |\n    set -e\n    key: not a key\n{{- if .Values.x }}\n    echo x\n{{- end }}\nkind: A\n",
     [1, 2, 8]),
    # folded scalar with a chomping indicator and a trailing comment
    ("a: >- # note\n  folded\n  text\nb: 1\n", [1, 4]),
    # `{{- … | nindent }}` starts with a newline: marked; `{{- … | indent }}` glues to the line above: not
    ("labels:\n  {{- include \"l\" . | nindent 2 }}\nother:\n  {{- toYaml .Values.o | indent 2 }}\n", [1, 2, 3]),
    # control lines that print nothing are marked, unless they also trim what follows
    ("a: 1\n{{- if .Values.b }}\nb: 2\n{{- end }}\n{{- with .Values.c -}}\nc: 3\n{{- end }}\n", [1, 2, 3, 4, 7]),
    # at the top of a file nothing was printed yet, so the line after `{{- if -}}` is marked
    ("{{- if .Values.enabled -}}\napiVersion: v1\nkind: Pod\n{{- end }}\n", [2, 3, 4]),
    # after a printing line that trims its newline, the next line continues it: not marked
    ("name: {{ .Values.name -}}\n{{ .Values.suffix }}\nkind: Pod\n", [1, 3]),
    # a multi-line double-quoted scalar and a plain scalar continued on deeper lines
    ("motd: \"hello\n  world\"\nnote: steps\n  - first\nnext: 1\n", [1, 3, 5]),
    # a define body is text included elsewhere (often inside a name): never marked
    ("{{- define \"x\" }}\nname: inner\n{{- end }}\nkind: Pod\n", [4]),
    # inside a multi-line action or comment: not marked (nor before a trimming action that spans lines)
    ("{{- $x := dict\n  \"a\" 1 }}\n{{/*\nkey: in a comment\n*/}}\nkind: Pod\n", [3, 6]),
    # a sequence item whose key's value continues on the next lines
    ("args:\n  - --flag\n  - --long=a\n    b\n  - --last\n", [1, 2, 3, 5]),
])
def test_markers_only_where_yaml_cannot_read_them_as_content(template: str, expected: list[int]) -> None:
    assert marked_lines(template) == expected


def test_document_markers_stand_before_top_level_api_versions_only() -> None:
    template = "apiVersion: v1\nkind: A\n---\n{{- if .Values.b }}\napiVersion: v1\nkind: B\n  apiVersion: nested\n{{- end }}\n"
    assert marked_lines(template, documents_only=True) == [1, 5]


def test_actions_skip_strings_raw_strings_and_comments_that_contain_braces() -> None:
    found = actions('a {{ "}}" }} b {{ `x}}y` }} c {{/* }} */}} d {{- if .x -}}')
    assert [(a.word, a.trims_left, a.trims_right) for a in found] == [
        ("", False, False), ("", False, False), ("comment", False, False), ("if", True, True)]


def test_rendered_lines_belong_to_the_marker_above_them() -> None:
    rendered = "#@sovscan:0:1\napiVersion: v1\n#@sovscan:0:5#@sovscan:0:6\nlabels:\n  a: b\n  c: d #@sovscan:1:9\ne: f\n"
    assert rendered_line_sources(rendered) == [(0, 1), (0, 1), (0, 6), (0, 6), (0, 6), (0, 6), (1, 9), (1, 9)]


def test_marked_render_reads_like_the_plain_template_text() -> None:
    """With no actions, the marked template is the template plus comments: YAML reads the same values."""
    template = ("a:\n  b: |\n    x: 1\n\n    y: 2\n  c: [1,\n    2]\n  d: \"q\n    r\"\n  e: plain\n    more\n"
                "list:\n  - f\n  - g: h\n    i: &anchor\n      j: k\n")
    assert mark(template, 3) != template
    assert yaml.safe_load(mark(template, 3)) == yaml.safe_load(template)


def test_helm_template_stream_splits_into_text_per_template() -> None:
    stream = ("---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/charts/db/templates/b.yaml\nkind: B\n"
              "---\n# Source: web/templates/a.yaml\nkind: C\n")
    assert split_sources(stream) == {"web/templates/a.yaml": "kind: A\n---\nkind: C\n",
                                     "web/charts/db/templates/b.yaml": "kind: B"}


def test_values_files_merge_like_helm_merge_maps() -> None:
    base = {"image": {"repo": "a", "tag": "1"}, "list": [1, 2], "keep": True}
    override = {"image": {"tag": "2"}, "list": [3], "new": None}
    assert merge_maps(base, override) == {"image": {"repo": "a", "tag": "2"}, "list": [3], "keep": True, "new": None}


@pytest.mark.parametrize("dependency, values, enabled", [
    ({"condition": "db.enabled"}, {"db": {"enabled": False}}, False),
    ({"condition": "db.enabled"}, {"db": {"enabled": True}}, True),
    ({"condition": "missing.enabled,db.enabled"}, {"db": {"enabled": False}}, False),
    ({"condition": "db.enabled"}, {"db": {"enabled": "no"}}, True),   # not a boolean: ignored, as Helm does
    ({"tags": ["backend"]}, {"tags": {"backend": False}}, False),
    ({"tags": ["backend", "extra"]}, {"tags": {"backend": False, "extra": True}}, True),
    ({"condition": "db.enabled", "tags": ["backend"]}, {"db": {"enabled": True}, "tags": {"backend": False}}, True),
    ({}, {}, True),
])
def test_dependency_conditions_and_tags(dependency: dict, values: dict, enabled: bool) -> None:
    assert dependency_enabled(dependency, values) is enabled


def test_sentinels_replace_truthy_scalars_and_remember_their_lines() -> None:
    values = read_values("chart/values.yaml", "name: web\nreplicas: 3\ndisabled: false\nzero: 0\nempty: ''\nlist:\n  - a\n  - ''\n")
    typed, strings = Tracer("typed"), Tracer("strings")
    assert yaml.safe_load(typed.sentinel_text(values)) == {
        "name": "svq000001z", "replicas": "svq000002z", "disabled": False, "zero": 0, "empty": "", "list": ["svq000003z", ""]}
    assert yaml.safe_load(strings.sentinel_text(values))["replicas"] == 3
    assert typed.traced["svq000003z"].place.line == 7
    assert typed.origin("svq000002z", 3) == typed.traced["svq000002z"]
    assert typed.traced["svq000002z"].place == Place("chart/values.yaml", 2)
    assert typed.traced["svq000002z"].path == ("replicas",)
    assert typed.origin("svq000002z", "3") == typed.traced["svq000002z"]   # quoted in the template
    assert typed.origin("svq000002z", 4) is None        # the plain render has another value there
    assert typed.origin("svq000002z-x", 3) is None      # only whole values count


YAML_LINES = ["a: 1", "b:", "  c: d", "  - e", "- f", "  - g: h", "    i: j", "k: |", "    text", "  more", "l: >-",
              "m: \"q", "  r\"", "n: 'x", "  y'", "o: [1,", "  2]", "p: {a: 1,", " b: 2}", "# c", "", "---", "s: plain",
              "  cont", "t: &a", "  u: 1", "v: *a", "w: !!str 5", "x: 'it''s'", "  - - z", "key with space: 1",
              "\"quoted key\": 2", "? complex", ": value"]


def test_markers_never_change_what_yaml_reads_from_generated_documents() -> None:
    """Seeded random documents from lines that mix block scalars, quotes, flows, anchors and continuations."""
    import random
    generator = random.Random(20261202)
    compared = 0
    for _ in range(4000):
        text = "\n".join(generator.choice(YAML_LINES) for _ in range(generator.randint(1, 8)))
        try:
            expected = list(yaml.safe_load_all(text))
        except yaml.YAMLError:
            continue
        if all(isinstance(document, dict) for document in expected):   # manifests are mappings
            compared += 1
            assert list(yaml.safe_load_all(mark(text, 0))) == expected, text
    assert compared > 500   # most random line sequences are not YAML at all
