"""The resources a module instance contributes to the model: its providers, `terraform {}` settings,
variables, outputs, resources and module calls; then, recursively, those of the instances it calls."""
from __future__ import annotations

import re
from typing import Any

from scanner.model.rendered import Place
from scanner.model.resource import SEVERAL, Resource
from scanner.model.terraform.blocks import MAX_PLAIN_DEPTH, BlockValues, evaluate_block
from scanner.model.terraform.instance import Instance
from scanner.model.terraform.modules import TerraformModel
from scanner.model.terraform.plan_values import PLAN_ROLE, PlanValues, without_secrets
from scanner.model.terraform.trace import Trace
from scanner.model.values import Unknown
from scanner.notices import Notice
from scanner.parse import expressions as x
from scanner.parse.terraform import Block


def run(instance: Instance) -> None:
    """Emit everything this instance declares, then walk into every module instance it calls."""
    instance.model.visited.add(instance.module.path)
    module = instance.module
    for block, _ in module.providers:
        instance.providers[provider_key(instance, block)] = evaluate_block(instance.evaluator, block, {}).values
    for block, path in module.settings:
        _settings(instance, block, path)
    for block, path in module.providers:
        _provider(instance, block, path)
    for name, (block, path) in sorted(module.variables.items()):
        _declaration(instance, "variable", name, block, path)
    for name, (block, path) in sorted(module.outputs.items()):
        _declaration(instance, "output", name, block, path)
    for block, path in module.resources:
        _resource(instance, block, path)
    for name in sorted(instance.module_blocks):
        for child in instance.module_instances(name) or []:
            run(child)


def provider_key(instance: Instance, block: Block) -> str:
    alias = block.attributes.get("alias")
    alias_value = instance.evaluate(alias.expr, {}, Trace()) if alias else None
    return f"{block.labels[0]}.{alias_value}" if isinstance(alias_value, str) else block.labels[0]


def _emit(instance: Instance, kind: str, address: str, path: str, line: int, block: BlockValues,
          values: dict[str, Any] | None = None, **extra: Any) -> Resource:
    resource = Resource("terraform", kind, instance.prefixed(address), path, line,
                        block.values if values is None else values, block.locations, frozenset(block.literals),
                        block.references, module=instance.address, root=instance.root, chains=block.chains,
                        call_site=instance.call_site, user_site=instance.user_site, **extra)
    instance.model.share_tables(resource)   # the instances of one module emit equal tables again and again
    instance.model.resources.append(resource)
    limit = _first_limit(resource.values)
    if limit is not None:   # every limit says which limit was hit and where, not only in --show-unresolved
        instance.model.notices.append(Notice(path, line, f"{resource.address}: {limit.reason}; the checks that read "
                                                         f"this value are unresolved"))
    return resource


def _first_limit(values: Any, budget: int = 2_000) -> Unknown | None:
    """The first value an evaluation limit left unknown, looking at no more than `budget` values."""
    pending = [values]
    while pending and budget > 0:
        value = pending.pop()
        budget -= 1
        if isinstance(value, Unknown) and value.kind == "limit":
            return value
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return None


def _provider(instance: Instance, block: Block, path: str) -> None:
    key = provider_key(instance, block)
    evaluated = evaluate_block(instance.evaluator, block, {})
    _emit(instance, "provider", f"provider.{key}", path, block.line, evaluated, provider=key,
          provider_values=evaluated.values)


def _declaration(instance: Instance, kind: str, name: str, block: Block, path: str) -> None:
    evaluated = evaluate_block(instance.evaluator, block, {})
    if kind == "variable" and "type" in block.attributes:
        evaluated.values["type"] = type_text(block.attributes["type"].expr)
    _emit(instance, kind, f"{kind}.{name}", path, block.line, evaluated)


def type_text(expr: x.Expr) -> str:
    """A variable's type constraint as written: `bool`, `list(string)`, `object(...)`, `any`."""
    if isinstance(expr, x.Var):
        return expr.name
    if isinstance(expr, x.Call):
        return f"{expr.name}({', '.join(type_text(a) for a in expr.args)})"
    if isinstance(expr, x.ObjectX):
        return "{...}"
    if isinstance(expr, x.Lit):
        return str(expr.value)
    return "?"


def _settings(instance: Instance, block: Block, path: str) -> None:
    for inner in block.blocks:
        if inner.type == "required_providers":
            for name, attr in sorted(inner.attributes.items()):
                value = instance.evaluate(attr.expr, {}, Trace())
                values = value if isinstance(value, dict) else {"version": value}
                evaluated = BlockValues(locations={"": attr.line, **{k: attr.line for k in values}})
                _emit(instance, "terraform_required_provider", f"terraform.required_providers.{name}", path,
                      attr.line, evaluated, values)
        elif inner.type == "backend" and inner.labels:
            evaluated = evaluate_block(instance.evaluator, inner, {})
            _emit(instance, "terraform_backend", f"terraform.backend.{inner.labels[0]}", path, inner.line,
                  evaluated, {"type": inner.labels[0], **evaluated.values})


