"""Load policy files (built-in pack and user directories) into Policy objects, validated on the way
(scanner/evaluate/policy_validation.py), and compile the built-in pack."""
from __future__ import annotations


import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import PolicyError
from scanner.evaluate import citations
from scanner import pack, yamlfile
from scanner.pack import builtin_policy_dir
from scanner.parse.yaml import LOADER
from scanner.regular_file import read_bytes

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
                          tuple(check.message for check in self.checks))

    def number_of(self, check: Check) -> int:
        """The check's place among the policy's checks (its own message and fix are kept by that number)."""
        return next((number for number, own in enumerate(self.checks) if own is check), 0)

    @property
    def level(self) -> str:
        """error: a standard the seeds cite requires it; warning: strong practice; note: inventory, advice."""
        return self.declared_level or SEVERITY_LEVEL[self.severity]

    def level_of(self, check: Check) -> str:
        return check.level or self.level

    @property
    def on_by_default(self) -> bool:
        return not self.opt_in


MAX_POLICY_BYTES = 1024 * 1024


def load_file(path: Path) -> Policy:
    data, text = _document(path)
    return _validated(data, text, path)


def _validated(data: Any, text: str, path: Path) -> Policy:
    from scanner.evaluate import policy_validation   # here: a run whose pack validated before needs none of it

    policy_validation.validate(data, text, path)
    return _policy(data, path)


def _document(path: Path) -> tuple[Any, str]:
    """The policy file's YAML document and text; PolicyError when it cannot be read as YAML."""
    try:
        raw = read_bytes(str(path), MAX_POLICY_BYTES)
        if len(raw) > MAX_POLICY_BYTES:
            raise PolicyError(f"{path}: policy file is larger than {MAX_POLICY_BYTES // 1024} KiB")
        text = raw.decode("utf-8")
        data = yaml.load(text, Loader=LOADER)
        repeated = yamlfile.repeated_key(yaml.compose(text, Loader=LOADER))
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
    if repeated is not None:
        key_node, first_line = repeated
        raise PolicyError(f"{path}:{key_node.start_mark.line + 1}: {yamlfile.repeated_message(key_node, first_line)}")
    return data, text


def remediation_texts(value: str | dict) -> dict:
    return value if isinstance(value, dict) else {"default": value}


def _text(block: dict, data: dict) -> PolicyText:
    title = block["title"]
    own = [check.get("message") for check in data["checks"]]
    return PolicyText(title=title, rationale=" ".join(block["rationale"].split()),
                      remediation=remediation_texts(block["remediation"]),
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


def _policy(data: dict[str, Any], path: Path) -> Policy:
    if path.stem != data["id"]:
        raise PolicyError(f"{path}:1: id: {data['id']!r} does not match the file name {path.stem!r}")
    if path.parent.name != data["family"]:   # <directory>/<family>/<ID>.yaml: where a reader looks for it
        raise PolicyError(f"{path}:1: family: {data['family']!r} does not match the folder {path.parent.name!r}")
    prefix = data["id"].split("-")[0]
    if prefix in ID_PREFIX and ID_PREFIX[prefix] != data["family"]:
        raise PolicyError(f"{path}:1: family: {data['family']!r} does not fit the id prefix {prefix}")
    checks = tuple(Check(c["match"], c["assert"], c.get("where"), c.get("each"), c.get("message"), c.get("location"),
                         c.get("level")) for c in data["checks"])
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
    loaded: set[str] = set()
    for directory in extra_dirs:
        if os.path.realpath(directory) not in loaded:   # named twice (configuration and --policies): read once
            loaded.add(os.path.realpath(directory))
            policies.extend(load_dir(Path(directory)))
    seen: dict[str, str] = {}
    for policy in policies:
        for name in policy.names:
            if name in seen:
                raise PolicyError(f"{policy.path}:1: id: {name} is already defined in {seen[name]}")
            seen[name] = policy.path
    return sorted(policies, key=lambda p: p.id)
