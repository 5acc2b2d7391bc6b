"""What an evaluated value depended on: the resources it refers to, and the places its inputs were written.

A value's provenance chain is the set of places that decided it: the module argument a caller wrote, the
variable default, the tfvars entry, the local. Focus modes (`--changed-since`, files as arguments) keep a
finding when any place of its chain changed, and messages name the place that set the value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.model.rendered import SENSITIVE, Place

# Roles of a place in a chain, from the most decisive for a message to the least.
ROLES = ("tfvars", "argument", "default", "local", "output", "file", "attribute", "sensitive", "instances")

# In an expression's scope: for each name bound by count, for_each or a dynamic block's iterator, the places that
# decided the collection it comes from. A value read through `each.value` was decided there too. (Not an HCL
# name: the parentheses keep it apart.)
SCOPE_PLACES = "(places)"


def bound(scope: dict[str, Any], name: str, value: Any, trace: "Trace") -> dict[str, Any]:
    """`scope` with `name` bound to `value`, and the places `trace` met while evaluating its collection: as
    "instances" (they decided which items there are, not what a message should name as where the value was
    set, nor where a module's default is reported), but for a sensitive variable's, which masks the value."""
    met = tuple((place, role if role == SENSITIVE else "instances") for place, role in trace.places.items())
    return {**scope, name: value, SCOPE_PLACES: {**scope.get(SCOPE_PLACES, {}), name: met}}



@dataclass
class Trace:
    addresses: set[str] = field(default_factory=set)          # resources referred to (base addresses)
    places: dict[Place, str] = field(default_factory=dict)    # place -> role, in the order first met
    # Settled values absorbed so far, by identity (kept alive so an id is never reused): absorbing one again
    # adds nothing, and a local read in every step of a comprehension would cost its whole chain each time.
    absorbed: dict[int, "Settled"] = field(default_factory=dict)
    # An option of try() is traced apart (its places count only if it is the value), seeing what the traces it
    # would join absorbed already: their places are there, so absorbing again adds nothing.
    joins: tuple[dict[int, "Settled"], ...] = ()

    def add_place(self, place: Place, role: str) -> None:
        self.places.setdefault(place, role)

    def apart(self) -> "Trace":
        """A trace for what may be left out of this one (a try() option that fails)."""
        return Trace(joins=(self.absorbed, *self.joins))

    def absorb(self, settled: "Settled") -> None:
        key = id(settled)
        if key in self.absorbed or any(key in seen for seen in self.joins):
            return
        self.absorbed[id(settled)] = settled
        self.addresses.update(settled.addresses)
        for place, role in settled.places:
            self.places.setdefault(place, role)

    def add(self, other: "Trace") -> None:
        """What another trace met, after what this one met."""
        self.addresses.update(other.addresses)
        for place, role in other.places.items():
            self.places.setdefault(place, role)
        self.absorbed.update(other.absorbed)

    def settle(self, value: Any) -> "Settled":
        return Settled(value, frozenset(self.addresses), tuple(self.places.items()))


@dataclass(frozen=True)
class Settled:
    """A value evaluated once, with what it depended on (memoised per module instance)."""
    value: Any
    addresses: frozenset[str] = frozenset()
    places: tuple[tuple[Place, str], ...] = ()
