"""The model's unit: one resource (Terraform resource instance, provider, module call, K8s object, file)."""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from scanner.demonstration import DEMONSTRATION_DIRECTORIES
from scanner.model.rendered import SENSITIVE, Place, RenderedBuild
from scanner.notices import Notice

if TYPE_CHECKING:
    from scanner.model.derive.clusters import Cluster


# Resource types the model adds for Terraform's own blocks: not infrastructure, so "every azurerm_*"
# style matches and inventories leave them out.
# A value of a Terraform resource that stands for a number of instances count or for_each does not make
# known (or for more instances than are evaluated one by one): the Unknown that hides the number; and in its
# chains, the places that decided how many instances there are. Not an attribute: the parentheses keep it
# apart from anything a configuration can write.
SEVERAL = "(instances)"

META_TYPES = frozenset({"provider", "variable", "output", "module_call", "terraform_required_provider",
                        "terraform_backend"})


@dataclass(slots=True)   # one per block and object of a large scan: no __dict__ each
class Resource:
    kind: str                 # terraform | kubernetes | file
    type: str                 # azurerm_storage_account | Deployment | provider | module_call | terraform_state ...
    address: str              # module.a.azurerm_storage_account.main["x"] | Deployment/default/web
    path: str                 # repo-relative file
    line: int                 # line of the block header / document start
    values: dict
    locations: dict[str, int] = field(default_factory=dict)    # dotted attribute path -> line
    literal_paths: frozenset = frozenset()                     # attributes written as plain literals
    references: dict[str, frozenset] = field(default_factory=dict)  # attribute -> referenced resource addresses
    provider: str = ""        # provider config key: "aws", "aws.eu"; "" when not a provider resource
    provider_values: dict = field(default_factory=dict)
    module: str = ""          # module address prefix ("module.a.module.b") or ""
    root: str = ""            # what is deployed together: the root module's directory (Terraform), the build
                              # root of a rendered Kubernetes object ("" for plain manifests: all together)
    pod_spec_path: str = ""   # Kubernetes: where the pod spec lives in this kind
    end_line: int = 0         # last line of the block / document (0: only `line` is known)
    origins: dict[str, Place] = field(default_factory=dict)   # attribute -> where a caller wrote its value
    chains: dict[str, tuple[tuple[Place, str], ...]] = field(default_factory=dict)   # attribute -> places that decided it
    facts: dict[str, Any] = field(default_factory=dict)       # what the derive pass concluded about it
    call_site: Place | None = None   # Terraform: the module block that made its module instance
    user_site: Place | None = None   # in a module terraform init installed: the user's module block
    passthrough: frozenset[str] = frozenset()   # attributes written as a bare module input (`x = var.x`)
    places: dict[str, Place] = field(default_factory=dict)    # attribute -> where written, when the fields come
                                                              # from several files (a rendered Kubernetes object)
    # its place in the model's order (Model.index); a slot, not a table beside the model: 50,000 text files
    order: int = field(default=0, compare=False, repr=False)

    @property
    def terraform_root(self) -> str:
        """The Terraform root module whose deployment the resource is part of; "" for anything else (a
        Kubernetes object's root is its build, which findings and passes do not record)."""
        return self.root if self.kind == "terraform" else ""

    @property
    def name(self) -> str:
        if self.kind == "kubernetes":    # Kind/namespace/name: the name of an unnamed object names its file
            return self.address.split("/", 2)[-1]
        return self.address.rsplit(".", 1)[-1] if self.kind == "terraform" else self.address.rsplit("/", 1)[-1]

    def line_of(self, path: str) -> int:
        """Line of an attribute path, or of its nearest present ancestor, or the block header."""
        while path:
            if path in self.locations:
                return self.locations[path]
            if path.endswith("]") and "[" in path:   # an element of a list attribute: the attribute's line
                path = path[:path.rindex("[")]
                continue
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return self.line

    def place_of(self, path: str) -> Place:
        """The file and line a person edits to change the attribute at `path`: its entry in `places` (or its
        nearest present ancestor's) when the resource has that table, else its line in `path`."""
        if not self.places:
            return Place(self.path, self.line_of(path))
        while path:
            if path in self.places:
                return self.places[path]
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return self.places.get("", Place(self.path, self.line))

    def sensitive_at(self, path: str) -> bool:
        """The value at `path` came through a variable marked sensitive (reports mask it, as Terraform hides it)."""
        return any(role == SENSITIVE for _, role in self.chain_of(path))

    def chain_of(self, path: str) -> tuple[tuple[Place, str], ...]:
        """The places that decided the value at `path` (its own line first), nearest written ancestor."""
        own = ((self.place_of(path), "attribute"),)
        instances = self.chains.get(SEVERAL, ())    # what decided how many instances of it there are
        while path:
            if path in self.chains:
                return own + self.chains[path] + instances
            plain = _INDICES.sub("", path)        # a dynamic block's attributes are recorded without their index
            if plain != path and plain in self.chains:
                return own + self.chains[plain] + instances
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return own + instances


_INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")
_INDICES = re.compile(r"\[[^\]]*\]")


