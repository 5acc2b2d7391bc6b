"""Terraform's template syntax (templatefile, templatestring) parsed into a small tree.

A template is literal text with `${ expr }` interpolations and `%{ if }`/`%{ else }`/`%{ endif }`,
`%{ for k, v in coll }`/`%{ endfor }` directives; `$${` and `%%{` are literal `${` and `%{`; a `~`
just inside the braces strips the whitespace (newlines included) on that side. Expressions are
parsed by the HCL parser (parse/terraform.py), so they are the same syntax trees the evaluator
evaluates. Only syntax lives here; rendering is model/functions/templates.py.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Union

from scanner.parse import expressions as x
from scanner.parse.terraform import HclSyntaxError, parse_text

MAX_TEMPLATE_SEQUENCES = 1_000    # interpolations and directives; each costs one HCL parse


class TemplateSyntaxError(ValueError):
    """The template is not valid Terraform template syntax (the message never quotes its text)."""


@dataclass(frozen=True)
class Interpolation:
    expr: x.Expr


@dataclass(frozen=True)
class IfDirective:
    condition: x.Expr
    then: tuple          # of TemplatePart
    otherwise: tuple


@dataclass(frozen=True)
class ForDirective:
    key_var: str | None
    value_var: str
    collection: x.Expr
    body: tuple


TemplatePart = Union[str, Interpolation, IfDirective, ForDirective]


@dataclass(frozen=True)
class Template:
    parts: tuple         # of TemplatePart

    @property
    def single_interpolation(self) -> bool:
        """`${ expr }` and nothing else: Terraform gives the expression's value, of any type."""
        return len(self.parts) == 1 and isinstance(self.parts[0], Interpolation)


# --- scanning -------------------------------------------------------------------------------------

@dataclass
class _Sequence:
    kind: str            # "$" interpolation, "%" directive
    body: str
    strip_before: bool
    strip_after: bool


def _sequence_end(text: str, start: int) -> int:
    """Index of the `}` closing the sequence whose body starts at `start`; brackets must balance."""
    closers = {"(": ")", "[": "]", "{": "}"}
    stack: list[str] = []
    index = start
    while index < len(text):
        char = text[index]
        if char == '"':
            index = _string_end(text, index + 1)
        elif char in closers:
            stack.append(closers[char])
        elif char in ")]}":
            if not stack and char == "}":
                return index
            if not stack or stack.pop() != char:
                raise TemplateSyntaxError(f"unbalanced {char!r} in a template sequence")
        elif text.startswith("<<", index):
            raise TemplateSyntaxError("heredocs inside template sequences are not supported")
        index += 1
    raise TemplateSyntaxError("unterminated template sequence")


def _string_end(text: str, index: int) -> int:
    """Index of the quote closing a string literal inside an expression (interpolations allowed)."""
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text.startswith(("$${", "%%{"), index):
            index += 3
        elif text.startswith(("${", "%{"), index):
            index = _sequence_end(text, index + 2) + 1
        elif text[index] == '"':
            return index
        elif text[index] == "\n":
            raise TemplateSyntaxError("unterminated string in a template sequence")
        else:
            index += 1
    raise TemplateSyntaxError("unterminated string in a template sequence")


# Where a sequence or an escaped sequence may start; the escapes come first, as at each position of a scan
# one character at a time (`$$${` is `$` and the literal `${`).
_OPENING = re.compile(r"\$\$\{|%%\{|\$\{|%\{")


def _tokens(text: str) -> list:
    tokens: list = []
    literal: list[str] = []
    index = 0
    while True:
        opening = _OPENING.search(text, index)
        if opening is None:
            literal.append(text[index:])
            break
        start = opening.start()
        literal.append(text[index:start])
        if opening.end() - start == 3:          # `$${` or `%%{`: the literal `${` or `%{`
            literal.append(text[start + 1:start + 3])
            index = start + 3
            continue
        tokens.append("".join(literal))
        literal = []
        end = _sequence_end(text, start + 2)
        body = text[start + 2:end]
        strip_before, strip_after = body.startswith("~"), body.endswith("~") and len(body) > 1
        body = body[1 if strip_before else 0:len(body) - 1 if strip_after else len(body)]
        tokens.append(_Sequence(text[start], body, strip_before, strip_after))
        if len(tokens) > 2 * MAX_TEMPLATE_SEQUENCES:
            raise TemplateSyntaxError(f"more than {MAX_TEMPLATE_SEQUENCES} template sequences")
        index = end + 1
    tokens.append("".join(literal))
    return _strip(tokens)


