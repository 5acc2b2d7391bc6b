"""Evaluation of one HCL expression in the scope of a module instance.

Unknown propagates and is never raised on user input; references to variables, locals, module outputs and
resource attributes are answered by the module instance (the `Names` it is given), which memoises them.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Protocol

from scanner.model.functions import FUNCTIONS, MAX_VALUE_SIZE
from scanner.model.functions.arguments import FunctionError, TooLarge, number_result, parse_number
from scanner.model.rendered import Place
from scanner.model.terraform.files import ScannedFiles
from scanner.model.terraform.trace import SCOPE_PLACES, Trace
from scanner.model.values import OneOf, Unknown, one_of
from scanner.parse import expressions as x

MAX_COMPREHENSION_ITEMS = 10_000
# Work per module instance: nested `for` expressions multiply (10,000 x 10,000 items), chains of locals
# can double a value at every step. Past the budget every further expression of the instance is unknown.
MAX_STEPS = 1_000_000
SPECIAL_ROOTS = {"var", "local", "module", "data", "path", "terraform", "self", "each", "count"}


class Names(Protocol):
    """What an expression's references resolve against: one module instance."""

    def var(self, name: str, trace: Trace) -> Any: ...
    def local(self, name: str, trace: Trace) -> Any: ...
    def has_module(self, name: str) -> bool: ...
    def module_output(self, name: str, output: str | None, trace: Trace) -> Any: ...
    def module_instance(self, name: str, key: Any, output: str | None, trace: Trace) -> Any: ...
    def resource_attr(self, rtype: str, name: str, attr: str | None, trace: Trace, key: Any = None) -> Any: ...
    def path_value(self, which: str) -> Any: ...
    def planned_data(self, rtype: str, name: str, attr: str, trace: Trace) -> Any: ...


