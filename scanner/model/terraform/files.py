"""The files a module's `file()`, `templatefile()` and `fileset()` may read: the scan's own files, by
repository-relative path, with the text the parse stage read (parse/texts.py reads it again and uses it only
while its bytes are unchanged). Nothing else is read, so the functions see exactly what discovery saw
(excludes, size caps and symlink rules included) and never the disk outside the scan."""
from __future__ import annotations

import bisect
import hashlib
import json
import posixpath
from typing import Any, Mapping

# A file function's question and a digest of its answer: ("read", path, limit, digest), ("kind", path, 0, ..),
# ("list", directory, 0, ..). The root cache keeps those of a root and asks them again before a hit.
Read = tuple[str, str, int, str]


class ScannedFiles:
    """ModuleFiles (scanner.model.functions.files) over the scanned texts, relative to a module directory."""

    def __init__(self, texts: Mapping[str, str], base: str, ordered: list[str] | None = None,
                 log: list[Read] | None = None):
        self.texts = texts
        self.base = base
        self.ordered = ordered if ordered is not None else sorted(texts)   # for listing a directory fast
        self.log = log     # when given, every question and a digest of its answer is appended
        self.read_paths: list[str] = []   # the files read, in order: a value file() read was decided there

    def answer(self, operation: str, path: str, limit: int) -> Any:
        """The answer to a logged question, asked again (the root cache checks a root's reads with it)."""
        if operation == "read":
            return self.read(path, limit)
        if operation == "kind":
            return self.kind(path)
        if operation == "list":
            return self.list_files(path)
        raise ValueError(operation)

    def _logged(self, operation: str, path: str, limit: int, answer: Any) -> Any:
        if self.log is not None:
            self.log.append((operation, path, limit, digest(answer)))
        return answer

    def _path(self, path: str) -> str | None:
        if not path or path.startswith(("/", "~", "\\")) or "\0" in path or (len(path) > 1 and path[1] == ":"):
            return None
        joined = posixpath.normpath(posixpath.join(self.base, path))
        if joined == ".." or joined.startswith("../"):
            return None
        return "" if joined == "." else joined

    def read(self, path: str, limit: int) -> bytes | None:
        return self._logged("read", path, limit, self._read(path, limit))

    def _read(self, path: str, limit: int) -> bytes | None:
        found = self._path(path)
        text = self.texts.get(found) if found is not None else None
        if text is None:
            return None
        self.read_paths.append(found or "")
        return text.encode("utf-8")[: limit + 1]

    def kind(self, path: str) -> str:
        return self._logged("kind", path, 0, self._kind(path))

    def _kind(self, path: str) -> str:
        found = self._path(path)
        if found is None:
            return "refused"
        if found in self.texts:
            return "file"
        return "directory" if self._under(found + "/" if found else "") else "missing"

    def list_files(self, directory: str) -> list[str] | None:
        return self._logged("list", directory, 0, self._list_files(directory))

    def _list_files(self, directory: str) -> list[str] | None:
        found = self._path(directory or ".")
        if found is None:
            return None
        prefix = found + "/" if found else ""
        return [p[len(prefix):] for p in self._under(prefix)]

    def _under(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.ordered, prefix)
        end = bisect.bisect_left(self.ordered, prefix + "\U0010ffff")
        return self.ordered[start:end]


def digest(answer: Any) -> str:
    """SHA-256 of an answer: bytes as they are, anything else (None, a kind, a listing) as JSON."""
    data = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=True).encode("ascii")
    return ("b" if isinstance(answer, bytes) else "j") + hashlib.sha256(data).hexdigest()
