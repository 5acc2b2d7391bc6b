"""Field specs: which fields a Kustomize transformer touches, from the built-in table and `configurations:`.

A field spec is a slash path (`spec/template/metadata/labels`, `[]` marks a list) limited to kinds by
group/version/kind; `create` makes the field when missing. The built-in table is data
(builtin_config.yaml); a kustomization's `configurations:` files add to it for custom resources.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from scanner.parse.yaml import packaged

CATEGORIES = ("namePrefix", "nameSuffix", "namespace", "commonLabels", "labels", "templateLabels",
              "commonAnnotations", "images", "replicas")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Gvk:
    group: str = ""
    version: str = ""
    kind: str = ""

    @staticmethod
    def of(api_version: str, kind: str) -> Gvk:
        return _gvk_of(api_version, kind)

    def selected_by(self, selector: Gvk) -> bool:
        """kustomize's Gvk.IsSelected: every non-empty selector field must be equal."""
        return ((not selector.group or selector.group == self.group)
                and (not selector.version or selector.version == self.version)
                and (not selector.kind or selector.kind == self.kind))

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@functools.lru_cache(maxsize=1024)
def _gvk_of(api_version: str, kind: str) -> Gvk:
    group, _, version = api_version.rpartition("/")
    return Gvk(group, version, kind)


@dataclass(frozen=True)
class FieldSpec:
    gvk: Gvk
    path: str
    create: bool = False


@dataclass(frozen=True)
class NameReference:
    referral: Gvk                      # the kind whose name is referred to
    referrers: tuple[FieldSpec, ...]   # the fields that hold such a name


@dataclass
class TransformerConfig:
    specs: dict[str, tuple[FieldSpec, ...]] = field(default_factory=lambda: {c: () for c in CATEGORIES})
    name_references: tuple[NameReference, ...] = ()

    def merged(self, other: TransformerConfig) -> TransformerConfig:
        if other is self or other.is_empty:
            return self
        if self.is_empty:
            return other
        specs = {c: merge_specs(self.specs[c], other.specs[c]) for c in CATEGORIES}
        references = list(self.name_references)
        for incoming in other.name_references:
            for i, existing in enumerate(references):
                if existing.referral == incoming.referral:
                    references[i] = replace(existing, referrers=merge_specs(existing.referrers, incoming.referrers))
                    break
            else:
                references.append(incoming)
        return TransformerConfig(specs, tuple(references))

    @property
    def is_empty(self) -> bool:
        return not self.name_references and not any(self.specs.values())


def merge_specs(ours: tuple[FieldSpec, ...], theirs: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    """kustomize's FsSlice.MergeAll: a spec equal in path and selecting the same kinds is kept once."""
    result = list(ours)
    by_path: dict[str, list[FieldSpec]] = {}
    for spec in ours:
        by_path.setdefault(spec.path, []).append(spec)
    for spec in theirs:
        same = [s for s in by_path.get(spec.path, ()) if s.gvk.selected_by(spec.gvk)]
        if not same:
            result.append(spec)
            by_path.setdefault(spec.path, []).append(spec)
        elif same[0].create != spec.create:
            raise ConfigError(f"conflicting field specs for {spec.path}")
    return tuple(result)


def field_spec(raw: object) -> FieldSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
        raise ConfigError("a field spec needs a path")
    gvk = Gvk(str(raw.get("group") or ""), str(raw.get("version") or ""), str(raw.get("kind") or ""))
    return FieldSpec(gvk, raw["path"], bool(raw.get("create")))


def _list(data: dict, key: str) -> list:
    found = data.get(key)
    if found is None:
        return []
    if not isinstance(found, list):
        raise ConfigError(f"'{key}' must be a list")
    return found


def config_from_data(data: object) -> TransformerConfig:
    """A `configurations:` file (or the built-in table) as a TransformerConfig. Raises ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError("a transformer configuration is a mapping")
    unknown = set(data) - set(CATEGORIES) - {"nameReference", "varReference"}
    if unknown:
        raise ConfigError(f"unknown field {sorted(map(str, unknown))[0]}")
    specs = {c: tuple(field_spec(s) for s in _list(data, c)) for c in CATEGORIES}
    references = []
    for raw in _list(data, "nameReference"):
        referral = raw.get("referral", raw) if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(referral, dict):
            raise ConfigError("a nameReference entry is a mapping")
        gvk = Gvk(str(referral.get("group") or ""), str(referral.get("version") or ""), str(referral.get("kind") or ""))
        referrers = _list(raw, "referrers" if "referrers" in raw else "fieldSpecs")
        references.append(NameReference(gvk, tuple(field_spec(s) for s in referrers)))
    return TransformerConfig(specs, tuple(references))


@functools.lru_cache(maxsize=1)
def _builtin_data() -> dict:
    return dict(packaged("scanner.model.kustomize", "builtin_config.yaml"))


@functools.lru_cache(maxsize=1)
def builtin_config() -> TransformerConfig:
    """Shared; callers derive new configs with merged() and never change this one."""
    data = _builtin_data()
    return config_from_data({**data["fieldSpecs"], "nameReference": data["nameReference"]})


@functools.lru_cache(maxsize=1)
def _cluster_scoped() -> frozenset[str]:
    return frozenset(_builtin_data()["clusterScoped"])


def is_cluster_scoped(api_version: str, kind: str) -> bool:
    """Known to be cluster-scoped by kustomize's schema; unknown kinds (custom resources) are namespaced."""
    return f"{api_version} {kind}" in _cluster_scoped()
