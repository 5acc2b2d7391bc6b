"""Credential formats in text (the facts SEC-002 judges), found in one pass whose work is linear in the text.

The formats are data (policies/registries/secret-detectors.yaml). A regex tried at every position of a
file is quadratic on hostile text (a megabyte of `eyJa-eyJa-...`, thousands of `-----BEGIN` lines with
no end), so a detector here is only tried where one of its `prefilter` literals starts (every match
starts with one), and its regex has bounded quantifiers: one try reads at most `reach` characters,
computed from the regex itself. Two optional hints keep the number of tries down on hostile text:

- `requires`: a regex every match contains (the PEM footer); a place is tried only when it occurs
  within reach of it.
- `run`: the characters the start of a match is made of (a JWT's first segment). A try that gets past
  the part of the regex before the secret and then fails, fails the same way for every later place in
  the same run of those characters, so the rest of the run is skipped.

A hit qualifies when it is not an allowed example value, passes the format's validation, has the
context the detector asks for on its line, and is random enough.
"""
from __future__ import annotations

import base64
import binascii
import bisect
import importlib
import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, NamedTuple

MAX_REACH = 65_536   # characters one try may read; a registry regex that can read more is refused

# The regex parser knows a pattern's longest match; it is private, so it is imported by name.
_sre_parse: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")


@dataclass(frozen=True)
class Detector:
    id: str
    title: str
    regex: re.Pattern[str]
    prefilter: re.Pattern[str]                # the literals every match starts with, as one alternation
    reach: int                                # the longest text one match can span
    min_entropy: float = 0.0
    context: re.Pattern[str] | None = None
    validate: str = ""
    requires: re.Pattern[str] | None = None
    run: re.Pattern[str] | None = None        # the run of `run` characters from a place
    head: re.Pattern[str] | None = None       # the part of `regex` before the secret, for `run`
    offset: int = 0                           # a match starts this many characters before its prefilter literal


