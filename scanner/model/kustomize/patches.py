"""`patches`, `patchesStrategicMerge` and `patchesJson6902` entries, read and applied as kustomize does.

A patch written inline in the kustomization keeps the kustomization's own lines: a block scalar's first
line is the line after `patch: |`. A patch is a strategic-merge patch when it parses as objects and a
JSON 6902 patch when it parses as a list of operations.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import yaml

from scanner.model.kustomize import jsonpatch, smp
from scanner.model.kustomize.config import Gvk
from scanner.model.kustomize.kustfile import ORIGIN, Files, ParseFailure
from scanner.model.kustomize.resource import BuildError, Resource, ResId, Selector, find_by_any_id, select
from scanner.model.kustomize.tree import Node, copy, from_document, scalar_text
from scanner.parse.yaml import YamlDocument, YamlTooComplex, parse_text

Reader = Callable[[str], "tuple[str, str]"]
SELECTOR_FIELDS = ("group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector")


@dataclass
class PatchText:
    text: str
    path: str      # the file the text is written in
    offset: int    # line n of the text is line n + offset of that file


def _inline(node: Node, files: Files) -> PatchText:
    """An inline patch: its text and where its first line is in the kustomization. A block scalar
    (`patch: |`, `- |`) starts on the next line; a quoted or plain one on its own line."""
    line = node.place.line
    lines = files.lines(node.place.path)
    source = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    source = source[2:].lstrip() if source.startswith("- ") else source
    value = source.split(": ", 1)[1].strip() if ": " in source else source.removesuffix(":")
    block = value.startswith(("|", ">"))
    return PatchText(node.value, node.place.path, line if block else line - 1)


def _documents(patch: PatchText) -> list[YamlDocument]:
    try:
        documents = parse_text(patch.path, patch.text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ParseFailure(patch.path, (mark.line + 1 if mark else 1) + patch.offset,
                           f"malformed YAML in patch: {error.problem or error}") from None
    except (yaml.YAMLError, YamlTooComplex, RecursionError) as error:
        raise ParseFailure(patch.path, 1 + patch.offset, f"malformed YAML in patch: {error}") from None
    for document in documents:
        document.locations = {k: v + patch.offset for k, v in document.locations.items()}
        document.line += patch.offset
    return documents


@dataclass
class Patch:
    objects: list[Node]                        # strategic-merge patches
    operations: list[jsonpatch.Operation]      # or a JSON 6902 patch


def parse_patch(patch: PatchText) -> Patch:
    documents = [d for d in _documents(patch) if d.values is not None]
    if not documents:
        raise BuildError("the patch is empty")
    if len(documents) == 1 and isinstance(documents[0].values, list):
        return Patch([], jsonpatch.operations(from_document(documents[0], documents[0].values)))
    objects = []
    for document in documents:
        if not isinstance(document.values, dict):
            raise BuildError("unable to parse the patch as a strategic-merge or JSON patch")
        node = from_document(document, document.values)
        if not node.text("kind"):
            raise BuildError(f"missing kind in the patch at line {node.place.line}")
        if not _name(node):
            raise BuildError(f"missing metadata.name in the patch at line {node.place.line}")
        objects.append(node)
    return Patch(objects, [])


def _text_of(node: Node) -> str:
    return scalar_text(node.value) if not (node.is_map or node.is_seq) else ""


def _name(node: Node) -> str:
    metadata = node.get("metadata")
    return metadata.text("name") if metadata is not None else ""


def _patch_id(node: Node) -> ResId:
    metadata = node.get("metadata")
    namespace = metadata.text("namespace") if metadata is not None else ""
    return ResId(Gvk.of(node.text("apiVersion"), node.text("kind")), _name(node), namespace)


def apply_smp(resource: Resource, patch: Node, allow_name: bool = False, allow_kind: bool = False) -> bool:
    """Merge `patch` into `resource`; False when the patch deletes it."""
    metadata = resource.node.get("metadata")
    kind_node, version_node = resource.node.get("kind"), resource.node.get("apiVersion")
    name_node = metadata.get("name") if metadata is not None else None
    namespace_node = metadata.get("namespace") if metadata is not None else None
    had_namespace = bool(resource.namespace)
    if allow_name or allow_kind:
        resource.store_previous_id()
    merged = smp.merge(resource.node, patch)
    if merged is None or not merged.is_map or not merged.value:
        return False
    resource.node = merged
    if not allow_kind and kind_node is not None:
        merged.value["kind"] = kind_node
    if version_node is not None and merged.text("apiVersion") == _text_of(version_node):
        merged.value["apiVersion"] = version_node   # a patch names its target's apiVersion; it does not set it
    metadata = merged.get("metadata")
    if metadata is None or not metadata.is_map:
        metadata = merged.value["metadata"] = Node({}, merged.place)
    if not allow_name and name_node is not None:
        metadata.value["name"] = name_node
    if had_namespace and namespace_node is not None:
        metadata.value["namespace"] = namespace_node
    else:
        metadata.value.pop("namespace", None)
    return True


def apply_by_id(resources: list[Resource], patch: Node) -> None:
    """A strategic-merge patch without a target patches the one resource with its id."""
    wanted = _patch_id(patch)
    found = find_by_any_id(resources, wanted)
    if len(found) != 1:
        raise BuildError(f"{'no' if not found else 'more than one'} resource matches the strategic merge patch for {wanted}")
    if not apply_smp(found[0], copy(patch)):
        resources.remove(found[0])


def _selector(node: Node | None) -> Selector | None:
    if node is None or node.is_null:
        return None
    if not node.is_map:
        raise BuildError("a patch target is a mapping")
    for key, value in node.value.items():
        if key not in SELECTOR_FIELDS:
            raise BuildError(f"unknown patch target field '{key}'")
        if not isinstance(value.value, str):
            raise BuildError(f"patch target '{key}' must be a string")
    text = node.text
    return Selector(Gvk(text("group"), text("version"), text("kind")), text("name"), text("namespace"),
                    text("labelSelector"), text("annotationSelector"))


def _text(entry: Node, read: Reader, files: Files, legacy: bool) -> PatchText:
    inline, path = entry.get("jsonOp" if legacy else "patch"), entry.get("path")
    inline = inline if inline is not None and not inline.is_null else None
    path = path if path is not None and not path.is_null else None
    if (inline is None) == (path is None):
        raise BuildError("a patch needs exactly one of `path` and `patch`")
    chosen = inline if inline is not None else path
    assert chosen is not None
    if not isinstance(chosen.value, str):
        raise BuildError("a patch's `path` or `patch` is a string")
    if inline is not None:
        return _inline(inline, files)
    file_path, text = read(chosen.value)
    return PatchText(text, file_path, 0)


def apply_entry(resources: list[Resource], entry: Node, read: Reader, files: Files, legacy: bool) -> None:
    """One entry of `patches` (legacy=False) or `patchesJson6902` (legacy=True)."""
    if not entry.is_map:
        raise BuildError("a patches entry is a mapping with `path` or `patch`")
    selector = _selector(entry.get("target"))
    options = entry.get("options") or Node({}, entry.place)
    allow_name, allow_kind = options.flag("allowNameChange"), options.flag("allowKindChange")
    patch = parse_patch(_text(entry, read, files, legacy))
    if legacy and (selector is None or not selector.name):
        raise BuildError("a patchesJson6902 entry must name its target")
    if patch.operations or legacy:
        if selector is None:
            raise BuildError("a JSON patch needs a target")
        if not patch.operations:
            raise BuildError("patchesJson6902 takes JSON 6902 operations")
        for resource in select(resources, selector):
            if not legacy:
                resource.store_previous_id()
            resource.node = jsonpatch.apply(resource.node, patch.operations)
            resource.with_annotations()   # kustomize restores its internal annotations after a JSON patch
        return
    if selector is None:
        for obj in patch.objects:
            apply_by_id(resources, obj)
        return
    if len(patch.objects) > 1:
        raise BuildError("a patch with a target may hold only one strategic-merge patch")
    chosen = select(resources, selector)
    for resource in chosen:
        patch_copy = copy(patch.objects[0])
        own = resource.node.get("apiVersion")   # kustomize patches a target with the target's apiVersion
        patch_copy.value["apiVersion"] = copy(own) if own is not None else Node(resource.api_version, patch_copy.place)
        if not apply_smp(resource, patch_copy, allow_name, allow_kind):
            resources.remove(resource)


def strategic_merge_entry(entry: Node, read: Reader, files: Files) -> list[Node]:
    """A patchesStrategicMerge entry: inline objects when the text parses as such, else a file path."""
    if "\n" in entry.value or ":" in entry.value:
        try:
            inline = parse_patch(_inline(entry, files))
            if inline.objects:
                return inline.objects
        except BuildError:
            pass
    path, text = read(entry.value)
    patch = parse_patch(PatchText(text, path, 0))
    if not patch.objects:
        raise BuildError("patchesStrategicMerge takes strategic-merge patches")
    return patch.objects


def take_identity(incoming: Resource, old: Resource, merge_data: bool) -> None:
    """A generator with behavior merge/replace takes over the earlier resource's name, namespace, labels,
    build history and (for merge) its data, like kustomize's CopyMergeMetaDataFieldsFrom."""
    new_meta, old_meta = incoming.node.get("metadata"), old.node.get("metadata")
    assert new_meta is not None and old_meta is not None
    for key in ("labels", "annotations"):
        merged = {**_map(old_meta.get(key)), **_map(new_meta.get(key))}
        if key == "annotations" and merge_data and ORIGIN in _map(old_meta.get(key)):
            merged[ORIGIN] = old_meta.value[key].value[ORIGIN]
        if merged:
            new_meta.value[key] = Node(merged, (new_meta.get(key) or old_meta.get(key) or new_meta).place)
        else:
            new_meta.value.pop(key, None)
    for key in ("name", "namespace"):
        if old_meta.get(key) is not None:
            new_meta.value[key] = old_meta.value[key]
        else:
            new_meta.value.pop(key, None)
    incoming.prev, incoming.prefixes, incoming.suffixes = list(old.prev), list(old.prefixes), list(old.suffixes)
    incoming.needs_hash = old.needs_hash and incoming.needs_hash
    if merge_data:
        for key in ("data", "binaryData"):
            merged = {**_map(old.node.get(key)), **_map(incoming.node.get(key))}
            if merged:
                incoming.node.value[key] = Node(merged, (incoming.node.get(key) or old.node.get(key) or incoming.node).place)


def _map(node: Node | None) -> dict:
    return dict(node.value) if node is not None and node.is_map else {}
