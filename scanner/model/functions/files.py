"""The built-ins that read files: file fileexists fileset filebase64 filemd5 filesha1 filesha256
filesha512 filebase64sha256 filebase64sha512 templatefile (and templatestring, which renders).

They read through ModuleFiles, a read-only view the evaluator builds per module: paths resolve
against its base directory and nothing outside the scan root is read (absolute paths, `~`, `..`
that climbs out, and symlinks that point out are refused). A refused or unreadable path makes the
call Unknown; it is never read. ScanRootFiles is the view over the disk.
"""
from __future__ import annotations

import base64
import hashlib
import re
import os
import posixpath
import stat
from typing import Any, Callable, Protocol

from scanner.model.functions.arguments import MAX_VALUE_SIZE, FunctionError, TooLarge, guarded, mapping, string
from scanner.model.functions.paths import clean
from scanner.model.functions.templates import Evaluate, render
from scanner.parse.template import TemplateSyntaxError, parse_template

MAX_LISTED_FILES = 10_000


class ModuleFiles(Protocol):
    """Read-only files of one module, by paths relative to its base directory (POSIX separators)."""

    def read(self, path: str, limit: int) -> bytes | None:
        """The file's bytes (at most limit + 1 of them, so a caller can tell it is over the limit), or
        None when it is missing, not a regular file, or refused."""

    def kind(self, path: str) -> str:
        """"file", "directory", "missing", "other" (device, pipe, socket) or "refused"."""

    def list_files(self, directory: str) -> list[str] | None:
        """Every regular file under the directory, recursively, as sorted paths relative to it;
        [] when the directory is missing; None when it is refused or holds too many files."""


class ScanRootFiles:
    """ModuleFiles on disk: `base` is a directory relative to the scan root."""

    def __init__(self, root: str, base: str = ""):
        self.root = os.path.realpath(root)
        self.base = base

    def resolve(self, path: str) -> str | None:
        """The real path on disk, or None when the path leaves the scan root in any way."""
        if not path or path.startswith(("/", "~", "\\")) or "\0" in path or (len(path) > 1 and path[1] == ":"):
            return None
        relative = posixpath.normpath(posixpath.join(self.base, path))
        if relative == ".." or relative.startswith("../"):
            return None
        real = os.path.realpath(os.path.join(self.root, relative))
        if real != self.root and not real.startswith(self.root.rstrip(os.sep) + os.sep):
            return None
        return real

    def kind(self, path: str) -> str:
        real = self.resolve(path)
        if real is None:
            return "refused"
        try:
            mode = os.stat(real).st_mode
        except FileNotFoundError:
            return "missing"
        except OSError:
            return "refused"
        if stat.S_ISREG(mode):
            return "file"
        return "directory" if stat.S_ISDIR(mode) else "other"

    def read(self, path: str, limit: int) -> bytes | None:
        real = self.resolve(path)
        if real is None or self.kind(path) != "file":
            return None
        try:
            descriptor = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(descriptor, "rb") as handle:
                return handle.read(limit + 1)
        except OSError:
            return None

    def list_files(self, directory: str) -> list[str] | None:
        real = self.resolve(directory or ".")
        if real is None:
            return None
        if not os.path.isdir(real):
            return []
        found: list[str] = []
        for current, dirs, names in os.walk(real):
            dirs.sort()
            for name in sorted(names):
                full = os.path.join(current, name)
                target = os.path.realpath(full)
                if not target.startswith(self.root.rstrip(os.sep) + os.sep) or not os.path.isfile(target):
                    continue
                found.append(os.path.relpath(full, real).replace(os.sep, "/"))
                if len(found) > MAX_LISTED_FILES:
                    return None
        return sorted(found)


# --- the functions -----------------------------------------------------------------------------------

def _contents(files: ModuleFiles, path: Any) -> bytes:
    name = string(path, "path")
    data = files.read(name, MAX_VALUE_SIZE)
    if data is None:
        raise FunctionError(f"no readable file at {name!r} inside the scan root")
    if len(data) > MAX_VALUE_SIZE:
        raise TooLarge("file")
    return data


def _text(files: ModuleFiles, path: Any) -> str:
    try:
        return _contents(files, path).decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError("the file's contents are not valid UTF-8; use filebase64") from None


