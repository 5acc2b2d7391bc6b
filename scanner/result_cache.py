"""The result cache: a whole scan's Result, remembered by everything the scan could read.

A scan reads only below the paths it scans (discovery, installed modules, Helm charts, the files
Terraform's file functions open) and the files named on the command line or in the configuration. So
when none of that changed, nor sovscan, nor its policies, configuration, date or Helm engine, the scan
gives the same Result, and a warm run can skip parsing, the model and evaluation altogether. The key is a
SHA-256 over:

  - the cache format, sovscan's version, every file of the sovscan package and its policy pack, the parser
    libraries and Python (cachedir.runtime_fingerprint), and this machine's Helm engine (the SDK package's
    version, or the `helm` binary on PATH with its size and time);
  - the request: the scanned paths as given, as real paths and as reports show them (relative to the
    working directory: the same tree scanned from elsewhere is reported with other paths), excludes, the
    date the scan judges by, the focus (a pre-commit run's files; --changed-since's changed lines and the
    files REF had that the working tree lost), the Helm engine preference, the
    policies and the configuration as loaded (their full contents), and the content of every --var-file,
    --plan, --haven-results and --baseline file;
  - every entry below each scanned path: its relative path and, for a regular file, its bytes; for a
    symbolic link, its target as written and where it leads (its real path: through a link outside the tree
    it may lead to another place in it), with the bytes of a file it leads to inside the tree; for anything
    else, its type. Links to directories inside the tree are followed, as discovery follows them (each real
    directory once), so what a link leads to is in the key also where the walk leaves the contents out (a
    link to `.git`). The contents of directories named `.git` and
    of cache directories (CACHEDIR.TAG) are left out, as discovery leaves them out; where a `.git` directory
    is counts (it marks the top of a repository, which EXIT-005 asks about);
  - whether each directory above each scanned path (as given and as its real path, up to the file system's
    root) holds a `.git`: the scan asks whether the directory holding every scanned file is a repository's
    top, and whether the scan root lies in a checkout (scanner/model/repository.py).

Any change is a different key, so an entry is never stale; a tree too large to hash cheaply (over
MAX_TREE_FILES entries or MAX_TREE_BYTES bytes) is not cached at all. Entries are
`<dir>/results/<k[:2]>/<k>.json`, sealed as every cache entry is (scanner/cachedir.py; JSON data only,
evaluate/result_codec.py); a truncated, corrupt, foreign or malformed entry is a miss and the scan runs.
Writes are atomic; the least recently used entries are removed past the cache directory's size bound.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import stat
from pathlib import Path
from typing import ClassVar, TYPE_CHECKING

from scanner.checkout import inside
from scanner.discover import CACHEDIR_TAG, display_prefix, is_cache_directory, too_deep
from scanner.evaluate import result_codec
from scanner.evaluate.policies import Policy
from scanner.evaluate.result import Result
from scanner.cachedir import (DECODE_ERRORS, CacheDirectory, file_digest, installed, keep_under_limit,
                              read_entry, refresh, runtime_fingerprint, sealed_pieces, verified_body,
                              write_atomically)
from scanner.regular_file import read_bytes

if TYPE_CHECKING:
    from scanner.pipeline import ScanRequest

FORMAT = "sovscan-result-cache/2"
MAX_TREE_FILES = 200_000
MAX_TREE_BYTES = 1024 * 1024 * 1024


class TooLarge(Exception):
    """The tree is too large to hash on every run: not cached."""


class ResultCache(CacheDirectory):
    """A cache directory's result entries."""
    kind: ClassVar[str] = "results"

    def get(self, key: str, policies: tuple[Policy, ...]) -> tuple[Result, int] | None:
        """(result, files scanned) for `key`; None when missing, damaged, foreign or unreadable alike."""
        entry = self.entry(key)
        try:
            body = verified_body(read_entry(entry), key, FORMAT)
            remembered = None if body is None else result_codec.decode(body, policies)
        except DECODE_ERRORS:
            return None
        if remembered is not None:
            refresh(entry)
        return remembered

    def put(self, key: str, result: Result, files: int) -> None:
        """Write the entry; a result the codec cannot keep exactly, or a directory that cannot be written,
        is not cached."""
        try:
            data = sealed_pieces(result_codec.encode_pieces(result, files), key, FORMAT)
            write_atomically(self.entry(key), data, self.directory)
        except (result_codec.Unencodable, ValueError, RecursionError, OSError):
            return
        keep_under_limit(self.entries(), len(data), self.limit)


def code_fingerprint() -> str:
    """sovscan as it runs: the runtime (version, parser libraries, Python) and every file of
    the package and of the built-in policy pack with its registries (code and data alike)."""
    from scanner.pack import builtin_policy_dir
    digest = hashlib.sha256(runtime_fingerprint().encode())
    package = Path(__file__).resolve().parent
    for base in (package, builtin_policy_dir()):
        for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(b"\0" + path.relative_to(base).as_posix().encode() + b"\0")
            try:
                digest.update(file_digest(path))
            except OSError:
                digest.update(b"unreadable")
    return digest.hexdigest()


