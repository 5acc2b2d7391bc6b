"""Load policy files (built-in pack and user directories), validate them, and select them."""
from __future__ import annotations

import hashlib
import json
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import yaml

from scanner.errors import ConfigError, PolicyError
from scanner.evaluate import citations
from scanner import pack, yamlfile
from scanner.pack import builtin_policy_dir
from scanner.parse.yaml import LOADER
from scanner.regular_file import read_bytes

if TYPE_CHECKING:
    import jsonschema

NOT_POLICIES = ("registries", "profiles")   # data folders that live next to the policies
CITATION_REGISTRIES = ("controls.yaml", "sources.yaml")   # compiled too: every text report cites from them
FAMILIES = ("cmk", "residency", "secrets", "exit", "haven", "workload", "baseline", "custom")
MESSAGE_FIELDS = ("address", "type", "name", "detail", "path", "item", "values")   # placeholders a message may use
ID_PREFIX = {"CMK": "cmk", "RES": "residency", "SEC": "secrets", "EXIT": "exit", "HAVEN": "haven", "WL": "workload"}
SEVERITY_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0", "info": "0.5"}
LANGUAGES = citations.LANGUAGES   # English is the policy's own text; the others sit in a block named after the language


@dataclass(frozen=True)
class Check:
    match: dict[str, list[str]]
    assertion: dict[str, Any]
    where: dict[str, Any] | None = None
    each: str | None = None
    message: str | None = None
    location: str | None = None
    level: str | None = None     # this check's level when it differs from the policy's
    remediation: str | None = None   # this check's own fix, when the policy's would cover more than it finds


@dataclass(frozen=True)
class PolicyText:
    """What a reader sees of a policy in one language."""
    title: str
    rationale: str
    remediation: dict                        # provider (or "default") -> text
    message: str
    check_messages: tuple[str | None, ...]   # per check: its own message template, or None
    check_remediations: tuple[str | None, ...] = ()   # per check: its own fix, or None


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    family: str
    severity: str
    rationale: str
    remediation: dict[str, str]      # provider (or "default") -> text
    references: dict[str, Any]
    input: str
    checks: tuple[Check, ...]
    message: str
    precision: str
    path: str              # the policy file, for error messages and `policies show`
    aliases: tuple[str, ...] = ()    # earlier ids: waivers, --only/--skip and enforcement keys still match
    since: str = ""                  # the sovscan version that introduced it
    haven_check: str = ""            # the Haven Compliancy Checker check this policy pre-flights
    opt_in: str = ""                 # the opt-in group; "" when the policy runs by default
    declared_level: str = ""         # the level the policy file sets; "" to take it from the severity
    in_demonstration_code: str = "note"   # note: a note in examples and tests; keep: its own level; deployment: by root
    texts: dict[str, PolicyText] = field(default_factory=dict)   # language -> text; "en" always

    @property
    def names(self) -> tuple[str, ...]:
        """The id and every alias."""
        return (self.id,) + self.aliases

    def text(self, lang: str = "en") -> PolicyText:
        """The policy's text in `lang`; English when the policy has no translation into it."""
        found = self.texts.get(lang) or self.texts.get("en")
        if found is not None:
            return found
        return PolicyText(self.title, self.rationale, self.remediation, self.message,
                          tuple(check.message for check in self.checks), tuple(c.remediation for c in self.checks))

    @property
    def level(self) -> str:
        """error: a standard the seeds cite requires it; warning: strong practice; note: inventory, advice."""
        return self.declared_level or SEVERITY_LEVEL[self.severity]

    def level_of(self, check: Check) -> str:
        return check.level or self.level

    @property
    def on_by_default(self) -> bool:
        return not self.opt_in


