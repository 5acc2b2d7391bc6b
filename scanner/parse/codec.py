"""What parsing one file produced, as plain JSON data and back: the parse cache's entries.

Only data: JSON arrays, objects, strings, numbers, true/false/null; decoding builds the parse stage's own
dataclasses from it by their fields and never looks up a name it was given, so an entry cannot make
anything run. Decoding is strict: anything that is not exactly what `encode` writes raises Malformed,
and the cache treats the entry as missing. The file's path is not stored: it is part of the entry's key,
and put back into the trees, documents and notices when they are read.

A value `encode` cannot write so that it reads back identical raises Unencodable, and the file is simply
not cached: NaN (it is not equal to itself, so a copy would not find what the original found), or a type
the parsers do not produce.
"""
from __future__ import annotations

import base64
import datetime
import math
from typing import Any, Callable

from scanner.notices import Notice
from scanner.parse import expressions as x
from scanner.parse.names import shared
from scanner.parse.terraform import Attribute, Block, TerraformFile
from scanner.parse.yaml import MAX_DEPTH, YamlDocument

MAX_KEY_PATH = MAX_DEPTH + 2   # keys in a path: one per level of nesting a parse accepts, and the list item's

TAG = "\0"    # the key of a tagged value; a mapping with a key starting with it is written as pairs


class Unencodable(ValueError):
    """The value would not read back identical: the file is parsed again next time instead."""


class Malformed(ValueError):
    """The entry is not what encode writes."""


# --- plain values (YAML documents, literals) -----------------------------------------------------

