"""One documentation page per policy (docs/policies/<ID>.md, Dutch in docs/policies/nl/<ID>.md): why it
matters, the fix per provider, the controls and sources it cites, and an example of violating and compliant
code taken from the policy's own test fixtures (tests/policies/<family>/<ID>/{fail,pass}).

The wheel ships the pages but not the tests, so the pages are generated in a source checkout (a test keeps
them current: SOVSCAN_UPDATE_DOCS=1 pytest tests/report/test_policy_docs.py) and the examples are read back
from the shipped pages for SARIF `help.markdown`. Example code is masked like every other output.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from scanner.evaluate import citations
from scanner.masking import redact
from scanner.evaluate.policies import Policy

MAX_LINES = 40
MAX_WIDTH = 160
EXPECT = re.compile(r"\s*#\s*expect:\s*[A-Z]+-\d{3}(?:\s*,\s*[A-Z]+-\d{3})*")
_TERRAFORM_BLOCK = re.compile(r'^(resource|data|module|provider|terraform|variable|locals|output)\b')
_MARKER = re.compile(r"^<!-- example: (violating|compliant) (.+) -->$")
_FENCE_LANGUAGE = {".tf": "hcl", ".tofu": "hcl", ".tfvars": "hcl", ".hcl": "hcl", ".yaml": "yaml", ".yml": "yaml",
                   ".json": "json", ".sh": "sh", ".md": "markdown"}

WORDS = {
    "en": {"generated": "Generated from the policy file and its test fixtures by "
                        "`SOVSCAN_UPDATE_DOCS=1 pytest tests/report/test_policy_docs.py`; do not edit by hand.",
           "family": "family", "severity": "severity", "level": "SARIF level", "input": "input",
           "why": "Why it matters", "fix": "How to fix it", "controls": "Controls and objectives",
           "references": "Sources", "violating": "Example: violating", "compliant": "Example: compliant",
           "from": "`{path}`, from the policy's own test fixtures (shortened where long; secrets masked):",
           "no_example": "No example: the policy judges something a code excerpt does not show."},
    "nl": {"generated": "Gegenereerd uit het policybestand en zijn testfixtures met "
                        "`SOVSCAN_UPDATE_DOCS=1 pytest tests/report/test_policy_docs.py`; niet met de hand bewerken.",
           "family": "familie", "severity": "ernst", "level": "SARIF-niveau", "input": "invoer",
           "why": "Waarom het ertoe doet", "fix": "Zo los je het op", "controls": "Beheersmaatregelen en doelstellingen",
           "references": "Bronnen", "violating": "Voorbeeld: overtreding", "compliant": "Voorbeeld: in orde",
           "from": "`{path}`, uit de eigen testfixtures van de policy (ingekort waar lang; secrets gemaskeerd):",
           "no_example": "Geen voorbeeld: de policy beoordeelt iets wat een stuk code niet laat zien."},
}


@dataclass(frozen=True)
class Example:
    path: str          # the fixture file, relative to its fail/ or pass/ directory
    code: str


@dataclass(frozen=True)
class Examples:
    violating: Example | None
    compliant: Example | None


def docs_dir() -> Path:
    """Installed: scanner/docs/policies; from a source checkout: the repository's docs/policies."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "docs" / "policies"
    return installed if installed.is_dir() else here.parent / "docs" / "policies"


def page_path(policy_id: str, lang: str, root: Path | None = None) -> Path:
    base = root or docs_dir()
    return (base / "nl" if lang == "nl" else base) / f"{policy_id}.md"


# --- examples from the fixtures ------------------------------------------------------------------------

def from_fixtures(policy: Policy, fixtures: Path) -> Examples:
    """The first marked violation of the policy's fail/ fixture, and the matching part of its pass/ one."""
    directory = fixtures / policy.family / policy.id
    violating, kind = _violation(directory / "fail", policy.id)
    compliant = _compliant(directory / "pass", violating.path if violating else "", kind)
    return Examples(violating, compliant)


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.rglob("*") if p.is_file() and not p.name.startswith(".")),
                  key=lambda p: p.relative_to(directory).as_posix())


def _read(path: Path) -> list[str] | None:
    try:
        return path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


def _violation(directory: Path, policy_id: str) -> tuple[Example | None, str]:
    for path in _files(directory):
        lines = _read(path)
        if lines is None:
            continue
        marked = next((i for i, line in enumerate(lines) if EXPECT.search(line) and policy_id in line), None)
        if marked is not None:
            excerpt, kind = _excerpt(path, lines, marked, "")
            return Example(path.relative_to(directory).as_posix(), excerpt), kind
    return None, ""


def _compliant(directory: Path, same_name: str, kind: str) -> Example | None:
    files = _files(directory)
    chosen = [p for p in files if p.relative_to(directory).as_posix() == same_name] + files
    for path in chosen:
        lines = _read(path)
        if lines:
            excerpt, _ = _excerpt(path, lines, None, kind)
            return Example(path.relative_to(directory).as_posix(), excerpt)
    return None


def _excerpt(path: Path, lines: list[str], marked: int | None, kind: str) -> tuple[str, str]:
    """(the part of the file around the marked line, or around the first block of `kind`; the block's kind)."""
    if path.suffix == ".json":
        return _json(lines), ""
    if path.suffix in (".yaml", ".yml"):
        first, last, kind = _yaml_document(lines, marked, kind)
    elif path.suffix in (".tf", ".tofu", ".tfvars", ".hcl"):
        first, last, kind = _terraform_block(lines, marked, kind)
    else:
        first, last = (max(0, marked - 5), marked + 6) if marked is not None else (0, MAX_LINES)
    return _clean(lines[first:last]), kind


