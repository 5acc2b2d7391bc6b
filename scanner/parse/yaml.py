"""Stage 2 for YAML/JSON: documents as plain values plus a side table of lines per key path.

Composes with PyYAML's C loader when available; values are built by our own walk over the node
graph, which caps node count and depth so alias bombs and recursive anchors cannot blow up.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = 250_000
MAX_DEPTH = 100


@dataclass
class YamlDocument:
    path: str
    index: int
    values: object
    locations: dict  # key path tuple -> 1-based line
    line: int


class YamlTooComplex(ValueError):
    pass


class _Builder:
    def __init__(self) -> None:
        self.nodes = 0
        self.locations: dict[tuple, int] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: tuple, depth: int):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlTooComplex(f"more than {MAX_NODES} nodes after alias expansion")
        if depth > MAX_DEPTH:
            raise YamlTooComplex(f"nesting deeper than {MAX_DEPTH}")
        self.locations.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self.build(value_node, path, depth + 1)
                    for part in merged if isinstance(merged, list) else [merged]:
                        if isinstance(part, dict):
                            for k, v in part.items():
                                out.setdefault(k, v)
                    continue
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark.line)
                key = key if isinstance(key, (str, int, float, bool)) or key is None else str(key)
                self.locations[path + (key,)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, path + (key,), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> object:
        try:
            return self.constructor.construct_object(node, deep=False)
        except yaml.YAMLError:
            return node.value


def parse_text(path: str, text: str) -> list[YamlDocument]:
    """All documents of a YAML (or JSON) stream. Raises yaml.YAMLError or YamlTooComplex."""
    documents = []
    for index, node in enumerate(yaml.compose_all(text, Loader=_Loader)):
        if node is None:
            continue
        builder = _Builder()
        values = builder.build(node, (), 0)
        documents.append(YamlDocument(path, index, values, builder.locations, node.start_mark.line + 1))
    return documents


def looks_like_template(text: str) -> bool:
    """Helm/Go templates are not YAML until rendered."""
    return "{{" in text and "}}" in text
