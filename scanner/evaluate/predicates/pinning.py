"""EXIT-008: is a provider or module pinned, so the same code builds the same infrastructure later?

A version constraint pins when it bounds the versions `terraform init` may pick from above, because init
takes the newest version the constraint admits:
    1.2.3, = 1.2.3               exact
    ~> 1.2.3                     >= 1.2.3, < 1.3.0 (patch releases only)
    ~> 1.2                       >= 1.2, < 2.0: the same range as ">= 1.2, < 2.0", so it pins as that does
    >= 1.0, < 2.0   or  < 2.0    a range with an upper bound
and does not pin when nothing bounds it from above: >= 1.0, > 1.0, != 1.3.0, ~> 1 (a pessimistic
constraint on the major version alone only sets a lower bound). Text that is not a constraint (latest,
1.2.x, *) is not judged: it is unresolved, never a guess.

Where a provider constraint must pin: in the root modules that deploy (configure a provider or backend,
outside example and test directories). A reusable module states only the minimum provider version it needs
(HashiCorp's guidance for modules), and the root that calls it, with its lock file, decides. A module's own
version, and a git ref, are recorded nowhere else, so they must pin wherever they are written.

A git module source pins when its ref names something that does not move: a commit SHA (7 to 64 hex
digits) or a full version tag (1.2.3, v1.2.3, v1.2.3-rc.1). A branch (main, master, develop, ...) or no
ref at all does not pin; any other ref (v1, v1.2, feature/x) may be a tag or a branch and is unresolved.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.spec import BOOLEAN, STRING, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.derive.roots import ROOT_MODULE_TYPE
from scanner.model.paths import Match, lookup
from scanner.model.resource import Resource
from scanner.model.values import Unknown

_CONSTRAINT = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+){0,2})(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?\s*$")
_UPPER_BOUNDS = {"=", "<", "<="}
_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_VERSION_TAG = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$")
BRANCHES = frozenset({"main", "master", "develop", "development", "dev", "trunk", "head", "latest", "stable",
                      "staging", "prod", "production", "release", "next", "default"})


def constraint_pinned(constraint: str) -> bool | None:
    """True when the constraint has an upper bound, False when it has none, None when it is not a
    constraint (see the module docstring)."""
    parts = constraint.split(",")
    if any(not p.strip() for p in parts):
        return None
    bounded = False
    for part in parts:
        found = _CONSTRAINT.match(part)
        if found is None:
            return None
        operator, version = found.group(1) or "=", found.group(2)
        if operator in _UPPER_BOUNDS or (operator == "~>" and "." in version):
            bounded = True
    return bounded


def git_ref_pinned(ref: str) -> bool | None:
    """True for a commit SHA or a full version tag, False for a branch name, None otherwise."""
    text = ref.strip().removeprefix("refs/tags/")
    if _SHA.match(text.lower()) or _VERSION_TAG.match(text):
        return True
    if text.lower() in BRANCHES or text.startswith("refs/heads/"):
        return False
    return None


def git_ref(source: str) -> str | None:
    """The ?ref= of a module source address; None when it has none."""
    query = source.split("?", 1)[1] if "?" in source else ""
    refs = parse_qs(query.split("//", 1)[0]).get("ref")
    return refs[-1] if refs else None


def version_pinned(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The version constraint at `path` bounds the version from above (constraint_pinned). With
    `deployed_roots_only`, a constraint outside a deploying root module (see the module docstring) only has
    to be present, and one in a root in a demonstration directory (examples, tests) need not be there at all."""
    path = args.get("path", "version")
    place = _root_place(resource, ctx) if args.get("deployed_roots_only") else "deploying"
    if place == "skipped":
        return PASS
    value = _written(resource, path, base)
    if isinstance(value, Verdict):
        return value
    if place != "deploying":
        return PASS
    pinned = constraint_pinned(str(value))
    if pinned is None:
        return unknown(f"what the version constraint {str(value)[:60]!r} admits", path)
    if pinned:
        return PASS
    return fail(path, f"{path} = {value!r} has no upper bound: a new release is picked up unreviewed")


def _written(resource: Resource, path: str, base: Match | None) -> Any:
    """The value written at path, or the verdict when there is none (fail) or it is not known."""
    values = [m.value for m in lookup(resource, path, base) if m.value not in (None, "")]
    if not values:
        return fail(path, f"{path} is not set")
    if isinstance(values[0], Unknown):
        return unknown(values[0].reason, path)
    return values[0]


def _root_place(resource: Resource, ctx: Context) -> str:
    """"deploying": declared in a deploying root module's own files; "skipped": in a root in a demonstration
    directory; "library": anywhere else (a module, or a root that deploys nothing)."""
    for root in ctx.model.by_type(ROOT_MODULE_TYPE):
        if root.root != resource.root:
            continue
        if root.values.get("demonstration"):
            return "skipped"
        if root.values.get("deployed") and not resource.module:
            return "deploying"
    return "library"


def source_ref_pinned(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The git module source at `path` names a commit SHA or a version tag in ?ref= (git_ref_pinned)."""
    path = args.get("path", "source")
    value = _written(resource, path, base)
    if isinstance(value, Verdict):
        return value
    ref = git_ref(str(value))
    if ref is None:
        return fail(path, "no ?ref=: the default branch is fetched")
    pinned = git_ref_pinned(ref)
    if pinned is None:
        return unknown(f"whether ref {ref[:60]!r} is a fixed tag or a branch", path)
    if pinned:
        return PASS
    return fail(path, f"?ref={ref} names a branch, which moves")


PINNING: dict[str, PredicateSpec] = {
    "version_pinned": spec(version_pinned, optional={"path": STRING, "deployed_roots_only": BOOLEAN},
                           reads=("root_module (derived)",), derived=("roots",)),
    "source_ref_pinned": spec(source_ref_pinned, optional={"path": STRING}),
}
