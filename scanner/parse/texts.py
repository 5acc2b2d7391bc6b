"""The scanned files' texts, for the few parts of the model that read a file's text rather than its syntax:
`file()` and `templatefile()` in Terraform, Kustomize's kustomization, patch and generator files, Helm
charts, the `.gitignore` beside a root module, and the secret detectors.

Neither parsing nor the model keeps them: each is read again, as parsing read it, when it is asked for.
Parsing has made what most files are for (syntax trees, documents, directives); every text of a large scan,
sent back from the worker processes and held while the model was built, was a sixth of the memory at its
peak.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, Mapping

from scanner.discover import Source
from scanner.parse.files import ParsedFile, read_text

# Texts kept after reading, newest first out last: a kustomization or a template is read once per build or
# module instance. Bounded in characters, so that a few large files cannot make the model hold them all.
RECENT_CHARACTERS = 1_000_000


class ScannedTexts(Mapping[str, str]):
    """Path (as reports show it) -> text, for every scanned file that had text when it was parsed. A file
    that can no longer be read, or is no longer UTF-8 text, reads as ""."""

    def __init__(self, files: list[ParsedFile]) -> None:
        self._sources: dict[str, Source] = {f.source.path: f.source for f in files if f.has_text}
        self._recent: OrderedDict[str, str] = OrderedDict()
        self._held = 0

    def __getitem__(self, path: str) -> str:
        source = self._sources[path]
        text = self._recent.pop(path, None)
        if text is None:
            text = read_text(source) or ""
        else:
            self._held -= len(text)
        if len(text) <= RECENT_CHARACTERS:
            self._recent[path] = text
            self._held += len(text)
        while self._held > RECENT_CHARACTERS:
            self._held -= len(self._recent.popitem(last=False)[1])
        return text

    def __contains__(self, path: object) -> bool:
        return path in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)
