"""The policy catalogue as text, for `sovscan policies list` and `show`."""
from __future__ import annotations

from scanner.evaluate.policies import Policy


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
    lines += ["", f"file: {policy.path}"]
    return "\n".join(lines) + "\n"
