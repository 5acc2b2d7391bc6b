"""Stage 3 for Terraform: evaluate modules statically into Resources.

Variables (defaults, terraform.tfvars, *.auto.tfvars, --var-file), locals, interpolation, references,
providers and aliases, local module calls with their arguments, count/for_each when the collection is
known. Every value that cannot be known is an Unknown naming what blocked it. Each module instance
and each local/output/attribute is evaluated once (memoised), so large repositories stay linear.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable

from scanner.model.functions import FUNCTIONS
from scanner.model.resource import Resource
from scanner.model.values import Unknown
from scanner.notices import Notice
from scanner.parse import expressions as x
from scanner.parse.terraform import Attribute, Block, TerraformFile

MAX_MODULE_DEPTH = 16
MAX_INSTANCES = 256
_IN_PROGRESS = object()
_SPECIAL_ROOTS = {"var", "local", "module", "data", "path", "terraform", "self", "each", "count"}


@dataclass
class ModuleDir:
    path: str
    variables: dict[str, tuple[Block, str]] = field(default_factory=dict)
    locals: dict[str, tuple[Attribute, str]] = field(default_factory=dict)
    outputs: dict[str, tuple[Block, str]] = field(default_factory=dict)
    resources: list[tuple[Block, str]] = field(default_factory=list)
    modules: list[tuple[Block, str]] = field(default_factory=list)
    providers: list[tuple[Block, str]] = field(default_factory=list)
    settings: list[tuple[Block, str]] = field(default_factory=list)   # terraform {} blocks
    tfvars: list[TerraformFile] = field(default_factory=list)


def group_modules(files: list[TerraformFile], tfvars: list[TerraformFile]) -> dict[str, ModuleDir]:
    modules: dict[str, ModuleDir] = {}
    for tf in files:
        directory = posixpath.dirname(tf.path)
        mod = modules.setdefault(directory, ModuleDir(directory))
        for block in tf.blocks:
            _file_block(mod, block, tf.path)
    for tf in tfvars:
        directory = posixpath.dirname(tf.path)
        if directory in modules:
            modules[directory].tfvars.append(tf)
    return modules


def _file_block(mod: ModuleDir, block: Block, path: str) -> None:
    if block.type == "variable" and block.labels:
        mod.variables[block.labels[0]] = (block, path)
    elif block.type == "locals":
        for name, attr in block.attributes.items():
            mod.locals[name] = (attr, path)
    elif block.type == "output" and block.labels:
        mod.outputs[block.labels[0]] = (block, path)
    elif block.type == "resource" and len(block.labels) == 2:
        mod.resources.append((block, path))
    elif block.type == "module" and block.labels:
        mod.modules.append((block, path))
    elif block.type == "provider" and block.labels:
        mod.providers.append((block, path))
    elif block.type == "terraform":
        mod.settings.append((block, path))


def local_module_dir(caller_dir: str, source: Any) -> str | None:
    if not isinstance(source, str) or not source.startswith(("./", "../")):
        return None
    return posixpath.normpath(posixpath.join(caller_dir, source)).lstrip("./") if caller_dir else posixpath.normpath(source)


def _norm(path: str) -> str:
    path = posixpath.normpath(path)
    return "" if path == "." else path


class Builder:
    """Evaluates every root module of a repository into Resources."""

    def __init__(self, modules: dict[str, ModuleDir], var_files: list[TerraformFile]):
        self.modules = modules
        self.var_files = var_files
        self.resources: list[Resource] = []
        self.unresolved_modules: list[tuple[str, str, int, str]] = []
        self.notices: list[Notice] = []
        self.visited: set[str] = set()

    def called_dirs(self) -> set[str]:
        called = set()
        for mod in self.modules.values():
            for block, _ in mod.modules:
                source = block.attributes.get("source")
                if source and isinstance(source.expr, x.Lit):
                    target = local_module_dir(mod.path, source.expr.value)
                    if target is not None and _norm(target) != mod.path:
                        called.add(_norm(target))
        return called

    def build(self) -> list[Resource]:
        called = self.called_dirs()
        roots = [d for d in sorted(self.modules) if d not in called]
        for directory in roots:
            self.evaluate_root(directory)
        for directory in sorted(self.modules):
            if directory not in self.visited:   # only reachable through a cycle, or its callers failed
                self.evaluate_root(directory)
        return self.resources

    def evaluate_root(self, directory: str) -> None:
        mod = self.modules[directory]
        inputs: dict[str, Callable[[], tuple[Any, frozenset]]] = {}
        var_files = sorted(mod.tfvars, key=lambda f: (not f.path.endswith("terraform.tfvars"), f.path))
        for tf in [f for f in var_files if _auto_loaded(f.path)] + self.var_files:
            for attr in tf.attributes.values():
                inputs[attr.name] = _constant(attr.expr)
        instance = Instance(self, mod, "", inputs, {}, 0, root=directory)
        instance.run()


def _auto_loaded(path: str) -> bool:
    name = posixpath.basename(path)
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


def _constant(expr: x.Expr) -> Callable[[], tuple[Any, frozenset]]:
    def thunk() -> tuple[Any, frozenset]:
        return Instance.evaluate_constant(expr), frozenset()
    return thunk


class Instance:
    """One module instance: its variables, locals, resources and outputs, evaluated lazily and once."""

    def __init__(self, builder: Builder, mod: ModuleDir, address: str, inputs: dict, providers: dict,
                 depth: int, root: str, origins: dict | None = None):
        self.builder = builder
        self.mod = mod
        self.address = address
        self.inputs = inputs
        self.origins = origins or {}   # variable -> (file, line) where its value is written, for module inputs
        self.depth = depth
        self.root = root
        self.memo: dict[tuple, tuple[Any, frozenset]] = {}
        self.children: dict[str, Any] = {}
        self.providers = dict(providers)
        self.evaluator = _Evaluator(self)
        self.resource_blocks = {(b.labels[0], b.labels[1]): (b, p) for b, p in mod.resources}
        self.module_blocks = {b.labels[0]: (b, p) for b, p in mod.modules}

    # --- public --------------------------------------------------------------------------------
    def run(self) -> None:
        self.builder.visited.add(self.mod.path)
        self._own_providers()
        for block, path in self.mod.settings:
            self._settings(block, path)
        for block, path in self.mod.providers:
            self._emit_provider(block, path)
        for name, (block, path) in sorted(self.mod.variables.items()):
            self._emit_simple("variable", name, block, path)
        for name, (block, path) in sorted(self.mod.outputs.items()):
            self._emit_simple("output", name, block, path)
        for block, path in self.mod.resources:
            self._emit_resource(block, path)
        for name in sorted(self.module_blocks):
            self._module_instances(name)

    @staticmethod
    def evaluate_constant(expr: x.Expr) -> Any:
        return _CONSTANT.evaluate(expr, {}, set())

    # --- scopes --------------------------------------------------------------------------------
    def _memo(self, key: tuple, compute: Callable[[set], Any], refs: set) -> Any:
        entry = self.memo.get(key)
        if entry is _IN_PROGRESS:
            return Unknown(f"cycle through {'.'.join(map(str, key))}")
        if entry is None:
            self.memo[key] = _IN_PROGRESS
            own: set = set()
            try:
                value = compute(own)
            except RecursionError:
                value = Unknown("expression nested too deeply")
            entry = (value, frozenset(own))
            self.memo[key] = entry
        refs.update(entry[1])
        return entry[0]

    def var(self, name: str, refs: set) -> Any:
        def compute(own: set) -> Any:
            if name in self.inputs:
                value, input_refs = self.inputs[name]()
                own.update(input_refs)
                if value is not None:
                    return value
            declared = self.mod.variables.get(name)
            if declared and "default" in declared[0].attributes:
                return self.evaluate(declared[0].attributes["default"].expr, {}, own)
            return Unknown(f"var.{name}" if not self.address else f"var.{name} of {self.address}")
        return self._memo(("var", name), compute, refs)

    def local(self, name: str, refs: set) -> Any:
        entry = self.mod.locals.get(name)
        if entry is None:
            return Unknown(f"local.{name} (not defined)")
        return self._memo(("local", name), lambda own: self.evaluate(entry[0].expr, {}, own), refs)

    def output(self, name: str, refs: set) -> Any:
        entry = self.mod.outputs.get(name)
        if entry is None or "value" not in entry[0].attributes:
            return Unknown(f"output {name} of {self.address or 'root'}")
        return self._memo(("output", name), lambda own: self.evaluate(entry[0].attributes["value"].expr, {}, own), refs)

    def resource_address(self, rtype: str, name: str) -> str:
        return f"{self.address}.{rtype}.{name}" if self.address else f"{rtype}.{name}"

    def resource_attr(self, rtype: str, name: str, attr: str | None, refs: set) -> Any:
        address = self.resource_address(rtype, name)
        refs.add(address)
        entry = self.resource_blocks.get((rtype, name))
        reason = f"{rtype}.{name}.{attr} (known after apply)" if attr else f"{rtype}.{name}"
        if entry is None or attr is None or attr not in entry[0].attributes:
            return Unknown(reason, refers_to=address)
        block = entry[0]
        if "count" in block.attributes or "for_each" in block.attributes:
            return Unknown(reason, refers_to=address)
        value = self._memo(("resource", rtype, name, attr),
                           lambda own: self.evaluate(block.attributes[attr].expr, {}, own), refs)
        return value

    def module_output(self, name: str, output: str | None, refs: set) -> Any:
        instances = self._module_instances(name)
        if instances is None:
            entry = self.module_blocks.get(name)
            source = entry[0].attributes.get("source") if entry else None
            shown = source.expr.value if source is not None and isinstance(source.expr, x.Lit) else "?"
            return Unknown(f"module.{name} (source {shown} not fetched)")
        if len(instances) != 1 or output is None:
            return Unknown(f"module.{name} with count/for_each")
        return instances[0].output(output, refs)

    # --- evaluation ----------------------------------------------------------------------------
    def evaluate(self, expr: x.Expr, scope: dict, refs: set) -> Any:
        return self.evaluator.evaluate(expr, scope, refs)

    # --- emitting resources ---------------------------------------------------------------------
    def _own_providers(self) -> None:
        for block, path in self.mod.providers:
            key = self._provider_key(block)
            self.providers[key] = self._block_values(block, {}, set())[0]

    def _provider_key(self, block: Block) -> str:
        alias = block.attributes.get("alias")
        alias_value = self.evaluate(alias.expr, {}, set()) if alias else None
        return f"{block.labels[0]}.{alias_value}" if isinstance(alias_value, str) else block.labels[0]

    def _prefixed(self, address: str) -> str:
        return f"{self.address}.{address}" if self.address else address

    def _emit_provider(self, block: Block, path: str) -> None:
        key = self._provider_key(block)
        values, locations, literals, references = self._block_values(block, {}, set())
        self.builder.resources.append(Resource(
            "terraform", "provider", self._prefixed(f"provider.{key}"), path, block.line, values, locations,
            literals, references, provider=key, provider_values=values, module=self.address, root=self.root))

    def _emit_simple(self, kind: str, name: str, block: Block, path: str) -> None:
        values, locations, literals, references = self._block_values(block, {}, set())
        self.builder.resources.append(Resource(
            "terraform", kind, self._prefixed(f"{kind}.{name}"), path, block.line, values, locations,
            literals, references, module=self.address, root=self.root))

    def _settings(self, block: Block, path: str) -> None:
        for inner in block.blocks:
            if inner.type == "required_providers":
                for name, attr in sorted(inner.attributes.items()):
                    value = self.evaluate(attr.expr, {}, set())
                    values = value if isinstance(value, dict) else {"version": value}
                    locations = {"": attr.line, **{k: attr.line for k in values}}
                    self.builder.resources.append(Resource(
                        "terraform", "terraform_required_provider", self._prefixed(f"terraform.required_providers.{name}"),
                        path, attr.line, values, locations, module=self.address, root=self.root))
            elif inner.type == "backend" and inner.labels:
                values, locations, literals, references = self._block_values(inner, {}, set())
                self.builder.resources.append(Resource(
                    "terraform", "terraform_backend", self._prefixed(f"terraform.backend.{inner.labels[0]}"), path,
                    inner.line, {"type": inner.labels[0], **values}, locations, literals, references,
                    module=self.address, root=self.root))

    def _instances(self, block: Block, refs: set) -> list[tuple[str, dict]]:
        """(address suffix, scope) per instance; one Unknown-scoped instance when not knowable."""
        if "count" in block.attributes:
            count = self.evaluate(block.attributes["count"].expr, {}, refs)
            if isinstance(count, bool) or not isinstance(count, int):
                reason = count.reason if isinstance(count, Unknown) else "count"
                return [("", {"count": {"index": Unknown(reason)}})]
            return [(f"[{i}]", {"count": {"index": i}}) for i in range(min(count, MAX_INSTANCES))]
        if "for_each" in block.attributes:
            collection = self.evaluate(block.attributes["for_each"].expr, {}, refs)
            if isinstance(collection, dict):
                items = sorted(collection.items(), key=lambda kv: str(kv[0]))
            elif isinstance(collection, list) and all(isinstance(i, str) for i in collection):
                items = [(i, i) for i in sorted(set(collection))]
            else:
                reason = collection.reason if isinstance(collection, Unknown) else "for_each"
                return [("", {"each": {"key": Unknown(reason), "value": Unknown(reason)}})]
            return [(f'["{k}"]', {"each": {"key": k, "value": v}}) for k, v in items[:MAX_INSTANCES]]
        return [("", {})]

    def _emit_resource(self, block: Block, path: str) -> None:
        rtype, name = block.labels
        provider_attr = block.attributes.get("provider")
        provider_key = rtype.split("_", 1)[0]
        if provider_attr is not None:
            names = x.traversal(provider_attr.expr)
            provider_key = ".".join(names) if names else provider_key
        provider_values = self.providers.get(provider_key, {})
        origins = self._origins(block)
        for suffix, scope in self._instances(block, set()):
            values, locations, literals, references = self._block_values(block, scope, set())
            self.builder.resources.append(Resource(
                "terraform", rtype, self._prefixed(f"{rtype}.{name}{suffix}"), path, block.line, values,
                locations, literals, references, provider=provider_key, provider_values=provider_values,
                module=self.address, root=self.root, end_line=block.end_line, origins=origins))

    def _origins(self, block: Block) -> dict[str, tuple[str, int]]:
        """Attributes set straight from a module input (`location = var.location`): where the caller wrote it."""
        out = {}
        for name, attr in block.attributes.items():
            names = x.traversal(attr.expr)
            if names and len(names) == 2 and names[0] == "var" and names[1] in self.origins:
                out[name] = self.origins[names[1]]
        return out

    def _block_values(self, block: Block, scope: dict, refs: set, prefix: str = ""):
        values: dict = {}
        locations: dict[str, int] = {prefix.rstrip("."): block.line} if prefix else {}
        literals: set[str] = set()
        references: dict[str, frozenset] = {}
        for name, attr in block.attributes.items():
            if not prefix and name in ("count", "for_each", "provider", "depends_on", "lifecycle"):
                continue
            own: set = set()
            values[name] = self.evaluate(attr.expr, scope, own)
            key = prefix + name
            locations[key] = attr.line
            if own:
                references[key] = frozenset(own)
            if x.is_literal(attr.expr):
                literals.add(key)
            elif isinstance(attr.expr, x.ObjectX):    # a map mixing literals and references: per entry
                literals.update(f"{key}.{k.value}" for k, v in attr.expr.items
                                if isinstance(k, x.Lit) and x.is_literal(v))
        for inner in block.blocks:
            if inner.type == "dynamic" and inner.labels:
                self._dynamic(inner, scope, prefix, values, locations, literals, references)
                continue
            if inner.type in ("lifecycle", "provisioner", "connection"):
                continue
            index = len(values.get(inner.type, []))
            sub = self._block_values(inner, scope, refs, prefix + inner.type + f"[{index}].")
            values.setdefault(inner.type, []).append(sub[0])
            indexed = f"{prefix}{inner.type}[{index}]"
            # Each level adds the un-indexed spelling of every key below it: 2**depth keys. A key under more
            # than 14 blocks (public modules nest 13) keeps its indexed spelling only: 120 nested blocks
            # would exhaust memory.
            def plain(k: str) -> str:
                return k.replace(indexed, prefix + inner.type, 1) if k.count("[") <= 14 else k
            for k, v in sub[1].items():      # `geo_location[1].location`, and `geo_location.location` for the first
                locations.setdefault(k, v)
                locations.setdefault(plain(k), v)
            literals |= sub[2] | {plain(k) for k in sub[2]}
            references.update({plain(k): v for k, v in sub[3].items()})
        return values, locations, frozenset(literals), references

    def _dynamic(self, block: Block, scope: dict, prefix: str, values: dict, locations: dict, literals: set,
                 references: dict) -> None:
        label = block.labels[0]
        locations.setdefault(prefix + label, block.line)
        content = next((b for b in block.blocks if b.type == "content"), None)
        for_each = block.attributes.get("for_each")
        iterator_attr = block.attributes.get("iterator")
        iterator = (x.traversal(iterator_attr.expr) or [label])[0] if iterator_attr else label
        collection = self.evaluate(for_each.expr, scope, set()) if for_each else Unknown("dynamic block")
        items = _items(collection)
        if items is None:
            reason = collection.reason if isinstance(collection, Unknown) else "dynamic block for_each"
            values[label] = Unknown(reason)
            return
        if content is None:
            return
        for key, value in items[:MAX_INSTANCES]:
            inner_scope = {**scope, iterator: {"key": key, "value": value}}
            sub = self._block_values(content, inner_scope, set(), prefix + label + ".")
            values.setdefault(label, []).append(sub[0])
            for k, v in sub[1].items():
                locations.setdefault(k, v)
            references.update(sub[3])

    # --- module calls ---------------------------------------------------------------------------
    def _module_instances(self, name: str) -> list["Instance"] | None:
        if name in self.children:
            return self.children[name]
        self.children[name] = None
        block, path = self.module_blocks[name]
        source_attr = block.attributes.get("source")
        source = self.evaluate(source_attr.expr, {}, set()) if source_attr else None
        target = local_module_dir(self.mod.path, source)
        target = _norm(target) if target is not None else None
        address = self._prefixed(f"module.{name}")
        values = {"source": source}
        if "version" in block.attributes:
            values["version"] = self.evaluate(block.attributes["version"].expr, {}, set())
        self.builder.resources.append(Resource(
            "terraform", "module_call", address, path, block.line, values,
            {"source": source_attr.line if source_attr else block.line, "": block.line},
            module=self.address, root=self.root))
        if target is None or target not in self.builder.modules or self.depth >= MAX_MODULE_DEPTH:
            self.builder.unresolved_modules.append((address, path, block.line, str(source)))
            return None
        instances = []
        for suffix, scope in self._instances(block, set()):
            inputs, origins = {}, {}
            for arg, attr in block.attributes.items():
                if arg in ("source", "version", "count", "for_each", "providers", "depends_on"):
                    continue
                inputs[arg] = self._input_thunk(attr.expr, scope)
                origin = self.origin_of(attr.expr, path, attr.line)
                if origin:
                    origins[arg] = origin
            child = Instance(self.builder, self.builder.modules[target], address + suffix, inputs,
                             self._child_providers(block), self.depth + 1, self.root, origins)
            instances.append(child)
        self.children[name] = instances
        for child in instances:
            child.run()
        return instances

    def origin_of(self, expr: x.Expr, path: str, line: int) -> tuple[str, int] | None:
        """Where a value passed into a module is written: here when it is a literal, or further up the
        chain of module calls when it is one of this module's own inputs (`var.x`)."""
        if x.is_literal(expr):
            return (path, line)
        names = x.traversal(expr)
        if names and len(names) == 2 and names[0] == "var":
            return self.origins.get(names[1])
        return None

    def _input_thunk(self, expr: x.Expr, scope: dict) -> Callable[[], tuple[Any, frozenset]]:
        def thunk() -> tuple[Any, frozenset]:
            own: set = set()
            return self.evaluate(expr, scope, own), frozenset(own)
        return thunk

    def _child_providers(self, block: Block) -> dict:
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


