"""What a policy's references point at, and how users see them.

Two registries (policies/registries/sources.yaml and controls.yaml) hold the source documents, the
external standards, the ISO/IEC 27002:2022 controls (the numbering BIO2 follows) and the SOV
objectives of the EU Cloud Sovereignty Framework. A policy keeps compact references
(`seeds: ["003:415"]`, `iso27002: ["8.24"]`, `sov: ["SOV-3.1"]`, `standards: ["CIS Kubernetes 5.2.2"]`);
this module checks them against the registries and turns them into citations a reader outside the
project understands. The internal `NNN:line` form never reaches a user.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from scanner import pack, registries
from scanner.errors import PolicyError
from scanner.pack import builtin_policy_dir
from scanner.parse.yaml import LOADER

LANGUAGES = ("en", "nl")
SEED_REF = re.compile(r"^(\d{3}):(\d+)(?:-(\d+))?$")
SOV_REF = re.compile(r"^(SOV-\d)(?:\.(\d))?$")

_WORDS = {   # the few words a citation adds around the registry's own text
    "en": {"undated": "undated", "no_publisher": "publisher not named", "criterion": "criterion",
           "priority": "NDS priority", "hidden": "hidden on the published page"},
    "nl": {"undated": "ongedateerd", "no_publisher": "uitgever niet genoemd", "criterion": "criterium",
           "priority": "NDS-prioriteit", "hidden": "verborgen op de gepubliceerde pagina"},
}


@dataclass(frozen=True)
class Section:
    first: int
    last: int
    heading: str
    within: str = ""
    hidden: bool = False     # in the document's source but not shown to its readers (an HTML comment)

    @property
    def label(self) -> str:
        return f"{self.within}, {self.heading}" if self.within else self.heading


@dataclass(frozen=True)
class Document:
    number: str
    title: str
    short_title: str
    publisher_short: str | None
    date: str | None
    lines: int
    sections: tuple[Section, ...]

    def section(self, line: int) -> Section | None:
        return next((s for s in self.sections if s.first <= line <= s.last), None)


@dataclass(frozen=True)
class Standard:
    key: str
    title: str
    publisher_short: str
    version: str | None
    date: str | None
    cite_as: tuple[str, ...]
    locator_label: str = ""     # what the locator is, where a bare number would mislead ("Trivy k8s-nsa-1.0 control")


@dataclass(frozen=True)
class Control:
    id: str
    theme: str
    en: str
    nl: str


@dataclass(frozen=True)
class Criterion:
    number: int
    priority: bool
    en: str
    nl: str


@dataclass(frozen=True)
class Objective:
    id: str
    en: str
    nl: str
    criteria: dict[int, Criterion]


@dataclass(frozen=True)
class Registry:
    documents: dict[str, Document]
    standards: tuple[Standard, ...]
    controls: dict[str, Control]
    objectives: dict[str, Objective]
    framework: str           # how the SOV objectives' framework is cited, e.g. "EU Cloud Sovereignty Framework v1.2.1"


# --- loading ------------------------------------------------------------------------------------

def load(directory: Path) -> Registry:
    """Both registry files under <directory>/registries/, schema-checked; a broken file is a PolicyError."""
    sources_path, controls_path = directory / "registries" / "sources.yaml", directory / "registries" / "controls.yaml"
    checked = registries.validated(str(directory))     # the built-in pack, validated in an earlier run
    copy = pack.compiled(directory) if checked else {}     # a pack not validated before is read from its YAML
    sources = _read(directory, sources_path, "sources.schema.json", checked, copy)
    controls = _read(directory, controls_path, "controls.schema.json", checked, copy)
    standards = tuple(_standard(key, entry) for key, entry in sources["standards"].items())
    framework = next((s for s in standards if s.key == controls["sov"]["source"]), None)
    if framework is None:
        raise PolicyError(f"{controls_path}: sov.source: {controls['sov']['source']!r} is not a standard in sources.yaml")
    return Registry(
        documents={number: _document(number, entry, sources_path) for number, entry in sources["documents"].items()},
        standards=standards,
        controls={key: Control(key, c["theme"], c["en"], c["nl"]) for key, c in controls["iso27002"]["controls"].items()},
        objectives={key: _objective(key, entry) for key, entry in controls["sov"]["objectives"].items()},
        framework=_framework_name(framework))


def _framework_name(standard: Standard) -> str:
    """`EU Cloud Sovereignty Framework v1.2.1`: how the framework of the SOV objectives is cited."""
    name = standard.cite_as[0] if standard.cite_as else standard.title
    return f"{name} {_version(standard.version)}" if standard.version else name


@functools.lru_cache(maxsize=1)
def builtin() -> Registry:
    return load(builtin_policy_dir())


def _read(directory: Path, path: Path, schema_name: str, checked: bool, copy: dict[str, Any]) -> dict:
    """The registry file's data: from the pack's compiled `copy` when made from the file's bytes, else its YAML,
    checked against its schema unless the pack was `checked` in an earlier run."""
    document = pack.compiled_document(copy, directory, path)
    if isinstance(document, dict):
        return document
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=LOADER)
    except OSError as err:
        raise PolicyError(f"{path}: cannot read registry: {err.strerror}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise PolicyError(f"{path}:{mark.line + 1 if mark else 1}: registry is not valid YAML") from None
    if checked:
        return dict(data)
    import jsonschema   # only when a registry is checked

    schema = json.loads(resources.files("scanner.schemas").joinpath(schema_name).read_text("utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        where = ".".join(map(str, errors[0].absolute_path)) or "(top level)"
        raise PolicyError(f"{path}: {where}: {errors[0].message[:200]}")
    return data


def _document(number: str, entry: dict, path: Path) -> Document:
    sections = []
    expected_first = 1
    for index, raw in enumerate(entry["sections"]):
        first, last = (int(part) for part in raw["lines"].split("-"))
        if first != expected_first or last < first:
            raise PolicyError(f"{path}: documents.{number}.sections.{index}.lines: {raw['lines']!r} does not "
                              f"continue the previous section (expected to start at line {expected_first})")
        sections.append(Section(first, last, raw["heading"], raw.get("within", ""), raw.get("hidden", False)))
        expected_first = last + 1
    if expected_first != entry["lines"] + 1:
        raise PolicyError(f"{path}: documents.{number}.sections: the sections end at line {expected_first - 1}, "
                          f"the document at line {entry['lines']}")
    return Document(number, entry["title"], entry["short_title"], entry["publisher_short"], entry["date"],
                    entry["lines"], tuple(sections))


def _standard(key: str, entry: dict) -> Standard:
    return Standard(key, entry["title"], entry["publisher_short"], entry["version"], entry["date"],
                    tuple(entry["cite_as"]), entry.get("locator_label", ""))


def _objective(key: str, entry: dict) -> Objective:
    criteria = {int(n): Criterion(int(n), c["priority"], c["en"], c["nl"]) for n, c in entry["criteria"].items()}
    return Objective(key, entry["en"], entry["nl"], criteria)


# --- checking a policy's references ------------------------------------------------------------

def problems(references: dict, registry: Registry) -> list[tuple[list, str]]:
    """(path inside `references`, what is wrong) for every reference the registries do not know."""
    found: list[tuple[list, str]] = []
    for index, ref in enumerate(references.get("seeds", [])):
        problem = _seed_problem(ref, registry)
        if problem:
            found.append((["seeds", index], problem))
    for index, control in enumerate(references.get("iso27002", [])):
        if control not in registry.controls:
            found.append((["iso27002", index], f"{control!r} is not an ISO/IEC 27002:2022 control in controls.yaml"))
    for index, ref in enumerate(references.get("sov", [])):
        problem = _objective_problem(ref, registry)
        if problem:
            found.append((["sov", index], problem))
    return found


def _seed_problem(ref: str, registry: Registry) -> str:
    match = SEED_REF.match(ref)
    if not match:
        return f"{ref!r} is not NNN:line or NNN:first-last"
    number, first, last = match.group(1), int(match.group(2)), int(match.group(3) or match.group(2))
    document = registry.documents.get(number)
    if document is None:
        return f"no source document {number} in sources.yaml"
    if not 1 <= first <= last <= document.lines:
        return f"lines {first}-{last} are outside document {number} (1-{document.lines})"
    return ""


def _objective_problem(ref: str, registry: Registry) -> str:
    match = SOV_REF.match(ref)
    if not match:
        return f"{ref!r} is not SOV-n or SOV-n.criterion"
    objective = registry.objectives.get(match.group(1))
    if objective is None:
        return f"{match.group(1)} is not a SOV objective in controls.yaml"
    if match.group(2) and int(match.group(2)) not in objective.criteria:
        return f"{objective.id} has no criterion {match.group(2)} in controls.yaml"
    return ""


def standard_for(reference: str, registry: Registry) -> tuple[Standard, str] | None:
    """The standard a `standards` entry names (longest matching prefix) and the locator after it."""
    best: tuple[Standard, str] | None = None
    best_length = -1
    for standard in registry.standards:
        for prefix in standard.cite_as:
            if reference.startswith(prefix) and len(prefix) > best_length:
                best, best_length = (standard, reference[len(prefix):].strip()), len(prefix)
    return best


# --- citations ----------------------------------------------------------------------------------

def control_citation(control_id: str, lang: str = "en", registry: Registry | None = None) -> str:
    control = (registry or builtin()).controls[control_id]
    return f"ISO/IEC 27002:2022 (BIO2) {control.id} {control.nl if lang == 'nl' else control.en}"


def objective_citation(ref: str, lang: str = "en", registry: Registry | None = None, with_text: bool = True) -> str:
    registry = registry or builtin()
    match = SOV_REF.match(ref)
    if not match:
        return ref
    objective = registry.objectives[match.group(1)]
    words = _WORDS[_lang(lang)]
    text = f"{registry.framework} {objective.id} {objective.nl if lang == 'nl' else objective.en}"
    if not match.group(2):
        return text
    criterion = objective.criteria[int(match.group(2))]
    text += f", {words['criterion']} {criterion.number}"
    if criterion.priority:
        text += f" ({words['priority']})"
    return text + (f": {criterion.nl if lang == 'nl' else criterion.en}" if with_text else "")


def standard_citation(reference: str, lang: str = "en", registry: Registry | None = None) -> str:
    """`CIS Kubernetes 5.2.2` -> `CIS Kubernetes Benchmark (CIS, v1.10) 5.2.2`; an unknown standard as written."""
    found = standard_for(reference, registry or builtin())
    if found is None:
        return reference
    standard, locator = found
    if locator and standard.locator_label:
        locator = f"{standard.locator_label} {locator}"
    return f"{standard_name(standard)} {locator}".strip()


def standard_name(standard: Standard) -> str:
    """`CIS Kubernetes Benchmark (CIS, v1.10)`: title, publisher and edition."""
    edition = ", ".join(part for part in (standard.version and _version(standard.version), standard.date) if part)
    return f"{standard.title} ({standard.publisher_short}{', ' + edition if edition else ''})"


def _version(version: str) -> str:
    return version if version[0].isalpha() else f"v{version}"


def document_citations(seeds: list[str], lang: str = "en", registry: Registry | None = None) -> list[str]:
    """One citation per source document, its cited sections in order of first mention."""
    registry = registry or builtin()
    words = _WORDS[_lang(lang)]
    sections: dict[str, list[str]] = {}
    for ref in seeds:
        match = SEED_REF.match(ref)
        if not match or match.group(1) not in registry.documents:
            continue
        document = registry.documents[match.group(1)]
        first, last = int(match.group(2)), int(match.group(3) or match.group(2))
        labels = sections.setdefault(document.number, [])
        for section in document.sections:
            label = section.label + (f" ({words['hidden']})" if section.hidden else "")
            if section.first <= last and first <= section.last and label not in labels:
                labels.append(label)
    return [f"{document_name(registry.documents[number], lang)}, " + "; ".join(f"§{label}" for label in labels)
            for number, labels in sections.items()]


def document_name(document: Document, lang: str = "en") -> str:
    """`Verkenning Soevereine Cloud (Gartner for BZK, 2026-04-30)`: title, publisher and date."""
    words = _WORDS[_lang(lang)]
    return f"{document.title} ({document.publisher_short or words['no_publisher']}, {document.date or words['undated']})"


def document_names(seeds: list[str], registry: Registry | None = None) -> list[str]:
    """The short titles of the documents `seeds` cite, in order of first mention (for tables)."""
    registry = registry or builtin()
    names: list[str] = []
    for ref in seeds:
        match = SEED_REF.match(ref)
        document = registry.documents.get(match.group(1)) if match else None
        if document is not None and document.short_title not in names:
            names.append(document.short_title)
    return names


def control_ids(references: dict) -> list[str]:
    """The control and objective ids a policy maps to, ISO first: `8.24`, `SOV-3.1`."""
    return list(references.get("iso27002", [])) + list(references.get("sov", []))


def citations(references: dict, lang: str = "en", registry: Registry | None = None) -> dict[str, list[str]]:
    """Everything a policy cites, grouped for display: controls, standards, documents, links."""
    registry = registry or builtin()
    return {
        "controls": [control_citation(c, lang, registry) for c in references.get("iso27002", []) if c in registry.controls]
                    + [objective_citation(o, lang, registry) for o in references.get("sov", [])],
        "standards": [standard_citation(s, lang, registry) for s in references.get("standards", [])],
        "documents": document_citations(references.get("seeds", []), lang, registry),
        "links": list(references.get("links", [])),
    }


def _lang(lang: str) -> str:
    return lang if lang in _WORDS else "en"
