"""Unknown: a value that cannot be known statically, what kind of thing blocked it, and why.

Three-valued logic: a check on an Unknown value is neither a pass nor a violation. Predicates read the
structured fields (`kind`, `refers_to`, `attribute`), never the human-readable `reason`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# What blocked a value. "computed": an attribute of a resource in the code that only apply decides;
# "build": a value a build tool sets when it deploys (an image skaffold builds and tags).
KINDS = ("variable", "local", "module", "data", "computed", "function", "expression", "cycle", "limit",
         "syntax", "missing", "build", "")


@dataclass(frozen=True, slots=True)   # tens of thousands on a large scan: no __dict__ each
class Unknown:
    reason: str                   # for people: "var.location", "data.azurerm_client_config.x", ...
    refers_to: str | None = None  # the resource address when the value is an attribute of a resource;
                                  # for kind "build", the tool that sets it ("skaffold", "kustomize")
    attribute: str | None = None  # that attribute ("kube_config_raw"), when known
    kind: str = ""                # one of KINDS

    def __repr__(self) -> str:
        return f"Unknown({self.reason})"


@dataclass(frozen=True, repr=False, slots=True)
class OneOf(Unknown):
    """A value known to be one of a few candidates, but not which: a known list indexed by an unknown key,
    a conditional whose condition is unknown. Everywhere else it is an Unknown; the engine judges each
    candidate and keeps a verdict all of them agree on."""
    candidates: tuple[Any, ...] = ()


MAX_CANDIDATES = 16


def one_of(candidates: list[Any], blocker: Unknown) -> Any:
    """The candidates as a OneOf, or the blocker when there are too many or one is itself unknown."""
    distinct: list[Any] = []
    for candidate in candidates:
        if isinstance(candidate, Unknown) or isinstance(candidate, (dict, list)):
            return blocker
        if candidate not in distinct:
            distinct.append(candidate)
    if not distinct or len(distinct) > MAX_CANDIDATES:
        return blocker
    if len(distinct) == 1:
        return distinct[0]          # every candidate is the same value: it is known
    return OneOf(blocker.reason, blocker.refers_to, blocker.attribute, blocker.kind, tuple(distinct))


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


def first_unknown(*values: object) -> Unknown | None:
    for value in values:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, list):
            found = first_unknown(*value)
            if found:
                return found
        if isinstance(value, dict):
            found = first_unknown(*value.values())
            if found:
                return found
    return None


def mapping(value: object) -> dict[str, Any]:
    """The value when it is a mapping, else an empty one (manifests may put anything anywhere)."""
    return value if isinstance(value, dict) else {}