def request_key(request: ScanRequest, fingerprint: str, state: hashlib._Hash | None = None) -> str | None:
    """The key of the scan `request` asks for (its `today` set); None when it is not to be cached: a tree too
    large to hash, or a file named on the command line that cannot be read (the scan says why). `state` gets
    what `tree_state` digests, as the key's own walk found it."""
    digest = hashlib.sha256(f"{FORMAT}\0{fingerprint}\0{_helm_engine(request.helm_engine)}".encode())
    # what narrows the result: the changed lines, and the files REF had that the working tree lost (the same
    # tree against another REF loses other files)
    focus = None if request.focus is None else (sorted(
        (path, None if lines is None else sorted(lines)) for path, lines in request.focus.files.items()),
        sorted(request.focus.lost))
    # the paths as given, where they are, and as reports show them (relative to the working directory)
    described = (request.paths, tuple(os.path.realpath(p) for p in request.paths),
                 tuple(display_prefix(p, request.paths) for p in request.paths), request.excludes,
                 request.today, focus, request.helm_engine, request.policies, request.config)
    digest.update(repr(described).encode("utf-8", "surrogateescape"))
    try:
        _walk(request, digest, hashlib.sha256() if state is None else state, contents=True)
    except (TooLarge, OSError):
        return None
    return digest.hexdigest()


def tree_state(request: ScanRequest) -> str | None:
    """A digest of what `lstat` says of every entry the key reads (path, type, size, modification and change
    times, inode), read again without opening a file. The same before and after a scan means no file was
    added, removed, replaced or written in between: a write sets both times, and setting the modification
    time back (`touch -r`, `cp -p`) sets the change time, which nothing but the clock sets. Only then is the
    scan's result the key's. None when the tree is too large to walk."""
    state = hashlib.sha256()
    try:
        _walk(request, hashlib.sha256(), state, contents=False)
    except (TooLarge, OSError):
        return None
    return state.hexdigest()


def _walk(request: ScanRequest, digest: hashlib._Hash, state: hashlib._Hash, contents: bool) -> None:
    budget = [MAX_TREE_FILES, MAX_TREE_BYTES]
    baseline = (request.baseline,) if request.baseline else ()
    for named in (*request.var_files, *request.plans, *request.haven_results, *baseline):
        _stated(state, named, named, follow=True)   # read through a link, as the scan reads it
        if contents:
            _named_file(digest, named)
    for path in request.paths:
        _tree(digest, path, budget, state, contents)
    _repositories_above(request.paths, digest, state)


def _repositories_above(paths: tuple[str, ...], digest: hashlib._Hash, state: hashlib._Hash) -> None:
    """Which directories above the scanned paths hold a `.git`: the scan asks (scanner/model/repository.py)
    whether the directory that holds every scanned file is a repository's top (EXIT-005), and whether the scan
    root lies in a checkout (a directory of plain trees holds repositories of its own; a checkout's
    subdirectories do not). Every directory above each path, as given and as its real path, to the top."""
    above: dict[str, None] = {}
    for path in paths:
        for start in (os.path.abspath(path), os.path.realpath(path)):
            directory = os.path.dirname(start)
            while directory not in above:
                above[directory] = None
                parent = os.path.dirname(directory)
                if parent == directory:
                    break
                directory = parent
    for directory in sorted(above):
        marked = f"\0above\0{directory}\0{os.path.exists(os.path.join(directory, '.git'))}".encode(
            "utf-8", "surrogateescape")
        digest.update(marked)
        state.update(marked)


def _stated(state: hashlib._Hash, path: str, shown: str, follow: bool = False) -> os.stat_result | None:
    """The entry's lstat (`follow`: stat), added to `state`; None when it cannot be looked at (that is added too)."""
    try:
        status = os.stat(path) if follow else os.lstat(path)
    except OSError as err:
        state.update(f"\0{shown}\0gone {err.errno}".encode("utf-8", "surrogateescape"))
        return None
    state.update(f"\0{shown}\0{status.st_mode} {status.st_size} {status.st_mtime_ns} {status.st_ctime_ns} "
                 f"{status.st_ino}".encode("utf-8", "surrogateescape"))
    return status


