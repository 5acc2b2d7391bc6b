"""Load policy files (built-in pack and user directories), validate them, and select them."""
from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from scanner.errors import PolicyError
from scanner.evaluate import citations
from scanner.evaluate.predicates import PREDICATES
from scanner.pack import builtin_policy_dir

NOT_POLICIES = ("registries", "profiles")   # data folders that live next to the policies
FAMILIES = ("cmk", "residency", "secrets", "exit", "haven", "baseline", "custom")
ID_PREFIX = {"CMK": "cmk", "RES": "residency", "SEC": "secrets", "EXIT": "exit", "HAVEN": "haven"}
SEVERITY_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0", "info": "0.5"}
LANGUAGES = citations.LANGUAGES   # English is the policy's own text; the others sit in a block named after the language


@dataclass(frozen=True)
class Check:
    match: dict
    assertion: dict
    where: dict | None = None
    each: str | None = None
    message: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class PolicyText:
    """What a reader sees of a policy in one language."""
    title: str
    rationale: str
    remediation: dict                        # provider (or "default") -> text
    message: str
    check_messages: tuple[str | None, ...]   # per check: its own message template, or None


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
    texts: dict[str, PolicyText] = field(default_factory=dict)   # language -> text; "en" always

    @property
    def level(self) -> str:
        return SEVERITY_LEVEL[self.severity]

    def text(self, lang: str = "en") -> PolicyText:
        """The policy's text in `lang`; English when the policy has no translation into it."""
        found = self.texts.get(lang) or self.texts.get("en")
        if found is not None:
            return found
        return PolicyText(self.title, self.rationale, self.remediation, self.message,
                          tuple(check.message for check in self.checks))

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
        text = path.read_text("utf-8")
        data = yaml.load(text, Loader=_LOADER)
    except OSError as err:
        raise PolicyError(f"{path}: cannot read policy file: {err.strerror}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise PolicyError(f"{path}:{mark.line + 1 if mark else 1}: policy file is not valid YAML") from None
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        error = _most_specific(errors[0])
        _fail_at(path, text, list(error.absolute_path), _short(error))
    problems = [(["references", *where], message) for where, message in
                citations.problems(data["references"], citations.builtin())] + _translation_problems(data)
    if problems:
        _fail_at(path, text, *problems[0])
    return _policy(data, path)


def _fail_at(path: Path, text: str, where: list, message: str) -> None:
    node = yaml.compose(text, Loader=_LOADER)   # only now: the nodes know the lines
    line = _line_for(node, where) if node is not None else 1
    raise PolicyError(f"{path}:{line}: {_pointer(where)}: {message}")


def _translation_problems(data: dict) -> list[tuple[list, str]]:
    """A translation must fix the same things and fill the same placeholders as the English."""
    found: list[tuple[list, str]] = []
    for lang in LANGUAGES[1:]:
        block = data.get(lang)
        if block is None:
            continue
        english, other = _remediation(data["remediation"]), _remediation(block["remediation"])
        if set(english) != set(other):
            found.append(([lang, "remediation"], f"gives {sorted(other)}, the English gives {sorted(english)}"))
        if ("message" in data) != ("message" in block):
            found.append(([lang, "message"] if "message" in block else [lang],
                          "a message is needed in both languages or in neither"))
        elif "message" in data:
            found += _placeholder_problems(data["message"], block["message"], [lang, "message"])
        own = [check.get("message") for check in data["checks"]]
        translated = block.get("check_messages", [None] * len(own))
        if len(translated) != len(own) or [m is None for m in translated] != [m is None for m in own]:
            found.append(([lang, "check_messages"] if "check_messages" in block else [lang],
                          f"needs one entry per check, null where the check has no message: {len(own)} checks, "
                          f"messages on {[i for i, m in enumerate(own) if m is not None]}"))
            continue
        for index, (mine, theirs) in enumerate(zip(own, translated)):
            if mine is not None and theirs is not None:
                found += _placeholder_problems(mine, theirs, [lang, "check_messages", index])
    return found


def _placeholder_problems(english: str, translated: str, where: list) -> list[tuple[list, str]]:
    try:
        mine, theirs = _placeholders(english), _placeholders(translated)
    except ValueError as err:
        return [(where, f"is not a message template: {err}")]
    if mine != theirs:
        return [(where, f"uses placeholders {sorted(theirs)}, the English uses {sorted(mine)}")]
    return []


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _remediation(value: str | dict) -> dict:
    return value if isinstance(value, dict) else {"default": value}


def _text(block: dict, data: dict) -> PolicyText:
    title = block["title"]
    own = [check.get("message") for check in data["checks"]]
    return PolicyText(title=title, rationale=" ".join(block["rationale"].split()),
                      remediation=_remediation(block["remediation"]),
                      message=block.get("message") or "{address}: " + title[0].lower() + title[1:],
                      check_messages=tuple(block.get("check_messages", own)))


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
    checks = tuple(Check(c["match"], c["assert"], c.get("where"), c.get("each"), c.get("message"), c.get("location"))
                   for c in data["checks"])
    english = _text(data, data)
    texts = {lang: _text(data[lang], data) for lang in LANGUAGES[1:] if lang in data}
    return Policy(
        id=data["id"], title=english.title, family=data["family"], severity=data["severity"],
        rationale=english.rationale, remediation=english.remediation,
        references=data["references"], input=data["input"], checks=checks, message=english.message,
        precision=data.get("precision", "high"), path=str(path), texts={"en": english, **texts})


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
