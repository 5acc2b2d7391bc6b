"""Stage 2 for Terraform: HCL text -> blocks, attributes and expression trees, each with its line.

python-hcl2's grammar gives a Lark tree with positions (parse/hcl_grammar.py); we convert it once into our
own small syntax tree (parse/expressions.py) so the model never depends on the parser's internals.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from scanner.parse import expressions as x
from scanner.parse.hcl_grammar import parse_tree, syntax_depth
from scanner.parse.names import shared
from scanner.parse.surrogates import REPLACEMENT, replace_surrogates

# Deeper than this, the recursive steps after parsing (this conversion, the model's evaluation, pickling
# between processes) would exhaust Python's stack; Terraform written by people stays far below it
# (each level of [...] or {...} is two or three syntax levels).
MAX_SYNTAX_DEPTH = 300
MAX_JSON_DEPTH = 100


@dataclass(slots=True)     # hundreds of thousands on a large corpus: no __dict__ each
class Attribute:
    name: str
    expr: x.Expr
    line: int


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list["Block"] = field(default_factory=list)
    line: int = 1
    end_line: int = 1


@dataclass
class TerraformFile:
    path: str
    blocks: list[Block]
    attributes: dict[str, Attribute] = field(default_factory=dict)   # top level: only tfvars have these
    problems: list[tuple[int, str]] = field(default_factory=list)    # (line, what was read other than written)


class HclSyntaxError(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def parse_text(path: str, text: str) -> TerraformFile:
    try:
        tree = parse_tree(text)
    except UnexpectedInput as err:
        raise HclSyntaxError(f"HCL syntax error at line {err.line}, column {err.column}", err.line or 1) from None
    except (LarkError, RecursionError) as err:
        raise HclSyntaxError(f"HCL parse error: {type(err).__name__}", 1) from None
    if syntax_depth(tree) > MAX_SYNTAX_DEPTH:
        raise HclSyntaxError(f"blocks or expressions nested deeper than {MAX_SYNTAX_DEPTH} syntax levels, "
                             "sovscan's limit", 1)
    body = _child(tree, "body")
    if body is None:
        return TerraformFile(path, [])
    block = _block_body(Block("", ()), body)
    return TerraformFile(path, block.blocks, block.attributes, _escape_problems(tree))


def parse_json_text(path: str, text: str) -> TerraformFile:
    """`.tf.json`: the JSON syntax of Terraform; strings may hold `${...}` templates."""
    try:
        data = json.loads(text, parse_int=_json_number, parse_float=_json_number, parse_constant=_Unreadable)
    except ValueError as err:
        raise HclSyntaxError(f"JSON syntax error: {err}", getattr(err, "lineno", 1)) from None
    except RecursionError:
        raise HclSyntaxError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels, sovscan's limit", 1) from None
    if not isinstance(data, dict):
        raise HclSyntaxError("Terraform JSON must be an object at the top level", 1)
    if _json_depth(data) > MAX_JSON_DEPTH:
        raise HclSyntaxError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels, sovscan's limit", 1)
    data = _json_clean(data)
    lines = _first_lines(text)
    if path.endswith(".tfvars.json"):
        attributes = {k: Attribute(k, _json_expr(v), _line_of(lines, k)) for k, v in data.items()}
        return TerraformFile(path, [], attributes)
    blocks: list[Block] = []
    for block_type, content in data.items():
        blocks.extend(_json_blocks(block_type, content, _label_depth(block_type), (), lines))
    return TerraformFile(path, blocks)


# --- Terraform JSON -----------------------------------------------------------------------------

_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


def _label_depth(block_type: str) -> int:
    return _LABELS.get(block_type, 0)


_JSON_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def _first_lines(text: str) -> dict[str, int]:
    """The first line each JSON string is written on, in one pass (a lookup per key, not a search)."""
    first: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        for match in _JSON_STRING.finditer(line):
            first.setdefault(match.group(1), number)
    return first


def _line_of(lines: dict[str, int], key: str) -> int:
    return lines.get(key, 1)


def _json_blocks(block_type: str, content, depth: int, labels: tuple, lines: dict[str, int]) -> list[Block]:
    items = content if isinstance(content, list) else [content]
    out: list[Block] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if depth:
            for label, inner in item.items():
                out.extend(_json_blocks(block_type, inner, depth - 1, labels + (label,), lines))
            continue
        out.append(_json_block(block_type, labels, item, lines))
    return out


def _json_block(block_type: str, labels: tuple, item: dict, lines: dict[str, int]) -> Block:
    line = _line_of(lines, labels[-1] if labels else block_type)
    block = Block(block_type, labels, line=line, end_line=line)
    for key, value in item.items():
        if isinstance(value, dict) and block_type not in ("locals", "variable", "output") and key not in ("tags", "labels"):
            block.blocks.append(_json_block(key, (), value, lines))
        else:
            block.attributes[key] = Attribute(key, _json_expr(value), _line_of(lines, key))
    return block


class _Unreadable(str):
    """A JSON number Python cannot hold exactly (5,000 digits, 1e999) or NaN/Infinity: not a value."""


def _json_number(text: str):
    number = _read_number(text)
    return _Unreadable(text) if number is None else number


def _json_depth(data) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((item, depth + 1) for item in items)
    return deepest


def _json_clean(value):
    """JSON's `\\ud800` escapes decode to lone surrogates: U+FFFD instead, in keys and values. Every text of the
    file passes here, and leaves as the one object kept for it (names.shared), as in HCL files."""
    if isinstance(value, dict):
        return {shared(replace_surrogates(k)): _json_clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_clean(v) for v in value]
    if isinstance(value, str) and not isinstance(value, _Unreadable):
        return shared(replace_surrogates(value))
    return value


def _json_expr(value) -> x.Expr:
    if isinstance(value, _Unreadable):
        return x.Opaque(f"the number {_shortened(value)}, which sovscan cannot hold")
    if isinstance(value, str):
        if "${" not in value:
            return x.Lit(value)
        try:
            tree = parse_tree("v = " + json.dumps(value))
        except (LarkError, RecursionError):
            return x.Opaque("unparsable template in JSON")
        if syntax_depth(tree) > MAX_SYNTAX_DEPTH:
            return x.Opaque("a template in JSON nested too deeply")
        attribute = _child(_child(tree, "body"), "attribute")
        return _expr(attribute.children[2])
    if isinstance(value, list):
        return x.TupleX(tuple(_json_expr(v) for v in value))
    if isinstance(value, dict):
        return x.ObjectX(tuple((x.Lit(k), _json_expr(v)) for k, v in value.items()))
    return x.Lit(value)


# --- Lark tree -> syntax tree ---------------------------------------------------------------------

def _child(tree: Tree, name: str):
    for child in tree.children:
        if isinstance(child, Tree) and child.data == name:
            return child
    return None


def _trees(tree: Tree) -> list[Tree]:
    return [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _word(token) -> str:
    """A token's text, the one object kept for it (names.shared)."""
    return shared(str(token))


