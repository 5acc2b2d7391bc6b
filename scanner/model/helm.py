"""Helm charts rendered into the objects they apply, with the place a person edits for every field.

`chart_roots` finds the charts among the discovered files; `render_chart` renders one from the text of
those files (a temporary copy, deleted afterwards; nothing of the user's tree is read or written) with
the chart's values.yaml files and the named values files, through the first available engine: the
optional `sovscan[helm]` extra (helm-python-sdk, Helm v4 as a library, called in a child process), a
`helm` binary on PATH, or none (a notice, `complete=False`). Dependencies are never downloaded: one
declared in Chart.yaml but not vendored as a directory in `charts/` is a notice and is left out of the
render. As with `helm template`, hooks and test pods (templates/tests/) are objects; NOTES.txt is not.

Where a field is written (`RenderedObject.places`):
- The template line that printed it. The chart is rendered a second time with a marker comment before
  each template line where a comment cannot change what YAML reads (see `helm_lines`); each rendered
  key belongs to the last marker above it. A template whose marked render has other key paths than
  the plain render (values may differ: a checksum of a template) falls back to one marker per top-level
  `apiVersion:` (the KICS technique: every field of the document on that line), then to line 1.
- The values-file line, when the whole rendered value is a scalar of a values file (the chart's or a
  subchart's values.yaml, or a named values file that overrides it). A last render replaces those
  scalars by sentinel strings (see `helm_values`); a field holding a sentinel whose original value the
  plain render has at the same key path is placed on that values line, and so is a map or list that
  equals the values map or list it was printed from.

Limits: text printed by a helper (`include`) or by a `{{- … }}` line whose output does not start with
a newline is placed on the nearest marked template line above it, usually the line that includes it; a
value composed in the template (`"{{ .Values.repo }}:{{ .Values.tag }}"`), transformed (`b64enc`,
`upper`, `tpl`), or false/0/"" on its own is placed on the template line; a map or list is placed on
the values file only when it equals the values map or list at the same relative path (a `toYaml` block,
a `range`), so one that a values file overrides in part stays on the `toYaml` line (its traced scalars
on their values lines); a document whose sentinel render takes another branch (`eq .Values.mode "x"`)
keeps its template places. Rendering is offline: `lookup` returns
nothing, `.Capabilities` are the engine's defaults (Kubernetes v1.36 for the SDK) and a `kubeVersion`
range in Chart.yaml is not enforced. Both engines render in a child process with a timeout and an output cap
(the SDK's also with a memory limit): a template that loops without end or prints gigabytes is a notice.
Charts vendored as `.tgz` archives are not read (only text files reach the renderer): they count as
missing dependencies.

A chart rendered in part is `complete=False`; it is also `only_objects_missing` when all that is missing
is whole objects (a dependency not vendored, a template that is not YAML): the objects it did render
are what deploys, field for field.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
import tempfile
from typing import Mapping, Sequence

import yaml

from scanner.masking import mask
from scanner.model.helm_chart import Chart, ChartError, join, read_chart, renderable
from scanner.model.helm_engines import HelmEngine, RenderFailure, choose, merge_maps, unavailable
from scanner.model.helm_lines import mark, rendered_line_sources
from scanner.model.helm_values import TIERS, Traced, Tracer, ValuesFile, dependency_enabled, read_values, secret_candidates
from scanner.model.kubernetes import dotted
from scanner.model.rendered import Place, RenderedBuild, RenderedObject
from scanner.notices import Notice
from scanner.parse.yaml import YamlDocument, YamlTooComplex, parse_text

_ERROR_PLACE = re.compile(r"([\w.-]+(?:/[\w.-]+)+)(?::(\d+))?")


def chart_roots(paths: Sequence[str]) -> list[str]:
    """Directories holding a Chart.yaml, except charts vendored in another chart's `charts/` (its subcharts)."""
    directories = sorted({posixpath.dirname(path) for path in paths if posixpath.basename(path) == "Chart.yaml"})
    roots: list[str] = []
    for directory in directories:
        if not any(_vendored_in(directory, root) for root in roots):
            roots.append(directory)
    return roots


def _vendored_in(directory: str, root: str) -> bool:
    prefix = join(root, "charts") + "/"
    return directory.startswith(prefix)


