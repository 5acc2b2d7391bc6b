"""Stage 4's policy validation: a policy document against the policy schema, the citation registries, the
predicates' declared arguments, its regular expressions, its message templates and its translations. Every
problem is a PolicyError naming the file, line and field (exit 2). Only a run that validates policies loads
it (a built-in pack validated before is not validated again: scanner/evaluate/pack_cache.py)."""
from __future__ import annotations

import json
import re
import string
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import yaml

from scanner import yamlfile
from scanner.errors import ConfigError, PolicyError
from scanner.model.functions.arguments import FunctionError
from scanner.model.functions.re2 import PatternTooComplex, compile_re2
from scanner.evaluate.operators import as_number
from scanner.model.paths import well_formed
from scanner.evaluate import citations
from scanner.evaluate.policies import LANGUAGES, MESSAGE_FIELDS, remediation_texts
from scanner.parse.yaml import LOADER


if TYPE_CHECKING:
    import jsonschema


def schema() -> dict[str, Any]:
    """The policy schema, with the predicate names taken from the engine's registry."""
    from scanner.evaluate.predicates import PREDICATES    # here: a pack validated before needs none of the model
    from scanner.registries.kubernetes import hcc_checks  # nor the Kubernetes registries

    data = json.loads(resources.files("scanner.schemas").joinpath("policy.schema.json").read_text("utf-8"))
    data["$defs"]["predicate_name"] = {"enum": sorted(PREDICATES)}
    data["properties"]["haven_check"] = {"enum": sorted(c.name for c in hcc_checks())}
    return data


_VALIDATOR = None
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


def validate(data: Any, text: str, path: Path) -> None:
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
    _check_paths(data, text, path)
    _check_messages(data, text, path)


def _fail_at(path: Path, text: str, where: list[Any], message: str) -> None:
    raise PolicyError(f"{path}:{_line(text, where)}: {yamlfile.pointer(where)}: {message}")


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
                    raise PolicyError(f"{path}:{_line(text, where)}: {yamlfile.pointer(where)}: {_short(errors[0])} "
                                      f"(predicate {cond['predicate']} takes {_arguments(predicate.schema())})")


def _format_checker() -> Any:
    """JSON Schema's formats, and `secret-detector`: the id of a detector in the secret-detector registry."""
    import jsonschema

    from scanner.evaluate.predicates.secrets import rules

    checker = jsonschema.FormatChecker(formats=("regex",))
    checker.checks("secret-detector")(lambda value: not isinstance(value, str) or value in rules().detectors.ids)
    return checker


SAMPLE_VALUE = "a" * 64   # a pattern that could run away on a value of this length never loads


def _check_patterns(data: dict[str, Any], text: str, path: Path) -> None:
    """The value of a `regex` or `not_regex` condition is a regular expression Python can compile, and that of a
    comparison a number: found when the policy loads, not when the first resource reaches it."""
    for index, check in enumerate(data["checks"]):
        for part in ("where", "assert"):
            for cond, pointer in _conditions(check.get(part), ["checks", index, part]):
                args = cond.get("args")
                if isinstance(args, dict) and "predicate" in cond:     # a predicate that compares as a leaf does
                    cond, pointer = args, pointer + ["args"]
                if cond.get("op") in ("gt", "ge", "lt", "le") and as_number(cond.get("value")) is None:
                    _fail_at(path, text, pointer + (["value"] if "value" in cond else []),
                             f"op {cond.get('op')} needs a value that is a number")   # 'abc' compared to nothing
                if cond.get("op") not in ("regex", "not_regex"):
                    continue
                if not isinstance(cond.get("value"), str):   # `value: 5` or none matched nothing, or everything
                    _fail_at(path, text, pointer + (["value"] if "value" in cond else []),
                             f"op {cond.get('op')} needs a value that is a regular expression (a string)")
                try:
                    compile_re2(str(cond.get("value", ""))).check(SAMPLE_VALUE)
                except (FunctionError, PatternTooComplex) as err:
                    why = str(err).removeprefix("invalid regular expression: ")
                    _fail_at(path, text, pointer + ["value"], f"not a regular expression in RE2 syntax (Terraform's): {why}")


_PATHS = "names joined by dots, with [*], [N], [key=value] or [=value]"


def _check_paths(data: dict[str, Any], text: str, path: Path) -> None:
    """Attribute paths read in full: `tags[[x` would be read as `tags.x` and judge another attribute."""
    for index, check in enumerate(data["checks"]):
        for key in ("each", "location"):
            if isinstance(check.get(key), str) and check[key] and not well_formed(check[key]):
                _fail_at(path, text, ["checks", index, key], f"{check[key]!r} is not an attribute path ({_PATHS})")
        for part in ("where", "assert"):
            for cond, pointer in _conditions(check.get(part), ["checks", index, part]):
                value = cond.get("path")
                if isinstance(value, str) and value and not well_formed(value):
                    _fail_at(path, text, pointer + ["path"], f"{value!r} is not an attribute path ({_PATHS})")


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
            raise PolicyError(f"{path}:{_line(text, pointer)}: {yamlfile.pointer(pointer)}: {problem}")


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
        english, other = remediation_texts(data["remediation"]), remediation_texts(block["remediation"])
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