def base_address(address: str) -> str:
    """`module.a.x.y["k"]` -> `module.a.x.y`: references name resources without their instance key."""
    return _INSTANCE_KEY.sub("", address)


_MODULE_PATH = re.compile(r"^(module\.[^.\[]+(\[[^\]]*\])?\.)+")


def managed_type(address: str) -> str:
    """The resource type a reference names (`module.a["k"].azurerm_resource_group.rg` -> `azurerm_resource_group`);
    "" for a data source, a variable, a local or anything else that is no managed resource."""
    rest = _MODULE_PATH.sub("", base_address(address))
    kind, dot, _ = rest.partition(".")
    return kind if dot and "_" in kind and kind != "data" else ""


def _in_order(resource: Resource) -> tuple[str, int, str]:
    return resource.path, resource.line, resource.address


@dataclass
class Model:
    """Every resource of the scan, real and derived, with the indexes predicates look things up in.

    The indexes are built once, after the derive pass (`index()`); predicates never walk the whole model
    for a relation the index answers."""
    resources: list[Resource]
    _types: dict[str, list[Resource]] = field(default_factory=dict, repr=False)
    _addresses: dict[str, list[Resource]] = field(default_factory=dict, repr=False)
    _links: dict[tuple[str, str, str], list[Resource]] = field(default_factory=dict, repr=False)
    clusters: "dict[tuple[str, str], Cluster]" = field(default_factory=dict)   # (root, address) -> cluster
    builds: list[RenderedBuild] = field(default_factory=list)   # Kustomize builds and Helm charts, rendered
    # directory names that demonstrate rather than deploy (configuration; scanner/demonstration.py)
    demonstration_directories: tuple[str, ...] = DEMONSTRATION_DIRECTORIES
    notices: list[Notice] = field(default_factory=list)   # what the model could not build or use (unrendered builds, a plan of other code)
    texts: Mapping[str, str] = field(default_factory=dict, repr=False)   # the scanned files' texts (parse/texts.py)
    # Terraform root directory -> what identifies its evaluation, when it has a root cache key: two scans with the
    # same digest for a root have the same resources in it (scanner/evaluate/outcome_cache.py)
    evaluations: dict[str, str] = field(default_factory=dict, repr=False)
    digests: Mapping[str, str] = field(default_factory=dict, repr=False)   # path -> SHA-256 of the bytes parsed
    undeployed: frozenset[str] = frozenset()   # manifests only a Kustomize component no kustomization includes lists

    def __post_init__(self) -> None:
        self.index()

    def index(self) -> None:
        self._types, self._addresses, self._links = {}, {}, {}
        for order, resource in enumerate(self.resources):
            resource.order = order
            for entries in self._entries_of(resource):
                entries.append(resource)

    def add(self, resources: list[Resource]) -> None:
        """Add resources (the derive pass's), keeping the model in order and indexed: the new resources go
        into the index, and only the index entries they join are put in model order again (a whole index()
        costs a tenth of a second on a large scan, once per addition)."""
        if not resources:
            return
        # merged, not sorted again: a sort's key of every resource at once is 10 MB in a large repository; ties
        # keep the model's resources first, as a stable sort of both would
        self.resources[:] = heapq.merge(self.resources, sorted(resources, key=_in_order), key=_in_order)
        for order, resource in enumerate(self.resources):
            resource.order = order
        joined: dict[int, list[Resource]] = {}
        for resource in resources:
            for entries in self._entries_of(resource):
                entries.append(resource)
                joined[id(entries)] = entries
        for entries in joined.values():
            entries.sort(key=lambda r: r.order)

    def _entries_of(self, resource: Resource) -> list[list[Resource]]:
        """The index lists `resource` belongs in (created when missing), as index() fills them."""
        entries = [self._types.setdefault(resource.type, [])]
        if resource.kind == "terraform":
            entries.append(self._addresses.setdefault(base_address(resource.address), []))
            for attr, targets in resource.references.items():
                entries.extend(self._links.setdefault((resource.type, attr, base_address(t)), []) for t in targets)
        return entries

    def by_type(self, type_name: str) -> list[Resource]:
        return self._types.get(type_name, [])

    def of_type(self, types: list[str] | tuple[str, ...]) -> list[Resource]:
        """Resources of these types, in model order."""
        if len(types) == 1:
            return self._types.get(types[0], [])
        found = [r for t in dict.fromkeys(types) for r in self._types.get(t, [])]
        return sorted(found, key=lambda r: r.order)

    def at(self, address: str, root: str | None = None) -> list[Resource]:
        """Terraform resources (every instance) at a base address such as `module.a.aws_s3_bucket.b`; in one
        root module when `root` is given (the same address under another root is another resource)."""
        found = self._addresses.get(base_address(address), [])
        return found if root is None else [r for r in found if r.root == root]

    def linking(self, types: list[str] | tuple[str, ...], via: str, target: Resource) -> list[Resource]:
        """Resources of `types` in the target's root module whose attribute `via` refers to it (reverse links)."""
        base = base_address(target.address)
        return [r for t in types for r in self._links.get((t, via, base), []) if r.root == target.root]