def _resource(instance: Instance, block: Block, path: str) -> None:
    rtype, name = block.labels
    provider_attr = block.attributes.get("provider")
    provider = rtype.split("_", 1)[0]
    if provider_attr is not None:
        names = x.traversal(provider_attr.expr)
        provider = ".".join(names) if names else provider
    provider_values = instance.providers.get(provider, {})
    inputs = _module_inputs(instance, block)
    origins = {path: instance.origins[name] for path, name in inputs.items() if name in instance.origins}
    passthrough = frozenset(inputs) if instance.address else frozenset()
    plan = instance.model.plans.get(instance.root)
    for key in instance.instance_keys(block, Trace()):
        evaluated = evaluate_block(instance.evaluator, block, key.scope)
        several = key.several if key.several is not None else instance.several
        if several is not None:
            evaluated.values[SEVERAL] = several
        decided = tuple(dict.fromkeys(key.decided + instance.decided_by)) if instance.decided_by else key.decided
        if decided:     # a new instance is new in every attribute: what decided the number is in every chain
            evaluated.chains[SEVERAL] = decided
        if plan is not None:   # what the code leaves to apply, as planned
            for filled in plan.fill(instance.prefixed(f"{rtype}.{name}{key.suffix}"), evaluated.values):
                evaluated.locations.setdefault(filled, block.line)
                evaluated.chains[filled] = ((plan.place, PLAN_ROLE),)
        _emit(instance, rtype, f"{rtype}.{name}{key.suffix}", path, block.line, evaluated, provider=provider,
              provider_values=provider_values, end_line=block.end_line, origins=origins, passthrough=passthrough)


def planned_only(model: TerraformModel, root: str, plan: PlanValues) -> None:
    """Resources only the plan knows (in modules whose source is not in the scan) are judged at the module
    call that makes them; a plan with other resources the code does not have is a notice."""
    calls = {r.address: r for r in model.resources if r.type == "module_call" and r.root == root}
    strangers = []
    for planned in plan.unmatched():
        call = _call_of(planned.module, calls)
        if call is None:
            strangers.append(planned.address)
            continue
        site = Place(call.path, call.line)
        values = {k: without_secrets(v) for k, v in planned.values.items()}
        model.resources.append(Resource(
            "terraform", planned.type, planned.address, call.path, call.line, values, {"": call.line},
            module=planned.module, root=root, call_site=site, user_site=site,
            chains={k: ((plan.place, PLAN_ROLE),) for k in values}))
    if strangers:
        shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
        model.notices.append(Notice(plan.plan.path, 0, f"{len(strangers)} planned resource{'s are' if len(strangers) > 1 else ' is'} not in the scanned "
                                                       f"code of {root or 'the root module'} ({shown}): the plan "
                                                       f"may be of other code", "warning"))


def _call_of(module: str, calls: dict[str, Resource]) -> Resource | None:
    """The outermost module call of a module instance address that the scan knows (without instance keys)."""
    plain = re.sub(r"\[[^\]]*\]", "", module)
    parts = plain.split(".")
    for end in range(2, len(parts) + 1, 2):
        found = calls.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


def _module_inputs(instance: Instance, block: Block, prefix: str = "") -> dict[str, str]:
    """Attribute path (nested blocks included, without indices) -> the module input it is written as, bare
    (`location = var.location`, or a local that is one): the caller decides those values."""
    out = {prefix + name: variable for name, attr in block.attributes.items()
           if (variable := _module_input(instance, attr.expr)) is not None}
    for name, attr in block.attributes.items():
        if isinstance(attr.expr, x.ObjectX):
            out.update(_entry_inputs(instance, attr.expr, prefix + name))
    for inner in block.blocks:
        label = inner.labels[0] if inner.type == "dynamic" and inner.labels else inner.type
        content = next((b for b in inner.blocks if b.type == "content"), inner) if inner.type == "dynamic" else inner
        out.update(_module_inputs(instance, content, f"{prefix}{label}."))
    return out


def _entry_inputs(instance: Instance, expr: x.ObjectX, path: str, depth: int = 0) -> dict[str, str]:
    """The entries of a map written in place that are module inputs, bare (`body = { sku = { name =
    var.sku } }`: body.sku.name is the caller's)."""
    out: dict[str, str] = {}
    for key, value in expr.items:
        if not isinstance(key, x.Lit) or not isinstance(key.value, str):
            continue
        entry = f"{path}.{key.value}"
        variable = _module_input(instance, value)
        if variable is not None:
            out[entry] = variable
        elif isinstance(value, x.ObjectX) and depth < MAX_PLAIN_DEPTH:
            out.update(_entry_inputs(instance, value, entry, depth + 1))
    return out


# Functions that change how a value is spelt, not which value it is: `lower(var.location)` is the caller's.
SPELLING_FUNCTIONS = frozenset({"lower", "upper", "title", "trimspace", "chomp", "tostring"})


def _module_input(instance: Instance, expr: Any) -> str | None:
    """The module input an expression is, bare: `var.x`, or `local.y` whose own expression is (a few hops:
    `locals { location = lower(var.location) }` is how many modules name their inputs), through functions
    that only change its spelling."""
    for _ in range(8):
        while isinstance(expr, x.Call) and expr.name in SPELLING_FUNCTIONS and len(expr.args) == 1:
            expr = expr.args[0]
        names = x.traversal(expr)
        if names is None or len(names) != 2 or names[0] not in ("var", "local"):
            return None
        if names[0] == "var":
            return names[1]
        entry = instance.module.locals.get(names[1])
        if entry is None:
            return None
        expr = entry[0].expr
    return None
