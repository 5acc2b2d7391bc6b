"""Rendering one build root to the objects `kustomize build` outputs, each field with its place.

After accumulation the top build finishes as kustomize does: generated names get their content hash,
references follow renamed resources, local-config objects are dropped, annotations are written back as
strings, and objects are put in kustomize's default (legacy) order.
"""
from __future__ import annotations

from scanner.model.kustomize.build import Accumulator, Build
from scanner.model.kustomize.config import ConfigError
from scanner.model.kustomize.generators import content_hash
from scanner.model.kustomize.kustfile import LOCAL_CONFIG, Files, Kustomization, ParseFailure, load_kustomization
from scanner.model.kustomize.nameref import fix_references
from scanner.model.kustomize.resource import BuildError, Resource
from scanner.model.kustomize.tree import flatten, scalar_text
from scanner.model.rendered import RenderedBuild, RenderedObject

FIRST = ("Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
         "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
         "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
         "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget")
LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def render_root(files: Files, root: str) -> RenderedBuild:
    """Render the kustomization in directory `root` (repository-relative, "" = the scan root)."""
    build = Build(files, root)
    accumulated = Accumulator()
    top: Kustomization | None = None
    try:
        path = files.kustomization_in(root)
        if path is None:
            raise BuildError(f"no kustomization file in '{root or '.'}'")
        top = load_kustomization(files, path)
        _read_build_options(build, top)
        accumulated = build.accumulate(root, Accumulator(), "", (), component=top.kind == "Component")
    except ParseFailure as error:
        build.problem(error.path, error.line, str(error))
    except (BuildError, ConfigError) as error:
        where = top.path if top is not None else files.kustomization_in(root) or root
        build.problem(where, 1, f"kustomize: {error}")
    resources = _finish(build, accumulated, top)
    objects = [_rendered(r, root) for r in resources]
    return RenderedBuild(root, "kustomize", objects, frozenset(build.inputs), sorted(set(build.notices)), build.complete)


def _read_build_options(build: Build, top: Kustomization) -> None:
    """buildMetadata and sortOptions count only in the top kustomization (kustomize ignores a base's)."""
    for option in top.strings("buildMetadata"):
        if option.value == "originAnnotations":
            build.origin_place = top.place("buildMetadata")
        else:
            build.problem(top.path, option.place.line, f"kustomize buildMetadata '{option.value}' is not rendered by sovscan")
    sort = top.get("sortOptions")
    if sort is None:
        return
    order = sort.text("order") if sort.is_map else ""
    if order in ("legacy", "fifo") and not (sort.is_map and sort.get("legacySortOptions") is not None):
        build.sort = order
    else:
        build.problem(top.path, sort.place.line, "kustomize sortOptions other than order legacy/fifo are not rendered")


def _finish(build: Build, accumulated: Accumulator, top: Kustomization | None) -> list[Resource]:
    resources = accumulated.resources
    where = (top.path, 1) if top is not None else (build.root, 1)
    for resource in resources:
        if resource.needs_hash:
            name = resource.node.lookup("metadata", "name")
            suffix = content_hash(resource)
            resource.store_previous_id()
            if name is not None:
                name.value = f"{scalar_text(name.value)}-{suffix}"
    try:
        fix_references(resources, accumulated.config)
    except BuildError as error:
        build.problem(where[0], where[1], f"kustomize name references: {error}")
    # kustomize drops local-config objects last, so they still took part in name references
    kept = [r for r in resources if r.metadata_map("annotations").get(LOCAL_CONFIG, "false") == "false"]
    for resource in kept:
        _annotations_as_strings(resource)
    if build.sort == "legacy":
        kept.sort(key=_legacy_key)
    return kept


def _annotations_as_strings(resource: Resource) -> None:
    """kustomize rewrites every annotation value as a string and drops an empty annotations mapping."""
    metadata = resource.node.get("metadata")
    if metadata is None or not metadata.is_map:
        return
    annotations = metadata.get("annotations")
    if annotations is None:
        return
    if annotations.is_map and annotations.value:
        for value in annotations.value.values():
            if not (value.is_map or value.is_seq):
                value.value = scalar_text(value.value)
        return
    if (annotations.is_map and not annotations.value) or annotations.is_null:
        del metadata.value["annotations"]


def _legacy_key(resource: Resource) -> tuple:
    """kustomize's legacy order: kinds in its FIRST list, then others, then LAST, then by id text."""
    gvk, kind = resource.gvk, resource.kind
    if kind in FIRST:
        rank = -len(FIRST) + FIRST.index(kind)
    elif kind in LAST:
        rank = 1 + LAST.index(kind)
    else:
        rank = 0
    gvk_text = "_".join((gvk.group or "~G", gvk.version or "~V", kind or "~K"))
    id_text = "|".join((f"{kind or '[noKind]'}.{gvk.version or '[noVer]'}.{gvk.group or '[noGrp]'}",
                        resource.namespace or "~X", resource.name or "~N"))
    return (rank, gvk_text, id_text)


def _rendered(resource: Resource, root: str) -> RenderedObject:
    values, places = flatten(resource.node)
    return RenderedObject(values, places, resource.origin, root)
