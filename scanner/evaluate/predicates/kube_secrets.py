"""Kubernetes credentials: what a Secret object holds, and whether a pod gets a service-account token it
never asked for.

A Secret is judged by its entries, not by its kind: a Secret of non-credential configuration (a Grafana
ini file, an Alertmanager routing tree) or of template placeholders (`{{config_data}}`) discloses
nothing. What counts as a secret name, placeholder or credential format is the secret-detectors
registry (secrets.py applies it); every value a verdict mentions goes through `mask`.
"""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Iterator

from scanner.evaluate.context import Context
from scanner.masking import mask
from scanner.evaluate.predicates.secrets import detect, entropy, is_reference, is_secret_name, name_words, \
    secret_value
from scanner.evaluate.predicates.spec import PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.derive.namespaces import namespace_of
from scanner.model.paths import Match, lookup
from scanner.model.repository import deployed_together
from scanner.model.resource import Resource
from scanner.model.values import mapping

# `name: value`, `name = value`, `"name": "value"` in a configuration file held by a Secret.
_ASSIGNMENT = re.compile(r"""^\s*["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*["']?([^"'\s#,][^"'#,]*?)["']?\s*,?\s*$""")
_SECRET_SUFFIX = re.compile(r"(?i)(password|passwd|secret|token|apikey|privatekey|accesskey|accountkey|credentials?)$")


_BINARY = "binary"


def _decoded(value: str) -> str | None:
    """The text of a `data` entry; `_BINARY` for base64 of bytes that are not UTF-8 text (key material);
    None when it is not base64 at all (a placeholder: Kubernetes would refuse it)."""
    compact = re.sub(r"\s+", "", value)
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _BINARY


def _secret_key(name: str, text: str) -> bool:
    """An entry name that says it holds a credential: a secret-looking name (`password`, `tls.key`,
    `apiPassword`), a single word ending in one (`k8swebhookapikey`), or `key` (in a Secret, an entry
    named key holds one: Ceph, GlusterFS), or a word ending in `key` whose value is long and random."""
    if is_secret_name(name) or _SECRET_SUFFIX.search(name.replace("-", "").replace("_", "")):
        return True
    words = name_words(name)
    if not words or " " in text.strip():
        return False
    return words[-1] in ("key", "keys") or words[-1].endswith("key") and len(text) >= 16 and entropy(text) >= 3.5


def _config_secrets(text: str) -> Iterator[str]:
    """Secret-named settings with a literal value in a configuration text (ini, YAML, JSON lines)."""
    for line in text.splitlines():
        found = _ASSIGNMENT.match(line)
        if found and is_secret_name(found.group(1)) and secret_value(found.group(2)):
            yield found.group(1)


def _material(name: str, raw: Any, encoded: bool) -> str:
    """Why the entry is secret material ("" when it is not)."""
    if not isinstance(raw, str) or not raw.strip() or is_reference(raw.strip()):
        return ""
    text = _decoded(raw) if encoded else raw
    if text is None or not text.strip() or is_reference(text.strip()):
        return ""
    if text == _BINARY:
        return "holds binary data"
    hits = detect(text)
    if hits:
        return f"holds a {hits[0][1].title}"
    value = text.strip()
    if "\n" not in value and _secret_key(name, value) and secret_value(value):
        return f"= {mask(value)}"
    settings = list(dict.fromkeys(_config_secrets(text)))
    if settings:
        return f"sets {', '.join(settings[:3])} in plain text"
    return ""