class Evaluator:
    """Expression evaluation in one module instance (or, without one, of constants such as tfvars)."""

    def __init__(self, names: Names | None, functions: Mapping[str, Callable[..., Any]] | None = None,
                 files: ScannedFiles | None = None):
        self.names = names
        self.functions = FUNCTIONS if functions is None else functions
        self.files = files      # what the file functions read: a value they return was decided in those files
        self.steps = 0

    def evaluate(self, expr: x.Expr, scope: dict[str, Any], trace: Trace) -> Any:
        self.steps += 1
        if self.steps > MAX_STEPS:
            return self.exhausted()
        return self.node(expr, scope, trace)

    @staticmethod
    def exhausted() -> Unknown:
        return Unknown(f"a value past the evaluation limit ({MAX_STEPS:,} expression steps per module instance)",
                       kind="limit")

    def node(self, expr: x.Expr, scope: dict[str, Any], trace: Trace) -> Any:  # noqa: C901 - one case per node
        if isinstance(expr, x.Lit):
            return expr.value
        if isinstance(expr, x.Template):
            return self.template(expr, scope, trace)
        if isinstance(expr, (x.Var, x.GetAttr, x.Index, x.Splat)):
            return self.reference(expr, scope, trace)
        if isinstance(expr, x.TupleX):
            return [self.evaluate(i, scope, trace) for i in expr.items]
        if isinstance(expr, x.ObjectX):
            return self.object(expr, scope, trace)
        if isinstance(expr, x.Cond):
            predicate = self.evaluate(expr.predicate, scope, trace)
            if _failed(predicate):               # Terraform's error, not a choice between the branches
                return predicate
            if isinstance(predicate, Unknown):   # both branches known: one of them
                branches = [self.evaluate(expr.then, scope, trace), self.evaluate(expr.otherwise, scope, trace)]
                return one_of(branches, predicate)
            return self.evaluate(expr.then if predicate else expr.otherwise, scope, trace)
        if isinstance(expr, x.BinOp):
            return self.binary(expr, scope, trace)
        if isinstance(expr, x.UnOp):
            return self.unary(expr, scope, trace)
        if isinstance(expr, x.Call):
            return self.call(expr, scope, trace)
        if isinstance(expr, x.ForX):
            return self.comprehension(expr, scope, trace)
        if isinstance(expr, x.Opaque):
            return Unknown(expr.reason, kind="syntax")
        return Unknown("unsupported expression", kind="syntax")

    def template(self, expr: x.Template, scope: dict[str, Any], trace: Trace) -> Any:
        values = [part if isinstance(part, str) else self.evaluate(part, scope, trace) for part in expr.parts]
        choices = [v for v in values if isinstance(v, OneOf)]
        if len(choices) == 1 and not any(isinstance(v, Unknown) and v is not choices[0] for v in values):
            rendered = [_join([c if v is choices[0] else v for v in values]) for c in choices[0].candidates]
            return one_of(rendered, choices[0])
        return _join(values)

    def object(self, expr: x.ObjectX, scope: dict[str, Any], trace: Trace) -> Any:
        out = {}
        for key_expr, value_expr in expr.items:
            key = self.evaluate(key_expr, scope, trace)
            if isinstance(key, Unknown):
                return key
            out[key if isinstance(key, str) else str(key)] = self.evaluate(value_expr, scope, trace)
        return out

    def unary(self, expr: x.UnOp, scope: dict[str, Any], trace: Trace) -> Any:
        value = self.evaluate(expr.operand, scope, trace)
        if isinstance(value, Unknown):
            return value
        if expr.op == "!":
            return not value if isinstance(value, bool) else Unknown("! of a non-bool", kind="expression")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
        return Unknown("- of a non-number", kind="expression")

    def binary(self, expr: x.BinOp, scope: dict[str, Any], trace: Trace) -> Any:
        left = self.evaluate(expr.left, scope, trace)
        if expr.op in ("&&", "||") and isinstance(left, bool):
            if (expr.op == "&&" and not left) or (expr.op == "||" and left):
                return left
        right = self.evaluate(expr.right, scope, trace)
        if expr.op in ("&&", "||") and right is (expr.op == "||") and isinstance(left, Unknown):
            return right   # as Terraform (cty): false && anything is false, true || anything is true
        if isinstance(left, Unknown):
            return left
        if isinstance(right, Unknown):
            return right
        return _apply_operator(expr.op, left, right)

    def call(self, expr: x.Call, scope: dict[str, Any], trace: Trace) -> Any:
        name = expr.name
        if name in ("try", "coalesce", "can"):
            return self.lenient(expr, scope, trace)
        function = self.functions.get(name)
        if function is None:
            return Unknown(f"function {name}()", kind="function")
        args = [self.evaluate(a, scope, trace) for a in expr.args]
        if expr.expand_last and args:
            last = args.pop()
            if not isinstance(last, list):
                return Unknown(f"{name}() with expanded non-list", kind="function")
            args.extend(last)
        for arg in args:
            if isinstance(arg, Unknown):
                return arg
        before = len(self.files.read_paths) if self.files is not None else 0
        try:
            value = function(*args)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError):
            return Unknown(f"function {name}() on these arguments", kind="function")
        if self.files is not None:
            for path in self.files.read_paths[before:]:
                trace.add_place(Place(path, 1), "file")     # the whole file: --changed-since keeps any change to it
        return value

    def lenient(self, expr: x.Call, scope: dict[str, Any], trace: Trace) -> Any:
        """try() and can() catch an error: a key or attribute a known value does not have (`missing`) is
        one in Terraform, so try() goes on to its next option and can() is false; any other unknown may
        have been a value at apply time, so it stays unknown. Options after the one try() or coalesce()
        returns are not read: they decide nothing, and the value's places and references are its own."""
        values, traces = [], []
        for arg in expr.args:
            traces.append(trace.apart() if expr.name == "try" else trace)
            values.append(self.evaluate(arg, scope, traces[-1]))
            if expr.name != "can" and _returned(expr.name, values[-1]):
                break
        if expr.name == "try":   # an option that failed decided nothing: its places are not kept
            for value, own in zip(values, traces):
                if not (_fails(value) and _returned(expr.name, values[-1])):
                    trace.add(own)
        if expr.name == "can":
            if any(_fails(v) for v in values):
                return False
            return Unknown("can()", kind="function") if any(isinstance(v, Unknown) for v in values) else True
        for value in values:
            if expr.name == "try" and _fails(value):
                continue
            if isinstance(value, Unknown):
                return value    # an earlier option may have won at apply time: cannot tell
            if expr.name == "try" or value not in (None, ""):
                return value
        return Unknown(f"{expr.name}() found no value", kind="function")

    def comprehension(self, expr: x.ForX, scope: dict[str, Any], trace: Trace) -> Any:
        collection = self.evaluate(expr.collection, scope, trace)
        if isinstance(collection, Unknown):
            return collection
        items = items_of(collection)
        if items is None:
            return Unknown("for expression over a scalar", kind="expression")
        if len(items) > MAX_COMPREHENSION_ITEMS:   # a truncated result would be a wrong one
            return Unknown(f"a for expression over {len(items)} items (sovscan evaluates at most "
                           f"{MAX_COMPREHENSION_ITEMS})", kind="limit")
        result_list: list[Any] = []
        result_map: dict[str, Any] = {}
        for key, value in items:
            inner = {**scope, expr.value_var: value}
            if expr.key_var:
                inner[expr.key_var] = key
            if expr.condition is not None:
                keep = self.evaluate(expr.condition, inner, trace)
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            item = self.evaluate(expr.value_expr, inner, trace)
            if self.steps > MAX_STEPS:
                return self.exhausted()
            if expr.key_expr is None:
                result_list.append(item)
                continue
            map_key = self.evaluate(expr.key_expr, inner, trace)
            if isinstance(map_key, Unknown):
                return map_key
            if expr.grouping:
                result_map.setdefault(str(map_key), []).append(item)
            else:
                result_map[str(map_key)] = item
        return result_list if expr.key_expr is None else result_map

    # --- references -----------------------------------------------------------------------------
    def reference(self, expr: x.Expr, scope: dict[str, Any], trace: Trace) -> Any:
        root, steps = unwind(expr)
        if not isinstance(root, x.Var):
            return self.apply(self.evaluate(root, scope, trace), steps, scope, trace)
        name = root.name
        if name in scope:
            for place, role in scope.get(SCOPE_PLACES, {}).get(name, ()):
                trace.add_place(place, role)
            return self.apply(scope[name], steps, scope, trace)
        names = self.names
        if names is None:
            return Unknown(name, kind="expression")
        attr = steps[0][1] if steps and steps[0][0] == "attr" else None
        if name == "var" and attr:
            return self.apply(names.var(attr, trace), steps[1:], scope, trace)
        if name == "local" and attr:
            return self.apply(names.local(attr, trace), steps[1:], scope, trace)
        if name == "module" and attr:
            return self.module(attr, steps, scope, trace)
        if name == "data":
            return self.data_source(steps, scope, trace)
        if name == "path":
            return names.path_value(attr or "")
        if name in SPECIAL_ROOTS:
            return Unknown(name if not attr else f"{name}.{attr}", kind="expression")
        if attr is None:
            return Unknown(name, kind="expression")
        rest, key = steps[1:], None
        if rest and rest[0][0] == "index":     # aws_s3_bucket.b[0].id: the instance at that key
            key = self.evaluate(rest[0][1], scope, trace)
            rest = rest[1:]
        field_name = rest[0][1] if rest and rest[0][0] == "attr" else None
        value = names.resource_attr(name, attr, field_name, trace, key)
        return self.apply(value, rest[1:], scope, trace, absent="computed")

    def data_source(self, steps: list[Any], scope: dict[str, Any], trace: Trace) -> Any:
        """`data.type.name.attr...`: Unknown unless the root module's plan read it."""
        blocked = _data_source(steps)
        names = [s[1] for s in steps[:3] if s[0] == "attr"]
        if self.names is None or len(names) < 3:
            return blocked
        planned = self.names.planned_data(names[0], names[1], names[2], trace)
        if planned is None:
            return blocked
        return self.apply(planned, steps[3:], scope, trace)

    def module(self, name: str, steps: list[Any], scope: dict[str, Any], trace: Trace) -> Any:
        assert self.names is not None
        if not self.names.has_module(name):
            return Unknown(f"module.{name} (not defined)", kind="module")
        rest = steps[1:]
        if rest and rest[0][0] == "index":        # module.x["k"].out: an instance of a call with count or for_each
            key = self.evaluate(rest[0][1], scope, trace)
            output = rest[1][1] if len(rest) > 1 and rest[1][0] == "attr" else None
            return self.apply(self.names.module_instance(name, key, output, trace), rest[2:], scope, trace)
        output = rest[0][1] if rest and rest[0][0] == "attr" else None
        return self.apply(self.names.module_output(name, output, trace), rest[1:], scope, trace)

    def apply(self, value: Any, steps: list[Any], scope: dict[str, Any], trace: Trace,
              absent: str = "missing") -> Any:
        """The value at `steps` below `value`. A key or attribute it does not have is an Unknown of kind
        `absent`: "missing" (an error in Terraform) below a value the code makes whole, "computed" below a
        resource's argument, where the provider may add attributes at apply time."""
        for kind, step in steps:
            if isinstance(value, Unknown):
                return value
            if kind == "attr":
                if isinstance(value, dict):
                    value = value.get(step, Unknown(f"attribute {step}", kind=absent))
                else:
                    value = Unknown(f"attribute {step} of a non-object", kind="expression")
            elif kind == "index":
                value = index_of(value, self.evaluate(step, scope, trace), absent)
            elif kind == "splat":
                if not isinstance(value, list):
                    value = [] if value is None else [value]
                value = [self.apply(item, step, scope, trace, absent) for item in value]
        return value