def _name(node) -> str:
    if isinstance(node, Token):
        return _word(node)
    if node.data == "string":
        return shared(_string_literal(node))
    return _word(node.children[0])


def _block(node: Tree) -> Block:
    parts = [c for c in node.children if isinstance(c, Tree) and c.data not in ("body", "new_line_or_comment")]
    block_type = _name(parts[0])
    labels = tuple(_name(p) for p in parts[1:])
    block = Block(block_type, labels, line=node.meta.line, end_line=node.meta.end_line)
    body = _child(node, "body")
    return _block_body(block, body) if body is not None else block


def _block_body(block: Block, body: Tree) -> Block:
    for item in _trees(body):
        if item.data == "attribute":
            name = _name(item.children[0])
            block.attributes[name] = Attribute(name, _expr(item.children[-1]), item.meta.line)
        elif item.data == "block":
            block.blocks.append(_block(item))
    return block


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")


def _code_point(hex_digits: str) -> str:
    """The character of a \\u or \\U escape; U+FFFD for a surrogate or a number beyond Unicode, which
    Terraform rejects ("Cannot encode character") and no report could write."""
    number = int(hex_digits, 16)
    if number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        return REPLACEMENT
    return chr(number)


def _unescape(text: str) -> str:
    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return _code_point(code[1:])
        return _ESCAPES.get(code, code)
    return _ESCAPE_RE.sub(replace, text) if "\\" in text else text


