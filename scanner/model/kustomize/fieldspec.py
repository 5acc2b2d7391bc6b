"""Walking a field spec's path through an object and handing the field found (or made) to a setter.

kustomize's fieldspec filter: a path part ending in `[]` is a list whose items are each followed; a
list met without `[]` is followed item by item too; `create` makes missing mappings on the way and the
last field as the setter's kind; a null field is turned into that kind.
"""
from __future__ import annotations

import functools
from typing import Callable

from scanner.model.kustomize.config import FieldSpec, Gvk
from scanner.model.kustomize.resource import BuildError, Resource
from scanner.model.kustomize.tree import Node
from scanner.model.rendered import Place

Setter = Callable[[Node], None]


def split_path(path: str) -> list[str]:
    """kyaml's PathSplitter: `/` separates, `\\/` is a slash inside a name, a leading `/` is ignored."""
    parts = path.split("/")
    if len(parts) > 1 and parts[0] == "":
        parts = parts[1:]
    result = [parts[0]]
    for part in parts[1:]:
        if result[-1].endswith("\\"):
            result[-1] = result[-1][:-1] + "/" + part
        else:
            result.append(part)
    return result


def spec_selects(spec: FieldSpec, gvk: Gvk) -> bool:
    return gvk.selected_by(spec.gvk)


def apply_spec(resource: Resource, spec: FieldSpec, setter: Setter, create_kind: str | None, place: Place) -> None:
    """Run `setter` on every field `spec` names in `resource`; create_kind is "map", "scalar" or None."""
    if spec_selects(spec, resource.gvk):
        walk_spec(resource.node, spec, setter, create_kind, place)


def walk_spec(node: Node, spec: FieldSpec, setter: Setter, create_kind: str | None, place: Place) -> None:
    """apply_spec for a caller that has already checked the spec selects the object's kind."""
    _walk(node, _split(spec.path), create_kind if spec.create else None, setter, place, spec.path)


@functools.lru_cache(maxsize=512)
def _split(path: str) -> tuple[str, ...]:
    return tuple(split_path(path))


def _walk(node: Node, parts: tuple[str, ...], create: str | None, setter: Setter, place: Place, path: str) -> None:
    if not parts:
        setter(node)
        return
    if node.is_null:
        return
    if node.is_seq:
        for item in node.value:
            _walk(item, parts, create, setter, place, path)
        return
    if not node.is_map:
        raise BuildError(f"field '{path}': expected a sequence or mapping")
    name = parts[0][:-2] if parts[0].endswith("[]") else parts[0]
    if not name:
        raise BuildError(f"field '{path}': cannot set or create an empty field name")
    child = node.value.get(name)
    wanted = None if create is None or parts[0].endswith("[]") else (create if len(parts) == 1 else "map")
    if child is None:
        if wanted is None:
            return
        child = node.value[name] = Node({} if wanted == "map" else "", place)
    elif child.is_null and wanted is not None:
        child.value, child.place = ({} if wanted == "map" else ""), place
    _walk(child, parts[1:], create, setter, place, path)


def set_entry(key: str, value: str, place: Place) -> Setter:
    """A setter that puts `key: value` (a string) into the mapping it is given."""
    def setter(node: Node) -> None:
        if node.is_null:
            node.value, node.place = {}, place
        if not node.is_map:
            raise BuildError(f"cannot set '{key}' in a field that is not a mapping")
        node.value[key] = Node(value, place)
    return setter


def set_scalar(value: str, place: Place) -> Setter:
    def setter(node: Node) -> None:
        if node.is_map or node.is_seq:
            raise BuildError("expected a scalar field")
        node.value, node.place = value, place
    return setter