def _join(values: list[Any]) -> Any:
    """A template's parts as one string; Unknown when one part is, or when it would be too long."""
    parts = []
    for value in values:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, (dict, list)):
            return Unknown("interpolation of a collection", kind="expression")
        parts.append("" if value is None else FUNCTIONS["tostring"](value))
    if sum(len(p) if isinstance(p, str) else 0 for p in parts) > MAX_VALUE_SIZE:
        return Unknown(f"a string template longer than the evaluation limit ({MAX_VALUE_SIZE:,} characters)",
                       kind="limit")
    return "".join(parts)


def _data_source(steps: list[Any]) -> Unknown:
    names = [s[1] for s in steps[:3] if s[0] == "attr"]
    address = "data." + ".".join(names[:2])
    return Unknown(f"data.{'.'.join(names[:2])}", refers_to=address if len(names) >= 2 else None,
                   attribute=names[2] if len(names) > 2 else None, kind="data")


_ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
               "/": lambda a, b: a / b, "%": lambda a, b: a % b}
_ORDER = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}


def _apply_operator(op: str, left: Any, right: Any) -> Any:
    """Terraform's operators: arithmetic and ordering on numbers only (a numeric string converts, as in
    Terraform; "a" * 10000000000 is an error there, not a 10 GB string), logic on bools, equality on anything."""
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op in ("&&", "||"):
        if isinstance(left, bool) and isinstance(right, bool):
            return left and right if op == "&&" else left or right
        return Unknown(f"operator {op} on non-bools", kind="expression")
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return Unknown(f"operator {op} on non-numbers", kind="expression")
    try:
        if op in _ORDER:
            return _ORDER[op](a, b)
        if op in _ARITHMETIC:
            return number_result(_ARITHMETIC[op](a, b))
    except TooLarge:
        return Unknown(f"operator {op}: a number too large to evaluate statically", kind="limit")
    except (ArithmeticError, ValueError, FunctionError):
        return Unknown(f"operator {op} on these numbers", kind="expression")
    return Unknown(f"operator {op}", kind="expression")


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    return parse_number(value) if isinstance(value, str) else None