def encode_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            raise Unencodable("NaN")
        return value
    if isinstance(value, list):
        return [encode_value(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith(TAG) for k in value):
            return {k: encode_value(v) for k, v in value.items()}
        return {TAG: "map", "items": [[encode_value(k), encode_value(v)] for k, v in value.items()]}
    if isinstance(value, datetime.datetime):
        offset = value.utcoffset()
        return {TAG: "datetime", "v": [value.year, value.month, value.day, value.hour, value.minute,
                                      value.second, value.microsecond,
                                      None if offset is None else offset // datetime.timedelta(microseconds=1)]}
    if isinstance(value, datetime.date):
        return {TAG: "date", "v": value.toordinal()}
    if isinstance(value, bytes):
        return {TAG: "bytes", "v": base64.b64encode(value).decode("ascii")}
    raise Unencodable(type(value).__name__)


def decode_value(data: Any) -> Any:
    if isinstance(data, str):
        return shared(data)
    if data is None or isinstance(data, (bool, int, float)):
        return data
    if isinstance(data, list):
        return [decode_value(v) for v in data]
    if not isinstance(data, dict):
        raise Malformed("value")
    if TAG not in data:
        return {shared(k): decode_value(v) for k, v in data.items()}
    return _tagged(data)


def _tagged(data: dict) -> Any:
    tag = data[TAG]
    if tag == "map" and isinstance(data.get("items"), list):
        out = {}
        for pair in data["items"]:
            key, value = _pair(pair)
            out[_key(decode_value(key))] = decode_value(value)
        return out
    if tag == "datetime":
        return _datetime(data.get("v"))
    if tag == "date" and isinstance(data.get("v"), int) and not isinstance(data["v"], bool):
        return datetime.date.fromordinal(data["v"])
    if tag == "bytes" and isinstance(data.get("v"), str):
        return base64.b64decode(data["v"].encode("ascii"), validate=True)
    raise Malformed("tag")


def _key(key: Any) -> Any:
    if key is None or isinstance(key, (str, int, float, bool)):
        return key
    raise Malformed("mapping key")


def _datetime(parts: Any) -> datetime.datetime:
    if not isinstance(parts, list) or len(parts) != 8 or not all(_integer(p) for p in parts[:7]):
        raise Malformed("datetime")
    year, month, day, hour, minute, second, microsecond, offset = parts
    if offset is not None and not _integer(offset):
        raise Malformed("datetime offset")
    zone = None if offset is None else datetime.timezone(datetime.timedelta(microseconds=offset))
    return datetime.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=zone)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pair(data: Any) -> tuple[Any, Any]:
    if not isinstance(data, list) or len(data) != 2:
        raise Malformed("pair")
    return data[0], data[1]


# --- expression trees -----------------------------------------------------------------------------

def encode_expr(expr: x.Expr) -> list:
    """[class name, field, ...] with the fields in declaration order."""
    if isinstance(expr, x.Lit):
        return ["Lit", encode_value(expr.value)]
    if isinstance(expr, x.Template):
        return ["Template", [p if isinstance(p, str) else encode_expr(p) for p in expr.parts]]
    if isinstance(expr, x.Var):
        return ["Var", expr.name]
    if isinstance(expr, x.GetAttr):
        return ["GetAttr", encode_expr(expr.obj), expr.name]
    if isinstance(expr, x.Index):
        return ["Index", encode_expr(expr.obj), encode_expr(expr.key)]
    if isinstance(expr, x.Splat):
        return ["Splat", encode_expr(expr.obj), [_encode_step(s) for s in expr.steps]]
    if isinstance(expr, x.Call):
        return ["Call", expr.name, [encode_expr(a) for a in expr.args], expr.expand_last]
    if isinstance(expr, x.BinOp):
        return ["BinOp", expr.op, encode_expr(expr.left), encode_expr(expr.right)]
    if isinstance(expr, x.UnOp):
        return ["UnOp", expr.op, encode_expr(expr.operand)]
    if isinstance(expr, x.Cond):
        return ["Cond", encode_expr(expr.predicate), encode_expr(expr.then), encode_expr(expr.otherwise)]
    if isinstance(expr, x.TupleX):
        return ["TupleX", [encode_expr(i) for i in expr.items]]
    if isinstance(expr, x.ObjectX):
        return ["ObjectX", [[encode_expr(k), encode_expr(v)] for k, v in expr.items]]
    if isinstance(expr, x.ForX):
        return ["ForX", expr.key_var, expr.value_var, encode_expr(expr.collection), _optional(expr.key_expr),
                encode_expr(expr.value_expr), _optional(expr.condition), expr.grouping]
    if isinstance(expr, x.Opaque):
        return ["Opaque", expr.reason]
    raise Unencodable(type(expr).__name__)


def _optional(expr: x.Expr | None) -> list | None:
    return None if expr is None else encode_expr(expr)


def _encode_step(step: tuple) -> list:
    kind, what = step
    if kind == "attr" and isinstance(what, str):
        return ["attr", what]
    if kind == "index":
        return ["index", encode_expr(what)]
    raise Unencodable("splat step")


def decode_expr(data: Any) -> x.Expr:
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise Malformed("expression")
    decoder = _EXPRESSIONS.get(data[0])
    if decoder is None:
        raise Malformed("expression kind")
    return decoder(data)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Malformed("text")
    return shared(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Malformed("flag")
    return value


def _items(value: Any) -> list:
    if not isinstance(value, list):
        raise Malformed("list")
    return value


def _fields(data: list, count: int) -> list:
    if len(data) != count + 1:
        raise Malformed(f"{data[0]} fields")
    return data[1:]


def _decode_optional(data: Any) -> x.Expr | None:
    return None if data is None else decode_expr(data)


def _optional_text(data: Any) -> str | None:
    return None if data is None else _text(data)


def _part(data: Any) -> Any:
    return shared(data) if isinstance(data, str) else decode_expr(data)


def _step(data: Any) -> tuple:
    kind, what = _pair(data)
    if kind == "attr":
        return ("attr", _text(what))
    if kind == "index":
        return ("index", decode_expr(what))
    raise Malformed("splat step")


def _lit(data: list) -> x.Expr:
    (value,) = _fields(data, 1)
    return x.Lit(decode_value(value))


def _template(data: list) -> x.Expr:
    (parts,) = _fields(data, 1)
    return x.Template(tuple(_part(p) for p in _items(parts)))


def _var(data: list) -> x.Expr:
    (name,) = _fields(data, 1)
    return x.Var(_text(name))


def _get_attr(data: list) -> x.Expr:
    obj, name = _fields(data, 2)
    return x.GetAttr(decode_expr(obj), _text(name))


def _index(data: list) -> x.Expr:
    obj, key = _fields(data, 2)
    return x.Index(decode_expr(obj), decode_expr(key))


def _splat(data: list) -> x.Expr:
    obj, steps = _fields(data, 2)
    return x.Splat(decode_expr(obj), tuple(_step(s) for s in _items(steps)))


def _call(data: list) -> x.Expr:
    name, args, expand = _fields(data, 3)
    return x.Call(_text(name), tuple(decode_expr(a) for a in _items(args)), _flag(expand))


def _bin_op(data: list) -> x.Expr:
    op, left, right = _fields(data, 3)
    return x.BinOp(_text(op), decode_expr(left), decode_expr(right))


def _un_op(data: list) -> x.Expr:
    op, operand = _fields(data, 2)
    return x.UnOp(_text(op), decode_expr(operand))


def _cond(data: list) -> x.Expr:
    predicate, then, otherwise = _fields(data, 3)
    return x.Cond(decode_expr(predicate), decode_expr(then), decode_expr(otherwise))


def _tuple(data: list) -> x.Expr:
    (items,) = _fields(data, 1)
    return x.TupleX(tuple(decode_expr(i) for i in _items(items)))


def _object(data: list) -> x.Expr:
    (items,) = _fields(data, 1)
    pairs = (_pair(item) for item in _items(items))
    return x.ObjectX(tuple((decode_expr(k), decode_expr(v)) for k, v in pairs))


def _for(data: list) -> x.Expr:
    key_var, value_var, collection, key_expr, value_expr, condition, grouping = _fields(data, 7)
    return x.ForX(_optional_text(key_var), _text(value_var), decode_expr(collection), _decode_optional(key_expr),
                  decode_expr(value_expr), _decode_optional(condition), _flag(grouping))


def _opaque(data: list) -> x.Expr:
    (reason,) = _fields(data, 1)
    return x.Opaque(_text(reason))


_EXPRESSIONS: dict[str, Callable[[list], x.Expr]] = {
    "Lit": _lit, "Template": _template, "Var": _var, "GetAttr": _get_attr, "Index": _index, "Splat": _splat,
    "Call": _call, "BinOp": _bin_op, "UnOp": _un_op, "Cond": _cond, "TupleX": _tuple, "ObjectX": _object,
    "ForX": _for, "Opaque": _opaque,
}


# --- Terraform files ----------------------------------------------------------------------------------

def encode_terraform(tf: TerraformFile) -> dict:
    return {"blocks": [_encode_block(b) for b in tf.blocks], "attributes": _encode_attributes(tf.attributes),
            "problems": [[line, message] for line, message in tf.problems]}


def _encode_attributes(attributes: dict[str, Attribute]) -> list:
    for name, attribute in attributes.items():
        if name != attribute.name:
            raise Unencodable("attribute name")
    return [[a.name, encode_expr(a.expr), a.line] for a in attributes.values()]


def _encode_block(block: Block) -> list:
    return [block.type, list(block.labels), _encode_attributes(block.attributes),
            [_encode_block(b) for b in block.blocks], block.line, block.end_line]


def decode_terraform(path: str, data: Any) -> TerraformFile:
    if not isinstance(data, dict) or set(data) != {"blocks", "attributes", "problems"}:
        raise Malformed("terraform file")
    problems = [(_line(line), _text(message)) for line, message in map(_pair, _items(data["problems"]))]
    return TerraformFile(path, [_decode_block(b) for b in _items(data["blocks"])],
                         _decode_attributes(data["attributes"]), problems)


def _decode_attributes(data: Any) -> dict[str, Attribute]:
    out: dict[str, Attribute] = {}
    for item in _items(data):
        if not isinstance(item, list) or len(item) != 3:
            raise Malformed("attribute")
        name = _text(item[0])
        out[name] = Attribute(name, decode_expr(item[1]), _line(item[2]))
    return out


def _decode_block(data: Any) -> Block:
    if not isinstance(data, list) or len(data) != 6:
        raise Malformed("block")
    block_type, labels, attributes, blocks, line, end_line = data
    return Block(_text(block_type), tuple(_text(label) for label in _items(labels)), _decode_attributes(attributes),
                 [_decode_block(b) for b in _items(blocks)], _line(line), _line(end_line))


def _line(value: Any) -> int:
    if not _integer(value):
        raise Malformed("line")
    return value


# --- YAML documents -----------------------------------------------------------------------------------

def encode_documents(documents: list[YamlDocument]) -> list:
    """[index, values, parents, keys, lines, line] per document. The key paths are a tree: where the path
    without its last key came earlier, `parents` holds its position and `keys` the last key; else `parents`
    holds -1 and `keys` the whole path. A large manifest has a million key paths, most of them long: read
    back, each is its parent's tuple and one key."""
    out = []
    for document in documents:
        written: list[tuple] = []
        position: dict[tuple, int] = {}
        parents, keys = [], []
        for path in document.locations:
            parent = _parent(written, position, path)
            parents.append(parent)
            keys.append(encode_value(list(path)) if parent < 0 else encode_value(path[-1]))
            position[path] = len(written)
            written.append(path)
        out.append([document.index, encode_value(document.values), parents, keys,
                    list(document.locations.values()), document.line])
    return out


def _parent(written: list[tuple], position: dict[tuple, int], path: tuple) -> int:
    """The position of `path` without its last key, when it was written with keys of the same types; else -1.
    True, 1 and 1.0 are one dict key: `(True, "x")` must not be read back as `(1, "x")`."""
    parent = position.get(path[:-1], -1) if path else -1
    if parent < 0 or all(type(key) is str for key in path):
        return parent
    return parent if all(type(a) is type(b) for a, b in zip(written[parent], path)) else -1


def _key_paths(parents: list, keys: list) -> list[tuple]:
    """The key paths as tuples, each short key one string object however many paths hold it (names.shared, as
    in a fresh parse): read back, every occurrence was a string of its own, and a large manifest's location
    table took half again the memory of its parse. No path is longer than a parse makes one, so a forged
    chain of parents cannot make the tuples grow with the square of the entry's size."""
    paths: list[tuple] = []
    for parent, key in zip(parents, keys):
        if type(parent) is not int or not -1 <= parent < len(paths):
            raise Malformed("key path")
        if parent < 0:
            if type(key) is not list or len(key) > MAX_KEY_PATH:
                raise Malformed("key path")
            paths.append(tuple([_path_key(k) for k in key]))
        elif len(paths[parent]) >= MAX_KEY_PATH:
            raise Malformed("key path")
        else:
            paths.append(paths[parent] + (_path_key(key),))
    return paths


def _path_key(key: Any) -> Any:
    # strings only: True, 1 and 1.0 are one dict key (`on:` is True in YAML), and must stay what they are
    return shared(key) if type(key) is str else key


def decode_documents(path: str, data: Any) -> list[YamlDocument]:
    documents = []
    for item in _items(data):
        if not isinstance(item, list) or len(item) != 6:
            raise Malformed("document")
        index, values, parents, keys, lines, line = item
        if not len(_items(parents)) == len(_items(keys)) == len(_items(lines)) \
                or not all(type(at) is int for at in lines):
            raise Malformed("locations")
        # A key of anything but str, int, float, bool and null (a list, an object) is unhashable: TypeError.
        table = dict(zip(_key_paths(parents, keys), lines))
        if len(table) != len(lines):
            raise Malformed("a key path twice")
        documents.append(YamlDocument(path, _line(index), decode_value(values), table, _line(line)))
    return documents


# --- notices ------------------------------------------------------------------------------------------

def encode_notices(path: str, notices: list[Notice]) -> list:
    for notice in notices:
        if notice.path != path:
            raise Unencodable("a notice on another file")
    return [[n.line, n.message, n.level, n.kind] for n in notices]


def decode_notices(path: str, data: Any) -> list[Notice]:
    notices = []
    for item in _items(data):
        if not isinstance(item, list) or len(item) != 4:
            raise Malformed("notice")
        line, message, level, kind = item
        notices.append(Notice(path, _line(line), _text(message), _text(level), _text(kind)))
    return notices
