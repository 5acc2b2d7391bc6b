"""YAML values that remember where each was written: the tree every Kustomize step edits.

A Node holds a scalar, a dict of Nodes or a list of Nodes, plus the Place a person edits to change it
(the key's line for a mapping entry, the item's line for a list item). Transformations replace or move
Nodes, so a field keeps the place of whichever file (base, patch, kustomization) last set it.
"""
from __future__ import annotations

import datetime
import sys
from typing import Any, Union

from scanner.model.rendered import Place
from scanner.parse.yaml import YamlDocument

Value = Union[dict, list, str, int, float, bool, None]


class Node:
    __slots__ = ("value", "place")

    def __init__(self, value: Any, place: Place) -> None:
        self.value = value
        self.place = place

    def __repr__(self) -> str:
        return f"Node({self.value!r} @ {self.place.path}:{self.place.line})"

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_seq(self) -> bool:
        return isinstance(self.value, list)

    @property
    def is_null(self) -> bool:
        return self.value is None

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if type(self.value) is dict else None

    def text(self, key: str) -> str:
        """The scalar under `key` as text; "" when absent or not a scalar."""
        child = self.value.get(key) if type(self.value) is dict else None
        if child is None:
            return ""
        value = child.value
        if type(value) is str:
            return value
        return "" if isinstance(value, (dict, list)) else scalar_text(value)

    def flag(self, key: str) -> bool:
        """Whether `key` is set to the boolean true."""
        child = self.get(key)
        return child is not None and child.value is True

    def lookup(self, *keys: str) -> Node | None:
        node: Node | None = self
        for key in keys:
            node = node.get(key) if node is not None else None
        return node


class Blank(Node):
    """A null written as nothing at all (`key:`), which kustomize's merge drops, unlike `null` or `~`."""
    __slots__ = ()


def is_blank(node: Node) -> bool:
    return type(node) is Blank and node.value is None


def scalar_text(value: object) -> str:
    """A scalar as YAML text, the way kustomize compares and hashes values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _blank_at(lines: list[str] | None, line: int) -> bool:
    """Whether a null on `line` is written as nothing: the line ends in `key:` or `-`."""
    if lines is None or not 0 < line <= len(lines):
        return False
    text = lines[line - 1]
    comment = text.find(" #")
    text = (text[:comment] if comment >= 0 else text).rstrip()
    return text.endswith(":") or text.lstrip() == "-"


def from_document(document: YamlDocument, values: object, prefix: tuple = (), lines: list[str] | None = None) -> Node:
    """The Node tree of `values` found at key path `prefix` of a parsed document. With the document's
    source `lines`, nulls written as nothing become Blank nodes."""
    path = document.path
    locations = document.locations
    places: dict[int, Place] = {}

    def place(line: int) -> Place:
        found = places.get(line)
        if found is None:
            found = places[line] = Place(path, line)
        return found

    def build(value: object, at: tuple, line: int) -> Node:
        line = locations.get(at, line)
        if isinstance(value, dict):
            return Node({k: build(v, at + (k,), line) for k, v in value.items()}, place(line))
        if isinstance(value, list):
            return Node([build(v, at + (i,), line) for i, v in enumerate(value)], place(line))
        if value is None and _blank_at(lines, line):
            return Blank(None, place(line))
        return Node(value, place(line))

    return build(values, prefix, locations.get(prefix, document.line))


def from_plain(value: object, place: Place) -> Node:
    """A Node tree for a value kustomize synthesises; every part carries `place`."""
    if isinstance(value, dict):
        return Node({k: from_plain(v, place) for k, v in value.items()}, place)
    if isinstance(value, list):
        return Node([from_plain(v, place) for v in value], place)
    return Node(value, place)


def copy(node: Node) -> Node:
    if isinstance(node.value, dict):
        return Node({k: copy(v) for k, v in node.value.items()}, node.place)
    if isinstance(node.value, list):
        return Node([copy(v) for v in node.value], node.place)
    return type(node)(node.value, node.place)


def plain(node: Node) -> Value:
    if isinstance(node.value, dict):
        return {k: plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [plain(v) for v in node.value]
    return node.value


def flatten(node: Node) -> tuple[Any, dict[str, Place]]:
    """(plain values, dotted key path -> place) for a rendered object; paths as kubernetes.dotted writes them.
    The paths are interned: every object of a kind repeats them, and a scan renders thousands of objects."""
    places: dict[str, Place] = {}

    def walk(current: Node, path: str) -> Any:
        places[path] = current.place
        if isinstance(current.value, dict):
            return {k: walk(v, sys.intern(f"{path}.{k}" if path else str(k))) for k, v in current.value.items()}
        if isinstance(current.value, list):
            return [walk(v, sys.intern(f"{path}[{i}]")) for i, v in enumerate(current.value)]
        return current.value

    return walk(node, ""), places


def ensure_map(parent: Node, key: str, place: Place) -> Node:
    """The mapping under `key`, created (or a null turned into an empty mapping) at `place`."""
    child = parent.value.get(key)
    if child is None:
        child = parent.value[key] = Node({}, place)
    elif child.is_null:
        child.value, child.place = {}, place
    return child
