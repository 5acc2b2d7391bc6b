"""Secrets predicates: secret-looking names and values, format detectors over text, state backends and
CI definitions (Kubernetes Secret objects and service-account tokens: kube_secrets.py).

What counts as a secret name, a reference, a placeholder or a detector match is data
(policies/registries/secret-detectors.yaml). Every value a verdict mentions goes through `mask`.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from scanner.evaluate.context import Context
from scanner.masking import DETECTOR_REGISTRY, mask
from scanner.model.paths import Match, item_keys, lookup
from scanner.evaluate.predicates.spec import BOOLEAN, DETECTORS, MAPPING, STRING, STRINGS, PredicateSpec, spec
from scanner.registries import document
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model import detectors
from scanner.model.detectors import Hit, entropy
from scanner.model.resource import Resource
from scanner.model.values import Unknown

REGISTRY = DETECTOR_REGISTRY


# --- the registry ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    detectors: detectors.Catalogue
    words: frozenset
    key_words: frozenset
    key_qualifiers: frozenset
    pairs: tuple[tuple[str, ...], ...]
    not_secret_after: frozenset
    not_secret_before: frozenset
    generic_leaves: frozenset    # keys named only for what they hold (`value`): a name beside them says what
    references: tuple[re.Pattern, ...]
    placeholders: tuple[re.Pattern, ...]


@functools.lru_cache(maxsize=1)
def rules() -> Rules:
    data = document(REGISTRY)
    names, values = data.get("names", {}), data.get("values", {})
    return Rules(
        detectors=detectors.load(data),
        words=frozenset(names.get("words", [])),
        key_words=frozenset(names.get("key_words", [])),
        key_qualifiers=frozenset(names.get("key_qualifiers", [])),
        pairs=tuple(tuple(p) for p in names.get("pairs", [])),
        not_secret_after=frozenset(names.get("not_secret_after", [])),
        not_secret_before=frozenset(names.get("not_secret_before", [])),
        generic_leaves=frozenset(names.get("generic_leaves", [])),
        references=tuple(re.compile(p) for p in values.get("references", [])),
        placeholders=tuple(re.compile(p) for p in values.get("placeholders", [])),
    )


# --- names and values -----------------------------------------------------------------------------
_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def name_words(name: str) -> list[str]:
    """`dbAdminPassword` / `DB_ADMIN_PASSWORD` / `db-admin.password` -> [db, admin, password]."""
    return [w for w in _NOT_WORD.split(_HUMP.sub("_", str(name)).lower()) if w]


def _secret_word_end(words: list[str]) -> int:
    """Index of the last word that makes the name secret (-1 when none does). English compounds put the
    head noun last, so what follows that word decides what the name is about."""
    r = rules()
    last = -1
    for i, word in enumerate(words):
        qualified_key = word in r.key_words and i > 0 and words[i - 1] in r.key_qualifiers
        compound_key = word.endswith("key") and word[:-3] in r.key_qualifiers      # "apikey", "accesskey"
        if word in r.words or qualified_key or compound_key:
            last = i
    for pair in r.pairs:
        for i in range(len(words) - len(pair) + 1):
            if tuple(words[i:i + len(pair)]) == pair:
                last = max(last, i + len(pair) - 1)
    return last


@functools.lru_cache(maxsize=16384)   # a module's variables and outputs are judged once per instance of it
def is_secret_name(name: str) -> bool:
    """A name that says it holds a secret: `client_secret`, `access_key`, `DB_PASSWORD`; not
    `key_vault_id`, `secret_name`, `password_length`, `ssh_public_key` or `aws_access_key_id`."""
    r = rules()
    words = name_words(name)
    end = _secret_word_end(words)
    if end < 0:
        return False
    if any(w in r.not_secret_after for w in words[end + 1:]):
        return False
    return not any(w in r.not_secret_before for w in words[:end])


def is_reference(value: str) -> bool:
    return any(p.search(value) for p in rules().references)


def is_placeholder(value: str) -> bool:
    return any(p.search(value) for p in rules().placeholders)


def secret_value(value: Any) -> bool:
    """A value that may be a real secret: a non-empty string that is not a reference or placeholder."""
    if not isinstance(value, str) or not value.strip():
        return False
    text = value.strip()
    return not is_reference(text) and not is_placeholder(text)


def _strong(value: str, min_length: int = 8, min_entropy: float = 3.0) -> bool:
    """Long and random enough to be a credential rather than a throwaway test value."""
    return len(value) >= min_length and entropy(value) >= min_entropy


def shown_secret(name: str, value: Any) -> str:
    return f"{name} = {mask(value)}"


def and_more(count: int) -> str:
    return f" (and {count} more)" if count else ""


def secret_named(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The name looks secret: the resource's own name (a variable's, an output's), or the value at
    `path`. A variable typed or defaulted as a boolean or number never holds a secret."""
    if "path" in args:
        found = [m.value for m in lookup(resource, args["path"], base)]
        if found and isinstance(found[0], Unknown):
            return unknown(found[0].reason, args["path"])
        name = str(found[0]) if found else ""
    else:
        name = resource.address.rsplit(".", 1)[-1]
    if not is_secret_name(name):
        return fail(detail=f"{name} is not a secret-looking name")
    declared_type = resource.values.get("type")
    if declared_type in ("bool", "number"):
        return fail(detail=f"{name} is a {declared_type}")
    # list(...), set(...), object(...), tuple(...): names or settings of secrets (image_pull_secrets,
    # secret_sync_config), not a secret; map(string) and string may well hold one.
    if isinstance(declared_type, str) and re.match(r"(list|set|object|tuple)\(", declared_type):
        return fail(detail=f"{name} is a collection")
    if isinstance(resource.values.get("default"), (bool, int, float)):
        return fail(detail=f"{name} has a non-string default")
    return PASS


