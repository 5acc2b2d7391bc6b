"""Named predicates: the logic policy YAML cannot express, used by name from policy files.

Each takes (resource, args, context, item) and returns a Verdict. A predicate never turns an Unknown
value into a failure: it returns state None with the blocker instead. One module per concern; this
registry is the only place that lists them, and the policy schema's predicate names come from it.
"""
from __future__ import annotations

from scanner.evaluate.predicates.cmk import CMK
from scanner.evaluate.predicates.core import CORE, Predicate
from scanner.evaluate.predicates.exit import EXIT
from scanner.evaluate.predicates.haven import HAVEN
from scanner.evaluate.predicates.residency import RESIDENCY
from scanner.evaluate.predicates.secrets import SECRETS

PREDICATES: dict[str, Predicate] = {
    **CORE,
    **SECRETS,
    **EXIT,
    **CMK,
    **HAVEN,
    **RESIDENCY,
}
