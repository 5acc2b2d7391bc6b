"""Load policy files (built-in pack and user directories), validate them, and select them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from scanner.errors import PolicyError
from scanner.evaluate.predicates import PREDICATES
from scanner.pack import builtin_policy_dir

NOT_POLICIES = ("registries", "profiles")   # data folders that live next to the policies
FAMILIES = ("cmk", "residency", "secrets", "exit", "haven", "baseline", "custom")
ID_PREFIX = {"CMK": "cmk", "RES": "residency", "SEC": "secrets", "EXIT": "exit", "HAVEN": "haven"}
SEVERITY_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0", "info": "0.5"}


@dataclass(frozen=True)
class Check:
    match: dict
    assertion: dict
    where: dict | None = None
    each: str | None = None
    message: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    family: str
    severity: str
    rationale: str
    remediation: dict      # provider (or "default") -> text
    references: dict
    input: str
    checks: tuple[Check, ...]
    message: str
    precision: str
    path: str              # the policy file, for error messages and `policies show`

    @property
    def level(self) -> str:
        return SEVERITY_LEVEL[self.severity]

    def remediation_for(self, resource_type: str) -> str:
        provider = resource_type.split("_", 1)[0]
        return self.remediation.get(provider) or self.remediation.get("default") or next(iter(self.remediation.values()))


def schema() -> dict:
    """The policy schema, with the predicate names taken from the engine's registry."""
    data = json.loads(resources.files("scanner.schemas").joinpath("policy.schema.json").read_text("utf-8"))
    data["$defs"]["predicate_name"] = {"enum": sorted(PREDICATES)}
    return data


_VALIDATOR = None
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _validator() -> jsonschema.Draft202012Validator:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = jsonschema.Draft202012Validator(schema())
    return _VALIDATOR


def _line_for(node: yaml.Node, path: list) -> int:
    """Line of the deepest node on `path` in the composed YAML, for error messages."""
    line = node.start_mark.line + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == part), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _pointer(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_file(path: Path) -> Policy:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        data = yaml.load(text, Loader=_LOADER)
    except OSError as err:
        raise PolicyError(f"{path}: cannot read policy file: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise PolicyError(f"{path}: policy file is not UTF-8: byte 0x{raw[err.start]:02x} at byte offset {err.start}") from None
    except RecursionError:
        raise PolicyError(f"{path}: policy file is nested too deeply") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise PolicyError(f"{path}:{mark.line + 1 if mark else 1}: policy file is not valid YAML") from None
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        error = _most_specific(errors[0])
        node = yaml.compose(text, Loader=_LOADER)   # only now: the nodes know the lines
        line = _line_for(node, list(error.absolute_path)) if node is not None else 1
        raise PolicyError(f"{path}:{line}: {_pointer(error.absolute_path)}: {_short(error)}")
    return _policy(data, path)


def _most_specific(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """oneOf errors hide the real problem in their context; pick the deepest."""
    if error.context:
        return max(error.context, key=lambda e: len(e.absolute_path))
    return error


def _short(error: jsonschema.ValidationError) -> str:
    message = error.message
    if error.validator == "additionalProperties":
        return message.replace("Additional properties are not allowed", "unknown key")
    return message if len(message) < 200 else message[:200] + "..."


def _policy(data: dict, path: Path) -> Policy:
    if path.stem != data["id"]:
        raise PolicyError(f"{path}:1: id: {data['id']!r} does not match the file name {path.stem!r}")
    prefix = data["id"].split("-")[0]
    if prefix in ID_PREFIX and ID_PREFIX[prefix] != data["family"]:
        raise PolicyError(f"{path}:1: family: {data['family']!r} does not fit the id prefix {prefix}")
    remediation = data["remediation"]
    checks = tuple(Check(c["match"], c["assert"], c.get("where"), c.get("each"), c.get("message"), c.get("location"))
                   for c in data["checks"])
    return Policy(
        id=data["id"], title=data["title"], family=data["family"], severity=data["severity"],
        rationale=" ".join(data["rationale"].split()),
        remediation=remediation if isinstance(remediation, dict) else {"default": remediation},
        references=data["references"], input=data["input"], checks=checks,
        message=data.get("message") or "{address}: " + data["title"][0].lower() + data["title"][1:],
        precision=data.get("precision", "high"), path=str(path))


def load_dir(directory: Path) -> list[Policy]:
    if not directory.is_dir():
        raise PolicyError(f"{directory}: policy directory does not exist")
    return [load_file(p) for p in sorted(directory.glob("*/*.yaml")) if p.parent.name not in NOT_POLICIES]


def load(extra_dirs: tuple[str, ...] = ()) -> list[Policy]:
    policies = load_dir(builtin_policy_dir())
    for directory in extra_dirs:
        policies.extend(load_dir(Path(directory)))
    seen: dict[str, str] = {}
    for policy in policies:
        if policy.id in seen:
            raise PolicyError(f"{policy.path}:1: id: {policy.id} is already defined in {seen[policy.id]}")
        seen[policy.id] = policy.path
    return sorted(policies, key=lambda p: p.id)


def select(policies: list[Policy], only: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> list[Policy]:
    known = {p.id for p in policies} | {p.family for p in policies} | set(FAMILIES)
    for name in only + skip:
        if name not in known:
            raise PolicyError(f"--only/--skip: {name!r} is neither a family nor a policy id")
    chosen = [p for p in policies if not only or p.id in only or p.family in only]
    return [p for p in chosen if p.id not in skip and p.family not in skip]
