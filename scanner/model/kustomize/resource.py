"""Resources in a build and how kustomize identifies and selects them.

A resource's id is group/version/kind, name and namespace. kustomize remembers the ids a resource had
before a namespace, prefix, suffix or hash changed it, so patches and references written against the
base name still find it; `prev_ids` holds those, oldest first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from scanner.model.kustomize.config import Gvk, is_cluster_scoped
from scanner.model.kustomize.tree import Node, ensure_map, scalar_text
from scanner.model.rendered import Place

DEFAULT_NAMESPACE = "default"
CLUSTER = "_non_namespaceable_"   # kustomize's effective namespace of a cluster-scoped id


class BuildError(ValueError):
    """Something kustomize itself refuses to build; the message names the cause."""


@dataclass(frozen=True)
class ResId:
    gvk: Gvk
    name: str
    namespace: str   # as written; "" = none

    @property
    def effective_namespace(self) -> str:
        if is_cluster_scoped(self.gvk.api_version, self.gvk.kind):
            return CLUSTER
        return self.namespace or DEFAULT_NAMESPACE

    def equals(self, other: ResId) -> bool:
        return (self.gvk == other.gvk and self.name == other.name
                and self.effective_namespace == other.effective_namespace)

    def __str__(self) -> str:
        return f"{self.gvk.kind} {self.namespace + '/' if self.namespace else ''}{self.name}"


@dataclass
class Resource:
    node: Node                                   # the object
    origin: Place                                # where its document starts (or its generator entry)
    prev: list[tuple[str, str, str]] = field(default_factory=list)   # (kind, name, effective namespace)
    prefixes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    needs_hash: bool = False
    behavior: str = ""                           # generated resources: create | merge | replace
    origin_note: str | None = None               # kustomize's config.kubernetes.io/origin text

    @property
    def api_version(self) -> str:
        return self.node.text("apiVersion")

    @property
    def kind(self) -> str:
        return self.node.text("kind")

    @property
    def gvk(self) -> Gvk:
        return Gvk.of(self.api_version, self.kind)

    @property
    def name(self) -> str:
        metadata = self.node.get("metadata")
        return metadata.text("name") if metadata is not None else ""

    @property
    def namespace(self) -> str:
        metadata = self.node.get("metadata")
        return metadata.text("namespace") if metadata is not None else ""

    def metadata_map(self, key: str) -> dict[str, str]:
        """labels or annotations as strings (what selectors and hashes see)."""
        found = self.node.lookup("metadata", key)
        if found is None or not found.is_map:
            return {}
        return {str(k): scalar_text(v.value) for k, v in found.value.items() if not (v.is_map or v.is_seq)}

    @property
    def cur_id(self) -> ResId:
        return ResId(self.gvk, self.name, self.namespace)

    def prev_ids(self) -> list[ResId]:
        gvk = self.gvk
        return [ResId(Gvk(gvk.group, gvk.version, kind), name, namespace) for kind, name, namespace in self.prev]

    @property
    def org_id(self) -> ResId:
        ids = self.prev_ids()
        return ids[0] if ids else self.cur_id

    def all_ids(self) -> list[ResId]:
        return self.prev_ids() + [self.cur_id]

    def with_annotations(self) -> Resource:
        """kustomize keeps internal annotations on every resource while it builds, so an annotations
        mapping always exists (a JSON patch may add to it); an empty one is dropped at the end."""
        metadata = self.node.get("metadata")
        if metadata is not None and metadata.is_map:
            ensure_map(metadata, "annotations", metadata.place)
        return self

    def store_previous_id(self) -> None:
        current = self.cur_id
        self.prev.append((current.gvk.kind, current.name, current.effective_namespace))


def find_by_any_id(resources: list[Resource], wanted: ResId) -> list[Resource]:
    return [r for r in resources if any(i.equals(wanted) for i in r.all_ids())]


def _key(resource_id: ResId) -> tuple[Gvk, str, str]:
    return resource_id.gvk, resource_id.name, resource_id.effective_namespace


def id_keys(resources: list[Resource]) -> set[tuple[Gvk, str, str]]:
    return {_key(r.cur_id) for r in resources}


def append_checked(resources: list[Resource], incoming: list[Resource],
                   registered: set[tuple[Gvk, str, str]] | None = None) -> None:
    """kustomize refuses two resources with the same current id in one build. `registered` (the ids of
    `resources`, kept up to date here) saves recomputing them when many files are appended in turn."""
    if registered is None:
        registered = {_key(r.cur_id) for r in resources}
    for resource in incoming:
        current = resource.cur_id
        if _key(current) in registered:
            raise BuildError(f"may not add resource with an already registered id: {current}")
        registered.add(_key(current))
        resources.append(resource)


@dataclass(frozen=True)
class Selector:
    """A patch `target`: each field a regular expression matched whole, as kustomize does."""
    gvk: Gvk = Gvk()
    name: str = ""
    namespace: str = ""
    label_selector: str = ""
    annotation_selector: str = ""


def _anchored(pattern: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(f"(?:{pattern})\\Z")
    except re.error as error:
        raise BuildError(f"invalid regular expression {pattern!r} in patch target: {error}") from None


def select(resources: list[Resource], selector: Selector) -> list[Resource]:
    group, version, kind = (_anchored(p) for p in (selector.gvk.group, selector.gvk.version, selector.gvk.kind))
    name, namespace = _anchored(selector.name), _anchored(selector.namespace)
    labels = parse_selector(selector.label_selector)
    annotations = parse_selector(selector.annotation_selector)
    chosen = []
    for resource in resources:
        current, original = resource.cur_id, resource.org_id
        if namespace and not (namespace.match(original.effective_namespace)
                              or namespace.match(current.effective_namespace)):
            continue
        if name and not (name.match(original.name) or name.match(current.name)):
            continue
        gvk = resource.gvk
        if any(p is not None and not p.match(v) for p, v in ((group, gvk.group), (version, gvk.version), (kind, gvk.kind))):
            continue
        if not matches(labels, resource.metadata_map("labels")):
            continue
        if not matches(annotations, resource.metadata_map("annotations")):
            continue
        chosen.append(resource)
    return chosen


_REQUIREMENT = re.compile(
    r"\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9._/-]+)\s*"
    r"(?:(?P<op>==|=|!=)\s*(?P<value>[A-Za-z0-9._-]*)|\s(?P<setop>in|notin)\s*\((?P<values>[^)]*)\))?\s*")


def parse_selector(text: str) -> list[tuple[str, str, frozenset[str]]]:
    """A Kubernetes label selector as (operator, key, values); raises BuildError when malformed."""
    requirements: list[tuple[str, str, frozenset[str]]] = []
    for part in re.split(r",(?![^(]*\))", text) if text.strip() else []:
        found = _REQUIREMENT.fullmatch(part)
        if not found:
            raise BuildError(f"unsupported selector {text!r}")
        key = found["key"]
        if found["neg"]:
            requirements.append(("!", key, frozenset()))
        elif found["op"]:
            requirements.append(("!=" if found["op"] == "!=" else "=", key, frozenset({found["value"]})))
        elif found["setop"]:
            values = frozenset(v.strip() for v in found["values"].split(",") if v.strip())
            requirements.append((found["setop"], key, values))
        else:
            requirements.append(("exists", key, frozenset()))
    return requirements


def matches(requirements: list[tuple[str, str, frozenset[str]]], labels: dict[str, str]) -> bool:
    for operator, key, values in requirements:
        present = key in labels
        if operator == "exists" and not present:
            return False
        if operator == "!" and present:
            return False
        if operator in ("=", "in") and (not present or labels[key] not in values):
            return False
        if operator in ("!=", "notin") and present and labels[key] in values:
            return False
    return True