def secret_material(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The Secret holds no secret material: no entry of `data` (base64-decoded) or `stringData` is a
    credential (a secret-named entry with a value, a recognised credential format, binary key material, or
    a configuration text that sets a secret-named setting). Empty entries, template placeholders and
    non-credential configuration are not material."""
    found = []
    for section, encoded in (("stringData", False), ("data", True)):
        entries = resource.values.get(section)
        if not isinstance(entries, dict):
            continue
        for name, raw in entries.items():
            why = _material(str(name), raw, encoded)
            if why:
                found.append((f"{section}.{name}", why))
    if not found:
        return PASS
    path, why = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return fail(path, f"{path} {why}{more}")


# --- service-account tokens ------------------------------------------------------------------------
def _bound(account: str, namespace: str, ctx: Context, pod: Resource) -> Resource | None:
    """A RoleBinding in the namespace or a ClusterRoleBinding that grants the ServiceAccount a role: the first
    deployed with the pod (in its rendered build, or among the plain manifests of its repository), else the
    first of another build."""
    elsewhere = None
    for binding in ctx.of_type(["RoleBinding", "ClusterRoleBinding"]):
        if binding.kind != "kubernetes" or not _grants(binding, account, namespace):
            continue
        if deployed_together(binding, pod, ctx.repositories()):
            return binding
        elsewhere = elsewhere or binding
    return elsewhere


def _grants(binding: Resource, account: str, namespace: str) -> bool:
    """The binding names the ServiceAccount `account` of `namespace` among its subjects."""
    for subject in binding.values.get("subjects") or []:
        subject = mapping(subject)
        if subject.get("kind") != "ServiceAccount" or subject.get("name") != account:
            continue
        default = namespace_of(binding) if binding.type == "RoleBinding" else None
        if (subject.get("namespace") or default) == namespace:
            return True
    return False


def token_automount_disabled(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The pod does not get an API token it did not ask for: automountServiceAccountToken is false on the
    pod or on its ServiceAccount. A pod asks for its token by setting it true, or by running as a
    ServiceAccount that a RoleBinding or ClusterRoleBinding deployed with it grants a role (it calls the
    API); a binding or ServiceAccount only another build or repository deploys leaves the check unresolved."""
    spec_path = resource.pod_spec_path
    pod = next((m.value for m in lookup(resource, "pod")), None)
    if not isinstance(pod, dict):
        return PASS
    path = f"{spec_path}.automountServiceAccountToken"
    own = pod.get("automountServiceAccountToken")
    if own is not None:
        return PASS if str(own).lower() in ("false", "true") else fail(path, f"unexpected value {own!r}")
    account = str(pod.get("serviceAccountName") or pod.get("serviceAccount") or "default")
    namespace = namespace_of(resource)
    binding = _bound(account, namespace, ctx, resource)
    if binding is not None and deployed_together(binding, resource, ctx.repositories()):
        return PASS
    if binding is not None:   # another build's binding grants the role only where that build is deployed too
        return unknown(f"{binding.type} {binding.name} ({binding.path}) grants ServiceAccount {account} a role "
                       "in another build or repository; whether both are deployed to one cluster", path)
    # the ServiceAccount deployed with the pod (its rendered build, or its repository's plain manifests) first
    for other in sorted(ctx.of_type(["ServiceAccount"]),
                        key=lambda a: not deployed_together(a, resource, ctx.repositories())):
        if other.kind != "kubernetes" or other.name != account or namespace_of(other) != namespace:
            continue
        if not deployed_together(other, resource, ctx.repositories()):
            return unknown(f"ServiceAccount {account} is defined in another build or repository ({other.path}); "
                           "whether that is the one deployed with the pod", path)
        if str(other.values.get("automountServiceAccountToken")).lower() == "false":
            return PASS
        return fail(path, f"neither the pod nor ServiceAccount {account} ({other.path}) disables it, and no "
                          f"RoleBinding grants the account a role")
    if account == "default":
        return fail(path, "the pod runs as the default ServiceAccount, which mounts its token")
    return unknown(f"ServiceAccount {account} (not in the scanned manifests)", path)


KUBE_SECRETS: dict[str, PredicateSpec] = {
    "secret_material": spec(secret_material, registries=("secret-detectors",)),
    "token_automount_disabled": spec(token_automount_disabled,
                                     reads=("ServiceAccounts", "RoleBindings and ClusterRoleBindings")),
}
