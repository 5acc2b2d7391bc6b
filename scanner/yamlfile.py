"""Configuration YAML read safely: YAML 1.2 scalars, bounded shape, errors that name the file and never
quote more than a short, masked excerpt of it.

PyYAML reads YAML 1.1, where `off` is false and `2027-13-45` is a date it cannot build (a crash). The
configuration documents `RES-013: off` and dates as YYYY-MM-DD, so here only `true`/`false` are booleans and
dates stay strings for the schema to check. A self-referencing alias (`&x [*x]`) or nesting deeper than any
configuration needs is refused instead of recursing without end.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from scanner.errors import ConfigError
from scanner.masking import mask
from scanner.regular_file import read_bytes

MAX_BYTES = 1024 * 1024
VALUE_ERROR = "a date that does not exist, a number of more than 4,300 digits, or a !!tag its value does not fit"
MAX_DEPTH = 32
MAX_NODES = 100_000
MAX_INT_BITS = 64
SHORT = 32


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans, without implicit timestamps, and without duplicate keys (PyYAML keeps
    the last silently: `profile: default` then `profile: hardened` ran hardened)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        repeated = _repeated_key(node) if isinstance(node, yaml.MappingNode) else None
        if repeated is not None:
            key_node, first_line = repeated
            raise yaml.constructor.ConstructorError(None, None, repeated_message(key_node, first_line),
                                                    key_node.start_mark)
        return super().construct_mapping(node, deep)


def _repeated_key(node: yaml.MappingNode) -> tuple[yaml.ScalarNode, int] | None:
    """The first key of the mapping given a second time, with the line (0-based) of its first."""
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            if key_node.value in seen:
                return key_node, seen[key_node.value]
            seen[key_node.value] = key_node.start_mark.line
    return None


def repeated_message(key_node: yaml.ScalarNode, first_line: int) -> str:
    return f"the key {excerpt(key_node.value)} is given twice (also on line {first_line + 1})"


def repeated_key(root: yaml.Node | None) -> tuple[yaml.ScalarNode, int] | None:
    """The first key given twice in any mapping of a composed document (for YAML read with another loader,
    such as a policy file: PyYAML keeps the last of two silently)."""
    pending = [root] if root is not None else []
    walked: set[int] = set()      # aliases make the node graph a DAG or a cycle: each node is read once
    while pending:
        node = pending.pop()
        if id(node) in walked:
            continue
        walked.add(id(node))
        if isinstance(node, yaml.MappingNode):
            repeated = _repeated_key(node)
            if repeated is not None:
                return repeated
            pending.extend(value for pair in reversed(node.value) for value in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(reversed(node.value))
    return None


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def excerpt(value: object) -> str:
    """A value as an error message may quote it: short ones in full, long ones masked (first characters only)."""
    if isinstance(value, str):
        if len(value) <= SHORT and "\n" not in value:
            return repr(value)
        return repr(mask(value)) + f" ({len(value)} characters)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, (bool, int, float)) or value is None else type(value).__name__


def read(path: Path, what: str = "configuration") -> object:
    """The YAML document in `path` (None for an empty file); ConfigError naming the file otherwise."""
    try:
        raw = read_bytes(str(path), MAX_BYTES)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read {what}: {err.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: {what} is larger than {MAX_BYTES // 1024} KiB")
    return parse(raw, str(path), what)


def parse(raw: bytes, name: str, what: str = "configuration") -> object:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{name}: {what} is not UTF-8: byte 0x{raw[err.start]:02x} at byte offset {err.start}") from None
    try:
        data = yaml.load(text, Loader=_Loader)   # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(err, "problem", None) or "not valid YAML"
        raise ConfigError(f"{name}{where}: {what} is not valid YAML ({problem})") from None
    except RecursionError:
        raise ConfigError(f"{name}: {what} is nested too deeply") from None
    except (ValueError, TypeError, AttributeError, OverflowError) as err:   # a value its tag cannot hold
        raise ConfigError(f"{name}: {what} holds a value YAML cannot read ({VALUE_ERROR}: {str(err)[:80]})") from None
    check_shape(data, name, what)
    return data


def check_shape(data: object, name: str, what: str) -> None:
    """No cycles (self-referencing aliases), no nesting deeper than MAX_DEPTH, no alias bombs."""
    stack: list[tuple[object, int, frozenset[int]]] = [(data, 0, frozenset())]
    visited = 0
    while stack:
        value, depth, ancestors = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise ConfigError(f"{name}: {what} has more than {MAX_NODES} values (an alias expanding without bound?)")
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise ConfigError(f"{name}: {what} holds a number of more than {MAX_INT_BITS} bits, larger than any "
                              "setting takes")
        if not isinstance(value, (dict, list)):
            continue
        if id(value) in ancestors:
            raise ConfigError(f"{name}: {what} refers to itself (a self-referencing YAML alias)")
        if depth >= MAX_DEPTH:
            raise ConfigError(f"{name}: {what} is nested deeper than {MAX_DEPTH} levels")
        inner = ancestors | {id(value)}
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1, inner) for child in children)


def pointer(path) -> str:
    """A path into a document as error messages name it: `checks[0].assert.args`, or "(top level)"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
