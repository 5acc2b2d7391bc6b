"""Haven Compliancy Checker results: `haven check --output=json`, or the Compliancy CRD it persists.

Two shapes carry the same data (reference: report-formats.md §A):
- the CLI JSON, PascalCase keys: {"Version", "HavenCompliant", "CompliancyChecks": {"Results": [...]}, ...};
- the CRD, camelCase keys: a Compliancy object (`.spec.output` mirrors the CLI JSON) or the List that
  `kubectl get compliancies -o json` prints. Every HCC run persists one object, so a List is a run
  history: the newest run (by `spec.created`, else `output.startTS`) is the cluster's current state.
Keys are matched case-insensitively; check names and categories are accepted as they come, because HCC
has renamed and dropped checks between releases. Log lines before the JSON (and after it) are skipped.
Anything else raises InputError with the reason.
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

from scanner.errors import InputError
from scanner.parse.surrogates import replace_surrogates
from scanner.regular_file import read_bytes

RESULTS = ("YES", "NO", "SKIPPED")     # anything else is reported as UNKNOWN (HCC counts "unknown" checks)
_VERSION = re.compile(r"v?(\d+\.\d+\.\d+)")
_NAME = re.compile(r'"name"\s*:\s*"((?:[^"\\\n]|\\.)*)"', re.IGNORECASE)
MAX_RESULTS_BYTES = 64 * 1024 * 1024
MAX_TRIES = 100        # lines starting with "{" tried as the start of the results; a log has few before them


@dataclass(frozen=True)
class HccCheck:
    name: str          # machine id, e.g. multiaz; stable across releases unlike the label
    label: str         # the human string HCC prints, e.g. "Multiple availability zones in use"
    category: str
    rationale: str
    result: str        # YES | NO | SKIPPED | UNKNOWN
    suggested: bool    # from SuggestedChecks (CIS, Kubescape): not counted for compliance
    line: int          # line of the check in the file (1 for the one-line CLI output)


@dataclass(frozen=True)
class HccReport:
    path: str
    version: str       # as printed: "Haven v12.8.0"
    compliant: bool | None
    started: str
    checks: tuple[HccCheck, ...]

    @property
    def semver(self) -> str:
        match = _VERSION.search(self.version)
        return match.group(1) if match else ""

    @property
    def mandatory(self) -> tuple[HccCheck, ...]:
        return tuple(c for c in self.checks if not c.suggested)


def looks_like_hcc(text: str) -> bool:
    """Cheap test for discovered files: only these are parsed as HCC results."""
    lowered = text[:200_000].lower()
    return '"compliancychecks"' in lowered and '"results"' in lowered


def parse_file(path: str, shown: str | None = None) -> HccReport:
    """Read and parse a results file; `shown` is the path to report (default: as given)."""
    try:
        raw = read_bytes(path, MAX_RESULTS_BYTES)
        if len(raw) > MAX_RESULTS_BYTES:
            raise InputError(f"{path}: larger than {MAX_RESULTS_BYTES // (1024 * 1024)} MiB")
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read: {getattr(err, 'strerror', None) or err}") from None
    return parse_text(shown or path, text)


def parse_text(path: str, text: str) -> HccReport:
    data, start = _first_object(path, text)
    output, anchor = _output(path, data)
    checks_node = _get(output, "compliancyChecks")
    if not isinstance(checks_node, dict):
        raise InputError(f"{path}: not Haven Compliancy Checker output: no CompliancyChecks object")
    search = _Lines(text, _offset(text, anchor, start))
    checks = _checks(path, checks_node, False, search)
    suggested = _get(output, "suggestedChecks")
    if isinstance(suggested, dict):
        checks += _checks(path, suggested, True, search)
    compliant = _get(output, "havenCompliant")
    return HccReport(path, _text(_get(output, "version")), compliant if isinstance(compliant, bool) else None,
                     _text(_get(output, "startTS")), tuple(checks))


def _first_object(path: str, text: str) -> tuple[dict, int]:
    """The first JSON object that starts a line; HCC logs may precede it and trailing text is ignored."""
    decoder = json.JSONDecoder(parse_int=_int_or_text)
    offset, reason, tries = 0, "no JSON object found", 0
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped.startswith("{") and tries < MAX_TRIES:
            tries += 1
            start = offset + len(line) - len(stripped)
            try:
                value, _ = decoder.raw_decode(text, start)
            except json.JSONDecodeError as err:
                reason = f"invalid JSON at line {err.lineno}: {err.msg}"
            except RecursionError:
                reason = "JSON nested deeper than Python's decoder allows"
            else:
                if isinstance(value, dict):
                    return value, start
        offset += len(line)
    raise InputError(f"{path}: not Haven Compliancy Checker output: {reason}")


def _int_or_text(digits: str) -> int | str:
    """An int Python refuses to convert (4,300+ digits) stays text: no HCC field is such a number."""
    return int(digits) if len(digits) <= 4000 else digits


def _output(path: str, data: dict) -> tuple[dict, str]:
    """The CLI-shaped object inside whichever form was given, plus a string that locates it in the text."""
    if _get(data, "compliancyChecks") is not None:
        return data, ""
    kind = _text(_get(data, "kind"))
    if kind == "Compliancy":
        return _from_compliancy(path, data)
    items = _get(data, "items")
    if isinstance(items, list):
        runs = [i for i in items if isinstance(i, dict) and _text(_get(i, "kind")) in ("Compliancy", "")]
        runs = [i for i in runs if isinstance(_get(_get(i, "spec") or {}, "output"), dict)]
        if not runs:
            raise InputError(f"{path}: the list holds no Compliancy object with spec.output")
        return _from_compliancy(path, max(runs, key=_run_time))
    what = f"kind {kind}" if kind else "no CompliancyChecks, Compliancy kind or items"
    raise InputError(f"{path}: not Haven Compliancy Checker output: {what}")


def _from_compliancy(path: str, item: dict) -> tuple[dict, str]:
    spec = _get(item, "spec")
    output = _get(spec, "output") if isinstance(spec, dict) else None
    if not isinstance(output, dict):
        raise InputError(f"{path}: Compliancy object without spec.output")
    return output, _text(_get(spec, "created")) or _text(_get(output, "startTS"))


def _run_time(item: dict) -> str:
    spec = _get(item, "spec") or {}
    return _text(_get(spec, "created")) or _text(_get(_get(spec, "output") or {}, "startTS"))


def _checks(path: str, node: dict, suggested: bool, lines: "_Lines") -> list[HccCheck]:
    results = _get(node, "results")
    if results is None and suggested:
        return []
    if not isinstance(results, list):
        raise InputError(f"{path}: {'SuggestedChecks' if suggested else 'CompliancyChecks'}.Results is not a list")
    checks = []
    for index, entry in enumerate(results):
        name = _get(entry, "name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{path}: check {index + 1} has no Name")
        raw = _text(_get(entry, "result")).strip().upper()
        checks.append(HccCheck(_text(name).strip(), _text(_get(entry, "label")) or _text(name),
                               _text(_get(entry, "category")),
                               _text(_get(entry, "rationale")), raw if raw in RESULTS else "UNKNOWN", suggested,
                               lines.of(name)))
    return checks


def _get(node: object, key: str) -> object:
    """Case-insensitive key lookup: PascalCase (CLI) and camelCase (CRD) name the same fields.
    The CRD calls the Kubescape opt-in `kubescape` where the CLI says `KESC`."""
    if not isinstance(node, dict):
        return None
    if key in node:
        return node[key]
    wanted = key.lower()
    for name, value in node.items():
        if isinstance(name, str) and name.lower() == wanted:
            return value
    return None


def _text(value: object) -> str:
    """A string field; a lone surrogate from a `\\ud800` escape becomes U+FFFD (no report could write it)."""
    return replace_surrogates(value) if isinstance(value, str) else ""


def _offset(text: str, anchor: str, start: int) -> int:
    """Where the chosen run starts in the text, so check lines come from that run, not an older one."""
    if not anchor:
        return start
    found = text.find(json.dumps(anchor), start)
    return found if found >= 0 else start


class _Lines:
    """Line of each check's Name in the file, found in order from the chosen run onwards. Every `"Name": "..."`
    is indexed in one pass: a search per check from the offset was quadratic on a file of many checks."""

    def __init__(self, text: str, offset: int):
        self.text = text
        self.offset = offset
        self.places: dict[str, list[tuple[int, int]]] = {}
        for match in _NAME.finditer(text):
            try:
                name = json.loads(f'"{match.group(1)}"')
            except ValueError:
                continue
            self.places.setdefault(name, []).append((match.start(), match.end()))
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def of(self, name: str) -> int:
        places = self.places.get(name, [])
        index = bisect.bisect_left(places, (self.offset, -1))
        if index == len(places):
            return self._line(self.offset)
        start, self.offset = places[index]
        return self._line(start)

    def _line(self, place: int) -> int:
        return bisect.bisect_left(self.newlines, place) + 1