def _named_file(digest: hashlib._Hash, path: str) -> None:
    data = read_bytes(path, MAX_TREE_BYTES)      # regular files only: a FIFO named here must not block
    if len(data) > MAX_TREE_BYTES:
        raise TooLarge(path)
    digest.update(b"\0named\0" + path.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(hashlib.sha256(data).digest())


def _tree(digest: hashlib._Hash, root: str, budget: list[int], state: hashlib._Hash, contents: bool) -> None:
    """Every entry below `root` (or `root` itself when it is a file), in a fixed order."""
    digest.update(b"\0root\0" + root.encode("utf-8", "surrogateescape"))
    state.update(b"\0root\0" + root.encode("utf-8", "surrogateescape"))
    if not os.path.isdir(root):     # a file scanned alone: its directory is the root it may lead into
        _entry(digest, root, os.path.basename(root), budget, state, contents,
               os.path.realpath(os.path.dirname(root) or "."))
        return
    real_root = os.path.realpath(root)
    # each real directory, at the least depth it was reached: walked again when reached less deep, so what lies
    # below it is read down to where discovery's walk stops, which may reach it by a shorter path (the key's
    # walk also goes into directories discovery leaves out, .terraform, and may meet it there first)
    seen: dict[str, int] = {}
    # through links to directories, as discovery goes: what a link leads to inside the tree is read under the
    # link's path, also where the walk leaves the contents out (a link to .git)
    for directory, subdirectories, names in os.walk(root, followlinks=True, onerror=lambda err: digest.update(
            f"\0unlistable\0{err.filename}\0{err.errno}".encode("utf-8", "surrogateescape"))):
        real = os.path.realpath(directory)
        relative = os.path.relpath(directory, root)
        depth = 0 if relative == "." else relative.count(os.sep) + 1
        if seen.get(real, depth + 1) <= depth or not inside(real, real_root):
            subdirectories[:] = []     # discovery reads nothing there (a loop, or outside the root)
            continue
        if real in seen:               # walked again: counted, so no tree of links makes the walk long
            budget[0] -= 1
            if budget[0] < 0:
                raise TooLarge(directory)
        seen[real] = depth
        if CACHEDIR_TAG in names and is_cache_directory(os.path.join(directory, CACHEDIR_TAG)):
            subdirectories[:] = []     # discovery skips it: a cache inside the tree changes nothing
            continue
        if subdirectories and too_deep(directory, root):
            digest.update(b"\0too deep\0" + relative.encode("utf-8", "surrogateescape"))
            subdirectories[:] = []     # discovery goes no deeper either
        if ".git" in subdirectories:   # its contents are git's, but that it is there tells a repository's top
            digest.update(b"\0git directory\0" + relative.encode("utf-8", "surrogateescape"))
            state.update(b"\0git directory\0" + relative.encode("utf-8", "surrogateescape"))
        subdirectories[:] = sorted(d for d in subdirectories if d != ".git")
        for name in sorted(names) + [d for d in subdirectories if os.path.islink(os.path.join(directory, d))]:
            _entry(digest, os.path.join(directory, name), os.path.join(relative, name), budget, state, contents,
                   real_root)


def _entry(digest: hashlib._Hash, path: str, shown: str, budget: list[int], state: hashlib._Hash,
           contents: bool, real_root: str) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLarge(path)
    digest.update(b"\0entry\0" + shown.encode("utf-8", "surrogateescape") + b"\0")
    status = _stated(state, path, shown)
    if status is None:
        digest.update(b"unreadable")
        return
    target = None
    if stat.S_ISLNK(status.st_mode):
        # where it leads, not only what it says: a link through a link outside the tree leads where that one does
        resolved = os.path.realpath(path)
        state.update(b"\0leads to\0" + resolved.encode("utf-8", "surrogateescape"))
        target = _stated(state, path, shown, follow=True) if inside(resolved, real_root) else None
    if not contents:
        return
    try:
        if stat.S_ISLNK(status.st_mode):
            digest.update(b"link\0" + os.readlink(path).encode("utf-8", "surrogateescape") + b"\0" +
                          os.path.realpath(path).encode("utf-8", "surrogateescape"))
            if target is None or not stat.S_ISREG(target.st_mode):
                return
            status = target            # a file inside the tree, read through the link as discovery reads it
        if not stat.S_ISREG(status.st_mode):
            digest.update(f"type {stat.S_IFMT(status.st_mode)}".encode())    # never opened: a FIFO would block
            return
        budget[1] -= status.st_size
        if budget[1] < 0:
            raise TooLarge(path)
        data = read_bytes(path, status.st_size)     # what it opened is checked again: it may have been swapped
        if len(data) > status.st_size:
            raise TooLarge(path)                    # growing while hashed: not a tree to remember
        digest.update(hashlib.sha256(data).digest())
    except OSError as err:
        digest.update(f"unreadable {err.errno}".encode())


def _helm_engine(preference: str) -> str:
    """What would render Helm charts here, as the key sees it: the SDK package's version, the helm binary."""
    if preference == "none":
        return "none"
    parts = [preference]
    if preference in ("auto", "sdk") and importlib.util.find_spec("helm_python") is not None:
        parts.append("sdk " + installed("helm_python", "helm-python-sdk"))
    executable = shutil.which("helm") if preference in ("auto", "binary") else None
    if executable:
        with contextlib.suppress(OSError):
            status = os.stat(executable)
            parts.append(f"binary {os.path.realpath(executable)} {status.st_size} {status.st_mtime_ns}")
    return " ".join(parts)