# --- Terraform maps and entry lists (app_settings, environment variables, env blocks) --------------
def _entries(match: Match, args: dict) -> Iterator[tuple[str, Any, str, str, list[str]]]:
    """(name, value, location, key, literal paths that would make it written-out) per entry."""
    value = match.value
    if isinstance(value, dict):
        for name, item in value.items():
            location = f"{match.location}.{name}"
            yield str(name), item, location, f"{match.key}.{name}", [match.location, location]
        return
    if not isinstance(value, list):
        return
    name_key, value_key = args.get("name", "name"), args.get("value", "value")
    keys = item_keys(value, (name_key,))
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get(name_key), str):
            continue
        location = f"{match.location}[{index}].{value_key}"
        yield item[name_key], item.get(value_key), location, f"{match.key}{keys[index]}.{value_key}", \
            [location, f"{match.location}.{value_key}"]


def _written_out(resource: Resource, value: Any, literal_paths: list[str]) -> bool:
    """Written as a literal in the source. Terraform knows this per attribute; YAML has no references.

    For repeated blocks the model records `env.value` once for all `env` blocks, so a literal in one
    block vouches for all; when it records them per block (`env[1].value`), only the block's own counts."""
    if isinstance(value, Unknown):
        return False
    if resource.kind != "terraform":
        return True
    if "[" in literal_paths[0] and any("[" in p for p in resource.literal_paths):
        return literal_paths[0] in resource.literal_paths
    return any(p in resource.literal_paths for p in literal_paths)


def below_item(path: str, base: Match | None, attr: str) -> str:
    """A path relative to the iterated item, as the engine expects from a predicate under `each`."""
    prefix = getattr(base, attr, "") if base is not None else ""
    return path[len(prefix) + 1:] if prefix and path.startswith(prefix + ".") else path


