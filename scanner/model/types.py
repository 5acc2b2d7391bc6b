"""Terraform type constraints (a variable's `type`) and the defaults of their optional() attributes.

read_type turns the parsed `type` expression into a TypeSpec; apply_defaults fills what a value
leaves out, as Terraform does before it converts a variable's value: an optional attribute that is
absent or null becomes its default (`optional(T, d)`) or null (`optional(T)`), and a default that
is itself an object gets its own nested defaults. A value that does not fit the type is returned as
it is; an Unknown stays Unknown wherever it is. Nothing here raises on user input.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.model.values import Unknown
from scanner.parse import expressions as x

PRIMITIVES = ("string", "number", "bool")
COLLECTIONS = ("list", "set", "map")
MAX_TYPE_DEPTH = 32


@dataclass(frozen=True)
class Attribute:
    type: "TypeSpec"
    optional: bool = False
    default: Any = field(default=None, hash=False)   # the optional() default; None is null


@dataclass(frozen=True)
class TypeSpec:
    kind: str                        # string number bool any list set map tuple object, or unknown
    element: "TypeSpec | None" = None                  # list, set, map
    elements: tuple = ()                               # tuple: TypeSpec per position
    attributes: tuple = ()                             # object: (name, Attribute) pairs, sorted
    reason: str = ""                                   # unknown: why the type could not be read

    def attribute(self, name: str) -> Attribute | None:
        return dict(self.attributes).get(name)


ANY = TypeSpec("any")


def _unknown(reason: str) -> TypeSpec:
    return TypeSpec("unknown", reason=reason)


def read_type(expr: x.Expr | None, depth: int = 0) -> TypeSpec:
    """The type a `type = ...` expression declares; no expression is `any`."""
    if expr is None:
        return ANY
    if depth > MAX_TYPE_DEPTH:
        return _unknown("type nested too deeply")
    if isinstance(expr, x.Var) and expr.name in PRIMITIVES + ("any",):
        return TypeSpec(expr.name)
    if isinstance(expr, x.Lit) and isinstance(expr.value, str):
        return _legacy(expr.value, depth)
    if not isinstance(expr, x.Call):
        return _unknown("not a type expression")
    if expr.name in COLLECTIONS and len(expr.args) == 1:
        return TypeSpec(expr.name, element=read_type(expr.args[0], depth + 1))
    if expr.name == "tuple" and len(expr.args) == 1 and isinstance(expr.args[0], x.TupleX):
        return TypeSpec("tuple", elements=tuple(read_type(e, depth + 1) for e in expr.args[0].items))
    if expr.name == "object" and len(expr.args) == 1 and isinstance(expr.args[0], x.ObjectX):
        return _object(expr.args[0], depth)
    return _unknown(f"{expr.name}() is not a type constructor here")


def _legacy(name: str, depth: int) -> TypeSpec:
    """Terraform 0.11's quoted types: "string", "list" (of any), "map" (of any); otherwise a type expression
    written as a string, as `.tf.json` writes every type ("object({name = string})")."""
    if name == "string":
        return TypeSpec("string")
    if name in ("list", "map"):
        return TypeSpec(name, element=ANY)
    from scanner.parse.terraform import HclSyntaxError, parse_text   # only for a type written as a string
    try:
        expr = parse_text("<type>", f"t = {name}\n").attributes["t"].expr
    except (HclSyntaxError, KeyError, RecursionError, ValueError):
        return _unknown(f"unknown type {name!r}")
    read = _unknown("") if isinstance(expr, x.Lit) else read_type(expr, depth + 1)
    return _unknown(f"unknown type {name!r}") if read.kind == "unknown" else read


def _object(body: x.ObjectX, depth: int) -> TypeSpec:
    attributes: dict[str, Attribute] = {}
    for key_expr, value_expr in body.items:
        name = key_expr.value if isinstance(key_expr, x.Lit) else None
        if not isinstance(name, str):
            return _unknown("object attribute names must be literal")
        attributes[name] = _attribute(value_expr, depth)
    return TypeSpec("object", attributes=tuple(sorted(attributes.items())))


def _attribute(expr: x.Expr, depth: int) -> Attribute:
    if not (isinstance(expr, x.Call) and expr.name == "optional" and 1 <= len(expr.args) <= 2):
        return Attribute(read_type(expr, depth + 1))
    spec = read_type(expr.args[0], depth + 1)
    if len(expr.args) == 1:
        return Attribute(spec, optional=True)
    return Attribute(spec, optional=True, default=constant(expr.args[1]))


def constant(expr: x.Expr) -> Any:
    """A default written as a constant (defaults cannot refer to anything); Unknown otherwise."""
    if isinstance(expr, x.Lit):
        return expr.value
    if isinstance(expr, x.TupleX):
        return [constant(item) for item in expr.items]
    if isinstance(expr, x.ObjectX):
        out: dict = {}
        for key_expr, value_expr in expr.items:
            key = constant(key_expr)
            if not isinstance(key, (str, int, float)) or isinstance(key, bool):
                return Unknown("optional() default with a computed key", kind="expression")
            out[str(key)] = constant(value_expr)
        return out
    if isinstance(expr, x.UnOp) and expr.op == "-":
        value = constant(expr.operand)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    if isinstance(expr, x.Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(expr.parts)
    return Unknown("optional() default is not a constant", kind="expression")


def kind_of(spec: TypeSpec) -> str:
    """"string", "number", "bool", "collection" (list, set, map, tuple, object), "any" or "unknown"."""
    if spec.kind in PRIMITIVES or spec.kind in ("any", "unknown"):
        return spec.kind
    return "collection"


def has_optional(spec: TypeSpec, depth: int = 0) -> bool:
    """The type has an optional() attribute somewhere: apply_defaults may fill part of a value."""
    if depth > MAX_TYPE_DEPTH:
        return False
    inner = [a.type for _, a in spec.attributes] + list(spec.elements) + ([spec.element] if spec.element else [])
    return any(a.optional for _, a in spec.attributes) or any(has_optional(t, depth + 1) for t in inner)


def apply_defaults(spec: TypeSpec, value: Any, depth: int = 0) -> Any:
    """The value with optional() defaults filled in, at every level."""
    if isinstance(value, Unknown) or value is None or depth > MAX_TYPE_DEPTH:
        return value
    if spec.kind == "object":
        return _object_defaults(spec, value, depth)
    if spec.kind in ("list", "set") and isinstance(value, list) and spec.element is not None:
        return [apply_defaults(spec.element, item, depth + 1) for item in value]
    if spec.kind == "map" and isinstance(value, dict) and spec.element is not None:
        return {key: apply_defaults(spec.element, item, depth + 1) for key, item in value.items()}
    if spec.kind == "tuple" and isinstance(value, list) and len(value) == len(spec.elements):
        return [apply_defaults(element, item, depth + 1) for element, item in zip(spec.elements, value)]
    return value


def _object_defaults(spec: TypeSpec, value: Any, depth: int) -> Any:
    if not isinstance(value, dict):
        return value
    for name, attribute in spec.attributes:
        if not attribute.optional and name not in value:
            return value                   # a required attribute is missing: the value does not fit
    out = dict(value)
    for name, attribute in spec.attributes:
        given = value.get(name)
        if given is None and attribute.optional:
            given = attribute.default
        out[name] = apply_defaults(attribute.type, given, depth + 1)
    return out
