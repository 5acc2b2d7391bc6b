"""One module instance: its variables, locals, outputs, resource attributes and module calls, each
evaluated lazily and once, with the places that decided it.

A root module is an instance at address ""; `module "x" { source = "./x" }` adds an instance per
count/for_each key at `module.x[...]`, whose inputs are the call's arguments evaluated in the caller.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Union

from scanner.masking import redact
from scanner.model.rendered import SENSITIVE, Place
from scanner.model.resource import Resource
from scanner.model.functions import FUNCTIONS
from scanner.model.functions.files import file_functions
from scanner.model.terraform.expressions import Evaluator, index_of
from scanner.model.terraform.files import ScannedFiles
from scanner.model.terraform.plan_values import PLAN_ROLE
from scanner.model.terraform.modules import ModuleDir, TerraformModel, local_module_dir, normalise
from scanner.model.terraform.trace import Settled, Trace, bound
from scanner.model.types import ANY, apply_defaults, has_optional, read_type
from scanner.model.values import Unknown
from scanner.parse import expressions as x
from scanner.parse.terraform import Block

MAX_MODULE_DEPTH = 16
MAX_INSTANCES = 256
MODULE_META = ("source", "version", "count", "for_each", "providers", "depends_on")

Input = Union[Settled, Callable[[], Settled]]
_IN_PROGRESS = Settled(Unknown("cycle", kind="cycle"))


@dataclass(frozen=True)
class InstanceKey:
    suffix: str                 # `[0]`, `["weu"]`, or "" for a single instance
    scope: dict[str, Any]       # `count.index` / `each.key`, `each.value` for that instance
    # what decided the count or collection: every attribute of the instance carries it (emit.py), so one copy
    # per resource rather than one in each value read through `each`
    decided: tuple[tuple[Place, str], ...] = ()

    @property
    def several(self) -> Unknown | None:
        """The Unknown that stands for a number of instances, when the key stands for several or an unknown
        number (count or for_each not known statically, or instances past those evaluated one by one)."""
        index = self.scope.get("count", {}).get("index") if "count" in self.scope else self.scope.get("each", {}).get("key")
        return index if isinstance(index, Unknown) else None


class Instance:
    def __init__(self, model: TerraformModel, module: ModuleDir, address: str, inputs: dict[str, Input],
                 providers: dict[str, dict[str, Any]], depth: int, root: str,
                 origins: dict[str, Place] | None = None, call_site: Place | None = None,
                 user_site: Place | None = None):
        self.model = model
        self.module = module
        self.address = address
        self.inputs = inputs
        self.origins = origins or {}   # variable -> where its value is written, for module inputs
        self.call_site = call_site     # the module block that made this instance (None for a root module)
        self.user_site = user_site     # for an installed (downloaded) module: the user's module block
        self.depth = depth
        self.root = root
        self.memo: dict[tuple[str, ...], Settled] = {}
        self.children: dict[str, list[Instance] | None] = {}
        self.providers = dict(providers)
        # how many instances of this module there are: what decided it (its calls' count or for_each, up the
        # tree), and the Unknown that hides it when it is not known
        self.decided_by: tuple[tuple[Place, str], ...] = ()
        self.several: Unknown | None = None
        self.key: InstanceKey | None = None   # its count or for_each key in its caller (None: a root module)
        # the file functions read this module's scanned files (Terraform resolves `file("x")` against the working
        # directory, the root module; `path.module` names this one)
        self.files = ScannedFiles(model.texts, root, model.ordered_paths(), model.file_reads)
        self.evaluator = Evaluator(self, {**FUNCTIONS, **file_functions(self.files, self._template_value)}, self.files)
        self.resource_blocks = {(b.labels[0], b.labels[1]): (b, p) for b, p in module.resources}
        self._keys: dict[int, list[InstanceKey]] = {}   # id(block) -> its instances, for references (asked often)
        self.module_blocks = {b.labels[0]: (b, p) for b, p in module.modules}

    def evaluate(self, expr: x.Expr, scope: dict[str, Any], trace: Trace) -> Any:
        return self.evaluator.evaluate(expr, scope, trace)

    def _template_value(self, expr: x.Expr, scope: Mapping[str, Any]) -> Any:
        """A template's expression: only its vars are in scope, and templates may not render templates."""
        plain = Evaluator(None, {k: v for k, v in FUNCTIONS.items()})
        return plain.evaluate(expr, dict(scope), Trace())

    def prefixed(self, address: str) -> str:
        return f"{self.address}.{address}" if self.address else address

    # --- names (scanner.model.terraform.expressions.Names) ----------------------------------------
    def _memo(self, key: tuple[str, ...], compute: Callable[[Trace], Any], trace: Trace) -> Any:
        entry = self.memo.get(key)
        if entry is _IN_PROGRESS:
            return Unknown(f"cycle through {'.'.join(key)}", kind="cycle")
        if entry is None:
            self.memo[key] = _IN_PROGRESS
            own = Trace()
            try:
                value = compute(own)
            except RecursionError:
                value = Unknown("expression nested too deeply", kind="limit")
            entry = own.settle(value)
            self.memo[key] = entry
        trace.absorb(entry)
        return entry.value

    def release(self) -> None:
        """Forget what this instance tree memoised, once its resources are emitted. An instance and its
        evaluator refer to each other, so without this every value it settled, and its module's syntax,
        would wait for the cyclic garbage collector (most of a large scan's collection time)."""
        for children in self.children.values():
            for child in children or ():
                child.release()
        self.memo.clear()
        self.children.clear()
        self.evaluator.names, self.evaluator.functions = None, FUNCTIONS

    def var(self, name: str, trace: Trace) -> Any:
        def compute(own: Trace) -> Any:
            declared = self.module.variables.get(name)
            block = declared[0] if declared else None
            spec = read_type(block.attributes["type"].expr) if block and "type" in block.attributes else ANY
            if block is not None and declared and _sensitive(block):
                # line 0, the file: a place no value is written at, so it never takes a written place's role
                # (in one-line JSON the declaration and its default share a line)
                own.add_place(Place(declared[1], 0), SENSITIVE)
            given = self.inputs.get(name)
            if given is not None:
                settled = given() if callable(given) else given
                own.absorb(settled)
                if settled.value is not None:
                    value = apply_defaults(spec, settled.value)
                    if declared and has_optional(spec) and value != settled.value:   # optional() filled part of it
                        own.add_place(Place(declared[1], declared[0].attributes["type"].line), "default")
                    return value
                if _nullable(block):
                    return None   # null overrides the default unless the variable says nullable = false
            if block is not None and declared and "default" in block.attributes:
                default = block.attributes["default"]
                own.add_place(Place(declared[1], default.line), "default")
                return apply_defaults(spec, self.evaluate(default.expr, {}, own))
            shown = f"var.{name}" if not self.address else f"var.{name} of {self.address}"
            return Unknown(shown, kind="variable")
        return self._memo(("var", name), compute, trace)

    def local(self, name: str, trace: Trace) -> Any:
        entry = self.module.locals.get(name)
        if entry is None:
            return Unknown(f"local.{name} (not defined)", kind="local")
        attr, path = entry

        def compute(own: Trace) -> Any:
            own.add_place(Place(path, attr.line), "local")
            return self.evaluate(attr.expr, {}, own)
        return self._memo(("local", name), compute, trace)

    def output(self, name: str, trace: Trace) -> Any:
        entry = self.module.outputs.get(name)
        if entry is None or "value" not in entry[0].attributes:
            return Unknown(f"output {name} of {self.address or 'root'}", kind="module")
        value_attr, path = entry[0].attributes["value"], entry[1]

        def compute(own: Trace) -> Any:
            own.add_place(Place(path, value_attr.line), "output")
            return self.evaluate(value_attr.expr, {}, own)
        return self._memo(("output", name), compute, trace)

    def has_module(self, name: str) -> bool:
        return name in self.module_blocks

    def path_value(self, which: str) -> Any:
        # Relative to the root module, Terraform's working directory (where file() resolves paths).
        module = posixpath.relpath(self.module.path or ".", self.root or ".")
        known = {"module": module, "root": ".", "cwd": "."}
        return known.get(which, Unknown("path", kind="expression"))

    def planned_data(self, rtype: str, name: str, attr: str, trace: Trace) -> Any:
        """A data source's attribute as the root module's plan read it, or None."""
        plan = self.model.plans.get(self.root)
        value = plan.attribute(self.prefixed(f"data.{rtype}.{name}"), attr) if plan is not None else None
        if value is not None:
            trace.add_place(plan.place, PLAN_ROLE)   # type: ignore[union-attr]
        return value

    def resource_address(self, rtype: str, name: str) -> str:
        return self.prefixed(f"{rtype}.{name}")

    def resource_attr(self, rtype: str, name: str, attr: str | None, trace: Trace, key: Any = None) -> Any:
        address = self.resource_address(rtype, name)
        trace.addresses.add(address)
        entry = self.resource_blocks.get((rtype, name))
        reason = f"{rtype}.{name}.{attr} (known after apply)" if attr else f"{rtype}.{name}"
        unknown = Unknown(reason, refers_to=address, attribute=attr, kind="computed")
        if entry is not None and self._no_instance_at(entry[0], key):   # Terraform's error (try() goes on)
            return Unknown(f"{rtype}.{name}[{key!r}] (no such instance)", refers_to=address, kind="missing")
        if entry is None or attr is None or attr not in entry[0].attributes:
            return self._planned(address, attr, unknown, trace)
        block, path = entry
        written = block.attributes[attr]
        scope: dict[str, Any] = {}
        suffix = ""
        if "count" in block.attributes or "for_each" in block.attributes:
            instance = self._instance_at(block, key)   # a configured argument of one of its instances
            if instance is None:
                return self._planned(address, attr, unknown, trace)
            suffix, scope = instance.suffix, instance.scope

        def compute(own: Trace) -> Any:
            own.add_place(Place(path, written.line), "attribute")
            return self.evaluate(written.expr, scope, own)
        return self._memo(("resource", rtype, name + suffix, attr), compute, trace)

    def _instance_at(self, block: Block, key: Any) -> InstanceKey | None:
        """The count/for_each instance a literal key names (`x[0]`, `x["weu"]`), when its keys are known."""
        if key is None or isinstance(key, Unknown):
            return None
        wanted = f"[{key}]" if isinstance(key, int) and not isinstance(key, bool) else f'["{key}"]'
        return next((k for k in self._instances(block) if k.suffix == wanted), None)

    def _instances(self, block: Block) -> list[InstanceKey]:
        """instance_keys of a resource block, once per module instance (every reference to it asks)."""
        found = self._keys.get(id(block))
        if found is None:
            found = self._keys[id(block)] = self.instance_keys(block, Trace())
        return found

    def _no_instance_at(self, block: Block, key: Any) -> bool:
        """A literal key (`x[0]`) names no instance of a block whose instances are all known (`count = 0`)."""
        if type(key) not in (int, str) or not ("count" in block.attributes or "for_each" in block.attributes):
            return False
        suffixes = {k.suffix for k in self._instances(block)}
        if any(not s or ".." in s or "…" in s for s in suffixes):
            return False      # an instance whose key is not known, or past the limit, may be it
        return f"[{key}]" not in suffixes and f'["{key}"]' not in suffixes   # x[0] of for_each {"0" = ...} too

    def _planned(self, address: str, attr: str | None, unknown: Unknown, trace: Trace) -> Any:
        """What the plan knows of an attribute the code leaves to apply; the Unknown otherwise."""
        plan = self.model.plans.get(self.root)
        value = plan.attribute(address, attr) if plan is not None and attr else None
        if value is None:
            return unknown
        trace.add_place(plan.place, PLAN_ROLE)   # type: ignore[union-attr]
        return value

    def module_output(self, name: str, output: str | None, trace: Trace) -> Any:
        """`module.NAME.OUTPUT`. A module as a whole object (`module.NAME`, `values(module.NAME)`) is not
        evaluated: the object of all its outputs would carry the places that decided each of them into every
        value read from it (hundreds, for a module that returns its configuration)."""
        instances = self.module_instances(name)
        if instances is None:
            return self._not_fetched(name)
        if len(instances) != 1 or output is None:
            return Unknown(f"module.{name} with count/for_each", kind="module")
        return instances[0].output(output, trace)

    def module_instance(self, name: str, key: Any, output: str | None, trace: Trace) -> Any:
        """`module.NAME[KEY].OUTPUT` of a call with count or for_each: the output of the instance the key names,
        or, for a key not known statically, of one of the instances (as an index into a known collection is)."""
        instances = self._repeated_instances(name)
        if isinstance(instances, Unknown):
            return instances
        if output is None:
            return Unknown(f"module.{name} with count/for_each", kind="module")
        counted = "count" in self.module_blocks[name][0].attributes
        if isinstance(key, Unknown):
            outputs = [(i.key, i.output(output, trace)) for i in instances]
            return index_of([v for _, v in outputs] if counted else
                            {str(k.scope["each"]["key"]): v for k, v in outputs if k is not None}, key)
        if counted and isinstance(key, str) and key.isascii() and key.isdigit():
            key = int(key)                 # Terraform converts a numeric string to the number a list takes,
        elif not counted and isinstance(key, int) and not isinstance(key, bool):
            key = str(key)                 # and a number to the string a map's key is
        wanted = f"[{key}]" if isinstance(key, int) and not isinstance(key, bool) else f'["{key}"]'
        found = next((i for i in instances if i.key is not None and i.key.suffix == wanted), None)
        if found is None:
            return Unknown(f"module.{name}[{key!r}] (no such instance)", kind="missing")
        return found.output(output, trace)

    def _repeated_instances(self, name: str) -> list["Instance"] | Unknown:
        """The instances of a call with count or for_each, when every one's key is known."""
        instances = self.module_instances(name)
        if instances is None:
            return self._not_fetched(name)
        if any(i.key is None or not i.key.suffix or i.key.several is not None for i in instances):
            return Unknown(f"module.{name} with count/for_each", kind="module")
        return instances

    def _not_fetched(self, name: str) -> Unknown:
        source = self.module_blocks[name][0].attributes.get("source")
        shown = source.expr.value if source is not None and isinstance(source.expr, x.Lit) else "?"
        return Unknown(f"module.{name} (source {shown} not fetched)", kind="module")

    # --- count / for_each -----------------------------------------------------------------------
    def instance_keys(self, block: Block, trace: Trace) -> list[InstanceKey]:
        """One key per instance; one Unknown-scoped key when the collection is not knowable. Each key's scope
        carries the places that decided the count or collection (trace.bound), which `trace` meets too."""
        own = Trace()
        keys = self._instance_keys(block, own)
        trace.add(own)
        if not own.places:
            return keys
        decided = tuple((place, "instances") for place in own.places)    # one tuple for all the keys
        return [_decided(key, own, decided) for key in keys]

    def _instance_keys(self, block: Block, trace: Trace) -> list[InstanceKey]:
        if "count" in block.attributes:
            count = self.evaluate(block.attributes["count"].expr, {}, trace)
            if isinstance(count, bool) or not isinstance(count, int):
                return [InstanceKey("", {"count": {"index": _blocked(count, "count")}})]
            keys = [InstanceKey(f"[{i}]", {"count": {"index": i}}) for i in range(min(count, MAX_INSTANCES))]
            if count > MAX_INSTANCES:     # the rest share one instance whose own index is not known
                past = Unknown(f"count.index past {MAX_INSTANCES - 1} (count = {count}; sovscan evaluates at most "
                               f"{MAX_INSTANCES} instances of a block)", kind="limit")
                keys.append(InstanceKey(f"[{MAX_INSTANCES}..{count - 1}]", {"count": {"index": past}}))
            return keys
        if "for_each" in block.attributes:
            collection = self.evaluate(block.attributes["for_each"].expr, {}, trace)
            if isinstance(collection, dict):
                items = sorted(collection.items(), key=lambda kv: str(kv[0]))
            elif isinstance(collection, list) and all(isinstance(i, str) for i in collection):
                items = [(i, i) for i in sorted(set(collection))]
            else:
                blocked = _blocked(collection, "for_each")
                return [InstanceKey("", {"each": {"key": blocked, "value": blocked}})]
            keys = [InstanceKey(f'["{k}"]', {"each": {"key": k, "value": v}}) for k, v in items[:MAX_INSTANCES]]
            if len(items) > MAX_INSTANCES:   # the rest share one instance whose own key and value are not known
                past = Unknown(f"each.key past the first {MAX_INSTANCES} of {len(items)} (sovscan evaluates at most "
                               f"{MAX_INSTANCES} instances of a block)", kind="limit")
                keys.append(InstanceKey(f'["…{len(items) - MAX_INSTANCES} more"]', {"each": {"key": past, "value": past}}))
            return keys
        return [InstanceKey("", {})]

    # --- module calls ---------------------------------------------------------------------------
    def module_instances(self, name: str) -> list["Instance"] | None:
        """The instances a module call makes (made once, when first asked for by a reference or by the
        emitting walk); None when its source is not in the scan."""
        if name in self.children:
            return self.children[name]
        self.children[name] = None
        block, path = self.module_blocks[name]
        source_attr = block.attributes.get("source")
        source = self.evaluate(source_attr.expr, {}, Trace()) if source_attr else None
        address = self.prefixed(f"module.{name}")
        target = local_module_dir(self.module.path, source)
        if target is None or normalise(target) not in self.model.modules:
            target = self.model.installed_dir(self.root, address)
        values: dict[str, Any] = {"source": source}
        if "version" in block.attributes:
            values["version"] = self.evaluate(block.attributes["version"].expr, {}, Trace())
        locations = {"source": source_attr.line if source_attr else block.line, "": block.line}
        if "version" in block.attributes:
            locations["version"] = block.attributes["version"].line
        self.model.resources.append(Resource(
            "terraform", "module_call", address, path, block.line, values, locations,
            module=self.address, root=self.root))
        if target is None or target not in self.model.modules:
            self.model.not_evaluated(address, path, block.line, _not_in_scan(source))
            return None
        if self.depth >= MAX_MODULE_DEPTH:
            self.model.not_evaluated(address, path, block.line, f"modules nest deeper than {MAX_MODULE_DEPTH} levels "
                                     "here, sovscan's limit")
            return None
        installed = normalise(target) in self.model.installed
        site = Place(path, block.line)
        user_site = self.user_site or (site if installed else None)
        instances = [self._child(block, path, address + key.suffix, key, target, site, user_site)
                     for key in self.instance_keys(block, Trace())]
        self.children[name] = instances
        return instances

    def _child(self, block: Block, path: str, address: str, key: InstanceKey, target: str, call_site: Place,
               user_site: Place | None) -> "Instance":
        scope = key.scope
        inputs: dict[str, Input] = {}
        origins: dict[str, Place] = {}
        for arg, attr in block.attributes.items():
            if arg in MODULE_META:
                continue
            inputs[arg] = self._argument(attr.expr, scope, Place(path, attr.line))
            origin = self.origin_of(attr.expr, Place(path, attr.line))
            if origin:
                origins[arg] = origin
        child = Instance(self.model, self.model.modules[normalise(target)], address, inputs,
                         self._child_providers(block), self.depth + 1, self.root, origins, call_site, user_site)
        child.decided_by = tuple(dict.fromkeys(self.decided_by + key.decided))
        child.several = self.several if self.several is not None else key.several
        child.key = key
        return child

    def origin_of(self, expr: x.Expr, written: Place) -> Place | None:
        """Where a value passed into a module is written: here when it is a literal, or further up the
        chain of module calls when it is one of this module's own inputs (`var.x`)."""
        if x.is_literal(expr):
            return written
        names = x.traversal(expr)
        if names and len(names) == 2 and names[0] == "var":
            return self.origins.get(names[1])
        return None

    def _argument(self, expr: x.Expr, scope: dict[str, Any], written: Place) -> Callable[[], Settled]:
        def settle() -> Settled:
            trace = Trace()
            trace.add_place(written, "argument")
            return trace.settle(self.evaluate(expr, scope, trace))
        return settle

    def _child_providers(self, block: Block) -> dict[str, dict[str, Any]]:
        inherited = {k: v for k, v in self.providers.items() if "." not in k}
        mapping = block.attributes.get("providers")
        if mapping is None or not isinstance(mapping.expr, x.ObjectX):
            return inherited
        for key_expr, value_expr in mapping.expr.items:
            child_key = x.traversal(key_expr) if not isinstance(key_expr, x.Lit) else [str(key_expr.value)]
            parent_key = x.traversal(value_expr)
            if child_key and parent_key:
                inherited[".".join(child_key)] = self.providers.get(".".join(parent_key), {})
        return inherited


