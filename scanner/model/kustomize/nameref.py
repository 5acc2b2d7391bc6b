"""Name references: fields that name another resource follow it when a prefix, suffix or hash renames it.

kustomize's nameReference transformer, run once at the end of the top build: a referring field (a
configMap volume, a serviceAccountName, an HPA target, a RoleBinding subject...) whose value is a
previous name of a resource of the referred kind gets that resource's final name (and, for subjects,
its namespace). The field keeps its own place: that is where the reference is written.
"""
from __future__ import annotations

from scanner.model.kustomize.config import FieldSpec, Gvk, TransformerConfig
from scanner.model.kustomize.fieldspec import walk_spec
from scanner.model.kustomize.resource import CLUSTER, BuildError, Resource
from scanner.model.kustomize.tree import Node, scalar_text


def fix_references(resources: list[Resource], config: TransformerConfig) -> None:
    namespaces = {id(r): r.cur_id.effective_namespace for r in resources}   # ids stay put from here on
    by_kind: dict[Gvk, list[tuple[FieldSpec, Gvk]]] = {}
    # the resources each kind of reference can name, once: thousands of Deployments each looking through all
    # the others for a ConfigMap were quadratic (8,192 in one file took 27 s)
    referable: dict[Gvk, list[Resource]] = {}
    for referrer in resources:
        original = referrer.org_id.gvk
        if original not in by_kind:
            by_kind[original] = [(spec, reference.referral) for reference in config.name_references
                                 for spec in reference.referrers if original.selected_by(spec.gvk)]
        for spec, target in by_kind[original]:
            if target not in referable:
                referable[target] = [r for r in resources if any(i.gvk.selected_by(target) for i in r.prev_ids())]
            setter = _Setter(referrer, spec, target, _could_be_referenced(referable[target], referrer, namespaces))
            walk_spec(referrer.node, spec, setter.set, None, referrer.origin)


def _cluster_scoped(resource: Resource) -> bool:
    return resource.cur_id.effective_namespace == CLUSTER


def _could_be_referenced(resources: list[Resource], referrer: Resource, namespaces: dict[int, str]) -> list[Resource]:
    namespace = namespaces[id(referrer)]
    if namespace == CLUSTER:
        return list(resources)
    bound = set()
    subjects = referrer.node.get("subjects") if referrer.kind == "RoleBinding" else None
    for subject in subjects.value if subjects is not None and subjects.is_seq else ():
        if subject.is_map and subject.get("namespace") is not None and subject.text("kind") == "ServiceAccount":
            bound.add(subject.text("namespace"))
    return [r for r in resources
            if namespaces[id(r)] in (CLUSTER, namespace) or (bound and r.namespace in bound)]


def _same_ending(a: list[str], b: list[str]) -> bool:
    shortest, longest = (a, b) if len(a) <= len(b) else (b, a)
    if not shortest:
        return not longest
    return longest[len(longest) - len(shortest):] == shortest


def _affixes_equal(r: Resource, o: Resource, allow_empty: bool) -> bool:
    if not allow_empty:
        return _same_ending(r.prefixes, o.prefixes) and _same_ending(r.suffixes, o.suffixes)
    prefixes = not r.prefixes or not o.prefixes or _same_ending(r.prefixes, o.prefixes)
    suffixes = not r.suffixes or not o.suffixes or _same_ending(r.suffixes, o.suffixes)
    return prefixes and suffixes


class _Setter:
    def __init__(self, referrer: Resource, spec: FieldSpec, target: Gvk, candidates: list[Resource]) -> None:
        self.referrer, self.spec, self.target, self.candidates = referrer, spec, target, candidates

    def set(self, node: Node) -> None:
        if node.is_null:
            return
        if node.is_seq:
            for item in node.value:
                if item.is_seq:
                    raise BuildError(f"{self.spec.path}: expected names or mappings with a name")
                self._one(item)
            return
        self._one(node)

    def _one(self, node: Node) -> None:
        if node.is_map:
            self._mapping(node)
            return
        old = scalar_text(node.value)
        referral = self._select(old, self.candidates, same_names_and_namespaces=False)
        if referral is not None and referral.name != old:
            node.value = referral.name

    def _mapping(self, node: Node) -> None:
        name = node.get("name")
        if name is None:
            raise BuildError(f"{self.spec.path}: no 'name' field in a reference")
        candidates = self.candidates
        if node.get("namespace") is not None:
            wanted = node.text("namespace")
            by_original = [r for r in candidates if r.org_id.effective_namespace == wanted]
            candidates = by_original or [r for r in candidates if r.cur_id.effective_namespace == wanted]
        old = scalar_text(name.value)
        referral = self._select(old, candidates, same_names_and_namespaces=True)
        if referral is None or (referral.name == old and not referral.namespace):
            return
        name.value = referral.name
        if referral.namespace:
            namespace_node = referral.node.lookup("metadata", "namespace")
            place = namespace_node.place if namespace_node is not None else referral.origin
            node.value["namespace"] = Node(referral.namespace, place)

    def _select(self, old: str, candidates: list[Resource], same_names_and_namespaces: bool) -> Resource | None:
        chosen = [r for r in candidates if any(name == old for _, name, _ in r.prev)]
        chosen = [r for r in chosen if any(i.gvk.selected_by(self.target) for i in r.prev_ids())]
        role = self._role_ref()
        if role is not None:
            chosen = [r for r in chosen if any(i.gvk.selected_by(role) for i in r.prev_ids())]
        chosen = [r for r in chosen if self._same_namespace(r)]
        if len(chosen) == 1:
            return chosen[0]
        chosen = [r for r in chosen if _affixes_equal(r, self.referrer, True)]
        if len(chosen) > 1:
            chosen = [r for r in chosen if _affixes_equal(r, self.referrer, False)]
        if len(chosen) == 1:
            return chosen[0]
        if not chosen:
            return None
        if all(r.name == chosen[0].name and (not same_names_and_namespaces or r.namespace == chosen[0].namespace)
               for r in chosen):
            return chosen[0]
        raise BuildError(f"found multiple possible referrals for '{old}': " + ", ".join(str(r.cur_id) for r in chosen))

    def _role_ref(self) -> Gvk | None:
        if not self.spec.path.endswith("roleRef/name"):
            return None
        role_ref = self.referrer.node.get("roleRef")
        if role_ref is None or role_ref.get("apiGroup") is None or role_ref.get("kind") is None:
            return None
        return Gvk(group=role_ref.text("apiGroup"), kind=role_ref.text("kind"))

    def _same_namespace(self, candidate: Resource) -> bool:
        if _cluster_scoped(self.referrer) or _cluster_scoped(candidate) or candidate.kind == "ServiceAccount":
            return True
        return candidate.cur_id.effective_namespace == self.referrer.cur_id.effective_namespace