def chart_inputs(root: str, files: Mapping[str, str], values_files: Sequence[str] = ()) -> list[str]:
    """The files a render of the chart at root reads: the chart's own, and the values files named for it that
    are among `files` (sorted)."""
    root = _chart_directory(root)
    named = {path for name in values_files if (path := _values_path(root, name)) is not None and path in files}
    return sorted({path for path in files if not root or path.startswith(root + "/")} | named)


def _chart_directory(root: str) -> str:
    return posixpath.normpath(root).strip("/") if root not in ("", ".") else ""


def _values_path(root: str, name: str) -> str | None:
    """The values file `name` (relative to the chart) as a repository path; None when it leaves the chart's
    repository (an absolute path, or one above the scan root)."""
    path = posixpath.normpath(join(root, name))
    return None if name.startswith("/") or path.startswith("../") or path == ".." else path


def render_chart(root: str, files: Mapping[str, str], values_files: Sequence[str] = (),
                 engine: HelmEngine | str | None = None) -> RenderedBuild:
    """The chart at root rendered with its own values and values_files (paths relative to root, applied in order).

    engine: an engine object, or "auto" (None), "sdk", "binary", "none".
    """
    root = _chart_directory(root)
    chart_files = {path: files[path] for path in _in_chart(root, files)}
    build = RenderedBuild(root, "helm")
    user_values = _user_values(root, files, values_files, build)
    build.inputs = frozenset(chart_files) | {values_file.path for values_file in user_values}
    try:
        chart = read_chart(root, chart_files)
    except ChartError as error:
        return _incomplete(build, Notice(error.path, 0, f"Helm chart {root or '.'} not rendered: {error}"))
    _report_missing_dependencies(chart, user_values, build)
    chart_files = _without_outside_schemas(chart, chart_files, build)
    chosen = engine if engine is not None and not isinstance(engine, str) else choose(engine or "auto")
    if chosen is None:
        reason = unavailable(engine if isinstance(engine, str) else "auto")
        return _incomplete(build, Notice(join(root, "Chart.yaml"), 0, f"Helm chart {root or '.'} not rendered: "
                                                                      f"{reason}; its templates are not scanned"))
    try:
        with tempfile.TemporaryDirectory(prefix="sovscan-helm-") as temporary:
            _Renderer(chosen, os.path.join(temporary, "chart"), chart, chart_files, user_values).build(build)
    except OSError as error:   # the temporary copy could not be written (disk full, a path the OS refuses)
        return _incomplete(build, Notice(join(root, "Chart.yaml"), 0, f"Helm chart {root or '.'} not rendered: "
                                                                      f"its copy could not be written ({error.strerror})"))
    return build


# the meta-schemas Helm's JSON Schema validator holds itself; any other document it would read or fetch
META_SCHEMAS = ("http://json-schema.org/draft", "https://json-schema.org/draft")
_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")


def _without_outside_schemas(chart: Chart, chart_files: dict[str, str], build: RenderedBuild) -> dict[str, str]:
    """The chart's files without a values schema that refers to another document, or that cannot be looked through:
    Helm would read the file
    (file:///etc/passwd) or fetch the URL it names while validating, and echo what it found in its error. The
    chart is rendered without validating its values against that schema."""
    kept = dict(chart_files)
    for member in chart.walk():
        path = join(member.directory, "values.schema.json")
        if path in kept and _refers_outside(kept[path]):
            del kept[path]
            build.notices.append(Notice(path, 0, f"the values schema of Helm chart {member.directory or '.'} refers "
                                                 "to another document (a file or a URL) or is not JSON sovscan can read: "
                                                 "the chart is rendered without validating its values", "note"))
    return kept


def _refers_outside(text: str) -> bool:
    try:
        schema = json.loads(text)
    except (ValueError, RecursionError):
        return True     # a schema that cannot be looked through is not handed to Helm either
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in _REFERENCES and isinstance(value, str) and not value.startswith("#"):
                    return True
                if key == "$schema" and isinstance(value, str) and not value.startswith(META_SCHEMAS):
                    return True
                stack.append(value)
    return False


def _in_chart(root: str, files: Mapping[str, str]) -> list[str]:
    return [path for path in files if not root or path.startswith(root + "/")]