def items_of(collection: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) pairs of a map (sorted by key, as Terraform iterates) or a list (by index); None otherwise."""
    if isinstance(collection, dict):
        return sorted(collection.items(), key=lambda kv: str(kv[0]))
    if isinstance(collection, list):
        return list(enumerate(collection))
    return None


def _returned(name: str, value: Any) -> bool:
    """try() or coalesce() returns this option, known."""
    if isinstance(value, Unknown) or (name == "try" and _fails(value)):
        return False
    return name == "try" or value not in (None, "")


def _failed(value: Any) -> bool:
    """The value is Terraform's error of a key or attribute that is not there (Evaluator.apply)."""
    return type(value) is Unknown and value.kind == "missing"


def _fails(value: Any, depth: int = 0) -> bool:
    """The value is, or holds, such an error (`[var.o.absent]` fails as a whole in Terraform)."""
    if _failed(value):
        return True
    if depth > 32:
        return False
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(_fails(item, depth + 1) for item in items)


def index_of(value: Any, key: Any, absent: str = "missing") -> Any:
    if isinstance(key, Unknown):   # a known collection at an unknown key: one of its elements
        if _failed(key):
            return key
        if isinstance(value, list):
            return one_of(value, key)
        if isinstance(value, dict):
            return one_of([value[k] for k in sorted(value)], key)
        return key
    if isinstance(value, list) and isinstance(key, str) and key.isascii() and key.isdigit():
        key = int(key)                 # Terraform converts a numeric string to the number a list takes
    if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(value):
        return value[key]
    if isinstance(value, dict) and str(key) in value:
        return value[str(key)]
    return Unknown(f"index {key!r}", kind=absent)


def unwind(expr: x.Expr) -> tuple[x.Expr, list[Any]]:
    """A traversal as its root and its steps: `a.b[0].c` -> (a, [attr b, index 0, attr c])."""
    steps: list[Any] = []
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


CONSTANTS = Evaluator(None)


def constant(expr: x.Expr) -> Any:
    """The value of an expression that refers to nothing (tfvars entries, literals)."""
    return CONSTANTS.evaluate(expr, {}, Trace())
