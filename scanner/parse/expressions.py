"""The HCL expression syntax tree that parse produces and the model evaluates.

Only syntax lives here: no evaluation, no values from other files. The nodes have slots (no __dict__
each): a large corpus holds millions of them for the whole scan.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union


@dataclass(frozen=True, slots=True)
class Lit:
    value: Any


@dataclass(frozen=True, slots=True)
class Template:
    parts: tuple  # str | Expr


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class GetAttr:
    obj: "Expr"
    name: str


@dataclass(frozen=True, slots=True)
class Index:
    obj: "Expr"
    key: "Expr"


@dataclass(frozen=True, slots=True)
class Splat:
    obj: "Expr"
    steps: tuple  # of ("attr", name) | ("index", Expr)


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple
    expand_last: bool = False


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True, slots=True)
class UnOp:
    op: str
    operand: "Expr"


@dataclass(frozen=True, slots=True)
class Cond:
    predicate: "Expr"
    then: "Expr"
    otherwise: "Expr"


@dataclass(frozen=True, slots=True)
class TupleX:
    items: tuple


@dataclass(frozen=True, slots=True)
class ObjectX:
    items: tuple  # of (key Expr, value Expr)


@dataclass(frozen=True, slots=True)
class ForX:
    key_var: str | None
    value_var: str
    collection: "Expr"
    key_expr: "Expr | None"   # set for object comprehensions
    value_expr: "Expr"
    condition: "Expr | None"
    grouping: bool = False


@dataclass(frozen=True, slots=True)
class Opaque:
    """Syntax we do not evaluate (template directives, heredoc interpolation)."""
    reason: str


Expr = Union[Lit, Template, Var, GetAttr, Index, Splat, Call, BinOp, UnOp, Cond, TupleX, ObjectX, ForX, Opaque]


def traversal(expr: Expr) -> list[str] | None:
    """`aws.eu` / `var.x.y` as a list of names, or None when it is not a plain traversal."""
    names: list[str] = []
    while isinstance(expr, GetAttr):
        names.append(expr.name)
        expr = expr.obj
    if isinstance(expr, Index) and isinstance(expr.key, Lit):
        return traversal(expr.obj)
    if not isinstance(expr, Var):
        return None
    names.append(expr.name)
    return names[::-1]


def is_literal(expr: Expr) -> bool:
    """True for a value written out in full in the source: no reference, call or interpolation."""
    if isinstance(expr, Lit):
        return True
    if isinstance(expr, Template):
        return all(isinstance(part, str) or is_literal(part) for part in expr.parts)
    if isinstance(expr, TupleX):
        return all(is_literal(item) for item in expr.items)
    if isinstance(expr, ObjectX):
        return all(is_literal(k) and is_literal(v) for k, v in expr.items)
    return False