def unrendered_chart(root: str, files: Mapping[str, str], reason: str) -> RenderedBuild:
    """The chart at root, not rendered for `reason`: a notice on its Chart.yaml, its files its inputs."""
    root = _chart_directory(root)
    build = RenderedBuild(root, "helm")
    build.inputs = frozenset(_in_chart(root, files))
    build.repeatable = False     # another run may have the time to render it
    return _incomplete(build, Notice(join(root, "Chart.yaml"), 0, f"Helm chart {root or '.'} not rendered: {reason}; "
                                                                  "its templates are not scanned"))


def _incomplete(build: RenderedBuild, notice: Notice, objects_only: bool = False) -> RenderedBuild:
    """objects_only: what is lost is whole objects, not a field of a rendered one."""
    build.notices.append(notice)
    build.only_objects_missing = objects_only and (build.complete or build.only_objects_missing)
    build.complete = False
    return build


def _user_values(root: str, files: Mapping[str, str], names: Sequence[str], build: RenderedBuild) -> list[ValuesFile]:
    found = []
    for name in names:
        path = _values_path(root, name)
        if path is None or path not in files:
            _incomplete(build, Notice(join(root, "Chart.yaml"), 0,
                                      f"values file {name} named for Helm chart {root or '.'} not found; "
                                      "the chart is rendered without it"))
            continue
        found.append(read_values(path, files[path]))
    return found


def _report_missing_dependencies(chart: Chart, user_values: list[ValuesFile], build: RenderedBuild) -> None:
    """A declared dependency that is not vendored is a notice, unless its condition or tags disable it."""
    effective: dict = chart.values.values
    for values_file in user_values:
        effective = merge_maps(effective, values_file.values)
    for member in chart.walk():
        scope = effective if member is chart else member.values.values
        for dependency in member.missing():
            if dependency_enabled(dependency.declared, scope):
                _incomplete(build, Notice(dependency.place[0], dependency.place[1],
                                          f"Helm dependency {dependency.name} of chart {member.directory or '.'} is "
                                          "not vendored in charts/ (run `helm dependency build`); its objects are "
                                          "not scanned"), objects_only=True)


