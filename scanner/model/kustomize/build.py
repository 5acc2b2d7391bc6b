"""One kustomize build: resources, generators, components and transformers, in kustomize's order.

Mirrors kustomize's KustTarget: a kustomization accumulates its resources (files, and directories built
on their own first), merges its `configurations:`, runs its generators, lets its components work on
everything so far, then runs its transformers in kustomize's fixed order. What kustomize would refuse,
and what this renderer does not support, becomes a notice and marks the build incomplete; the rest is
still rendered.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from scanner.model.kustomize import patches
from scanner.model.kustomize.config import (ConfigError, FieldSpec, Gvk, TransformerConfig, builtin_config,
                                            config_from_data, field_spec, merge_specs)
from scanner.model.kustomize.generators import generate
from scanner.model.kustomize.kustfile import (ORIGIN, SUPPORTED, UNSUPPORTED, Files, Kustomization, ParseFailure, inside,
                                              load_kustomization, looks_remote, resources_in, under)
from scanner.model.kustomize.resource import BuildError, Resource, append_checked, find_by_any_id, id_keys
from scanner.model.kustomize.transformers import ImageRule, add_affix, add_labels, set_images, set_namespace, set_replicas
from scanner.model.kustomize.tree import Node, plain
from scanner.model.rendered import Place
from scanner.notices import Notice


MAX_NESTING = 50   # kustomizations within kustomizations; deeper is hostile, not a real repository
# What one build may load, counting a base each time a kustomization includes it: fourteen levels of
# kustomizations that each include the one below twice load it 16,384 times (95 s)
MAX_LOADED_OBJECTS = 20_000
MAX_LOADED_KUSTOMIZATIONS = 5_000


@dataclass
class Accumulator:
    resources: list[Resource] = field(default_factory=list)
    config: TransformerConfig = field(default_factory=TransformerConfig)


class Build:
    """The state of rendering one build root: its notices, the files it read, whether it is complete."""

    def __init__(self, files: Files, root: str) -> None:
        self.files, self.root = files, root
        self.notices: list[Notice] = []
        self.inputs: set[str] = set()
        self.complete = True
        self.origin_place: Place | None = None   # set when the top asks for origin annotations
        self.sort = "legacy"
        self.loaded_objects = 0
        self.loaded_kustomizations = 0

    def problem(self, path: str, line: int, message: str) -> None:
        self.complete = False
        self.notices.append(Notice(path, line, message))

    def failed(self, where: Kustomization, key: str, error: Exception) -> None:
        if isinstance(error, ParseFailure):
            self.problem(error.path, error.line, str(error))
        else:
            self.problem(where.path, where.place(key).line, f"kustomize '{key}': {error}")

    def read(self, kustomization: Kustomization, written: str) -> tuple[str, str]:
        """A file a kustomization names (patch, generator source, configuration): kustomize only reads
        files in or below the kustomization's directory."""
        path = inside(kustomization.directory, written)
        if path is None:
            raise BuildError(f"'{written}' leaves the scan root")
        if not under(kustomization.directory, path):
            raise BuildError(f"security: '{written}' is not in or below '{kustomization.directory or '.'}'")
        text = self.files.text(path)
        if text is None:
            raise BuildError(f"'{written}' not found among the scanned files")
        self.inputs.add(path)
        return path, text

    # -- accumulation -------------------------------------------------------------------------------

    def accumulate(self, directory: str, into: Accumulator, origin: str, stack: tuple[str, ...],
                   component: bool) -> Accumulator:
        path = self.files.kustomization_in(directory)
        if path is None:
            raise BuildError(f"no kustomization file in '{directory or '.'}'")
        if directory in stack:
            raise BuildError(f"cycle: '{directory}' includes itself through {' -> '.join(stack)}")
        if len(stack) >= MAX_NESTING:
            raise BuildError(f"kustomizations nested more than {MAX_NESTING} deep")
        self.loaded_kustomizations += 1
        if self.loaded_kustomizations > MAX_LOADED_KUSTOMIZATIONS or self.loaded_objects > MAX_LOADED_OBJECTS:
            raise BuildError(f"the build loads more than {MAX_LOADED_KUSTOMIZATIONS} kustomizations or "
                             f"{MAX_LOADED_OBJECTS} objects (a base included over and over)")
        self.inputs.add(path)
        kustomization = load_kustomization(self.files, path)
        if component != (kustomization.kind == "Component"):
            raise BuildError(f"'{directory or '.'}' is {'not ' if component else ''}a Component")
        self._check_fields(kustomization)
        stack = stack + (directory,)
        self._resources(kustomization, into, origin, stack)
        self._configurations(kustomization, into)
        self._generators(kustomization, into, origin)
        self._components(kustomization, into, origin, stack)
        self._transform(kustomization, into)
        return into

    def _check_fields(self, kustomization: Kustomization) -> None:
        for key in kustomization.node.value:
            if key in UNSUPPORTED:
                self.problem(kustomization.path, kustomization.place(key).line,
                             f"kustomize '{key}' ({UNSUPPORTED[key]}) is not rendered by sovscan")
            elif key not in SUPPORTED:
                self.problem(kustomization.path, kustomization.place(key).line, f"unknown kustomization field '{key}'")

    def _resources(self, kustomization: Kustomization, into: Accumulator, origin: str, stack: tuple[str, ...]) -> None:
        try:
            entries = kustomization.strings("resources") + kustomization.strings("bases")
        except BuildError as error:
            self.failed(kustomization, "resources", error)
            return
        registered = id_keys(into.resources)
        for entry in entries:
            try:
                found = self._resource(kustomization, entry.value, origin, stack)
                self.loaded_objects += len(found.resources)
                append_checked(into.resources, found.resources, registered)
                into.config = into.config.merged(found.config)
            except (BuildError, ConfigError) as error:
                self._entry_failed(kustomization, entry, error)

    def _entry_failed(self, kustomization: Kustomization, entry: Node, error: Exception) -> None:
        if isinstance(error, ParseFailure):
            self.problem(error.path, error.line, str(error))
            return
        named = f"'{entry.value}'" if isinstance(entry.value, str) else f"entry at line {entry.place.line}"
        self.problem(kustomization.path, entry.place.line, f"kustomize {named}: {error}")

    def _resource(self, kustomization: Kustomization, written: str, origin: str, stack: tuple[str, ...]) -> Accumulator:
        path = inside(kustomization.directory, written)
        if path is None:
            raise BuildError("leaves the scan root")
        if self.files.is_file(path):
            if not under(kustomization.directory, path):
                raise BuildError(f"security: file is not in or below '{kustomization.directory or '.'}'")
            self.inputs.add(path)
            resources = resources_in(self.files, path)
            if self.origin_place is not None:
                note = _origin_text(posixpath.normpath(posixpath.join(origin, written)))
                for resource in resources:
                    _annotate(resource, ORIGIN, note, self.origin_place)
            return Accumulator(resources)
        if self.files.is_directory(path):
            return self.accumulate(path, Accumulator(), posixpath.join(origin, written), stack, component=False)
        if looks_remote(written):
            raise BuildError("remote bases are not rendered by sovscan")
        raise BuildError("not found among the scanned files")

    def _configurations(self, kustomization: Kustomization, into: Accumulator) -> None:
        config = builtin_config()
        try:
            for entry in kustomization.strings("configurations"):
                path, _ = self.read(kustomization, entry.value)
                documents = self.files.documents(path)
                if len(documents) != 1:
                    raise ConfigError(f"'{entry.value}' must hold one document")
                config = config.merged(config_from_data(documents[0].values))
            into.config = into.config.merged(config)
        except (BuildError, ConfigError) as error:
            self.failed(kustomization, "configurations", error)
            into.config = into.config.merged(builtin_config())

    def _generators(self, kustomization: Kustomization, into: Accumulator, origin: str) -> None:
        options = kustomization.get("generatorOptions")
        for key, kind, by in (("configMapGenerator", "ConfigMap", "ConfigMapGenerator"),
                              ("secretGenerator", "Secret", "SecretGenerator")):
            try:
                entries = kustomization.entries(key)
            except BuildError as error:
                self.failed(kustomization, key, error)
                continue
            for entry in entries:
                try:
                    resource = generate(entry, kind, options, lambda written: self.read(kustomization, written))
                    if self.origin_place is not None:
                        configured_in = posixpath.normpath(posixpath.join(origin, posixpath.basename(kustomization.path)))
                        note = f"configuredIn: {configured_in}\nconfiguredBy:\n  apiVersion: builtin\n  kind: {by}\n"
                        _annotate(resource, ORIGIN, note, self.origin_place)
                    absorb(into.resources, resource)
                except BuildError as error:
                    self._entry_failed(kustomization, entry, error)

    def _components(self, kustomization: Kustomization, into: Accumulator, origin: str, stack: tuple[str, ...]) -> None:
        try:
            entries = kustomization.strings("components")
        except BuildError as error:
            self.failed(kustomization, "components", error)
            return
        for entry in entries:
            path = inside(kustomization.directory, entry.value)
            try:
                if path is None:
                    raise BuildError("leaves the scan root")
                if not self.files.is_directory(path):
                    raise BuildError("remote components are not rendered by sovscan" if looks_remote(entry.value)
                                     else "not a directory among the scanned files")
                self.accumulate(path, into, posixpath.join(origin, entry.value), stack, component=True)
            except (BuildError, ConfigError) as error:
                self._entry_failed(kustomization, entry, error)

    # -- transformers, in kustomize's order --------------------------------------------------------------

    def _transform(self, kustomization: Kustomization, into: Accumulator) -> None:
        steps = (("patchesStrategicMerge", self._strategic_merge), ("patches", self._patches),
                 ("namespace", self._namespace), ("namePrefix", self._affix), ("nameSuffix", self._affix),
                 ("labels", self._labels), ("commonLabels", self._labels), ("commonAnnotations", self._labels),
                 ("patchesJson6902", self._json6902), ("replicas", self._replicas), ("images", self._images))
        for key, step in steps:
            if kustomization.get(key) is None and not (key == "images" and kustomization.get("imageTags")):
                continue
            try:
                step(kustomization, key, into)
            except (BuildError, ConfigError) as error:
                self.failed(kustomization, key, error)

    def _strategic_merge(self, kustomization: Kustomization, key: str, into: Accumulator) -> None:
        for entry in kustomization.strings(key):
            try:
                for patch in patches.strategic_merge_entry(entry, lambda w: self.read(kustomization, w), self.files):
                    patches.apply_by_id(into.resources, patch)
            except BuildError as error:
                self._entry_failed(kustomization, entry, error)

    def _patches(self, kustomization: Kustomization, key: str, into: Accumulator) -> None:
        for entry in kustomization.entries(key):
            try:
                patches.apply_entry(into.resources, entry, lambda w: self.read(kustomization, w), self.files, legacy=False)
            except BuildError as error:
                self._entry_failed(kustomization, entry, error)

    def _json6902(self, kustomization: Kustomization, key: str, into: Accumulator) -> None:
        for entry in kustomization.entries(key):
            try:
                patches.apply_entry(into.resources, entry, lambda w: self.read(kustomization, w), self.files, legacy=True)
            except BuildError as error:
                self._entry_failed(kustomization, entry, error)

    def _namespace(self, kustomization: Kustomization, key: str, into: Accumulator) -> None:
        node = kustomization.string(key)
        if node is not None and node.value:
            set_namespace(into.resources, node.value, into.config.specs["namespace"], node.place)

    def _affix(self, kustomization: Kustomization, key: str, into: Accumulator) -> None:
        node = kustomization.string(key)
        prefix = key == "namePrefix"
        if node is not None and node.value:
            add_affix(into.resources, node.value, into.config.specs[key], node.place, prefix)

    def _labels(self, kustomization: Kustomization, key: str, into: Accumulator) -> None:
        specs = into.config.specs
        if key == "commonAnnotations":
            add_labels(into.resources, _pairs(kustomization.get(key)), specs["commonAnnotations"])
        elif key == "commonLabels":
            add_labels(into.resources, _pairs(kustomization.get(key)), specs["commonLabels"])
        else:
            for entry in kustomization.entries(key):
                add_labels(into.resources, _pairs(entry.get("pairs")), label_specs(entry, into.config))

    def _replicas(self, kustomization: Kustomization, key: str, into: Accumulator) -> None:
        for entry in kustomization.entries(key):
            count = entry.get("count") if entry.is_map else None
            if not entry.is_map or not entry.text("name") or count is None or type(count.value) is not int:
                raise BuildError("a replicas entry needs a name and an integer count")
            set_replicas(into.resources, entry.text("name"), count.value, into.config.specs["replicas"], count.place)

    def _images(self, kustomization: Kustomization, key: str, into: Accumulator) -> None:
        rules = [_image_rule(entry) for entry in kustomization.entries("images") + kustomization.entries("imageTags")]
        set_images(into.resources, rules, into.config.specs["images"])


