"""The policy catalogue as text, for `sovscan policies list` and `show`."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from scanner.evaluate.policies import Policy
from scanner.evaluate.predicates import PREDICATES
from scanner.evaluate.predicates.spec import PredicateSpec
from scanner.pack import builtin_policy_dir

# Derived resource types and the module of the derive pass that makes them.
DERIVED_TYPES = {"cluster": "clusters", "namespace": "namespaces", "provider_source": "providers",
                 "root_module": "roots", "tfvars_file": "inputs"}


def _references(policy: Policy) -> str:
    refs = policy.references
    return ", ".join([f"seed {s}" for s in refs.get("seeds", [])] + refs.get("sov", []) + refs.get("standards", []))


def render_list(policies: list[Policy]) -> str:
    lines = [f"{'ID':<10} {'FAMILY':<10} {'SEVERITY':<9} TITLE"]
    for policy in policies:
        lines.append(f"{policy.id:<10} {policy.family:<10} {policy.severity:<9} {policy.title}")
        refs = _references(policy)
        if refs:
            lines.append(f"{'':31}refs: {refs}")
    lines.append(f"{len(policies)} policies")
    return "\n".join(lines) + "\n"


def _targets(policy: Policy) -> str:
    out = []
    for check in policy.checks:
        for kind, types in check.match.items():
            out.append(f"{kind}: {', '.join(types)}")
    return "; ".join(dict.fromkeys(out))


def render_show(policy: Policy) -> str:
    lines = [f"{policy.id}: {policy.title}",
             f"family: {policy.family}    severity: {policy.severity}    input: {policy.input}",
             f"checks: {_targets(policy)}", "", "Why:", f"  {policy.rationale}", "", "Fix:"]
    for provider, text in policy.remediation.items():
        lines.append(f"  {text}" if provider == "default" else f"  {provider}: {text}")
    refs = policy.references
    lines += ["", "References:"]
    lines += [f"  seed {s}" for s in refs.get("seeds", [])]
    lines += [f"  {s}" for s in refs.get("sov", []) + refs.get("standards", []) + refs.get("links", [])]
    lines += ["", "Where it lives:"] + [f"  {kind:<11} {where}" for kind, where in sources(policy)]
    return "\n".join(lines) + "\n"


def _predicates(node: Any) -> Iterator[str]:
    """Names of the predicates a condition tree uses."""
    if isinstance(node, dict):
        if "predicate" in node:
            yield str(node["predicate"])
        for value in node.values():
            yield from _predicates(value)
    elif isinstance(node, list):
        for item in node:
            yield from _predicates(item)


def sources(policy: Policy) -> list[tuple[str, str]]:
    """Every place a newcomer opens to understand the policy: the policy file, its predicates and where
    they are defined, the derived facts and registries they judge, and the fixtures."""
    used = dict.fromkeys(n for c in policy.checks for part in (c.where, c.assertion) for n in _predicates(part))
    specs = [PREDICATES[name] for name in used if name in PREDICATES]
    derived = dict.fromkeys([d for s in specs for d in s.derived] +
                            [DERIVED_TYPES[t] for c in policy.checks for kind, types in c.match.items()
                             for t in types if t in DERIVED_TYPES])
    registries = dict.fromkeys(r for s in specs for r in s.registries)
    out = [("policy", _shown_path(policy.path))]
    if any("linked" in str(part) for c in policy.checks for part in (c.where, c.assertion)):
        out.append(("condition", "linked: (scanner/evaluate/conditions.py; reverse links indexed in "
                                 "scanner/model/resource.py)"))
    out += [("predicate", f"{s.name} ({s.module})") for s in specs]
    out += [("facts", f"scanner/model/derive/{d}.py") for d in derived]
    out += [("registry", f"policies/registries/{r}.yaml") for r in registries]
    out += [("fixtures", f"tests/policies/{policy.family}/{policy.id}/fail and pass")]
    return out


def _shown_path(path: str) -> str:
    """A built-in policy as `policies/<family>/<ID>.yaml`; a user's policy as given."""
    pack = builtin_policy_dir().resolve()
    try:
        return "policies/" + Path(path).resolve().relative_to(pack).as_posix()
    except ValueError:
        return path


def render_predicate(name: str, predicate: PredicateSpec) -> list[str]:
    """One predicate's entry in the catalogue: arguments, what it judges, what it reads, where it is."""
    arguments = [f"`{k}` (required)" for k in predicate.required] + [f"`{k}`" for k in predicate.optional]
    lines = [f"### `{name}`", "", predicate.doc, "",
             f"- arguments: {', '.join(arguments) or 'none'}",
             f"- defined in: `{predicate.module}`"]
    if predicate.reads:
        lines.append(f"- reads besides the resource: {'; '.join(predicate.reads)}")
    if predicate.derived:
        lines.append("- derived facts: " + ", ".join(f"`scanner/model/derive/{d}.py`" for d in predicate.derived))
    if predicate.registries:
        lines.append("- registries: " + ", ".join(f"`policies/registries/{r}.yaml`" for r in predicate.registries))
    lines.append("- unknown when: a value it reads is not known statically; the check is then unresolved, "
                 "never a finding")
    return lines + [""]


FAMILY_TITLES = {"cmk": "Customer-managed keys (cmk)", "residency": "EU residency and sovereignty (residency)",
                 "secrets": "Secrets (secrets)", "exit": "Exit portability (exit)", "haven": "Haven (haven)"}


def render_markdown(policies: list[Policy]) -> str:
    """The catalogue as Markdown: policies/README.md is this output (a test keeps it current)."""
    lines = ["# Policy catalogue", "",
             "Generated by `sovscan policies list --format markdown`; do not edit by hand.", "",
             f"{len(policies)} policies. `sovscan policies show ID` prints one in full.", ""]
    families = sorted({p.family for p in policies}, key=lambda f: list(FAMILY_TITLES).index(f) if f in FAMILY_TITLES else 99)
    for family in families:
        lines += [f"## {FAMILY_TITLES.get(family, family)}", "", "| id | severity | title | checks | references |",
                  "|---|---|---|---|---|"]
        for policy in (p for p in policies if p.family == family):
            targets = _targets(policy).replace("|", "\\|")
            lines.append(f"| {policy.id} | {policy.severity} | {policy.title} | {targets} | {_references(policy)} |")
        lines.append("")
    lines += ["## Predicates", "",
              "The judgements policy YAML names with `predicate:`; each declares its arguments, which the policy "
              "loader checks.", ""]
    for name in sorted(PREDICATES):
        lines += render_predicate(name, PREDICATES[name])
    return "\n".join(lines)