class _Renderer:
    """Renders one chart up to four times in a private copy: plain, marked, document-marked, with sentinels."""

    def __init__(self, engine: HelmEngine, directory: str, chart: Chart, chart_files: dict[str, str],
                 user_values: list[ValuesFile]) -> None:
        self.engine = engine
        self.directory = directory
        self.chart = chart
        self.files = {**chart_files, **renderable(chart, chart_files)}
        self.user_values = user_values
        self.user_texts = [values_file.text for values_file in user_values]
        self.templates = sorted(path for member in chart.walk() for path in chart_files
                                if _is_manifest_template(path, member.directory))
        self.secrets = secret_candidates([member.values for member in chart.walk()] + user_values)
        self.failed = False             # a marked or sentinel render failed: the build is not repeatable

    def build(self, build: RenderedBuild) -> None:
        try:
            plain = self._render({}, self.user_texts)
        except RenderFailure as error:
            _incomplete(build, self._failure_notice(str(error)))
            build.repeatable = False
            return
        documents = self._parse(plain, build)
        places = self._template_places(documents)
        self._trace_values(documents, places)
        build.repeatable = not self.failed
        for source, source_documents in documents.items():
            for index, document in enumerate(source_documents):
                build.objects.extend(_objects(document, places[source][index], self.chart.directory))

    def _render(self, overrides: dict[str, str | None], values: list[str]) -> dict[str, str]:
        _write_tree(self.directory, self.chart.directory, {**self.files, **overrides})
        rendered = self.engine.render(self.directory, values)
        return {source: text for source, text in sorted(rendered.items()) if not source.endswith("NOTES.txt")}

    def _parse(self, rendered: dict[str, str], build: RenderedBuild) -> dict[str, list[YamlDocument]]:
        documents = {}
        for source, text in rendered.items():
            path = self.chart.repository_path(source)
            try:
                documents[source] = _documents(path, text)
            except (yaml.YAMLError, YamlTooComplex) as error:
                _incomplete(build, Notice(path, 0, f"Helm template {path} does not render to YAML: "
                                                   f"{self._masked(_yaml_problem(error))}"), objects_only=True)
        return documents

    def _template_places(self, documents: dict[str, list[YamlDocument]]) -> dict[str, list[dict[tuple, Place]]]:
        """Per source and document: key path -> template place, from the finest marking that reads the same."""
        places: dict[str, list[dict[tuple, Place]]] = {}
        pending = set(documents)
        for documents_only in (False, True):
            marked = self._marked_documents(documents_only, pending)
            for source in sorted(pending):
                texts = marked.get(source)
                if texts is not None and _shapes(texts[1]) == _shapes(documents[source]):
                    places[source] = [self._places(source, document, texts[0]) for document in texts[1]]
            pending -= set(places)
        for source in pending:
            first_line = Place(self.chart.repository_path(source), 1)
            places[source] = [{path: first_line for path in document.locations} for document in documents[source]]
        return places

    def _marked_documents(self, documents_only: bool, sources: set[str]) -> dict[str, tuple[list, list[YamlDocument]]]:
        if not sources or not self.templates:
            return {}
        overrides: dict[str, str | None] = {
            path: mark(self.files[path], index, documents_only) for index, path in enumerate(self.templates)}
        try:
            rendered = self._render(overrides, self.user_texts)
        except RenderFailure:
            self.failed = True          # the places fall back to coarser ones
            return {}
        marked = {}
        for source in sources & set(rendered):
            try:
                marked[source] = (rendered_line_sources(rendered[source]), _documents(source, rendered[source]))
            except (yaml.YAMLError, YamlTooComplex):
                continue
        return marked

    def _places(self, source: str, document: YamlDocument, line_sources: list) -> dict[tuple, Place]:
        located = {}
        for path, line in document.locations.items():
            marker = line_sources[line - 1] if 0 < line <= len(line_sources) else None
            if marker is not None and marker[0] < len(self.templates):
                located[path] = Place(self.templates[marker[0]], marker[1])
        fallback = located.get(()) or (min(located.values()) if located else Place(self.chart.repository_path(source), 1))
        return {path: located.get(path, fallback) for path in document.locations}

    def _trace_values(self, documents: dict[str, list[YamlDocument]], places: dict[str, list[dict[tuple, Place]]]) -> None:
        for tier in TIERS:
            tracer = Tracer(tier)
            overrides: dict[str, str | None] = {}
            for member in self.chart.walk():
                if member.values.path in self.files and member.values.lines:
                    overrides[member.values.path] = tracer.sentinel_text(member.values)
                overrides[join(member.directory, "values.schema.json")] = None
            texts = [tracer.sentinel_text(values_file) if values_file.lines else text
                     for values_file, text in zip(self.user_values, self.user_texts)]
            try:
                rendered = self._render(overrides, texts)
            except RenderFailure:
                self.failed = True      # the values stay untraced
                continue
            for source, source_documents in documents.items():
                traced = _parsed_or_empty(source, rendered.get(source, ""))
                if len(traced) == len(source_documents):   # else a sentinel chose another branch: documents differ
                    for index, document in enumerate(source_documents):
                        _overlay(places[source][index], document, traced[index], tracer)
            return

    def _failure_notice(self, message: str) -> Notice:
        first_line = self._masked(_first_line(message))
        path, line = join(self.chart.directory, "Chart.yaml"), 0
        for found in _ERROR_PLACE.finditer(first_line):   # `(web/templates/x.yaml:4:11)`: Helm's name for a template
            if self.chart.repository_path(found.group(1)) in self.files:
                path, line = self.chart.repository_path(found.group(1)), int(found.group(2) or 0)
                break
        return Notice(path, line, f"Helm chart {self.chart.directory or '.'} not rendered ({self.engine.name}): "
                                  f"{first_line}", "warning")

    def _masked(self, message: str) -> str:
        for secret in self.secrets:
            message = message.replace(secret, mask(secret))
        return message