def schema() -> dict[str, Any]:
    """The policy schema, with the predicate names taken from the engine's registry."""
    from scanner.evaluate.predicates import PREDICATES    # here: a pack validated before needs none of the model
    from scanner.registries.kubernetes import hcc_checks  # nor the Kubernetes registries

    data = json.loads(resources.files("scanner.schemas").joinpath("policy.schema.json").read_text("utf-8"))
    data["$defs"]["predicate_name"] = {"enum": sorted(PREDICATES)}
    data["properties"]["haven_check"] = {"enum": sorted(c.name for c in hcc_checks())}
    return data


_VALIDATOR = None
MAX_POLICY_BYTES = 1024 * 1024


def _validator() -> jsonschema.Draft202012Validator:
    global _VALIDATOR
    import jsonschema   # only when policies are validated (a cached verdict skips the built-in pack's)

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
                return node.start_mark.line + 1    # the mapping that lacks the key
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
    data, text = _document(path)
    return _validated(data, text, path)


def _validated(data: Any, text: str, path: Path) -> Policy:
    _validate(data, text, path)
    return _policy(data, path)


def _document(path: Path) -> tuple[Any, str]:
    """The policy file's YAML document and text; PolicyError when it cannot be read as YAML."""
    try:
        raw = read_bytes(str(path), MAX_POLICY_BYTES)
        if len(raw) > MAX_POLICY_BYTES:
            raise PolicyError(f"{path}: policy file is larger than {MAX_POLICY_BYTES // 1024} KiB")
        text = raw.decode("utf-8")
        data = yaml.load(text, Loader=LOADER)
    except OSError as err:
        raise PolicyError(f"{path}: cannot read policy file: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise PolicyError(f"{path}: policy file is not UTF-8: byte 0x{raw[err.start]:02x} at byte offset {err.start}") from None
    except RecursionError:
        raise PolicyError(f"{path}: policy file is nested too deeply") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise PolicyError(f"{path}:{mark.line + 1 if mark else 1}: policy file is not valid YAML") from None
    except (ValueError, TypeError, AttributeError, OverflowError) as err:   # a value its tag cannot hold
        raise PolicyError(f"{path}: policy file holds a value YAML cannot read ({yamlfile.VALUE_ERROR}: "
                          f"{str(err)[:80]})") from None
    return data, text


def _validate(data: Any, text: str, path: Path) -> None:
    """The document against the policy schema, the citation registries, the predicates' arguments and the
    message placeholders (PolicyError naming the file, line and field)."""
    try:
        yamlfile.check_shape(data, str(path), "policy file")
    except ConfigError as err:
        raise PolicyError(str(err)) from None
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        error = _most_specific(errors[0])
        _fail_at(path, text, list(error.absolute_path), _short(error))
    problems = [(["references", *where], message) for where, message in
                citations.problems(data["references"], citations.builtin())] + _translation_problems(data)
    if problems:
        _fail_at(path, text, *problems[0])
    _check_predicates(data, text, path)
    _check_patterns(data, text, path)
    _check_messages(data, text, path)


def _fail_at(path: Path, text: str, where: list[Any], message: str) -> None:
    raise PolicyError(f"{path}:{_line(text, where)}: {_pointer(where)}: {message}")


def _conditions(node: Any, pointer: list[Any]) -> Iterator[tuple[dict[str, Any], list[Any]]]:
    """Every condition mapping in a check, with its path in the policy document."""
    if not isinstance(node, dict):
        return
    yield node, pointer
    for key in ("all", "any"):
        for index, inner in enumerate(node.get(key) or []):
            yield from _conditions(inner, pointer + [key, index])
    if "not" in node:
        yield from _conditions(node["not"], pointer + ["not"])
    if isinstance(node.get("linked"), dict) and "where" in node["linked"]:
        yield from _conditions(node["linked"]["where"], pointer + ["linked", "where"])


def _check_predicates(data: dict[str, Any], text: str, path: Path) -> None:
    """Each predicate's `args` against the arguments it declares (exit 2 naming the file and field)."""
    import jsonschema

    from scanner.evaluate.predicates import PREDICATES

    for index, check in enumerate(data["checks"]):
        for part in ("where", "assert"):
            for cond, pointer in _conditions(check.get(part), ["checks", index, part]):
                if "predicate" not in cond:
                    continue
                predicate = PREDICATES[cond["predicate"]]
                validator = jsonschema.Draft202012Validator(predicate.schema(), format_checker=_format_checker())
                errors = sorted(validator.iter_errors(cond.get("args", {})), key=lambda e: list(map(str, e.absolute_path)))
                if errors:
                    where = pointer + ["args"] + list(errors[0].absolute_path)
                    raise PolicyError(f"{path}:{_line(text, where)}: {_pointer(where)}: {_short(errors[0])} "
                                      f"(predicate {cond['predicate']} takes {_arguments(predicate.schema())})")


def _format_checker() -> Any:
    """JSON Schema's formats, and `secret-detector`: the id of a detector in the secret-detector registry."""
    import jsonschema

    from scanner.evaluate.predicates.secrets import rules

    checker = jsonschema.FormatChecker(formats=("regex",))
    checker.checks("secret-detector")(lambda value: not isinstance(value, str) or value in rules().detectors.ids)
    return checker


def _check_patterns(data: dict[str, Any], text: str, path: Path) -> None:
    """The value of a `regex` or `not_regex` condition is a regular expression Python can compile: found
    when the policy loads, not when the first resource reaches it."""
    for index, check in enumerate(data["checks"]):
        for part in ("where", "assert"):
            for cond, pointer in _conditions(check.get(part), ["checks", index, part]):
                if cond.get("op") not in ("regex", "not_regex"):
                    continue
                try:
                    re.compile(str(cond.get("value", "")))
                except (re.error, RecursionError, OverflowError) as err:
                    _fail_at(path, text, pointer + ["value"], f"not a regular expression: {err}")


def _arguments(schema: dict[str, Any]) -> str:
    required = set(schema["required"])
    names = [f"{n} (required)" if n in required else n for n in sorted(schema["properties"])]
    return ", ".join(names) or "no arguments"


def _check_messages(data: dict[str, Any], text: str, path: Path) -> None:
    """Message placeholders name fields the engine fills; a misspelt one would print literally."""
    messages = [(["message"], data.get("message"))] + [(["checks", i, "message"], c.get("message"))
                                                       for i, c in enumerate(data["checks"])]
    for pointer, message in messages:
        if not isinstance(message, str):
            continue
        problem = _template_problem(message)
        if problem:
            raise PolicyError(f"{path}:{_line(text, pointer)}: {_pointer(pointer)}: {problem}")


_PLACEHOLDER = re.compile(r"(address|type|name|detail|path|item|values\[[^\[\]{}.!:]+\])")


def _template_problem(message: str) -> str:
    """Why `message` is not a template the engine can fill ("" when it is): placeholders are plain field
    names or `values[key]`, without conversion (`!r`) or format (`:>10`), which would fail at run time."""
    try:
        parts = list(string.Formatter().parse(message))
    except ValueError as err:
        return f"is not a message template: {err}"
    for _, placeholder, spec, conversion in parts:
        if placeholder is None:
            continue
        if placeholder.split("[", 1)[0] not in MESSAGE_FIELDS:
            return (f"unknown placeholder {{{placeholder}}}; a message may use "
                    f"{', '.join('{' + f + '}' for f in MESSAGE_FIELDS)}")
        if spec or conversion or not _PLACEHOLDER.fullmatch(placeholder):
            shown = placeholder + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return f"placeholder {{{shown}}} is not plain: write {{name}} or {{values[key]}}, without ! or :"
    return ""


def _line(text: str, pointer: list[Any]) -> int:
    node = yaml.compose(text, Loader=LOADER)
    return _line_for(node, pointer) if node is not None else 1


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
        own, translated = _per_check(data, block, lang, "message", "check_messages", "message", found)
        for index, (mine, theirs) in enumerate(zip(own, translated)):
            if mine is not None and theirs is not None:
                found += _placeholder_problems(mine, theirs, [lang, "check_messages", index])
        _per_check(data, block, lang, "remediation", "check_remediations", "remediation of its own", found)
    return found


def _per_check(data: dict, block: dict, lang: str, key: str, field: str, what: str,
               found: list[tuple[list, str]]) -> tuple[list, list]:
    """The checks' own `key` texts and the translation's `field` list, when it gives one entry per check with
    null exactly where the check has none; else a problem is added and the translation counts as empty."""
    own = [check.get(key) for check in data["checks"]]
    translated = block.get(field, [None] * len(own))
    if len(translated) == len(own) and [t is None for t in translated] == [o is None for o in own]:
        return own, translated
    found.append(([lang, field] if field in block else [lang],
                  f"needs one entry per check, null where the check has no {what}: {len(own)} checks, "
                  f"{key}s on {[i for i, o in enumerate(own) if o is not None]}"))
    return own, []


def _placeholder_problems(english: str, translated: str, where: list) -> list[tuple[list, str]]:
    try:
        mine, theirs = _placeholders(english), _placeholders(translated)
    except ValueError as err:
        return [(where, f"is not a message template: {err}")]
    if mine != theirs:
        return [(where, f"uses placeholders {sorted(theirs)}, the English uses {sorted(mine)}")]
    problem = _template_problem(translated)
    return [(where, problem)] if problem else []


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _remediation(value: str | dict) -> dict:
    return value if isinstance(value, dict) else {"default": value}


def _text(block: dict, data: dict) -> PolicyText:
    title = block["title"]
    own = [check.get("message") for check in data["checks"]]
    return PolicyText(title=title, rationale=" ".join(block["rationale"].split()),
                      remediation=_remediation(block["remediation"]),
                      message=block.get("message") or "{address}: " + in_sentence(title),
                      check_messages=tuple(block.get("check_messages", own)),
                      check_remediations=tuple(" ".join(fix.split()) if fix else None for fix in block.get(
                          "check_remediations", [c.get("remediation") for c in data["checks"]])))


def in_sentence(title: str) -> str:
    """A title inside a sentence: its first letter lower-cased, unless its first word is an acronym or a
    name written in capitals inside (HTTPS, ReadWriteMany)."""
    first = title.split(" ", 1)[0]
    if not first or any(c.isupper() for c in first[1:]):
        return title
    return title[0].lower() + title[1:]


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


def _policy(data: dict[str, Any], path: Path) -> Policy:
    if path.stem != data["id"]:
        raise PolicyError(f"{path}:1: id: {data['id']!r} does not match the file name {path.stem!r}")
    prefix = data["id"].split("-")[0]
    if prefix in ID_PREFIX and ID_PREFIX[prefix] != data["family"]:
        raise PolicyError(f"{path}:1: family: {data['family']!r} does not fit the id prefix {prefix}")
    checks = tuple(Check(c["match"], c["assert"], c.get("where"), c.get("each"), c.get("message"), c.get("location"),
                         c.get("level"), " ".join(c["remediation"].split()) if c.get("remediation") else None)
                   for c in data["checks"])
    english = _text(data, data)
    texts = {lang: _text(data[lang], data) for lang in LANGUAGES[1:] if lang in data}
    return Policy(
        id=data["id"], title=english.title, family=data["family"], severity=data["severity"],
        rationale=english.rationale, remediation=english.remediation,
        references=data["references"], input=data["input"], checks=checks, message=english.message,
        precision=data.get("precision", "high"), path=str(path), aliases=tuple(data.get("aliases", ())),
        since=str(data.get("since", "")), haven_check=str(data.get("haven_check", "")),
        opt_in=str(data.get("opt_in", "")), declared_level=str(data.get("level", "")),
        in_demonstration_code=str(data.get("in_demonstration_code", "note")),
        texts={"en": english, **texts})


def _policy_files(directory: Path) -> list[Path]:
    return [p for p in sorted(directory.glob("*/*.yaml")) if p.parent.name not in NOT_POLICIES]


def load_dir(directory: Path) -> list[Policy]:
    return [_validated(data, text, path) for path, data, text in _documents(directory)]


def _documents(directory: Path) -> list[tuple[Path, Any, str]]:
    """(file, YAML document, text) of each policy file of the directory, read once."""
    if not directory.is_dir():
        raise PolicyError(f"{directory}: policy directory does not exist")
    misplaced = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml"), *directory.glob("*/*.yml")])
    if misplaced:   # a policy the loader would pass over must not look like a rule that holds
        raise PolicyError(f"{misplaced[0]}: not loaded: a policy file is <directory>/<family>/<ID>.yaml "
                          f"(e.g. {directory / 'custom' / (misplaced[0].stem + '.yaml')})")
    return [(path, *_document(path)) for path in _policy_files(directory)]


def _load_builtin(cache_dir: str | None) -> list[Policy]:
    """The built-in pack; validated only when the cache has no verdict for this version and content. The
    verdict is only remembered when the compiled copy gives the very documents the validated YAML gives, so
    a cached run never reads a policy that was not validated (a damaged copy only makes runs slower)."""
    directory = builtin_policy_dir()
    if cache_dir is None:
        return load_dir(directory)
    from scanner import config, registries
    from scanner.evaluate import pack_cache

    if pack_cache.validated(cache_dir, directory):
        registries.validated_before(str(directory))
        return [_policy(data, path) for path, data in _builtin_documents(directory)]
    documents = _documents(directory)
    policies = [_validated(data, text, path) for path, data, text in documents]
    config.validate_builtin_profiles()
    registries.validate_all()
    if _builtin_documents(directory) == [(path, data) for path, data, _ in documents] and \
            _registry_copies_match(directory):
        pack_cache.remember(cache_dir, directory)
    return policies


def _registry_copies_match(directory: Path) -> bool:
    """The compiled copies of the citation registries, where a run would read them, give what their YAML gives."""
    compiled = pack.compiled(directory)
    for path in (directory / "registries" / name for name in CITATION_REGISTRIES):
        copy = pack.compiled_document(compiled, directory, path)
        if copy is not None and copy != _document(path)[0]:
            return False
    return True


def _builtin_documents(directory: Path) -> list[tuple[Path, Any]]:
    """(file, document) of each built-in policy: the compiled copy's document when the copy was made from
    the file's exact bytes (JSON reads in a tenth of the time of YAML, most of a cached run's start-up),
    else the YAML's."""
    compiled = pack.compiled(directory)
    documents = []
    for path in _policy_files(directory):
        copy = pack.compiled_document(compiled, directory, path)
        documents.append((path, copy if copy is not None else _document(path)[0]))
    return documents


def compile_pack(directory: Path) -> str:
    """The compiled copy of the policies under `directory`, and of the citation registries a cached run's
    reports read: each file's YAML document as JSON with the SHA-256 of the file's bytes, one line per file
    (tests/evaluate/test_compiled_pack.py keeps it current)."""
    lines = []
    for path in _policy_files(directory) + [directory / "registries" / name for name in CITATION_REGISTRIES]:
        entry = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "document": _document(path)[0]}
        lines.append(json.dumps(path.relative_to(directory).as_posix()) + ": " +
                     json.dumps(entry, ensure_ascii=False, allow_nan=False))
    return "{\n" + ",\n".join(lines) + "\n}\n"


def load(extra_dirs: tuple[str, ...] = (), cache_dir: str | None = None) -> list[Policy]:
    """The built-in pack and the policies of `extra_dirs`, each validated; with a cache directory the built-in
    pack's validation is remembered (scanner/evaluate/pack_cache.py)."""
    policies = _load_builtin(cache_dir)
    for directory in extra_dirs:
        policies.extend(load_dir(Path(directory)))
    seen: dict[str, str] = {}
    for policy in policies:
        for name in policy.names:
            if name in seen:
                raise PolicyError(f"{policy.path}:1: id: {name} is already defined in {seen[name]}")
            seen[name] = policy.path
    return sorted(policies, key=lambda p: p.id)
