"""Stage 2 for Terraform: HCL text -> blocks, attributes and expression trees, each with its line.

python-hcl2 gives a Lark tree with positions (`hcl2.parses_to_tree`); we convert it once into our own
small syntax tree (parse/expressions.py) so the model never depends on the parser's internals.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from scanner.parse import expressions as x


@dataclass
class Attribute:
    name: str
    expr: x.Expr
    line: int


@dataclass
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


class HclSyntaxError(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def parse_text(path: str, text: str) -> TerraformFile:
    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as err:
        raise HclSyntaxError(f"HCL syntax error at line {err.line}, column {err.column}", err.line or 1) from None
    except (LarkError, RecursionError) as err:
        raise HclSyntaxError(f"HCL parse error: {type(err).__name__}", 1) from None
    body = _child(tree, "body")
    if body is None:
        return TerraformFile(path, [])
    block = _block_body(Block("", ()), body)
    return TerraformFile(path, block.blocks, block.attributes)


def parse_json_text(path: str, text: str) -> TerraformFile:
    """`.tf.json`: the JSON syntax of Terraform; strings may hold `${...}` templates."""
    try:
        data = json.loads(text)
    except ValueError as err:
        raise HclSyntaxError(f"JSON syntax error: {err}", getattr(err, "lineno", 1)) from None
    if not isinstance(data, dict):
        raise HclSyntaxError("Terraform JSON must be an object at the top level", 1)
    lines = text.splitlines()
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


def _line_of(lines: list[str], key: str) -> int:
    needle = f'"{key}"'
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    return 1


def _json_blocks(block_type: str, content, depth: int, labels: tuple, lines: list[str]) -> list[Block]:
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


def _json_block(block_type: str, labels: tuple, item: dict, lines: list[str]) -> Block:
    line = _line_of(lines, labels[-1] if labels else block_type)
    block = Block(block_type, labels, line=line, end_line=line)
    for key, value in item.items():
        if isinstance(value, dict) and block_type not in ("locals", "variable", "output") and key not in ("tags", "labels"):
            block.blocks.append(_json_block(key, (), value, lines))
        else:
            block.attributes[key] = Attribute(key, _json_expr(value), _line_of(lines, key))
    return block


def _json_expr(value) -> x.Expr:
    if isinstance(value, str):
        if "${" not in value:
            return x.Lit(value)
        try:
            tree = hcl2.parses_to_tree("v = " + json.dumps(value))
        except (LarkError, RecursionError):
            return x.Opaque("unparsable template in JSON")
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


def _name(node) -> str:
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return _string_literal(node)
    return str(node.children[0])


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


def _unescape(text: str) -> str:
    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)
    return _ESCAPE_RE.sub(replace, text) if "\\" in text else text


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
        return x.Lit(merged[0]) if isinstance(merged[0], str) else merged[0]
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
        return x.Var(str(node.children[0]))
    if kind == "keyword":
        return x.Var(str(node.children[0]))
    if kind == "literal_value":
        return x.Lit(_LITERALS[str(node.children[0])])
    if kind == "int_lit":
        return x.Lit(int(str(node.children[0])))
    if kind == "float_lit":
        return x.Lit(float(str(node.children[0])))
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
        return x.BinOp(str(operator.children[0]), _expr(kids[0]), _expr(_trees(term)[1]))
    if kind == "unary_op":
        return x.UnOp(str(node.children[0]), _expr(kids[0]))
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
    if inner.data == "literal_value":
        return str(inner.children[0])
    return str(inner.children[0])


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
    names = [str(k.children[0]) for k in kids if k.data == "identifier"]
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
    idents = [str(k.children[0]) for k in intro_kids if k.data == "identifier"]
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
