"""Terraform's built-in functions that the model evaluates statically.

FUNCTIONS maps each pure built-in's name to a callable over already-evaluated arguments. Every
callable is total: an Unknown argument gives that Unknown, a call Terraform would reject gives
Unknown("name(): why"), a result over the size budget gives Unknown("... too large to evaluate
statically"); nothing raises. Built-ins that read files or render templates need the module's
files and the evaluator, and are made per module by files.file_functions().

Evaluator-level, not here: try() and can() (they catch errors of unevaluated expressions). coalesce
is in FUNCTIONS with Terraform's order semantics (an Unknown after the answer does not matter).
Left out (Unknown): timestamp, plantimestamp, uuid, bcrypt (not repeatable); abspath, pathexpand
(depend on the machine); rsadecrypt (needs a private key); base64gzip (Go's gzip bytes differ);
issensitive, ephemeralasnull, type (depend on marks the model does not keep).
"""
from __future__ import annotations

from typing import Any, Callable

from scanner.model.functions import (
    collections, dates, encoding, formatting, hashes, network, numeric, paths, sets, strings, yaml_codec,
)
from scanner.model.functions.arguments import MAX_VALUE_SIZE, guarded

_CATEGORIES = (numeric, strings, formatting, collections, sets, encoding, yaml_codec, dates, hashes,
               network, paths)

FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: guarded(name, implementation)
    for category in _CATEGORIES for name, implementation in category.FUNCTIONS.items()
}
FUNCTIONS.update({name: guarded(name, implementation, accepts_unknown=True)
                  for name, implementation in collections.LENIENT.items()})

__all__ = ["FUNCTIONS", "MAX_VALUE_SIZE"]
