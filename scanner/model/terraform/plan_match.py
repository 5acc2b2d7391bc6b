"""Which scanned root module a plan (`--plan`) was made in.

A plan goes to the root module whose resources it names most. Two root modules can declare the same
resources (prod/ and dev/ from one template); then the plan belongs to the one it was made in, told by
  1. the directory that holds the plan file (the nearest root module above it), then
  2. how closely the root module's code agrees with what the plan records of it: the plan's configuration
     (resources, their literal arguments, variables and defaults, module sources, outputs) and its variable
     values against the root module's tfvars and defaults.
When nothing tells them apart the plan is not used: values of the wrong environment would be judged as
if they were deployed, and unresolved is the honest answer.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from scanner.model.terraform.expressions import constant
from scanner.model.terraform.modules import ModuleDir, TerraformModel, auto_loaded
from scanner.model.terraform.plan_values import PlanValues, base_of
from scanner.model.values import Unknown
from scanner.notices import Notice
from scanner.parse.plan import NO_DEFAULT, Plan, SensitiveValue


@dataclass(frozen=True)
class Match:
    root: str | None                  # the root module the plan was made in; None when it is not used
    tied: tuple[str, ...] = ()        # the root modules that fit the plan equally (root is None then)


def assign(model: TerraformModel, plans: list[Plan], roots: list[str]) -> None:
    """Give each plan to the root module it was made in; a plan that fits none, or several equally, is a
    notice and is not used."""
    for plan in plans:
        match = plan_root(plan, roots, model.modules)
        if match.root is not None:
            model.plans[match.root] = PlanValues(plan)
        elif match.tied:
            named = " and ".join(_shown(root) for root in match.tied)
            model.notices.append(Notice(plan.path, 0, f"the plan fits the root modules {named} equally (the same "
                                        "resources, and neither its location nor its configuration tells them "
                                        "apart); it is not used: keep the plan in the directory of the root module "
                                        "it was made in", "warning"))
        else:
            model.notices.append(Notice(plan.path, 0, "the plan names no resource of a scanned root module; "
                                                      "it is not used", "warning"))


def _shown(root: str) -> str:
    return root or "."


def plan_root(plan: Plan, roots: list[str], modules: Mapping[str, ModuleDir]) -> Match:
    """The root module the plan belongs to; with one root module, that one (whatever the plan names)."""
    if len(roots) == 1:
        return Match(roots[0])
    planned = {base_of(a) for a, r in {**plan.prior, **plan.planned}.items() if not r.module}
    if plan.configuration is not None:
        planned |= set(plan.configuration.resources)
    overlap = {root: len(planned & _resource_addresses(modules[root])) for root in roots}
    most = max(overlap.values(), default=0)
    if most == 0:
        return Match(None)
    best = [root for root in roots if overlap[root] == most]
    if len(best) == 1:
        return Match(best[0])
    located = _holding(plan.directory, best)
    if located is not None:
        return Match(located)
    recorded = _recorded(plan)
    disagreement = {root: len(recorded ^ _facts(modules[root], plan)) for root in best}
    fewest = min(disagreement.values())
    closest = [root for root in best if disagreement[root] == fewest]
    return Match(closest[0]) if len(closest) == 1 else Match(None, tuple(closest))


def _resource_addresses(module: ModuleDir) -> set[str]:
    return {f"{block.labels[0]}.{block.labels[1]}" for block, _ in module.resources}


def _holding(directory: str | None, roots: list[str]) -> str | None:
    """The nearest of the root modules whose directory holds the plan's directory."""
    if directory is None:
        return None
    holding = [root for root in roots if not root or directory == root or directory.startswith(root + "/")]
    return max(holding, key=len, default=None)


def _recorded(plan: Plan) -> set[str]:
    """What the plan records of its root module's code and inputs, as comparable facts."""
    facts = {f"value {name}={text}" for name, value in plan.variables.items()
             if not isinstance(value, SensitiveValue) and (text := _json(value)) is not None}
    configuration = plan.configuration
    if configuration is None:
        return facts
    for address, arguments in configuration.resources.items():
        facts.add(f"resource {address}")
        facts.update(f"argument {address}.{name}={text}" for name, value in arguments.items()
                     if (text := _json(value)) is not None)
    for name, default in configuration.variables.items():
        facts.add(f"variable {name}")
        if default is not NO_DEFAULT and (text := _json(default)) is not None:
            facts.add(f"default {name}={text}")
    facts.update(f"module {name}={source}" for name, source in configuration.module_sources.items())
    facts.update(f"output {name}" for name in configuration.outputs)
    return facts


def _facts(module: ModuleDir, plan: Plan) -> set[str]:
    """The same facts of a root module's code, for what the plan records: the values of the variables it
    shows (not those it marks sensitive), and the code when it has its configuration."""
    shown = {name for name, value in plan.variables.items() if not isinstance(value, SensitiveValue)}
    facts = {f"value {name}={text}" for name, value in _input_values(module).items()
             if name in shown and (text := _json(value)) is not None}
    if plan.configuration is None:
        return facts
    for block, _ in module.resources:
        address = f"{block.labels[0]}.{block.labels[1]}"
        facts.add(f"resource {address}")
        facts.update(f"argument {address}.{name}={text}" for name, attribute in block.attributes.items()
                     if (text := _json(constant(attribute.expr))) is not None)
    for name, (block, _) in module.variables.items():
        facts.add(f"variable {name}")
        default = block.attributes.get("default")
        if default is not None and (text := _json(constant(default.expr))) is not None:
            facts.add(f"default {name}={text}")
    for block, _ in module.modules:
        source = block.attributes.get("source")
        value = constant(source.expr) if source is not None else None
        if isinstance(value, str):
            facts.add(f"module {block.labels[0]}={value}")
    facts.update(f"output {name}" for name in module.outputs)
    return facts


def _input_values(module: ModuleDir) -> dict[str, Any]:
    """The root module's variable values without --var-file: defaults, then terraform.tfvars, then
    *.auto.tfvars (later files win), as terraform would read them in that directory."""
    values: dict[str, Any] = {}
    for name, (block, _) in module.variables.items():
        default = block.attributes.get("default")
        if default is not None:
            values[name] = constant(default.expr)
    loaded = sorted((f for f in module.tfvars if auto_loaded(f.path)),
                    key=lambda f: (not f.path.endswith("terraform.tfvars"), f.path))
    for tfvars in loaded:
        for attribute in tfvars.attributes.values():
            values[attribute.name] = constant(attribute.expr)
    return values


def _json(value: Any) -> str | None:
    """A known value as canonical JSON (1 and 1.0 alike); None when any part of it is not known."""
    try:
        return json.dumps(_canonical(value), sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return None


def _canonical(value: Any) -> Any:
    if isinstance(value, (Unknown, SensitiveValue)):
        raise ValueError("not known")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value
