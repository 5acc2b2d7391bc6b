"""kustomize's built-in transformers: namespace, name prefix/suffix, labels, annotations, images, replicas.

Each takes the resources of the build so far and the field specs of the build's configuration. A field
a transformer sets takes the place of the kustomization line that asked for it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.model.kustomize.config import FieldSpec, Gvk, is_cluster_scoped
from scanner.model.kustomize.fieldspec import Setter, apply_spec, set_entry, set_scalar, walk_spec
from scanner.model.kustomize.resource import BuildError, Resource
from scanner.model.kustomize.tree import Node, scalar_text
from scanner.model.rendered import Place

ROLE_BINDINGS = ("RoleBinding", "ClusterRoleBinding")
NOT_RENAMED = (Gvk(kind="CustomResourceDefinition"), Gvk(group="apiregistration.k8s.io", kind="APIService"),
               Gvk(kind="Namespace"))


def set_namespace(resources: list[Resource], namespace: str, specs: tuple[FieldSpec, ...], place: Place) -> None:
    for resource in resources:
        resource.store_previous_id()
        own = [s for s in specs if s.path != "metadata/namespace"
               and not (resource.api_version != "v1" and s.path == "metadata/name")]
        if not is_cluster_scoped(resource.api_version, resource.kind):
            apply_spec(resource, FieldSpec(Gvk(), "metadata/namespace", True), set_scalar(namespace, place),
                       "scalar", place)
        if resource.kind in ROLE_BINDINGS:
            own = [s for s in own if not (s.gvk.kind in ROLE_BINDINGS and s.path == "subjects/namespace")]
            _default_subjects(resource, namespace, place)
        for spec in own:
            apply_spec(resource, spec, set_scalar(namespace, place), "scalar", place)
    seen: set[tuple] = set()
    for resource in resources:
        current = resource.cur_id
        key = (current.gvk, current.name, current.effective_namespace)
        if key in seen:
            raise BuildError(f"namespace transformation produces ID conflict: {current}")
        seen.add(key)


def _default_subjects(resource: Resource, namespace: str, place: Place) -> None:
    """kustomize sets the namespace of binding subjects named `default` (the default service account)."""
    subjects = resource.node.get("subjects")
    if subjects is None or not subjects.is_seq:
        return
    for subject in subjects.value:
        if subject.is_map and subject.text("name") == "default":
            subject.value["namespace"] = Node(namespace, place)


def add_affix(resources: list[Resource], affix: str, specs: tuple[FieldSpec, ...], place: Place, prefix: bool) -> None:
    for resource in resources:
        original = resource.org_id.gvk
        if any(original.selected_by(skip) for skip in NOT_RENAMED):
            continue
        for spec in specs:
            if not original.selected_by(spec.gvk):
                continue
            if spec.path == "metadata/name" and affix:
                (resource.prefixes if prefix else resource.suffixes).append(affix)
                resource.store_previous_id()

            def setter(node: Node) -> None:
                text = scalar_text(node.value)
                node.value, node.place = (affix + text if prefix else text + affix), place
            apply_spec(resource, spec, setter, "scalar", place)


def add_labels(resources: list[Resource], labels: list[tuple[str, str, Place]], specs: tuple[FieldSpec, ...]) -> None:
    """labels/commonLabels/commonAnnotations: each (key, value, place) set in every field the specs name."""
    for resource in resources:
        gvk = resource.gvk
        chosen = [spec for spec in specs if gvk.selected_by(spec.gvk)]
        for key, value, place in sorted(labels):
            for spec in chosen:
                walk_spec(resource.node, spec, set_entry(key, value, place), "map", place)


@dataclass(frozen=True)
class ImageRule:
    name: str
    new_name: str = ""
    new_tag: str = ""
    digest: str = ""
    tag_suffix: str = ""
    place: Place = Place("", 0)


def split_image(reference: str) -> tuple[str, str, str]:
    """kustomize's image.Split: (name, tag, digest); a registry port is not a tag."""
    slash = reference.find("/")
    search, offset = (reference[slash:], slash) if slash > 0 else (reference, 0)
    at, colon = search.find("@"), search.find(":")
    if colon < 0 and at < 0:
        return reference, "", ""
    if at >= 0 and (at < colon or colon < 0):
        return reference[:at + offset], "", reference[at + offset + 1:]
    if at >= 0 and colon >= 0:
        return reference[:colon + offset], reference[colon + offset + 1:at + offset], reference[at + offset + 1:]
    return reference[:colon + offset], reference[colon + offset + 1:], ""


def _image_matches(reference: str, name: str) -> bool:
    try:
        return re.fullmatch(f"(?:{name})(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?", reference) is not None
    except re.error:
        return False


def _retag(rule: ImageRule) -> Setter:
    def setter(node: Node) -> None:
        if node.is_map or node.is_seq:
            raise BuildError("an image is a scalar")
        reference = scalar_text(node.value)
        if not _image_matches(reference, rule.name):
            return
        name, tag, digest = split_image(reference)
        name = rule.new_name or name
        if rule.new_tag and rule.digest:
            tag, digest = rule.new_tag, rule.digest
        elif rule.new_tag:
            tag, digest = rule.new_tag, ""
        elif rule.digest:
            tag, digest = "", rule.digest
        elif rule.tag_suffix:
            tag, digest = tag + rule.tag_suffix, ""
        node.value = name + (":" + tag if tag else "") + ("@" + digest if digest else "")
        node.place = rule.place
    return setter


def set_images(resources: list[Resource], rules: list[ImageRule], specs: tuple[FieldSpec, ...]) -> None:
    """Every image in containers/initContainers lists anywhere, then the `images` field specs, as kustomize
    does both (a tagSuffix is so applied twice where both reach a container, like kustomize)."""
    for rule in rules:
        setter = _retag(rule)
        for resource in resources:
            if resource.kind == "CustomResourceDefinition":
                continue
            _containers_anywhere(resource.node, setter)
            for spec in specs:
                apply_spec(resource, spec, setter, None, rule.place)


def _containers_anywhere(node: Node, setter: Setter) -> None:
    if node.is_map:
        for key, child in list(node.value.items()):
            _containers_anywhere(child, setter)
            if key in ("containers", "initContainers") and child.is_seq:
                for container in child.value:
                    image = container.get("image")
                    if image is not None:
                        setter(image)
    elif node.is_seq:
        for item in node.value:
            _containers_anywhere(item, setter)


def set_replicas(resources: list[Resource], name: str, count: int, specs: tuple[FieldSpec, ...], place: Place) -> None:
    found = False
    for spec in specs:
        chosen = [r for r in resources if any(i.name == name and i.gvk.selected_by(spec.gvk) for i in r.all_ids())]
        for resource in chosen:
            found = True
            apply_spec(resource, spec, set_scalar_int(count, place), "scalar", place)
    if not found:
        raise BuildError(f"replicas: no resource named '{name}' of a kind whose replicas kustomize sets")


def set_scalar_int(count: int, place: Place) -> Setter:
    def setter(node: Node) -> None:
        if node.is_map or node.is_seq:
            raise BuildError("replicas is a scalar")
        node.value, node.place = count, place
    return setter
