"""The files a module's `file()`, `templatefile()` and `fileset()` may read: the scan's own files, already
read by the parse stage, by repository-relative path. Nothing else is read, so the functions see exactly
what discovery saw (excludes, size caps and symlink rules included) and never the disk outside the scan."""
from __future__ import annotations

import bisect
import posixpath
from typing import Mapping


class ScannedFiles:
    """ModuleFiles (scanner.model.functions.files) over the scanned texts, relative to a module directory."""

    def __init__(self, texts: Mapping[str, str], base: str, ordered: list[str] | None = None):
        self.texts = texts
        self.base = base
        self.ordered = ordered if ordered is not None else sorted(texts)   # for listing a directory fast

    def _path(self, path: str) -> str | None:
        if not path or path.startswith(("/", "~", "\\")) or "\0" in path or (len(path) > 1 and path[1] == ":"):
            return None
        joined = posixpath.normpath(posixpath.join(self.base, path))
        if joined == ".." or joined.startswith("../"):
            return None
        return "" if joined == "." else joined

    def read(self, path: str, limit: int) -> bytes | None:
        found = self._path(path)
        text = self.texts.get(found) if found is not None else None
        return None if text is None else text.encode("utf-8")[: limit + 1]

    def kind(self, path: str) -> str:
        found = self._path(path)
        if found is None:
            return "refused"
        if found in self.texts:
            return "file"
        return "directory" if self._under(found + "/" if found else "") else "missing"

    def list_files(self, directory: str) -> list[str] | None:
        found = self._path(directory or ".")
        if found is None:
            return None
        prefix = found + "/" if found else ""
        return [p[len(prefix):] for p in self._under(prefix)]

    def _under(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.ordered, prefix)
        end = bisect.bisect_left(self.ordered, prefix + "\U0010ffff")
        return self.ordered[start:end]