def _escape_problems(tree: Tree) -> list[tuple[int, str]]:
    """(line, message) for each escape Terraform rejects and sovscan reads as U+FFFD."""
    problems = []
    for token in tree.scan_values(lambda t: isinstance(t, Token) and t.type == "STRING_CHARS" and "\\" in t):
        for match in _ESCAPE_RE.finditer(str(token)):
            code = match.group(1)
            if code[0] in "uU" and len(code) > 1 and _code_point(code[1:]) == REPLACEMENT:
                problems.append((token.line or 1, f"the escape \\{code} is not a Unicode character (Terraform rejects "
                                                  "it); read as U+FFFD"))
    return problems


def _shortened(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"


def _read_number(text: str) -> int | float | None:
    """A number literal as Python holds it; None for one it cannot (more than 4,300 digits, 1e999)."""
    try:
        number = float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _number(text: str) -> x.Expr:
    number = _read_number(text)
    if number is None:
        return x.Opaque(f"the number {_shortened(text)}, which sovscan cannot hold")
    return x.Lit(number)


def _string_literal(node: Tree) -> str:
    expr = _string(node)
    if isinstance(expr, x.Lit):
        return str(expr.value)
    return "".join(p if isinstance(p, str) else "?" for p in getattr(expr, "parts", ()))


def _string(node: Tree) -> x.Expr:
    parts: list = []
    for part in node.children:
        if not isinstance(part, Tree):
            continue
        inner = part.children[0]
        if isinstance(inner, Token):
            if inner.type == "STRING_CHARS":
                parts.append(_unescape(str(inner)))
            elif inner.type == "ESCAPED_INTERPOLATION":
                parts.append(str(inner)[1:])
            elif inner.type == "ESCAPED_DIRECTIVE":
                parts.append(str(inner)[1:])
            continue
        if inner.data == "interpolation":
            parts.append(_expr(_trees(inner)[0]))
        else:
            return x.Opaque("template directive")
    return _template(parts)


def _template(parts: list) -> x.Expr:
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    if not merged:
        return x.Lit("")
    if len(merged) == 1:
        return x.Lit(shared(merged[0])) if isinstance(merged[0], str) else merged[0]
    return x.Template(tuple(merged))


def _heredoc(token: str, trim: bool) -> x.Expr:
    lines = token.split("\n")
    body = lines[1:-2] if len(lines) > 2 else []
    if trim:
        indents = [len(ln) - len(ln.lstrip()) for ln in body if ln.strip()]
        cut = min(indents) if indents else 0
        body = [ln[cut:] for ln in body]
    text = "\n".join(body) + ("\n" if body else "")
    if "${" in text or "%{" in text:
        return x.Opaque("heredoc with interpolation")
    return x.Lit(text)


_LITERALS = {"true": True, "false": False, "null": None}


def _expr(node) -> x.Expr:  # noqa: C901 - one case per grammar rule reads best as one table
    if isinstance(node, Token):
        return x.Lit(str(node))
    kind = node.data
    kids = _trees(node)
    if kind == "expr_term":
        if not kids:
            return x.Opaque("empty expression")
        return _expr(kids[0])
    if kind == "identifier":
        return x.Var(_word(node.children[0]))
    if kind == "keyword":
        return x.Var(_word(node.children[0]))
    if kind == "literal_value":
        return x.Lit(_LITERALS[str(node.children[0])])
    if kind in ("int_lit", "float_lit"):
        return _number(str(node.children[0]))
    if kind == "string":
        return _string(node)
    if kind == "template_string":
        return x.Opaque("template string")
    if kind == "heredoc_template":
        return _heredoc(str(node.children[0]), trim=False)
    if kind == "heredoc_template_trim":
        return _heredoc(str(node.children[0]), trim=True)
    if kind == "tuple":
        return x.TupleX(tuple(_expr(k) for k in kids))
    if kind == "object":
        return x.ObjectX(tuple(_object_elem(k) for k in kids if k.data == "object_elem"))
    if kind == "conditional":
        return x.Cond(_expr(kids[0]), _expr(kids[1]), _expr(kids[2]))
    if kind == "binary_op":
        term = kids[1]
        operator = _trees(term)[0]
        return x.BinOp(_word(operator.children[0]), _expr(kids[0]), _expr(_trees(term)[1]))
    if kind == "unary_op":
        return x.UnOp(_word(node.children[0]), _expr(kids[0]))
    if kind == "function_call":
        return _call(node, kids)
    if kind == "get_attr_expr_term":
        return x.GetAttr(_expr(kids[0]), _attr_name(kids[1]))
    if kind == "index_expr_term":
        return x.Index(_expr(kids[0]), _index_key(kids[1]))
    if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
        return x.Splat(_expr(kids[0]), tuple(_splat_steps(kids[1])))
    if kind in ("for_tuple_expr", "for_object_expr"):
        return _for(node, kids, is_object=kind == "for_object_expr")
    return x.Opaque(f"unsupported syntax {kind}")


def _object_elem(node: Tree) -> tuple:
    key_node, value_node = _trees(node)[0], _trees(node)[-1]
    key_inner = _trees(key_node)
    key_expr = _expr(key_inner[0]) if key_inner else x.Lit(str(key_node.children[0]))
    if isinstance(key_expr, x.Var):
        key_expr = x.Lit(key_expr.name)
    return key_expr, _expr(value_node)


def _attr_name(node: Tree) -> str:
    inner = _trees(node)[0]
    return _word(inner.children[0])


def _index_key(node: Tree) -> x.Expr:
    if node.data == "short_index":
        return x.Lit(int(str(node.children[-1])))
    return _expr(_trees(node)[0])


def _splat_steps(node: Tree) -> list[tuple[str, object]]:
    steps: list[tuple[str, object]] = []
    for step in _trees(node):
        if step.data == "get_attr":
            steps.append(("attr", _attr_name(step)))
        else:
            steps.append(("index", _index_key(step)))
    return steps


def _call(node: Tree, kids: list[Tree]) -> x.Expr:
    names = [_word(k.children[0]) for k in kids if k.data == "identifier"]
    args_node = _child(node, "arguments")
    args: tuple = ()
    expand = False
    if args_node is not None:
        args = tuple(_expr(a) for a in _trees(args_node))
        expand = any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in args_node.children)
    return x.Call("::".join(names), args, expand)


def _for(node: Tree, kids: list[Tree], is_object: bool) -> x.Expr:
    intro = kids[0]
    intro_kids = _trees(intro)
    idents = [_word(k.children[0]) for k in intro_kids if k.data == "identifier"]
    collection = _expr(intro_kids[-1])
    key_var, value_var = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
    rest = kids[1:]
    condition = None
    if rest and rest[-1].data == "for_cond":
        condition = _expr(_trees(rest[-1])[0])
        rest = rest[:-1]
    grouping = any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in node.children)
    if is_object:
        return x.ForX(key_var, value_var, collection, _expr(rest[0]), _expr(rest[1]), condition, grouping)
    return x.ForX(key_var, value_var, collection, None, _expr(rest[0]), condition)
