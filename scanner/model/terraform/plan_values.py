"""A JSON plan (`terraform show -json`) as a source of values for one root module.

The plan is never scanned itself and never a finding's location: its variables are the root module's
inputs, and its planned (or prior) values fill what the code leaves unknown: data sources, attributes
known only after apply, values of resources in modules that are not in the scan. Sensitive values are
used as Unknown, so nothing the plan marks sensitive can reach a message.
"""
from __future__ import annotations

import re
from typing import Any

from scanner.model.rendered import Place
from scanner.model.terraform.trace import Settled
from scanner.model.values import Unknown
from scanner.parse.plan import Plan, PlannedResource, SensitiveValue

PLAN_ROLE = "plan"
_INDEX = re.compile(r"\[[^\]]*\]$")


class PlanValues:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.place = Place(plan.path, 0)
        self.resources: dict[str, PlannedResource] = {**plan.prior, **plan.planned}
        self.used: set[str] = set()

    def variables(self) -> dict[str, Settled]:
        return {name: Settled(without_secrets(value), places=((self.place, PLAN_ROLE),))
                for name, value in self.plan.variables.items()}

    def instance(self, address: str) -> PlannedResource | None:
        """The planned resource at a full instance address (`module.a["x"].aws_s3_bucket.b[0]`)."""
        found = self.resources.get(address)
        if found is not None:
            self.used.add(address)
        return found

    def attribute(self, address: str, attribute: str) -> Any:
        """A planned attribute by base address (a resource without count/for_each), or None."""
        found = self.instance(address)
        if found is None or attribute not in found.values:
            return None
        return without_secrets(found.values[attribute])

    def fill(self, address: str, values: dict[str, Any]) -> dict[str, str]:
        """Fill the top-level attributes the code leaves unknown with the planned values of this instance;
        the names of the filled attributes (for provenance)."""
        found = self.instance(address)
        if found is None:
            return {}
        filled: dict[str, str] = {}
        for name, planned in found.values.items():
            current = values.get(name)
            value = without_secrets(planned)
            if (name not in values or isinstance(current, Unknown)) and not isinstance(value, Unknown) \
                    and value is not None:
                values[name] = value
                filled[name] = PLAN_ROLE
        return filled

    def unmatched(self) -> list[PlannedResource]:
        return [r for a, r in sorted(self.plan.planned.items()) if a not in self.used and r.mode == "managed"]


def without_secrets(value: Any) -> Any:
    """The value with every sensitive part Unknown (it is never shown)."""
    if isinstance(value, SensitiveValue):
        return Unknown("a value the plan marks sensitive", kind="computed")
    if isinstance(value, dict):
        return {k: without_secrets(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [without_secrets(v) for v in value]
    return value


def base_of(address: str) -> str:
    return _INDEX.sub("", address)