class _Evaluator:
    """Expression evaluation in one module instance. Unknown propagates; it never raises on user input."""

    def __init__(self, instance: Instance | None):
        self.instance = instance

    def evaluate(self, expr: x.Expr, scope: dict, refs: set) -> Any:  # noqa: C901
        if isinstance(expr, x.Lit):
            return expr.value
        if isinstance(expr, x.Template):
            parts = []
            for part in expr.parts:
                value = part if isinstance(part, str) else self.evaluate(part, scope, refs)
                if isinstance(value, Unknown):
                    return value
                if isinstance(value, (dict, list)):
                    return Unknown("interpolation of a collection")
                parts.append("" if value is None else FUNCTIONS["tostring"](value))
            return "".join(parts)
        if isinstance(expr, (x.Var, x.GetAttr, x.Index, x.Splat)):
            return self.reference(expr, scope, refs)
        if isinstance(expr, x.TupleX):
            return [self.evaluate(i, scope, refs) for i in expr.items]
        if isinstance(expr, x.ObjectX):
            out = {}
            for key_expr, value_expr in expr.items:
                key = self.evaluate(key_expr, scope, refs)
                if isinstance(key, Unknown):
                    return key
                out[key if isinstance(key, str) else str(key)] = self.evaluate(value_expr, scope, refs)
            return out
        if isinstance(expr, x.Cond):
            predicate = self.evaluate(expr.predicate, scope, refs)
            if isinstance(predicate, Unknown):
                return predicate
            return self.evaluate(expr.then if predicate else expr.otherwise, scope, refs)
        if isinstance(expr, x.BinOp):
            return self.binary(expr, scope, refs)
        if isinstance(expr, x.UnOp):
            value = self.evaluate(expr.operand, scope, refs)
            if isinstance(value, Unknown):
                return value
            if expr.op == "!":
                return not value if isinstance(value, bool) else Unknown("! of a non-bool")
            return -value if isinstance(value, (int, float)) else Unknown("- of a non-number")
        if isinstance(expr, x.Call):
            return self.call(expr, scope, refs)
        if isinstance(expr, x.ForX):
            return self.comprehension(expr, scope, refs)
        if isinstance(expr, x.Opaque):
            return Unknown(expr.reason)
        return Unknown("unsupported expression")

    def binary(self, expr: x.BinOp, scope: dict, refs: set) -> Any:
        left = self.evaluate(expr.left, scope, refs)
        if expr.op in ("&&", "||") and isinstance(left, bool):
            if (expr.op == "&&" and not left) or (expr.op == "||" and left):
                return left
        right = self.evaluate(expr.right, scope, refs)
        if isinstance(left, Unknown):
            return left
        if isinstance(right, Unknown):
            return right
        op = expr.op
        if op in ("*", "%") and not (isinstance(left, (int, float)) and isinstance(right, (int, float))):
            return Unknown(f"operator {op} on non-numbers")     # Python would repeat "a" * 10**10 times
        try:
            if op == "==":
                return left == right
            if op == "!=":
                return left != right
            if op in ("&&", "||"):
                return bool(right)
            if op == "+":
                return left + right
            if op == "-":
                return left - right
            if op == "*":
                return left * right
            if op == "/":
                return left / right
            if op == "%":
                return left % right
            if op == "<":
                return left < right
            if op == ">":
                return left > right
            if op == "<=":
                return left <= right
            if op == ">=":
                return left >= right
        except (TypeError, ZeroDivisionError, ValueError):
            return Unknown(f"operator {op} on incompatible values")
        return Unknown(f"operator {op}")

    def call(self, expr: x.Call, scope: dict, refs: set) -> Any:
        name = expr.name
        if name in ("try", "coalesce", "can"):
            return self.lenient(expr, scope, refs)
        function = FUNCTIONS.get(name)
        if function is None:
            return Unknown(f"function {name}()")
        args = [self.evaluate(a, scope, refs) for a in expr.args]
        if expr.expand_last and args:
            last = args.pop()
            if not isinstance(last, list):
                return Unknown(f"{name}() with expanded non-list")
            args.extend(last)
        for arg in args:
            if isinstance(arg, Unknown):
                return arg
        try:
            return function(*args)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError):
            return Unknown(f"function {name}() on these arguments")

    def lenient(self, expr: x.Call, scope: dict, refs: set) -> Any:
        values = [self.evaluate(a, scope, refs) for a in expr.args]
        if expr.name == "can":
            return Unknown("can()") if any(isinstance(v, Unknown) for v in values) else True
        for value in values:
            if isinstance(value, Unknown):
                return value    # an earlier option may have won at apply time: cannot tell
            if expr.name == "try" or value not in (None, ""):
                return value
        return Unknown(f"{expr.name}() found no value")

    def comprehension(self, expr: x.ForX, scope: dict, refs: set) -> Any:
        collection = self.evaluate(expr.collection, scope, refs)
        if isinstance(collection, Unknown):
            return collection
        items = _items(collection)
        if items is None:
            return Unknown("for expression over a scalar")
        result_list: list = []
        result_map: dict = {}
        for key, value in items[:10_000]:
            inner = {**scope, expr.value_var: value}
            if expr.key_var:
                inner[expr.key_var] = key
            if expr.condition is not None:
                keep = self.evaluate(expr.condition, inner, refs)
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            item = self.evaluate(expr.value_expr, inner, refs)
            if expr.key_expr is None:
                result_list.append(item)
                continue
            map_key = self.evaluate(expr.key_expr, inner, refs)
            if isinstance(map_key, Unknown):
                return map_key
            if expr.grouping:
                result_map.setdefault(str(map_key), []).append(item)
            else:
                result_map[str(map_key)] = item
        return result_list if expr.key_expr is None else result_map

    # --- references -----------------------------------------------------------------------------
    def reference(self, expr: x.Expr, scope: dict, refs: set) -> Any:
        root, steps = _unwind(expr)
        if not isinstance(root, x.Var):
            return self.apply(self.evaluate(root, scope, refs), steps, scope, refs)
        name = root.name
        if name in scope:
            return self.apply(scope[name], steps, scope, refs)
        if self.instance is None:
            return Unknown(name)
        instance = self.instance
        attr = steps[0][1] if steps and steps[0][0] == "attr" else None
        if name == "var" and attr:
            return self.apply(instance.var(attr, refs), steps[1:], scope, refs)
        if name == "local" and attr:
            return self.apply(instance.local(attr, refs), steps[1:], scope, refs)
        if name == "module" and attr:
            output = steps[1][1] if len(steps) > 1 and steps[1][0] == "attr" else None
            if attr not in instance.module_blocks:
                return Unknown(f"module.{attr} (not defined)")
            return self.apply(instance.module_output(attr, output, refs), steps[2:], scope, refs)
        if name == "data":
            shown = ".".join(s[1] for s in steps[:2] if s[0] == "attr")
            return Unknown(f"data.{shown}")
        if name == "path":
            return {"module": instance.mod.path or ".", "root": instance.root or ".", "cwd": "."}.get(attr or "", Unknown("path"))
        if name in _SPECIAL_ROOTS:
            return Unknown(name if not attr else f"{name}.{attr}")
        if attr is None:
            return Unknown(name)
        rest = steps[1:]
        if rest and rest[0][0] == "index":     # aws_s3_bucket.b[0].id
            rest = rest[1:]
        field_name = rest[0][1] if rest and rest[0][0] == "attr" else None
        value = instance.resource_attr(name, attr, field_name, refs)
        return self.apply(value, rest[1:], scope, refs)

    def apply(self, value: Any, steps: list, scope: dict, refs: set) -> Any:
        for kind, step in steps:
            if isinstance(value, Unknown):
                return value
            if kind == "attr":
                value = value.get(step, Unknown(f"attribute {step}")) if isinstance(value, dict) else Unknown(f"attribute {step} of a non-object")
            elif kind == "index":
                key = self.evaluate(step, scope, refs)
                value = _index(value, key)
            elif kind == "splat":
                if not isinstance(value, list):
                    value = [] if value is None else [value]
                value = [self.apply(item, step, scope, refs) for item in value]
        return value