def _terraform_block(lines: list[str], marked: int | None, kind: str) -> tuple[int, int, str]:
    starts = [i for i, line in enumerate(lines) if _TERRAFORM_BLOCK.match(line)]
    if marked is not None:
        first = max((i for i in starts if i <= marked), default=marked)
    else:
        first = next((i for i in starts if kind and lines[i].startswith(kind)), starts[0] if starts else 0)
    last = next((i + 1 for i in range(first, len(lines)) if lines[i].startswith("}")), len(lines))
    header = lines[first].split("{", 1)[0].strip() if first < len(lines) else ""
    return first, last, " ".join(header.split()[:2])


def _yaml_document(lines: list[str], marked: int | None, kind: str) -> tuple[int, int, str]:
    breaks = [-1] + [i for i, line in enumerate(lines) if line.startswith("---")] + [len(lines)]
    documents = [(breaks[i] + 1, breaks[i + 1]) for i in range(len(breaks) - 1) if breaks[i + 1] > breaks[i] + 1]
    if not documents:
        return 0, len(lines), ""

    def kind_of(document: tuple[int, int]) -> str:
        return next((line.strip() for line in lines[document[0]:document[1]] if line.startswith("kind:")), "")
    if marked is not None:
        chosen = next((d for d in documents if d[0] <= marked < d[1]), documents[0])
    else:
        chosen = next((d for d in documents if kind and kind_of(d) == kind), documents[0])
    return chosen[0], chosen[1], kind_of(chosen)


def _json(lines: list[str]) -> str:
    text = EXPECT.sub("", "\n".join(lines))
    try:
        return _clean(json.dumps(json.loads(text), indent=2, ensure_ascii=False).splitlines())
    except ValueError:
        return _clean(text.splitlines())


def _clean(lines: list[str]) -> str:
    """Markers stripped, secrets masked, long lines and long excerpts shortened."""
    kept = [EXPECT.sub("", line).rstrip() for line in lines]
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    shown = [line if len(line) <= MAX_WIDTH else line[:MAX_WIDTH - 1] + "…" for line in kept[:MAX_LINES]]
    if len(kept) > MAX_LINES:
        shown.append("…")
    return redact("\n".join(shown))


# --- the page ------------------------------------------------------------------------------------------

def page(policy: Policy, lang: str, examples: Examples) -> str:
    """The policy's documentation page in `lang` (Markdown)."""
    words = WORDS.get(lang, WORDS["en"])
    text = policy.text(lang)
    lines = [f"# {policy.id} {text.title}", "", f"<!-- {words['generated']} -->", "",
             f"| {words['family']} | {words['severity']} | {words['level']} | {words['input']} |",
             "|---|---|---|---|", f"| `{policy.family}` | {policy.severity} | {policy.level} | {policy.input} |", ""]
    lines += body(policy, lang, examples)
    return "\n".join(lines).rstrip() + "\n"


def body(policy: Policy, lang: str, examples: Examples | None) -> list[str]:
    """Everything below the page's heading: the rule help SARIF carries as `help.markdown`."""
    words = WORDS.get(lang, WORDS["en"])
    text = policy.text(lang)
    lines = [f"## {words['why']}", "", text.rationale, "", f"## {words['fix']}", ""]
    for provider, fix in text.remediation.items():
        lines.append(f"- {fix}" if provider == "default" else f"- **{provider}**: {fix}")
    cited = citations.citations(policy.references, lang)
    if cited["controls"]:
        lines += ["", f"## {words['controls']}", ""] + [f"- {c}" for c in cited["controls"]]
    sources = cited["standards"] + cited["documents"] + [f"<{link}>" for link in cited["links"]]
    if sources:
        lines += ["", f"## {words['references']}", ""] + [f"- {s}" for s in sources]
    if examples is None:
        return lines
    for key, example in (("violating", examples.violating), ("compliant", examples.compliant)):
        lines += ["", f"## {words[key]}", ""]
        if example is None:
            lines.append(words["no_example"])
            continue
        fence = "`" * max(3, _longest_backticks(example.code) + 1)
        language = _FENCE_LANGUAGE.get(Path(example.path).suffix, "text")
        lines += [words["from"].format(path=example.path), "", f"<!-- example: {key} {example.path} -->",
                  f"{fence}{language}", example.code, fence]
    return lines


def _longest_backticks(code: str) -> int:
    return max((len(run) for run in re.findall(r"`+", code)), default=0)


# --- reading the shipped page back --------------------------------------------------------------------

def shipped_examples(policy_id: str, root: Path | None = None) -> Examples | None:
    """The examples of the page the package ships (English page; the code is the same in both), None when
    there is no page (a user's own policy)."""
    lines = _read(page_path(policy_id, "en", root))
    if lines is None:
        return None
    found: dict[str, Example] = {}
    index = 0
    while index < len(lines):
        marker = _MARKER.match(lines[index])
        if marker and index + 1 < len(lines):
            fence = re.match(r"^(`{3,})", lines[index + 1])
            if fence:
                end = next((j for j in range(index + 2, len(lines)) if lines[j] == fence.group(1)), len(lines))
                found[marker.group(1)] = Example(marker.group(2), "\n".join(lines[index + 2:end]))
                index = end
        index += 1
    return Examples(found.get("violating"), found.get("compliant"))


def help_markdown(policy: Policy, lang: str) -> str:
    """SARIF `help.markdown`: the page's content under a bold title (GitHub shows it with the alert)."""
    text = policy.text(lang)
    head = [f"**{policy.id} {text.title}** (`{policy.family}`, {policy.severity})", ""]
    return "\n".join(head + body(policy, lang, shipped_examples(policy.id))).rstrip() + "\n"
