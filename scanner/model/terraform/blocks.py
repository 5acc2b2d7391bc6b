"""A block's attributes and nested blocks evaluated into plain values, with a line, a literal flag, the
resources referred to and the provenance chain of every attribute path."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.model.rendered import Place
from scanner.model.terraform.expressions import Evaluator, items_of
from scanner.model.terraform.trace import Trace, bound
from scanner.model.values import Unknown
from scanner.parse import expressions as x
from scanner.parse.terraform import Block

META_ARGUMENTS = ("count", "for_each", "provider", "depends_on", "lifecycle")
SKIPPED_BLOCKS = ("lifecycle", "provisioner", "connection")
MAX_DYNAMIC_ITEMS = 256
MAX_PLAIN_DEPTH = 14


@dataclass
class BlockValues:
    values: dict[str, Any] = field(default_factory=dict)
    locations: dict[str, int] = field(default_factory=dict)            # attribute path -> line
    literals: set[str] = field(default_factory=set)                     # paths written as plain literals
    references: dict[str, frozenset[str]] = field(default_factory=dict)  # path -> resource addresses
    chains: dict[str, tuple[tuple[Place, str], ...]] = field(default_factory=dict)   # path -> (place, role)s

    def merge_nested(self, label: str, index: int, prefix: str, sub: "BlockValues") -> None:
        """A nested block's values under `label`; its paths both indexed (`geo[1].x`) and, for the first
        block written, plain (`geo.x`), as the location and literal tables have always offered."""
        self.values.setdefault(label, []).append(sub.values)
        indexed, plain = f"{prefix}{label}[{index}]", prefix + label

        def unindexed(key: str) -> str:
            # Each level adds the plain spelling of every key below it: 2**depth keys. Past 14 nested blocks
            # (public modules nest 13) a key keeps its indexed spelling only; 120 levels exhausted memory.
            return key.replace(indexed, plain, 1) if key.count("[") <= MAX_PLAIN_DEPTH else key
        for key, line in sub.locations.items():
            self.locations.setdefault(key, line)
            self.locations.setdefault(unindexed(key), line)
        self.literals |= sub.literals | {unindexed(k) for k in sub.literals}
        for key, addresses in sub.references.items():
            self.references[key] = addresses             # this block's own (`rule[1].x`), as locations are kept
            path = unindexed(key)                        # and the plain path's: what any of its blocks refers to
            self.references[path] = self.references.get(path, frozenset()) | addresses
        for key, chain in sub.chains.items():
            self.chains.setdefault(key, chain)
            self.chains.setdefault(unindexed(key), chain)


def _entry_chains(evaluator: Evaluator, expr: x.ObjectX, scope: dict[str, Any], key: str,
                  chains: dict[str, tuple[tuple[Place, str], ...]], depth: int = 0) -> None:
    """The places that decided each entry of a map written in place that reads places at all (`body = { sku =
    { name = var.sku }, https = var.https }`): a finding on `body.sku.name` names var.sku's default or the
    caller's argument, not whichever variable the map read last, and an entry written as a literal is decided
    by its own line (an empty chain), not by its neighbours'."""
    for name, value in expr.items:
        if not isinstance(name, x.Lit) or not isinstance(name.value, str):
            continue
        entry = f"{key}.{name.value}"
        trace = Trace()
        evaluator.evaluate(value, scope, trace)
        chains[entry] = tuple(trace.places.items())
        if isinstance(value, x.ObjectX) and trace.places and depth < MAX_PLAIN_DEPTH:
            _entry_chains(evaluator, value, scope, entry, chains, depth + 1)


def evaluate_block(evaluator: Evaluator, block: Block, scope: dict[str, Any], prefix: str = "") -> BlockValues:
    out = BlockValues(locations={prefix.rstrip("."): block.line} if prefix else {})
    for name, attr in block.attributes.items():
        if not prefix and name in META_ARGUMENTS:
            continue
        trace = Trace()
        key = prefix + name
        out.values[name] = evaluator.evaluate(attr.expr, scope, trace)
        out.locations[key] = attr.line
        if trace.addresses:
            out.references[key] = frozenset(trace.addresses)
        if trace.places:
            out.chains[key] = tuple(trace.places.items())
        if x.is_literal(attr.expr):
            out.literals.add(key)
        elif isinstance(attr.expr, x.ObjectX):    # a map mixing literals and references: per entry
            out.literals.update(f"{key}.{k.value}" for k, v in attr.expr.items
                                if isinstance(k, x.Lit) and x.is_literal(v))
            if trace.places:
                _entry_chains(evaluator, attr.expr, scope, key, out.chains)
    for inner in block.blocks:
        if inner.type == "dynamic" and inner.labels:
            _dynamic(evaluator, inner, scope, prefix, out)
        elif inner.type not in SKIPPED_BLOCKS:
            index = len(out.values.get(inner.type, []))
            sub = evaluate_block(evaluator, inner, scope, prefix + inner.type + f"[{index}].")
            out.merge_nested(inner.type, index, prefix, sub)
    return out


def _dynamic(evaluator: Evaluator, block: Block, scope: dict[str, Any], prefix: str, out: BlockValues) -> None:
    """`dynamic "x" { for_each = ...; content {...} }`: one `x` block per item, or Unknown."""
    label = block.labels[0]
    out.locations.setdefault(prefix + label, block.line)
    content = next((b for b in block.blocks if b.type == "content"), None)
    for_each = block.attributes.get("for_each")
    iterator_attr = block.attributes.get("iterator")
    iterator = (x.traversal(iterator_attr.expr) or [label])[0] if iterator_attr else label
    trace = Trace()
    collection = evaluator.evaluate(for_each.expr, scope, trace) if for_each else \
        Unknown("dynamic block", kind="expression")
    items = items_of(collection)
    if items == [] and trace.places:   # no block at all: what decided that is where the finding's value was set
        out.chains.setdefault(prefix + label, tuple(trace.places.items()))
    if items is None:
        reason = collection.reason if isinstance(collection, Unknown) else "dynamic block for_each"
        kind = collection.kind if isinstance(collection, Unknown) else "expression"
        out.values[label] = Unknown(reason, kind=kind)
        return
    if len(items) > MAX_DYNAMIC_ITEMS:    # judging the first ones only would pass what the rest may fail
        out.values[label] = Unknown(f"dynamic \"{label}\" over {len(items)} items (sovscan evaluates at most "
                                    f"{MAX_DYNAMIC_ITEMS} blocks of one dynamic block)", kind="limit")
        return
    if content is None or isinstance(out.values.get(label), Unknown):   # an earlier block of it was unknown
        return
    plain = prefix + label
    for key, value in items:
        inner_scope = bound(scope, iterator, {"key": key, "value": value}, trace)
        sub = evaluate_block(evaluator, content, inner_scope, plain + ".")
        out.values.setdefault(label, []).append(sub.values)
        # each block it makes is also located by its index (`rule[1].x`, as a block written out is), at the line
        # of the content every one of them shares
        indexed = f"{plain}[{len(out.values[label]) - 1}]"
        out.locations.setdefault(indexed, block.line)
        for k, line in sub.locations.items():
            out.locations.setdefault(k, line)
            out.locations.setdefault(indexed + k[len(plain):], line)
        for k, addresses in sub.references.items():   # the plain path: what any of the blocks refers to
            out.references[k] = out.references.get(k, frozenset()) | addresses
            out.references[indexed + k[len(plain):]] = addresses
        for k, chain in sub.chains.items():
            out.chains.setdefault(k, chain)
            out.chains.setdefault(indexed + k[len(plain):], chain)