def _image_rule(entry: Node) -> ImageRule:
    """An `images` entry; the place of what it changes is its digest, else newTag, newName, tagSuffix line."""
    if not entry.is_map:
        raise BuildError("an images entry is a mapping")
    fields = {k: v for k, v in entry.value.items() if k in ("name", "newName", "newTag", "digest", "tagSuffix")}
    if any(not isinstance(v.value, str) for v in fields.values()):
        raise BuildError("image fields must be strings (quote a numeric tag)")
    places = [fields[f].place for f in ("digest", "newTag", "newName", "tagSuffix") if f in fields]
    text = entry.text
    return ImageRule(text("name"), text("newName"), text("newTag"), text("digest"), text("tagSuffix"),
                     (places or [entry.place])[0])


def label_specs(entry: Node, config: TransformerConfig) -> tuple[FieldSpec, ...]:
    """The fields a `labels:` entry writes: its own `fields`, metadata labels, and with includeSelectors
    the selectors too, or with includeTemplates the pod template labels."""
    fields = entry.get("fields")
    raw = plain(fields) if fields is not None and fields.is_seq else []
    assert isinstance(raw, list)
    specs = merge_specs(tuple(field_spec(s) for s in raw), config.specs["labels"])
    if entry.flag("includeSelectors"):
        return merge_specs(specs, config.specs["commonLabels"])
    if entry.flag("includeTemplates"):
        specs = merge_specs(specs, config.specs["templateLabels"])
    return merge_specs(specs, (FieldSpec(Gvk(), "metadata/labels", True),))