def _strip(tokens: list) -> list:
    """Apply `~` markers to the literal text beside them (tokens alternate text, sequence, text...)."""
    for position, token in enumerate(tokens):
        if isinstance(token, _Sequence):
            if token.strip_before:
                tokens[position - 1] = tokens[position - 1].rstrip()
            if token.strip_after:
                tokens[position + 1] = tokens[position + 1].lstrip()
    return tokens


# --- building the tree ------------------------------------------------------------------------------

def _expression(source: str) -> x.Expr:
    """The syntax tree of one sequence's expression; short ones are remembered (trees are immutable): a
    template library repeats a few names, and each costs an HCL parse (caf: 1,125 sequences, 29 distinct)."""
    return _remembered_expression(source) if len(source) <= 200 else _parsed_expression(source)


@functools.lru_cache(maxsize=1024)
def _remembered_expression(source: str) -> x.Expr:
    return _parsed_expression(source)


def _parsed_expression(source: str) -> x.Expr:
    if not source.strip():
        raise TemplateSyntaxError("empty template sequence")
    try:
        parsed = parse_text("<template>", f"v = (\n{source}\n)\n")
    except HclSyntaxError:
        raise TemplateSyntaxError("invalid expression in a template sequence") from None
    if list(parsed.attributes) != ["v"] or parsed.blocks:
        raise TemplateSyntaxError("invalid expression in a template sequence")
    return parsed.attributes["v"].expr


_FOR = re.compile(r"\s*for\s+([A-Za-z_][A-Za-z0-9_-]*)\s*(?:,\s*([A-Za-z_][A-Za-z0-9_-]*)\s*)?in\s(.*)", re.S)
_IF = re.compile(r"\s*if\s(.*)", re.S)
_KEYWORD = re.compile(r"\s*(else|endif|endfor)\s*")


class _Builder:
    """Nests directives: each open `if`/`for` collects parts until its `else`/`end`."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, list, dict]] = [("root", [], {})]

    def add(self, part: TemplatePart) -> None:
        if part != "":
            self.stack[-1][1].append(part)

    def directive(self, body: str) -> None:
        keyword = _KEYWORD.fullmatch(body)
        if keyword:
            self.close(keyword.group(1))
            return
        loop = _FOR.fullmatch(body)
        if loop:
            first, second, collection = loop.groups()
            key_var, value_var = (first, second) if second else (None, first)
            self.stack.append(("for", [], {"key": key_var, "value": value_var, "coll": _expression(collection)}))
            return
        condition = _IF.fullmatch(body)
        if condition:
            self.stack.append(("if", [], {"cond": _expression(condition.group(1))}))
            return
        raise TemplateSyntaxError("unknown template directive")

    def close(self, keyword: str) -> None:
        kind, parts, info = self.stack[-1]
        if keyword == "else":
            if kind != "if" or "then" in info:
                raise TemplateSyntaxError("%{ else } without a matching %{ if }")
            info["then"] = tuple(parts)
            parts.clear()
            return
        if (keyword, kind) not in (("endif", "if"), ("endfor", "for")):
            raise TemplateSyntaxError(f"%{{ {keyword} }} without a matching opening directive")
        self.stack.pop()
        if kind == "if":
            then, otherwise = (info["then"], tuple(parts)) if "then" in info else (tuple(parts), ())
            self.add(IfDirective(info["cond"], then, otherwise))
        else:
            self.add(ForDirective(info["key"], info["value"], info["coll"], tuple(parts)))

    def finish(self) -> Template:
        if len(self.stack) != 1:
            raise TemplateSyntaxError(f"%{{ {self.stack[-1][0]} }} is never closed")
        return Template(tuple(self.stack[0][1]))


@functools.lru_cache(maxsize=64)   # templatefile() renders one file for every module instance that calls it
def parse_template(text: str) -> Template:
    """The template's tree (immutable, so shared); raises TemplateSyntaxError for invalid syntax."""
    builder = _Builder()
    for token in _tokens(text):
        if isinstance(token, str):
            builder.add(token)
        elif token.kind == "$":
            builder.add(Interpolation(_expression(token.body)))
        else:
            builder.directive(token.body)
    return builder.finish()
