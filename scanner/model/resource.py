"""The model's unit: one resource (Terraform resource instance, provider, module call, K8s object, file)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.model.rendered import Place


# Resource types the model adds for Terraform's own blocks: not infrastructure, so "every azurerm_*"
# style matches and inventories leave them out.
META_TYPES = frozenset({"provider", "variable", "output", "module_call", "terraform_required_provider",
                        "terraform_backend"})


@dataclass
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
    root: str = ""            # directory of the root module this instance belongs to
    pod_spec_path: str = ""   # Kubernetes: where the pod spec lives in this kind
    end_line: int = 0         # last line of the block / document (0: only `line` is known)
    origins: dict[str, Place] = field(default_factory=dict)   # attribute -> where a caller wrote its value
    chains: dict[str, tuple[tuple[Place, str], ...]] = field(default_factory=dict)   # attribute -> places that decided it

    @property
    def name(self) -> str:
        return self.address.rsplit(".", 1)[-1] if self.kind == "terraform" else self.address.rsplit("/", 1)[-1]

    def line_of(self, path: str) -> int:
        """Line of an attribute path, or of its nearest present ancestor, or the block header.

        `line:<n>` is a line of the file itself (text detectors point at a match, not an attribute)."""
        if path.startswith("line:") and path[5:].isdigit():
            return int(path[5:])
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return self.line


@dataclass
class Model:
    resources: list[Resource]
    unresolved_modules: list[tuple[str, str, int, str]] = field(default_factory=list)  # (address, path, line, source)

    def by_type(self, type_name: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_name]