def secret_entries(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """No entry of the map (or name/value list) at `path` has a secret-looking name and a literal secret
    value; with `every`, no entry has a literal value whatever its name (a map that holds only secrets, such
    as a container group's secure_environment_variables). References (variables, Key Vault references,
    `$(VAR)`, `${{ secrets.X }}`) are fine."""
    hits = []
    every = args.get("every", False)
    for match in lookup(resource, args["path"], base):
        for name, value, location, key, literal_paths in _entries(match, args):
            if not (every or is_secret_name(name)) or not secret_value(value):
                continue
            if _written_out(resource, value, literal_paths):
                hits.append((location, key, name, value))
    if not hits:
        return PASS
    location, key, name, value = hits[0]
    return Verdict(False, below_item(location, base, "location"), below_item(key, base, "key"),
                   shown_secret(name, value) + and_more(len(hits) - 1))


# --- SEC-002: detectors over text (found by scanner/model/detectors.py) -----------------------------
def detect(text: str) -> list[Hit]:
    """(line, detector, secret) for every qualifying match of every detector, by line."""
    return detectors.find(text, rules().detectors)


def chosen(hits: Sequence[Hit], detector_ids: list[str] | None) -> Sequence[Hit]:
    """The hits of the named detectors (all for None), by line and then in the order they are named."""
    if not detector_ids:
        return hits
    catalogue = rules().detectors
    order = {i: n for n, i in enumerate(detector_ids)}
    if not order.keys() <= catalogue.ids:
        raise KeyError(f"unknown detectors {sorted(order.keys() - catalogue.ids)}")
    return sorted((h for h in hits if h.detector.id in order), key=lambda h: (h.line, order[h.detector.id]))


def secret_text(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The file's text holds none of the `detectors` formats. Points at the line of the first match;
    the key is a digest of the secret, so the finding keeps its identity when lines move."""
    found = ctx.detector_hits.get(resource.path)   # one reading and one pass per file serve every check that asks
    if found is None:   # most files have none: one empty tuple serves them all
        found = ctx.detector_hits[resource.path] = tuple(detect(ctx.model.texts.get(resource.path, ""))) or ()
    hits = chosen(found, args.get("detectors"))
    if not hits:
        return PASS
    line, detector, secret = hits[0]
    digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]
    others = sorted({h[0] for h in hits[1:]})
    more = f"; also on line {', '.join(map(str, others[:10]))}" if others else ""
    shown = mask(re.sub(r"\s+|\\n|\\r", "", secret))
    return Verdict(False, "", f"{detector.id}:{digest}", f"{detector.title} {shown}{more}", line=line)


# --- SEC-004: tfvars --------------------------------------------------------------------------------
def _secret_pairs(name: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _secret_pairs(str(key), item)
    elif isinstance(value, list):
        for item in value:
            yield from _secret_pairs(name, item)
    elif is_secret_name(name) and secret_value(value):
        yield name, value


def tfvars_secrets(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """A committed variable-definitions file gives no secret-named variable a literal value."""
    entries = resource.values.get("entries")
    if not isinstance(entries, dict):
        return PASS
    hits = [(entry, name, value) for entry, written in entries.items() if entry in resource.literal_paths
            for name, value in _secret_pairs(entry, written)]
    if not hits:
        return PASS
    entry, name, value = hits[0]
    return Verdict(False, entry, entry if entry == name else f"{entry}.{name}",
                   shown_secret(name, value) + and_more(len(hits) - 1))


# --- SEC-005: outputs -------------------------------------------------------------------------------
# Provider attributes that hold credentials although their names do not say "password" or "secret".
_SECRET_ATTRIBUTE = re.compile(
    r"^(primary|secondary)_(access_key|key|master_key|connection_string|blob_connection_string)$"
    r"|connection_string|^kube_(admin_)?config(_raw)?$|^client_key$|^private_key_(pem|openssh|pem_pkcs8)$"
    r"|^ses_smtp_password")
# Attributes that identify or locate something and hold no secret: an output of only these is safe
# whatever its name says.
_IDENTIFYING_ATTRIBUTE = re.compile(
    r"^(id|arn|name|fqdn|endpoint|address|location|version|url|uri|domain|hostname|port)$"
    r"|_(id|ids|arn|name|fqdn|endpoint|url|uri|address|hostname|domain)$|^encrypted_|fingerprint|thumbprint")
# Data sources that read a secret store. Not aws_ssm_parameter: Parameter Store holds public facts as well
# (the EKS-optimised AMI ids under /aws/service/...), so its outputs are judged by their names.
_SECRET_STORE_DATA = re.compile(
    r"^data\.(azurerm_key_vault_secret|aws_secretsmanager_secret_version|google_secret_manager_secret_version"
    r"|vault_\w*secret\w*|azurerm_key_vault_certificate_data)\.")


def _unknowns(value: Any) -> Iterator[Unknown]:
    if isinstance(value, Unknown):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _unknowns(item)
    elif isinstance(value, list):
        for item in value:
            yield from _unknowns(item)


def _exposed_attribute(missing: Unknown) -> str | None:
    """The secret-named variable an unknown value comes from: Terraform shows what the caller passes, unless
    the caller marks it sensitive (then Terraform refuses a non-sensitive output)."""
    if missing.kind == "variable" and missing.reason.startswith("var.") and \
            is_secret_name(missing.reason.split(" ", 1)[0][4:]):
        return missing.reason.split(" ", 1)[0]
    return None


def _marked_by_provider(missing: Unknown) -> bool:
    """A credential attribute of a resource (an access key, a connection string, a kubeconfig, a password) or
    a secret store's data source. Providers mark these sensitive, and the mark follows the value through
    interpolation: Terraform refuses a root module output of one without sensitive = true and keeps it
    hidden in a child module's caller, so the output shows nothing."""
    if missing.kind == "data" and missing.refers_to and _SECRET_STORE_DATA.match(missing.refers_to + "."):
        return True
    attribute = missing.attribute or ""
    return missing.kind == "computed" and bool(missing.refers_to) and bool(attribute) and \
        not attribute.startswith("encrypted_") and bool(_SECRET_ATTRIBUTE.search(attribute) or is_secret_name(attribute))


def output_exposes_no_secret(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The output shows no secret: its value does not pass on a secret-named variable, and its name does not
    look secret unless the value is made of identifying attributes only (an id, an ARN, a name, an
    encrypted_secret). A resource's credential attribute or a secret store's value is hidden by Terraform
    itself: the provider marks it sensitive (`_marked_by_provider`). What the value comes from is read from the
    value alone: evaluation leaves in it a marker naming the variable or resource attribute it refers to."""
    name = resource.address.rsplit(".", 1)[-1]
    value = resource.values.get("value")
    missing = list(_unknowns(value))
    for item in missing:
        exposed = _exposed_attribute(item)
        if exposed:
            return fail("value", f"the value comes from {exposed}")
    if any(_marked_by_provider(m) for m in missing):
        return PASS      # hidden by Terraform itself (a plan error in a root module), not shown
    if missing and all(m.kind == "computed" and m.attribute and _IDENTIFYING_ATTRIBUTE.search(m.attribute)
                       for m in missing):
        return PASS      # only ids, ARNs, names or ciphertext: the name alone does not make it a secret
    if is_secret_name(name):
        return fail("value", f"{name} is a secret-looking name")
    return PASS


# --- SEC-006: state backends ------------------------------------------------------------------------
# Where a backend keeps the state; without these the block is a partial configuration.
_BACKEND_LOCATION = {"s3": ("bucket", "key"), "gcs": ("bucket",),
                     "azurerm": ("storage_account_name", "container_name", "key")}


def backend_settings_written(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The backend block is complete: it names where the state lives (s3: bucket and key; gcs: bucket;
    azurerm: storage account, container and key; other types: anything). Without that it is a partial
    configuration completed by `terraform init -backend-config`, which the repository does not show, and
    the settings given there (a kms_key_id too) cannot be judged."""
    values = resource.values
    needed = _BACKEND_LOCATION.get(str(values.get("type")), ())
    missing = [k for k in needed if values.get(k) in (None, "")]
    if missing:
        return unknown(f"the backend configuration (partial: {', '.join(missing)} given at terraform init)")
    if any(k != "type" for k in values):
        return PASS
    return unknown("the backend configuration (partial, completed at terraform init)")


# --- SEC-013 / SEC-014: CI definitions --------------------------------------------------------------
_GITHUB_SECRET_REF = re.compile(r"\$\{\{\s*(secrets|vars)\.")


def _ci_settings(resource: Resource) -> Iterator[tuple[str, str, str, Any, str]]:
    """(location, key, name, value, action) of every env/variables entry and step input (derived facts)."""
    for entry in resource.facts.get("settings", []):
        yield entry["location"], entry["key"], entry["name"], entry["value"], entry["action"]


def ci_no_inline_secrets(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """No secret-named env/variables entry (or action input) holds a literal credential. CI service
    containers' throwaway passwords ("postgres") are below the length/entropy bar."""
    hits = [(location, key, name, value) for location, key, name, value, _ in _ci_settings(resource)
            if is_secret_name(name) and secret_value(value) and _strong(str(value).strip())]
    if not hits:
        return PASS
    location, key, name, value = hits[0]
    return Verdict(False, location, key, shown_secret(name, value) + and_more(len(hits) - 1))


def _from_store_or_literal(value: Any, platform: str) -> bool:
    """Set from a long-lived stored secret (GitHub `secrets.`/`vars.`, any GitLab variable) or literally."""
    if not isinstance(value, str) or not value.strip():
        return False
    if platform == "github_workflow" and "${{" in value:
        return bool(_GITHUB_SECRET_REF.search(value))
    return True


def ci_oidc_federation(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Cloud logins use OIDC federation: no long-lived cloud key is handed to a job, neither as an
    environment variable (`variables`) nor as a login action's key input (`action_inputs`)."""
    variables = {v.upper() for v in args.get("variables", [])}
    action_inputs = {k.lower(): set(v) for k, v in (args.get("action_inputs") or {}).items()}
    for location, key, name, value, action in _ci_settings(resource):
        is_input = ".with." in location
        if is_input and name in action_inputs.get(action, ()) and _from_store_or_literal(value, resource.type):
            return Verdict(False, location, key, f"{action} gets the long-lived key input {name}")
        if not is_input and name.upper() in variables and _from_store_or_literal(value, resource.type):
            return Verdict(False, location, key, f"{name} is set from a stored long-lived key")
    return PASS


SECRETS: dict[str, PredicateSpec] = {
    "secret_named": spec(secret_named, optional={"path": STRING}, registries=("secret-detectors",)),
    "secret_entries": spec(secret_entries, required={"path": STRING},
                           optional={"name": STRING, "value": STRING, "every": BOOLEAN},
                           registries=("secret-detectors",)),
    "secret_text": spec(secret_text, optional={"detectors": DETECTORS}, registries=("secret-detectors",), own_text=True),
    "tfvars_secrets": spec(tfvars_secrets, derived=("inputs",), registries=("secret-detectors",)),
    "output_exposes_no_secret": spec(output_exposes_no_secret, registries=("secret-detectors",)),
    "backend_settings_written": spec(backend_settings_written),
    "ci_no_inline_secrets": spec(ci_no_inline_secrets, reads=("CI settings (derived)",), derived=("inputs",),
                                 registries=("secret-detectors",)),
    "ci_oidc_federation": spec(ci_oidc_federation, optional={"variables": STRINGS, "action_inputs": MAPPING},
                               reads=("CI settings (derived)",), derived=("inputs",)),
}