def _first_line(message: str) -> str:
    """The error's first line; a first line that announces a list (`…:`) takes the next three along."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return "unknown error"
    return " ".join(lines[:4]) if lines[0].endswith(":") else lines[0]


def _yaml_problem(error: Exception) -> str:
    """What is wrong and on which rendered line, without the snippet of rendered text PyYAML would quote."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        return f"{error.problem} (rendered line {error.problem_mark.line + 1})"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _is_manifest_template(path: str, chart_directory: str) -> bool:
    """A file Helm renders as manifests (templates/**, not a `_` partial) that is YAML, so markers are comments."""
    prefix = join(chart_directory, "templates") + "/"
    name = posixpath.basename(path)
    return path.startswith(prefix) and not name.startswith("_") and name.endswith((".yaml", ".yml"))


def _write_tree(directory: str, chart_root: str, files: Mapping[str, str | None]) -> None:
    """The chart's files under directory; paths that would leave it are skipped, None removes a file."""
    for path, text in files.items():
        relative = posixpath.normpath(path[len(chart_root) + 1:] if chart_root else path)
        if relative.startswith(("../", "/")) or relative in ("..", "."):
            continue
        target = os.path.join(directory, *relative.split("/"))
        if text is None:
            if os.path.isfile(target):
                os.remove(target)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)


def _shapes(documents: list[YamlDocument]) -> list[set[tuple]]:
    """The key paths of each document: markers must not move a key; a value may differ (a checksum of a
    marked template, a marker inside a block scalar) since the objects come from the plain render."""
    return [set(document.locations) for document in documents]


def _documents(path: str, text: str) -> list[YamlDocument]:
    """The documents with content: a document of comments only (a marker before `---`) reads as null."""
    return [document for document in parse_text(path, text) if document.values is not None]


def _parsed_or_empty(path: str, text: str) -> list[YamlDocument]:
    try:
        return _documents(path, text)
    except (yaml.YAMLError, YamlTooComplex):
        return []


def _overlay(places: dict[tuple, Place], plain: YamlDocument, traced: YamlDocument, tracer: Tracer) -> None:
    """Key paths whose plain value is a values-file scalar move to that values line; so does a map or
    list equal to the values-file map or list it sits in at the same relative path (a `toYaml` block,
    a `range` over a list), with everything in it, false and 0 included."""
    same_shape = set(plain.locations) == set(traced.locations)
    found: dict[tuple, Traced] = {}
    for path in traced.locations:
        if path not in plain.locations or (not same_shape and any(isinstance(part, int) for part in path)):
            continue
        origin = tracer.origin(_at(traced.values, path), _at(plain.values, path))
        if origin is not None:
            places[path] = origin.place
            found[path] = origin
    claimed: set[tuple] = set()
    for path, origin in sorted(found.items(), key=lambda item: len(item[0])):
        for depth in range(1, min(len(path), len(origin.path))):
            rendered, written = path[:-depth], origin.path[:-depth]
            if path[-depth:] != origin.path[-depth:] or _at(plain.values, rendered) != _at(origin.source.values, written):
                break
            if rendered in claimed:
                continue
            claimed.add(rendered)
            for inner in plain.locations:
                line = origin.source.lines.get(written + inner[len(rendered):]) if inner[:len(rendered)] == rendered else None
                if line is not None:
                    places[inner] = Place(origin.source.path, line)


def _at(values: object, path: tuple) -> object:
    for part in path:
        if isinstance(values, dict) and part in values:
            values = values[part]
        elif isinstance(values, list) and isinstance(part, int) and part < len(values):
            values = values[part]
        else:
            return None
    return values


def _objects(document: YamlDocument, places: dict[tuple, Place], build: str) -> list[RenderedObject]:
    values = document.values
    if not isinstance(values, dict):
        return []
    kind = values.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(values.get("items"), list):
        return [_object(item, ("items", index), places, build) for index, item in enumerate(values["items"])
                if _is_object(item)]
    return [_object(values, (), places, build)] if _is_object(values) else []


def _is_object(values: object) -> bool:
    return isinstance(values, dict) and isinstance(values.get("apiVersion"), str) and isinstance(values.get("kind"), str)


def _object(values: dict, prefix: tuple, places: dict[tuple, Place], build: str) -> RenderedObject:
    own = {dotted(path[len(prefix):]): place for path, place in places.items() if path[:len(prefix)] == prefix}
    return RenderedObject(values, own, own[""], build)