def _pairs(node: Node | None) -> list[tuple[str, str, Place]]:
    if node is None or node.is_null:
        return []
    if not node.is_map:
        raise BuildError("labels and annotations are a mapping")
    pairs = []
    for key, value in node.value.items():
        if not isinstance(value.value, str):
            raise BuildError(f"the value of '{key}' must be a string (quote it)")
        pairs.append((str(key), value.value, value.place))
    return pairs


def _origin_text(path: str) -> str:
    return f"path: {path}\n"


def _annotate(resource: Resource, key: str, value: str, place: Place) -> None:
    metadata = resource.node.get("metadata")
    if metadata is None or not metadata.is_map:
        return
    annotations = metadata.get("annotations")
    if annotations is None or not annotations.is_map:
        annotations = metadata.value["annotations"] = Node({}, place)
    annotations.value[key] = Node(value, place)


def absorb(resources: list[Resource], incoming: Resource) -> None:
    """A generated resource joins the build: created, or merged into / replacing an earlier one."""
    matches = find_by_any_id(resources, incoming.cur_id)
    if not matches:
        if incoming.behavior in ("merge", "replace"):
            raise BuildError(f"{incoming.cur_id} does not exist; cannot {incoming.behavior}")
        resources.append(incoming)
        return
    if len(matches) > 1:
        raise BuildError(f"several resources could accept {incoming.cur_id}")
    if incoming.behavior not in ("merge", "replace"):
        raise BuildError(f"{incoming.cur_id} exists; behavior must be merge or replace")
    old = matches[0]
    patches.take_identity(incoming, old, merge_data=incoming.behavior == "merge")
    resources[resources.index(old)] = incoming