def _items(collection: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) pairs of a map (sorted by key, as Terraform iterates) or a list (by index); None otherwise."""
    if isinstance(collection, dict):
        return sorted(collection.items(), key=lambda kv: str(kv[0]))
    if isinstance(collection, list):
        return list(enumerate(collection))
    return None


def _index(value: Any, key: Any) -> Any:
    if isinstance(key, Unknown):
        return key
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    if isinstance(value, dict) and str(key) in value:
        return value[str(key)]
    return Unknown(f"index {key!r}")


def _unwind(expr: x.Expr) -> tuple[x.Expr, list]:
    steps: list = []
    while True:
        if isinstance(expr, x.GetAttr):
            steps.append(("attr", expr.name))
            expr = expr.obj
        elif isinstance(expr, x.Index):
            steps.append(("index", expr.key))
            expr = expr.obj
        elif isinstance(expr, x.Splat):
            steps.append(("splat", [("attr", s[1]) if s[0] == "attr" else ("index", s[1]) for s in expr.steps]))
            expr = expr.obj
        else:
            return expr, steps[::-1]


_CONSTANT = _Evaluator(None)


def build(files: list[TerraformFile], tfvars: list[TerraformFile], var_files: list[TerraformFile]) -> Builder:
    builder = Builder(group_modules(files, tfvars), var_files)
    builder.build()
    return builder