def _sensitive(block: Block | None) -> bool:
    """The variable says `sensitive = true`."""
    written = block.attributes["sensitive"].expr if block is not None and "sensitive" in block.attributes else None
    return isinstance(written, x.Lit) and written.value is True


def _nullable(block: Block | None) -> bool:
    """Terraform variables are nullable unless they say `nullable = false`."""
    if block is None or "nullable" not in block.attributes:
        return True
    written = block.attributes["nullable"].expr
    return not (isinstance(written, x.Lit) and written.value is False)


def _not_in_scan(source: Any) -> str:
    source = redact(source) if isinstance(source, str) else source   # a git URL can carry a token
    if isinstance(source, Unknown):
        return f"its source is not known statically ({source.reason})"
    if isinstance(source, str) and source.startswith(("./", "../")):
        return f"its source {source} is not a directory of the scan"
    return f"its source {source} is not in the scan (run terraform init first, so that .terraform/modules holds it)"


def _decided(key: InstanceKey, trace: Trace, decided: tuple[tuple[Place, str], ...]) -> InstanceKey:
    """The key with the places that decided its count or collection: all of them for the instance, and a
    sensitive variable's bound to `count` or `each` in its scope (a value read through it is masked)."""
    scope = dict(key.scope)
    sensitive = Trace(places={p: r for p, r in trace.places.items() if r == SENSITIVE})
    for name in ("count", "each"):
        if name in scope and sensitive.places:
            scope = bound(scope, name, scope[name], sensitive)
    return InstanceKey(key.suffix, scope, decided)


def _blocked(value: Any, what: str) -> Unknown:
    if isinstance(value, Unknown):
        return Unknown(value.reason, kind=value.kind)
    return Unknown(what, kind="expression")