@dataclass(frozen=True)
class Catalogue:
    detectors: tuple[Detector, ...]
    allow_values: frozenset[str]
    allow_patterns: tuple[re.Pattern[str], ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(d.id for d in self.detectors)


class Hit(NamedTuple):
    line: int
    detector: Detector
    secret: str


@dataclass
class Work:
    """What a scan cost: tries of a regex (each reads at most its detector's reach) and characters
    read to find the end of runs. Tests bound these; they never time anything."""
    tries: int = 0
    run_chars: int = 0


# --- loading ---------------------------------------------------------------------------------------
def load(data: Mapping[str, Any]) -> Catalogue:
    """The detectors and allow list of the registry. Raises ValueError naming the detector and field."""
    allow = data.get("allow") or {}
    return Catalogue(
        detectors=tuple(_detector(entry) for entry in data.get("detectors") or []),
        allow_values=frozenset(str(v) for v in allow.get("values") or []),
        allow_patterns=tuple(re.compile(p) for p in allow.get("patterns") or []),
    )


def _detector(entry: Mapping[str, Any]) -> Detector:
    name = entry.get("id", "?")
    regex = re.compile(entry["regex"])
    literals = [str(p) for p in entry.get("prefilter") or [] if p]
    if not literals:
        raise ValueError(f"detector {name}: prefilter: needs the literals its matches start with")
    # One search for all of them reads the text once; a str.find per literal read it once each (0.1 s of
    # the corpus's 24 MB of text, for the detectors with five literals).
    prefilter = re.compile("|".join(re.escape(literal) for literal in literals))
    reach = _reach(regex.pattern)
    if reach > MAX_REACH:
        raise ValueError(f"detector {name}: regex: can match more than {MAX_REACH} characters; bound its quantifiers")
    requires = re.compile(entry["requires"]) if entry.get("requires") else None
    if requires is not None and _reach(requires.pattern) > MAX_REACH:
        raise ValueError(f"detector {name}: requires: can match more than {MAX_REACH} characters")
    run = entry.get("run")
    secret_at = regex.pattern.find("(?P<secret>")
    head = regex.pattern[:secret_at] if run and secret_at > 0 else ""
    return Detector(
        id=name, title=entry["title"], regex=regex, prefilter=prefilter, reach=reach,
        min_entropy=float(entry.get("min_entropy", 0)),
        context=re.compile(entry["context"]) if entry.get("context") else None,
        validate=entry.get("validate", ""), requires=requires,
        run=re.compile(f"(?:{run})*") if run else None, head=re.compile(head) if head else None,
        offset=int(entry.get("prefilter_offset", 0)))


def _reach(pattern: str) -> int:
    return int(_sre_parse.parse(pattern).getwidth()[1])


# --- finding ---------------------------------------------------------------------------------------
def find(text: str, catalogue: Catalogue, work: Work | None = None) -> list[Hit]:
    """Every detector's qualifying hits, ordered by line, then detector (registry order), then place."""
    work = work if work is not None else Work()
    found = []
    for index, detector in enumerate(catalogue.detectors):
        for match in _matches(text, detector, work):
            found.append((match.start("secret"), index, detector, match.group("secret")))
    found.sort(key=lambda f: f[0])
    hits = []
    lines = _Lines(text)
    verdicts: dict[tuple[int, str], bool] = {}    # a file that repeats one value is judged once per value
    for start, index, detector, secret in found:
        line = lines.at(start)
        if (index, secret) not in verdicts:
            verdicts[index, secret] = _qualifies(detector, secret, catalogue)
        if not verdicts[index, secret]:
            continue
        if detector.context is not None and not lines.has(detector.context):
            continue
        hits.append((line, index, start, Hit(line, detector, secret)))
    hits.sort(key=lambda h: h[:3])
    return [h[3] for h in hits]


def _matches(text: str, detector: Detector, work: Work) -> Iterator[re.Match[str]]:
    """What `detector.regex.finditer(text)` finds, trying only where a match can start."""
    required = _starts(text, detector.requires) if detector.requires is not None else None
    resume = 0
    for place in _starts(text, detector.prefilter):
        start = place - detector.offset
        if start < resume or start < 0:
            continue
        if required is not None and not _occurs_within(required, start, start + detector.reach):
            continue
        if detector.head is not None and not detector.head.match(text, start):
            continue
        work.tries += 1
        match = detector.regex.match(text, start)
        if match:
            resume = match.end()
            yield match
        elif detector.run is not None:
            run = detector.run.match(text, start)
            resume = run.end() if run else start
            work.run_chars += resume - start


def _starts(text: str, pattern: re.Pattern[str]) -> list[int]:
    """Every place a match of the pattern starts, overlapping ones included, in order."""
    starts = []
    match = pattern.search(text)
    while match:
        starts.append(match.start())
        match = pattern.search(text, match.start() + 1)
    return starts


def _occurs_within(places: list[int], low: int, high: int) -> bool:
    index = bisect.bisect_left(places, low)
    return index < len(places) and places[index] <= high


class _Lines:
    """Line numbers of places visited in increasing order, in one pass over the text; a context regex is
    searched once per line however many hits the line has."""

    def __init__(self, text: str):
        self.text = text
        self.number = 1
        self.start = 0
        self.end = self._end_of(0)
        self.context: dict[tuple[str, int], bool] = {}

    def _end_of(self, start: int) -> int:
        end = self.text.find("\n", start)
        return end if end >= 0 else len(self.text)

    def at(self, place: int) -> int:
        if place > self.end:
            self.number += self.text.count("\n", self.end, place)
            self.start = self.text.rfind("\n", self.end, place) + 1
            self.end = self._end_of(place)
        return self.number

    def has(self, context: re.Pattern[str]) -> bool:
        """The context occurs on the current line."""
        key = (context.pattern, self.start)
        if key not in self.context:
            self.context[key] = context.search(self.text[self.start:self.end]) is not None
        return self.context[key]


# --- qualifying ------------------------------------------------------------------------------------
def _qualifies(detector: Detector, secret: str, catalogue: Catalogue) -> bool:
    if _allowed(secret, catalogue) or not _valid(detector, secret):
        return False
    body = re.sub(r"\s+|\\n|\\r", "", secret)
    return entropy(body) >= detector.min_entropy


def _allowed(secret: str, catalogue: Catalogue) -> bool:
    # Contained, not equal: the jwt.io example is listed by its signature, the whole token matches.
    return any(v in secret for v in catalogue.allow_values) or any(p.search(secret) for p in catalogue.allow_patterns)


def _b64decode(text: str) -> bytes | None:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded, altchars=b"-_" if ("-" in text or "_" in text) else None, validate=False)
    except (binascii.Error, ValueError):
        return None


def _valid(detector: Detector, secret: str) -> bool:
    if detector.validate == "jwt":
        header = _b64decode(secret.split(".", 1)[0])
        try:
            return header is not None and "alg" in json.loads(header.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, TypeError, RecursionError):
            return False
    if detector.validate == "pem-base64":
        decoded = _b64decode(secret)
        return decoded is not None and b"PRIVATE KEY" in decoded
    return True


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    size = len(text)
    return -sum([c / size * math.log2(c / size) for c in Counter(text).values()])