def _glob_pattern(pattern: str) -> str:
    """A doublestar glob as an RE2 pattern over paths: `*` and `?` stay within a directory, a whole
    `**` component spans directories, `{a,b}` are alternatives, `[...]` a class."""
    components = pattern.split("/")
    pieces: list[str] = []
    for position, component in enumerate(components):
        last = position == len(components) - 1
        if component == "**":
            pieces.append("(?s:.*)" if last else "(?:[^/]*/)*")
            continue
        pieces.append(_glob_component(component) + ("" if last else "/"))
    return "^" + "".join(pieces) + "$"


def _glob_component(text: str) -> str:
    out: list[str] = []
    index, depth = 0, 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            out.append("\\" + text[index + 1] if not text[index + 1].isalnum() else text[index + 1])
            index += 2
            continue
        if char == "[":
            end = text.find("]", index + 2)
            if end < 0:
                raise FunctionError("invalid glob pattern: unclosed [")
            body = text[index + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith(("!", "^")) else body) + "]")
            index = end + 1
            continue
        if char == "{":
            depth += 1
            out.append("(?:")
        elif char == "}" and depth:
            depth -= 1
            out.append(")")
        elif char == "," and depth:
            out.append("|")
        else:
            out.append({"*": "[^/]*", "?": "[^/]"}.get(char, "\\" + char if not char.isalnum() and char.isascii() else char))
        index += 1
    if depth:
        raise FunctionError("invalid glob pattern: unclosed {")
    return "".join(out)


def fileset(files: ModuleFiles, path: Any, pattern: Any) -> list[str]:
    directory, glob = string(path, "path"), clean(string(pattern, "pattern"))
    if glob.startswith(("/", "../")) or glob == "..":
        raise FunctionError("the pattern leaves the directory")
    listed = files.list_files(directory)
    if listed is None:
        raise FunctionError(f"cannot list {directory!r} inside the scan root (refused, or over {MAX_LISTED_FILES} files)")
    # A glob's own pattern has no ambiguous repetition (each `**` step ends at a `/`), so it runs in
    # linear time without the RE2 cost estimate, which would cost more than the match on every file.
    matcher = re.compile(_glob_pattern(glob))
    return [name for name in listed if matcher.match(name)]


def fileexists(files: ModuleFiles, path: Any) -> bool:
    name = string(path, "path")
    kind = files.kind(name)
    if kind in ("file", "missing"):
        return kind == "file"
    if kind == "refused":
        raise FunctionError(f"{name!r} is outside the scan root or not readable")
    raise FunctionError(f"{name!r} is a {kind}, not a file")


def _hash(algorithm: str, encode: Callable[[bytes], str]) -> Callable[[ModuleFiles, Any], str]:
    def digest(files: ModuleFiles, path: Any) -> str:
        return encode(hashlib.new(algorithm, _contents(files, path)).digest())
    return digest


def _hex(data: bytes) -> str:
    return data.hex()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_READERS: dict[str, Callable[[ModuleFiles, Any], Any]] = {
    "file": _text,
    "filebase64": lambda files, path: _b64(_contents(files, path)),
    "filemd5": _hash("md5", _hex), "filesha1": _hash("sha1", _hex), "filesha256": _hash("sha256", _hex),
    "filesha512": _hash("sha512", _hex), "filebase64sha256": _hash("sha256", _b64),
    "filebase64sha512": _hash("sha512", _b64), "fileexists": fileexists,
}


def _render_text(text: str, variables: Any, evaluate: Evaluate) -> Any:
    try:
        template = parse_template(text)
    except TemplateSyntaxError as error:
        raise FunctionError(f"invalid template: {error}") from None
    return render(template, mapping(variables, "vars"), evaluate)


def file_functions(files: ModuleFiles, evaluate: Evaluate | None = None) -> dict[str, Callable[..., Any]]:
    """The file built-ins bound to one module's files, each total like FUNCTIONS' entries; with the
    evaluator's callback also templatefile and templatestring."""
    functions: dict[str, Callable[..., Any]] = {
        name: guarded(name, _bind(reader, files)) for name, reader in _READERS.items()
    }
    functions["fileset"] = guarded("fileset", lambda path, pattern: fileset(files, path, pattern))
    if evaluate is not None:
        functions["templatefile"] = guarded(
            "templatefile", lambda path, variables: _render_text(_text(files, path), variables, evaluate))
        functions["templatestring"] = guarded(
            "templatestring", lambda template, variables: _render_text(string(template, "template"), variables, evaluate))
    return functions


def _bind(reader: Callable[[ModuleFiles, Any], Any], files: ModuleFiles) -> Callable[[Any], Any]:
    def call(path: Any) -> Any:
        return reader(files, path)
    return call
