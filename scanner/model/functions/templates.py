"""Rendering Terraform templates (parse/template.py) over a vars map with the evaluator's help.

The evaluator passes `evaluate(expr, scope)`: it evaluates one expression with only the names in
`scope` defined (the vars, plus the loop variables of enclosing `%{ for }`), and with a function
table that has no templatefile/templatestring (Terraform forbids the recursion). A template that
names anything not in the vars map is an error, as in Terraform.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from scanner.model.functions.arguments import (
    MAX_VALUE_SIZE, FunctionError, TooLarge, UnknownInside, boolean, mapping, string,
)
from scanner.model.values import Unknown
from scanner.parse import expressions as x
from scanner.parse.template import ForDirective, IfDirective, Interpolation, Template

Evaluate = Callable[[x.Expr, Mapping[str, Any]], Any]
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _children(expr: x.Expr) -> tuple:
    if isinstance(expr, x.GetAttr):
        return (expr.obj,)
    if isinstance(expr, x.Index):
        return (expr.obj, expr.key)
    if isinstance(expr, x.Splat):
        return (expr.obj, *(step for kind, step in expr.steps if kind == "index"))
    if isinstance(expr, x.Call):
        return expr.args
    if isinstance(expr, x.BinOp):
        return (expr.left, expr.right)
    if isinstance(expr, x.UnOp):
        return (expr.operand,)
    if isinstance(expr, x.Cond):
        return (expr.predicate, expr.then, expr.otherwise)
    if isinstance(expr, x.TupleX):
        return expr.items
    if isinstance(expr, x.ObjectX):
        return tuple(part for pair in expr.items for part in pair)
    if isinstance(expr, x.Template):
        return tuple(part for part in expr.parts if not isinstance(part, str))
    return ()


def free_names(expr: x.Expr, bound: frozenset = frozenset()) -> set[str]:
    """The root names an expression refers to that no enclosing for expression binds."""
    if isinstance(expr, x.Var):
        return set() if expr.name in bound else {expr.name}
    if isinstance(expr, x.ForX):
        inner = bound | {expr.value_var} | ({expr.key_var} if expr.key_var else set())
        names = free_names(expr.collection, bound)
        for part in (expr.key_expr, expr.value_expr, expr.condition):
            if part is not None:
                names |= free_names(part, inner)
        return names
    names = set()
    for child in _children(expr):
        names |= free_names(child, bound)
    return names


def _template_names(parts: tuple, bound: frozenset) -> set[str]:
    names: set[str] = set()
    for part in parts:
        if isinstance(part, Interpolation):
            names |= free_names(part.expr, bound)
        elif isinstance(part, IfDirective):
            names |= free_names(part.condition, bound) | _template_names(part.then, bound)
            names |= _template_names(part.otherwise, bound)
        elif isinstance(part, ForDirective):
            inner = bound | {part.value_var} | ({part.key_var} if part.key_var else set())
            names |= free_names(part.collection, bound) | _template_names(part.body, frozenset(inner))
    return names


def _text(value: Any) -> str:
    if isinstance(value, Unknown):
        raise UnknownInside(value)
    if value is None:
        raise FunctionError("a template interpolation is null")
    if isinstance(value, (list, dict)):
        raise FunctionError("a template interpolation is a collection, not a string")
    return string(value)


def _loop_items(collection: Any) -> list[tuple[Any, Any]]:
    if isinstance(collection, Unknown):
        raise UnknownInside(collection)
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return sorted(collection.items())
    raise FunctionError("a template for directive needs a list or map")


class _Renderer:
    def __init__(self, evaluate: Evaluate):
        self.evaluate = evaluate
        self.size = 0

    def parts(self, parts: tuple, scope: Mapping[str, Any], out: list[str]) -> None:
        for part in parts:
            if isinstance(part, str):
                self.emit(part, out)
            elif isinstance(part, Interpolation):
                self.emit(_text(self.evaluate(part.expr, scope)), out)
            elif isinstance(part, IfDirective):
                condition = self.evaluate(part.condition, scope)
                if isinstance(condition, Unknown):
                    raise UnknownInside(condition)
                self.parts(part.then if boolean(condition, "if condition") else part.otherwise, scope, out)
            else:
                for key, value in _loop_items(self.evaluate(part.collection, scope)):
                    inner = {**scope, part.value_var: value, **({part.key_var: key} if part.key_var else {})}
                    self.parts(part.body, inner, out)

    def emit(self, text: str, out: list[str]) -> None:
        self.size += len(text)
        if self.size > MAX_VALUE_SIZE:
            raise TooLarge("rendered template")
        out.append(text)


def render(template: Template, variables: Any, evaluate: Evaluate) -> Any:
    """The rendered string, or for a template that is one interpolation, that value itself.
    Raises FunctionError (invalid vars, null or collection interpolated) or UnknownInside."""
    scope = mapping(variables, "vars")
    for name in scope:
        if not _IDENTIFIER.fullmatch(name):
            raise FunctionError(f"invalid template variable name {name!r}")
    missing = sorted(_template_names(template.parts, frozenset()) - set(scope))
    if missing:
        raise FunctionError(f"vars map does not contain key {missing[0]!r}, referenced in the template")
    if template.single_interpolation:
        value = evaluate(template.parts[0].expr, scope)
        if value is None:
            raise FunctionError("the template result is null")
        return value
    out: list[str] = []
    _Renderer(evaluate).parts(template.parts, scope, out)
    return "".join(out)
