"""configMapGenerator and secretGenerator, and the content hash kustomize appends to generated names.

A generated key keeps the place of what a person edits to change it: a literal's line in the
kustomization, the line of an env file that sets it, or the first line of the file it was read from.
"""
from __future__ import annotations

import base64
import hashlib
import json
import posixpath
from dataclasses import dataclass
from typing import Callable

from scanner.model.kustomize.resource import BuildError, Resource
from scanner.model.kustomize.tree import Node, plain, scalar_text
from scanner.model.rendered import Place

Reader = Callable[[str], "tuple[str, str]"]   # path as written -> (repository path, text); raises BuildError


@dataclass
class Pair:
    key: str
    value: str
    place: Place


def _strings(entry: Node, key: str) -> list[Node]:
    found = entry.get(key)
    if found is None or found.is_null:
        return []
    items = found.value if found.is_seq else [found]
    for item in items:
        if not isinstance(item.value, str):
            raise BuildError(f"'{key}' entries must be strings")
    return items


def _literal(item: Node) -> Pair:
    text = item.value
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise BuildError(f"invalid literal source {text!r}, expected key=value")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return Pair(key, value, item.place)


def _env_pairs(path: str, text: str) -> list[Pair]:
    pairs = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if number == 1:
            line = line.removeprefix("\ufeff")
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        pairs.append(Pair(key, value, Place(path, number)))
    return pairs


def _file_pair(item: Node, read: Reader) -> Pair:
    source = item.value
    if source.count("=") > 1 or source.startswith("=") or source.endswith("="):
        raise BuildError(f"invalid file source {source!r}")
    key, sep, file_path = source.partition("=")
    if not sep:
        key, file_path = posixpath.basename(source), source
    path, text = read(file_path)
    return Pair(key, text, Place(path, 1))


def _pairs(entry: Node, read: Reader) -> list[Pair]:
    pairs: list[Pair] = []
    for env in _strings(entry, "envs") + _strings(entry, "env"):
        pairs.extend(_env_pairs(*read(env.value)))
    pairs.extend(_literal(item) for item in _strings(entry, "literals"))
    pairs.extend(_file_pair(item, read) for item in _strings(entry, "files"))
    seen: set[str] = set()
    for pair in pairs:
        if pair.key in seen:
            raise BuildError(f"generator '{entry.text('name')}' repeats the key '{pair.key}'")
        seen.add(pair.key)
    return pairs


@dataclass
class Options:
    labels: dict[str, Node]
    annotations: dict[str, Node]
    add_hash: bool = True
    immutable: Node | None = None


def _options(entry: Node, global_options: Node | None) -> Options:
    """The entry's options with the kustomization's generatorOptions merged in (the entry's labels win)."""
    merged = Options({}, {})
    for options in (global_options, entry.get("options")):
        if options is None or not options.is_map:
            continue
        for key, target in (("labels", merged.labels), ("annotations", merged.annotations)):
            found = options.get(key)
            for k, v in (found.value.items() if found is not None and found.is_map else ()):
                if not isinstance(v.value, str):
                    raise BuildError(f"generator option {key}.{k} must be a string")
                target[str(k)] = v
        disable = options.get("disableNameSuffixHash")
        if disable is not None and disable.value is True:
            merged.add_hash = False
        immutable = options.get("immutable")
        if immutable is not None and immutable.value is True:
            merged.immutable = immutable
    return merged


def _wrapped_base64(value: str) -> str:
    """Go's kyaml encodeBase64: 70-character lines, each ended by a newline once there is more than one."""
    encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
    if len(encoded) // 70 + 1 == 1:
        return encoded
    return "".join(encoded[i:i + 70] + "\n" for i in range(0, len(encoded), 70))


def generate(entry: Node, kind: str, global_options: Node | None, read: Reader) -> Resource:
    """The ConfigMap or Secret an entry of configMapGenerator / secretGenerator makes."""
    if not entry.is_map:
        raise BuildError(f"a {kind} generator entry is a mapping")
    name_node = entry.get("name")
    if name_node is None or not isinstance(name_node.value, str) or not name_node.value:
        raise BuildError(f"a {kind} generator needs a name")
    here = entry.place
    metadata = Node({"name": Node(name_node.value, name_node.place)}, here)
    namespace = entry.get("namespace")
    if namespace is not None and isinstance(namespace.value, str) and namespace.value:
        metadata.value["namespace"] = Node(namespace.value, namespace.place)
    options = _options(entry, global_options)
    for key, chosen in (("labels", options.labels), ("annotations", options.annotations)):
        if chosen:
            metadata.value[key] = Node({k: Node(v.value, v.place) for k, v in sorted(chosen.items())}, here)
    root = Node({"apiVersion": Node("v1", here), "kind": Node(kind, here), "metadata": metadata}, here)
    pairs = sorted(_pairs(entry, read), key=lambda p: p.key)
    if kind == "Secret":
        type_node = entry.get("type")
        secret_type = type_node.value if type_node is not None and isinstance(type_node.value, str) and type_node.value else "Opaque"
        root.value["type"] = Node(secret_type, type_node.place if type_node is not None else here)
        root.value["data"] = Node({p.key: Node(_wrapped_base64(p.value), p.place) for p in pairs}, here)
    elif pairs:
        root.value["data"] = Node({p.key: Node(p.value, p.place) for p in pairs}, here)
    if options.immutable is not None:
        root.value["immutable"] = Node(True, options.immutable.place)
    resource = Resource(root, here, needs_hash=options.add_hash, behavior=entry.text("behavior") or "create")
    return resource.with_annotations()


def content_hash(resource: Resource) -> str:
    """kustomize's name suffix: the first ten hex digits of a SHA-256 over a JSON digest, some remapped.

    The digest's name is always "": kustomize looks the name up as one field called "metadata/name"."""
    def field(*keys: str) -> object:
        found = resource.node.lookup(*keys)
        if found is None:
            return ""
        return plain(found) if (found.is_map or found.is_seq) else scalar_text(found.value)
    if resource.kind == "ConfigMap":
        digest: dict[str, object] = {"kind": "ConfigMap", "name": "", "data": field("data")}
        if isinstance(field("binaryData"), dict):
            digest["binaryData"] = field("binaryData")
    elif resource.kind == "Secret":
        digest = {"kind": "Secret", "type": field("type"), "name": "", "data": field("data")}
        if isinstance(field("stringData"), dict):
            digest["stringData"] = field("stringData")
    else:
        digest = {"object": plain(resource.node)}   # kustomize only hashes generated ConfigMaps and Secrets
    text = go_json(digest)
    hexdigest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return hexdigest.translate(str.maketrans("013ae", "ghkmt"))


def go_json(value: object) -> str:
    """Go's json.Marshal: sorted keys, no spaces, <, >, & and line/paragraph separators escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text
