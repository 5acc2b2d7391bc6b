"""The scanned files' texts, for the few parts of the model that read a file's text rather than its syntax:
`file()` and `templatefile()` in Terraform, Kustomize's kustomization, patch and generator files, Helm
charts, the `.gitignore` beside a root module, the exit plan, Haven Compliancy Checker results, and the
secret detectors.

Neither parsing nor the model keeps them: each is read again when it is asked for, and used only when its
bytes are still those parsing read (their SHA-256, recorded then), so what the model reads is what was
parsed and discovered, even when a file is changed, removed or swapped for a link during the scan; such a
file reads as "" and is a notice. Parsing has made what most files are for (syntax trees, documents,
directives); every text of a large scan, sent back from the worker processes and held while the model was
built, was a sixth of the memory at its peak.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Iterable, Iterator, Mapping

from scanner.discover import Source
from scanner.notices import Notice
from scanner.parse.files import ParsedFile, read_again

# Texts kept after reading, newest first out last: a kustomization or a template is read once per build or
# module instance. Bounded in characters (but for the newest, at most a file's 5 MiB), so that a few large
# files cannot make the model hold them all.
RECENT_CHARACTERS = 1_000_000


class ScannedTexts(Mapping[str, str]):
    """Path (as reports show it) -> text, for every scanned file that had text when it was parsed."""

    def __init__(self, files: Iterable[ParsedFile]) -> None:
        self._read: dict[str, tuple[Source, str]] = {f.source.path: (f.source, f.digest) for f in files if f.has_text}
        self._recent: OrderedDict[str, str] = OrderedDict()
        self._held = 0
        self._changed: set[str] = set()

    def only(self, files: Iterable[ParsedFile]) -> ScannedTexts:
        """The texts of `files` alone; what either reads and finds changed is noticed by both."""
        view = ScannedTexts([])
        view._read = {f.source.path: self._read[f.source.path] for f in files if f.source.path in self._read}
        view._recent, view._changed = self._recent, self._changed
        return view

    @property
    def changed(self) -> frozenset[str]:
        """The files that had changed when read again (read as empty)."""
        return frozenset(self._changed)

    def noticed_changed(self, paths: Iterable[str]) -> None:
        """Files another process (a worker evaluating root modules) found changed when it read them again."""
        self._changed.update(paths)

    def notices(self) -> list[Notice]:
        return [Notice(path, 0, "changed while it was scanned: the parts of the scan that read its text again "
                                "(secret detectors, file(), Kustomize and Helm inputs) read it as empty; scan again",
                       "warning") for path in sorted(self._changed)]

    def __getitem__(self, path: str) -> str:
        source, digest = self._read[path]
        text = self._recent.pop(path, None)
        if text is None:
            text = read_again(source, digest)
            if text is None:
                self._changed.add(path)
                text = ""
        else:
            self._held -= len(text)
        self._recent[path] = text      # the newest is kept whatever its size: the objects of one large file
        self._held += len(text)        # are judged one after another, and each read it again (and hashed it)
        while self._held > RECENT_CHARACTERS and len(self._recent) > 1:
            self._held -= len(self._recent.popitem(last=False)[1])
        return text

    def digest(self, path: str) -> str:
        """The SHA-256 of the bytes parsing read: the text is made of them, or is "" when they had changed
        by the time it was read (the digest stays the one parsing took)."""
        return self._read[path][1]

    def __contains__(self, path: object) -> bool:
        return path in self._read

    def __iter__(self) -> Iterator[str]:
        return iter(self._read)

    def __len__(self) -> int:
        return len(self._read)


def digest_of(texts: Mapping[str, str], path: str) -> str:
    """The digest of a file's bytes as parsing read them, when `texts` are the scan's (ScannedTexts); of the
    text otherwise (a mapping made in a test or by hand)."""
    if isinstance(texts, ScannedTexts):
        return texts.digest(path)
    return hashlib.sha256(texts[path].encode("utf-8", "surrogatepass")).hexdigest()


def changed_of(texts: Mapping[str, str]) -> frozenset[str]:
    """The files of `texts` found changed when read again (ScannedTexts.changed); none for another mapping."""
    return texts.changed if isinstance(texts, ScannedTexts) else frozenset()
