"""Stage 2 for YAML/JSON: documents as plain values plus a side table of lines per key path.

Composes with PyYAML's C loader when available; values are built by our own walk over the node
graph, which bounds what one document may cost, so alias bombs, recursive anchors and absurd nesting
cannot blow up. The limits hold per document; the items of a `kind: List` (a `kubectl get -o yaml` dump
of thousands of objects is legitimate) become documents of their own; aliases are counted per file. A
document or item over a limit is skipped with the reason, and the others are judged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from scanner.parse.names import shared
from scanner.parse.surrogates import replace_surrogates

# PyYAML's C safe loader where PyYAML was built with libyaml (about ten times faster), else the Python one;
# every YAML sovscan reads (files, policies, registries, its own tables) is loaded with it.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = 250_000          # values in one document, or in one item of a List
MAX_ALIAS_NODES = 100_000    # values that aliases add, in one file (below MAX_NODES: a bomb is named as one)
MAX_DEPTH = 100              # levels of nesting
MAX_INT_BITS = 14_000        # about 4,200 decimal digits: Python refuses to print more than 4,300


def packaged(package: str, name: str) -> Any:
    """A YAML data file shipped inside sovscan (`package`/`name`), loaded with the C loader when PyYAML has
    it: the pure-Python loader spends 0.07 s on the Kustomize tables that every render reads."""
    return yaml.load(resources.files(package).joinpath(name).read_text("utf-8"), Loader=LOADER)   # noqa: S506 - a SafeLoader


@dataclass
class YamlDocument:
    path: str
    index: int
    values: object
    locations: dict  # key path tuple -> 1-based line
    line: int


@dataclass(frozen=True)
class Skipped:
    """A document, or an item of a List document, left out because it is over a limit."""
    index: int       # the document's place in the stream
    line: int
    reason: str


class YamlTooComplex(ValueError):
    pass


# What PyYAML's constructors raise on a forced tag or a value Python cannot hold: `!!timestamp x` is an
# AttributeError, `!!bool x` a KeyError, `!!int ""` an IndexError, 5,000 digits a ValueError.
_CONSTRUCTOR_ERRORS = (yaml.YAMLError, ValueError, OverflowError, IndexError, KeyError, AttributeError, TypeError)


class _Aliases:
    """Values that aliases add, counted over the whole file (a document cannot restart the count), and
    the nodes of the current document built so far (one built again came through an alias)."""

    def __init__(self) -> None:
        self.added = 0
        self.built: set[int] = set()


class _Builder:
    def __init__(self, aliases: _Aliases) -> None:
        self.nodes = 0
        self.aliases = aliases
        self.open: set[int] = set()        # the nodes being built: meeting one again is a recursive alias
        self.locations: dict[tuple, int] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: tuple, depth: int):
        self._count(node, depth)
        self.locations.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, depth)
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _count(self, node: yaml.Node, depth: int) -> None:
        if id(node) in self.open:
            raise YamlTooComplex("an alias refers to a value that contains it (a recursive anchor)")
        if depth > MAX_DEPTH:
            raise YamlTooComplex(f"nested deeper than {MAX_DEPTH} levels, sovscan's limit")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlTooComplex(f"more than {MAX_NODES} values, sovscan's limit for one document or List item")
        if id(node) in self.aliases.built:
            self.aliases.added += 1
            if self.aliases.added > MAX_ALIAS_NODES:
                raise YamlTooComplex(f"aliases in this file expand to more than {MAX_ALIAS_NODES} values "
                                     "(an alias bomb?)")
        self.aliases.built.add(id(node))

    def _mapping(self, node: yaml.MappingNode, path: tuple, depth: int) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, path, depth + 1)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, dict):
                        for k, v in part.items():
                            out.setdefault(k, v)
                continue
            key = _key(self, key_node)
            self.locations[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out

    def scalar(self, node: yaml.Node) -> object:
        try:
            value = self.constructor.construct_object(node, deep=False)
        except _CONSTRUCTOR_ERRORS:
            # What the constructor cannot hold (a 5,000-digit int, 2024-02-30, `!!bool maybe`) stays the text.
            value = node.value
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            return node.value      # 0xfff... builds, but no report could print it in decimal
        # The pure-Python loader lets "\ud800" through; no report could write it. A short text is the one
        # object kept for it (names.shared): keys and values recur in every document and every `locations` path.
        return shared(replace_surrogates(value)) if isinstance(value, str) else value


def _key(builder: _Builder, node: yaml.Node):
    """A mapping key as a plain hashable value: a collection as a key stands for its line."""
    key = builder.scalar(node) if isinstance(node, yaml.ScalarNode) else str(node.start_mark.line)
    return key if isinstance(key, (str, int, float, bool)) or key is None else str(key)


def parse_stream(path: str, text: str) -> tuple[list[YamlDocument], list[Skipped]]:
    """The documents of a YAML (or JSON) stream that fit the limits, and those skipped with the reason.
    Raises yaml.YAMLError when the stream is not YAML."""
    documents: list[YamlDocument] = []
    skipped: list[Skipped] = []
    aliases = _Aliases()
    for index, node in enumerate(yaml.compose_all(text, Loader=LOADER)):
        if node is None:
            continue
        aliases.built = set()              # anchors hold within one document
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode) and _is_list(node):
            items, problems = _list_items(path, index, node, aliases)
            documents.extend(items)
            skipped.extend(problems)
            continue
        node = _without_crd_schemas(node)
        builder = _Builder(aliases)
        try:
            values = builder.build(node, (), 0)
        except YamlTooComplex as err:
            skipped.append(Skipped(index, line, str(err)))
            continue
        documents.append(YamlDocument(path, index, values, builder.locations, line))
    return documents, skipped


# A CustomResourceDefinition's OpenAPI schema (`spec.versions[*].schema`; `spec.validation` in v1beta1) only
# describes the fields of the custom kind. No policy judges it, yet it is most of a CRD's size: in the corpus,
# kube-prometheus's 4 MB of CRDs were a fifth of the scan's memory at its peak, built once as documents and
# again by each Kustomize build that deploys them. Documents are read without it (Kustomize patches under it
# are skipped: kustomize/jsonpatch.py).
CRD_SCHEMA_POINTER = re.compile(r"^/spec/(?:validation|versions/(?P<version>[^/]+)/schema)(?:/|$)")


def _without_crd_schemas(node: yaml.Node) -> yaml.Node:
    """The document itself, or a CustomResourceDefinition without its schemas: new nodes from the top down
    to what is left out, since anchors may share the others with another item of a List."""
    if not isinstance(node, yaml.MappingNode):
        return node
    fields = _fields(node)
    kind, spec = fields.get("kind"), fields.get("spec")
    if not isinstance(kind, yaml.ScalarNode) or kind.value != "CustomResourceDefinition" or \
            not isinstance(spec, yaml.MappingNode):
        return node
    versions = _fields(spec).get("versions")
    if isinstance(versions, yaml.SequenceNode):
        kept = [_without(v, "schema") if isinstance(v, yaml.MappingNode) else v for v in versions.value]
        versions = yaml.SequenceNode(versions.tag, kept, versions.start_mark, versions.end_mark, versions.flow_style)
        spec = _mapping(spec, [(k, versions if _named(k, "versions") else v) for k, v in spec.value])
    spec = _without(spec, "validation")
    return _mapping(node, [(k, spec if _named(k, "spec") else v) for k, v in node.value])


def _without(node: yaml.MappingNode, key: str) -> yaml.MappingNode:
    return _mapping(node, [(k, v) for k, v in node.value if not _named(k, key)])


def _mapping(like: yaml.MappingNode, pairs: list) -> yaml.MappingNode:
    """A new mapping node with `pairs`, in the place (and style) of `like`."""
    return yaml.MappingNode(like.tag, pairs, like.start_mark, like.end_mark, like.flow_style)


def _named(key: yaml.Node, name: str) -> bool:
    return isinstance(key, yaml.ScalarNode) and key.value == name


def _fields(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _is_list(node: yaml.Node) -> bool:
    """`kind: ...List` with a sequence of `items`: each item is an object of its own."""
    if not isinstance(node, yaml.MappingNode):
        return False
    keys = _fields(node)
    if any(k.tag == "tag:yaml.org,2002:merge" for k, _ in node.value):
        return False
    kind, items = keys.get("kind"), keys.get("items")
    return isinstance(kind, yaml.ScalarNode) and kind.value.endswith("List") and isinstance(items, yaml.SequenceNode)


def _list_items(path: str, index: int, node: yaml.MappingNode,
                aliases: _Aliases) -> tuple[list[YamlDocument], list[Skipped]]:
    """Each item of a List as a document of its own, with the limits applied to it alone."""
    items = _fields(node)["items"]
    documents, skipped = [], []
    for number, item in enumerate(items.value):
        item = _without_crd_schemas(item)
        builder = _Builder(aliases)
        line = item.start_mark.line + 1
        try:
            values = builder.build(item, (), 1)
        except YamlTooComplex as err:
            skipped.append(Skipped(index, line, f"items[{number}]: {err}"))
            continue
        documents.append(YamlDocument(path, index, values, builder.locations, line))
    return documents, skipped


def parse_text(path: str, text: str) -> list[YamlDocument]:
    """All documents of a YAML (or JSON) stream. Raises yaml.YAMLError, or YamlTooComplex when a document
    is over a limit (parse_stream skips that document and keeps the others)."""
    documents, skipped = parse_stream(path, text)
    if skipped:
        raise YamlTooComplex(skipped[0].reason)
    return documents


def looks_like_template(text: str) -> bool:
    """Helm/Go templates are not YAML until rendered."""
    return "{{" in text and "}}" in text


def first_mapping(path: str, text: str) -> dict:
    """The first document when it is a mapping, else {} (a kustomization: the renderer reports a file it
    cannot read); read with the parse stage's limits, so an alias bomb costs nothing."""
    try:
        documents = parse_text(path, text)
    except (yaml.YAMLError, YamlTooComplex, RecursionError):
        return {}
    return documents[0].values if documents and isinstance(documents[0].values, dict) else {}
