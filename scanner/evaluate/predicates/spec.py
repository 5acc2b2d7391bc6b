"""How a predicate is declared: the function, the arguments it takes (a small JSON Schema the policy
loader checks, so a bad user policy exits 2 naming the file and field), and what it reads."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from scanner.evaluate.context import Context
from scanner.evaluate.verdict import Verdict
from scanner.model.paths import Match
from scanner.model.resource import Resource

Predicate = Callable[[Resource, dict[str, Any], Context, "Match | None"], Verdict]

# Argument types, as JSON Schema fragments.
STRING: Mapping[str, Any] = {"type": "string", "minLength": 1}
STRINGS: Mapping[str, Any] = {"type": "array", "items": {"type": "string"}}
PATTERNS: Mapping[str, Any] = {"type": "array", "items": {"type": "string", "format": "regex"}}   # regular expressions
DETECTORS: Mapping[str, Any] = {"type": "array", "items": {"type": "string", "format": "secret-detector"}}   # ids in
# policies/registries/secret-detectors.yaml
STRING_OR_STRINGS: Mapping[str, Any] = {"oneOf": [STRING, {**STRINGS, "minItems": 1}]}
NUMBER: Mapping[str, Any] = {"type": "number"}
INTEGER: Mapping[str, Any] = {"type": "integer"}
BOOLEAN: Mapping[str, Any] = {"type": "boolean"}
MAPPING: Mapping[str, Any] = {"type": "object"}
ANY: Mapping[str, Any] = {}


@dataclass(frozen=True)
class PredicateSpec:
    function: Predicate
    required: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    optional: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    reads: tuple[str, ...] = ()         # what it looks at beyond the resource, in words
    registries: tuple[str, ...] = ()    # policies/registries/<name>.yaml it judges against
    derived: tuple[str, ...] = ()       # scanner/model/derive/<name>.py: the derived facts it judges
    own_text: bool = False              # reads the text of the resource's own file (Model.texts)
    own_root: bool = False              # reads other resources of the resource's Terraform root module only
                                        # (ctx.model.at with its root), which that root's evaluation decides

    @property
    def module(self) -> str:
        """The file that defines it, relative to the repository."""
        return self.function.__module__.replace(".", "/") + ".py"

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def doc(self) -> str:
        return " ".join((self.function.__doc__ or "").split())

    def schema(self) -> dict[str, Any]:
        """JSON Schema of the `args` mapping."""
        properties = {**{k: dict(v) for k, v in self.required.items()}, **{k: dict(v) for k, v in self.optional.items()}}
        return {"type": "object", "additionalProperties": False, "required": sorted(self.required),
                "properties": properties}


def spec(function: Predicate, required: Mapping[str, Mapping[str, Any]] | None = None,
         optional: Mapping[str, Mapping[str, Any]] | None = None, reads: tuple[str, ...] = (),
         registries: tuple[str, ...] = (), derived: tuple[str, ...] = (), own_text: bool = False,
         own_root: bool = False) -> PredicateSpec:
    return PredicateSpec(function, required or {}, optional or {}, reads, registries, derived, own_text, own_root)
