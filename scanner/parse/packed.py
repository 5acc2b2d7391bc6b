"""A parsed Terraform file kept packed until the model evaluates its directory.

A syntax tree costs about twenty times the bytes of its compressed JSON (parse/codec.py): 24 MB against 1 MB for
the 1,200 `.tf` files of the benchmark corpus. Parsing therefore hands the model each file packed, as the parse
cache keeps it (a worker packs a file once, for the cache and for the scan), and the model unpacks a module
directory when a root module first calls it and drops it once nothing left may call it: a large scan never
holds every tree, and a warm scan never unpacks the directories whose root modules the root cache answers.

What the model must know of every file before it unpacks any, which directories call which, travels beside
the packed tree: the `source` expression of each module block.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Union

from scanner.cachedir import inflated
from scanner.discover import Source
from scanner.parse import codec, expressions as x, terraform
from scanner.parse.terraform import TerraformFile

UNPACK_ERRORS = (ValueError, TypeError, KeyError, IndexError, ArithmeticError, RecursionError, zlib.error)


@dataclass(frozen=True)
class PackedTerraform:
    """One Terraform file's syntax as zlib-compressed JSON; `module_sources`: the `source` expression of each
    module block (None where a block has none), in the file's order."""
    source: Source
    digest: str                        # SHA-256 of the bytes parsed: the file's bytes, should the tree be unreadable
    data: bytes
    module_sources: tuple[x.Expr | None, ...]

    @property
    def path(self) -> str:
        return self.source.path

    def unpack(self) -> TerraformFile:
        """The syntax tree. An entry forged into a shared cache with a matching checksum can hold data the codec
        refuses, or that inflates past what an entry may (cachedir.inflated): the file is then parsed again from
        its bytes, as if the cache had not had it."""
        try:
            body = inflated(self.data)
            if body is not None:
                return codec.decode_terraform(self.path, json.loads(body))
        except UNPACK_ERRORS:
            pass
        return _parsed_again(self.source, self.digest)


TerraformSyntax = Union[PackedTerraform, TerraformFile]   # a file packed, or one the codec cannot keep


def unpacked(syntax: TerraformSyntax) -> TerraformFile:
    return syntax.unpack() if isinstance(syntax, PackedTerraform) else syntax


def pack(tree: TerraformFile, source: Source, digest: str) -> PackedTerraform:
    """The file packed; raises codec.Unencodable (or ValueError, RecursionError) for a tree the codec cannot
    keep exactly, which then stays unpacked (and uncached)."""
    body = json.dumps(codec.encode_terraform(tree), separators=(",", ":"), ensure_ascii=True, allow_nan=True)
    return PackedTerraform(source, digest, zlib.compress(body.encode("ascii"), 1), module_sources(tree))


def module_sources(tree: TerraformFile) -> tuple[x.Expr | None, ...]:
    """The `source` of each module block the model evaluates (one with a name), in order."""
    sources = []
    for block in tree.blocks:
        if block.type == "module" and block.labels:
            attribute = block.attributes.get("source")
            sources.append(None if attribute is None else attribute.expr)
    return tuple(sources)


def _parsed_again(source: Source, digest: str) -> TerraformFile:
    """The file parsed from its bytes now; an empty tree when they are no longer those parsed before."""
    from scanner.parse.files import read_again   # files.py imports this module
    text = read_again(source, digest)
    try:
        if text is None:
            return TerraformFile(source.path, [])
        if source.path.endswith(".json"):
            return terraform.parse_json_text(source.path, text)
        return terraform.parse_text(source.path, text)
    except terraform.HclSyntaxError:
        return TerraformFile(source.path, [])
