"""EXIT-008's judgements as table tests: which version constraints and git refs pin."""
from __future__ import annotations

import pytest

from scanner.config import Config
from scanner.evaluate.context import Context
from scanner.evaluate.predicates.pinning import (constraint_pinned, git_ref, git_ref_pinned, source_ref_pinned,
                                                 version_pinned)
from scanner.model.derive import derive
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown


@pytest.mark.parametrize("constraint, pinned", [
    ("1.2.3", True),
    ("= 1.2.3", True),
    ("=1.2.3", True),
    ("v1.2.3", True),
    ("1.2.3-beta.1", True),
    ("~> 1.2.3", True),              # patch releases only
    ("~> 1.2", True),                # >= 1.2, < 2.0: bounded like the range below
    (">= 1.0, < 2.0", True),
    (">= 1.0.0,< 2.0.0", True),
    ("> 1.0, <= 1.5", True),
    ("< 2.0", True),                 # init picks the newest below the bound
    (">= 1.0, != 1.3.0, < 2.0", True),
    (">= 1.0", False),               # an open lower bound
    ("> 1.0", False),
    ("~> 1", False),                 # ~> on the major version alone only sets a lower bound
    ("!= 1.3.0", False),
    (">= 1.0, != 1.3.0", False),
    ("latest", None),                # not a constraint: unresolved, not a guess
    ("1.2.x", None),
    ("*", None),
    ("", None),
    (">= 1.0,", None),
    ("== 1.2.3", None),
])
def test_constraint_pinned(constraint, pinned):
    assert constraint_pinned(constraint) is pinned


@pytest.mark.parametrize("ref, pinned", [
    ("4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39", True),   # a full commit SHA
    ("4f2a9c1", True),                                     # an abbreviated one
    ("v1.2.3", True),
    ("1.2.3", True),
    ("v1.2.3-rc.1", True),
    ("refs/tags/v2.0.0", True),
    ("main", False),
    ("master", False),
    ("develop", False),
    ("Main", False),
    ("refs/heads/release-1", False),
    ("v1", None),                    # a floating major tag or a branch: cannot tell
    ("v1.2", None),
    ("feature/login", None),
    ("release", False),
])
def test_git_ref_pinned(ref, pinned):
    assert git_ref_pinned(ref) is pinned


@pytest.mark.parametrize("source, ref", [
    ("git::https://example.com/infra.git//network?ref=v1.2.3", "v1.2.3"),
    ("github.com/org/modules//kv?depth=1&ref=main", "main"),
    ("git@github.com:org/modules.git?ref=4f2a9c1", "4f2a9c1"),
    ("git::https://example.com/infra.git//network", None),
])
def test_git_ref(source, ref):
    assert git_ref(source) == ref


def tf(rtype: str, name: str, values: dict, path: str = "main.tf", module: str = "", root: str = "") -> Resource:
    return Resource("terraform", rtype, f"{rtype}.{name}", path, 1, values, {k: 2 for k in values},
                    module=module, root=root)


def judged(predicate, subject: Resource, args: dict, *others: Resource):
    model = Model([subject, *others])
    derive(model)
    return predicate(subject, args, Context(model, Config()))


PROVIDER_BLOCK = tf("provider", "azurerm", {}, path="main.tf")
ROOT_ONLY = {"path": "version", "deployed_roots_only": True}


@pytest.mark.parametrize("values, others, state, detail", [
    ({"version": ">= 4.0"}, [PROVIDER_BLOCK], False, "version = '>= 4.0' has no upper bound"),   # a deploying root
    ({"version": ">= 4.0"}, [], True, ""),           # a reusable module: a minimum version is the advice
    ({}, [], False, "version is not set"),           # absent is a finding everywhere
    ({"version": "~> 4.10"}, [PROVIDER_BLOCK], True, ""),
    ({"version": "latest"}, [PROVIDER_BLOCK], None, ""),
    ({"version": Unknown("var.v", kind="variable")}, [PROVIDER_BLOCK], None, ""),
])
def test_provider_constraints_pin_in_deploying_roots(values, others, state, detail):
    requirement = tf("terraform_required_provider", "azurerm", values)
    verdict = judged(version_pinned, requirement, ROOT_ONLY, *others)
    assert verdict.state is state
    assert detail in verdict.detail


def test_an_example_root_is_not_a_deploying_root():
    requirement = tf("terraform_required_provider", "azurerm", {"version": ">= 4.0"}, path="examples/a/main.tf",
                     root="examples/a")
    provider = tf("provider", "azurerm", {}, path="examples/a/main.tf", root="examples/a")
    assert judged(version_pinned, requirement, ROOT_ONLY, provider).state is True


@pytest.mark.parametrize("source, state, detail", [
    ("git::https://example.com/m.git?ref=v1.4.2", True, ""),
    ("git::https://example.com/m.git?ref=main", False, "?ref=main names a branch"),
    ("git::https://example.com/m.git", False, "no ?ref="),
    ("git::https://example.com/m.git?ref=v1", None, ""),
])
def test_source_ref_pinned(source, state, detail):
    verdict = judged(source_ref_pinned, tf("module_call", "m", {"source": source}), {"path": "source"})
    assert verdict.state is state
    assert detail in verdict.detail
