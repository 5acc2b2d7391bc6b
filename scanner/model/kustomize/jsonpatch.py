"""JSON 6902 patches (add, remove, replace, move, copy, test) on a Node tree, as evanphx/json-patch v4.

Operations apply in order to a copy; any failing operation fails the whole patch, as in kustomize. A
value an operation writes keeps the place of its `value:` line; a moved or copied field takes the line
of its operation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from scanner.model.kustomize.resource import BuildError
from scanner.model.kustomize.tree import Node, copy, plain
from scanner.model.rendered import Place
from scanner.parse.yaml import CRD_SCHEMA_POINTER


@dataclass
class Operation:
    op: str
    path: str
    value: Node | None   # add, replace, test
    source: str          # move, copy: the `from` pointer
    place: Place         # the operation's own line


def operations(document: Node) -> list[Operation]:
    """The operations of a parsed JSON/YAML patch document. Raises BuildError when it is not one."""
    if not document.is_seq:
        raise BuildError("a JSON patch is a list of operations")
    result = []
    for item in document.value:
        if not item.is_map or not isinstance(item.text("op"), str) or not item.text("op"):
            raise BuildError("a JSON patch operation needs an `op`")
        op = item.text("op")
        if op not in ("add", "remove", "replace", "move", "copy", "test"):
            raise BuildError(f"unknown JSON patch operation '{op}'")
        path_node = item.get("path")
        if path_node is None or not isinstance(path_node.value, str):
            raise BuildError(f"JSON patch operation '{op}' needs a `path`")
        value = item.get("value")
        if op in ("add", "replace", "test") and value is None:
            raise BuildError(f"JSON patch operation '{op}' needs a `value`")
        source = item.text("from")
        if op in ("move", "copy") and not source:
            raise BuildError(f"JSON patch operation '{op}' needs a `from`")
        result.append(Operation(op, path_node.value, value, source, item.place))
    return result


def apply(target: Node, ops: list[Operation]) -> Node:
    """The patched copy of `target`. Raises BuildError naming the failing operation. An operation on a
    CustomResourceDefinition's schema, which sovscan does not read (parse/yaml.py), is left out."""
    document = copy(target)
    for op in ops:
        if _on_crd_schema(target, op):
            continue
        try:
            _apply_one(document, op)
        except BuildError as error:
            raise BuildError(f"JSON patch '{op.op} {op.path}' failed: {error}") from None
    return document


def _on_crd_schema(target: Node, op: Operation) -> bool:
    """The operation writes, removes, moves or copies inside the schema of a CRD version that exists (or
    v1beta1's `spec.validation`), which sovscan does not read: there is nothing to apply it to. A `test` is
    still made (it fails, as any test of what sovscan cannot see), and so is an operation on a version the
    CRD does not have (it fails, as in kustomize)."""
    if op.op == "test" or not target.is_map or target.text("kind") != "CustomResourceDefinition":
        return False
    pointers = (op.path, op.source) if op.op in ("move", "copy") else (op.path,)
    return any(_schema_of_a_version(target, pointer) for pointer in pointers)


def _schema_of_a_version(target: Node, pointer: str) -> bool:
    match = CRD_SCHEMA_POINTER.match(pointer)
    if match is None or match.group("version") is None:
        return match is not None    # v1beta1's spec.validation
    spec = target.get("spec")
    versions = spec.get("versions") if spec is not None and spec.is_map else None
    index = match.group("version")
    return versions is not None and versions.is_seq and index.isdigit() and int(index) < len(versions.value)


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise BuildError(f"invalid JSON pointer '{pointer}'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: Node, token: str, allow_end: bool) -> int:
    size = len(container.value)
    if not (token.lstrip("-").isdigit()):
        raise BuildError(f"'{token}' is not a list index")
    index = int(token)
    if index < 0:
        index += size
    if index < 0 or index > size or (index == size and not allow_end):
        raise BuildError(f"index {token} out of range")
    return index


def _parent(document: Node, pointer: str) -> tuple[Node, str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise BuildError("the whole document cannot be the target")
    node = document
    for token in tokens[:-1]:
        node = _child(node, token)
    if not (node.is_map or node.is_seq):
        raise BuildError("the parent is not a mapping or list")
    return node, tokens[-1]


def _child(node: Node, token: str) -> Node:
    if node.is_map:
        if token not in node.value:
            raise BuildError(f"missing key '{token}'")
        return node.value[token]
    if node.is_seq:
        return node.value[_index(node, token, False)]
    raise BuildError(f"cannot descend into a scalar at '{token}'")


def _get(document: Node, pointer: str) -> Node:
    node = document
    for token in _tokens(pointer):
        node = _child(node, token)
    return node


def _add(document: Node, pointer: str, value: Node) -> None:
    parent, token = _parent(document, pointer)
    if parent.is_map:
        parent.value[token] = value
    elif token == "-":
        parent.value.append(value)
    else:
        parent.value.insert(_index(parent, token, True), value)


def _remove(document: Node, pointer: str) -> Node:
    parent, token = _parent(document, pointer)
    if parent.is_map:
        if token not in parent.value:
            raise BuildError(f"missing key '{token}'")
        return parent.value.pop(token)
    return parent.value.pop(_index(parent, token, False))


def _apply_one(document: Node, op: Operation) -> None:
    if op.op == "add":
        assert op.value is not None
        _add(document, op.path, copy(op.value))
    elif op.op == "remove":
        _remove(document, op.path)
    elif op.op == "replace":
        assert op.value is not None
        parent, token = _parent(document, op.path)
        if parent.is_map:
            if token not in parent.value:
                raise BuildError(f"missing key '{token}'")
            parent.value[token] = copy(op.value)
        else:
            parent.value[_index(parent, token, False)] = copy(op.value)
    elif op.op == "move":
        moved = _remove(document, op.source)
        _add(document, op.path, _relocated(moved, op.place))
    elif op.op == "copy":
        _add(document, op.path, _relocated(copy(_get(document, op.source)), op.place))
    else:
        assert op.value is not None
        if not _same(plain(_get(document, op.path)), plain(op.value)):
            raise BuildError("test failed")


def _relocated(node: Node, place: Place) -> Node:
    node.place = place
    return node


def _same(a: object, b: object) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b
