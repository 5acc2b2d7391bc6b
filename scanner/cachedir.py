"""A sovscan cache directory and the sealed entries its caches share (the parse cache, the root-module
cache, the policy pack's verdict and the result cache).

An entry is one file: a header line (JSON naming the format, the key and the SHA-256 of the body) and the
zlib-compressed body, which is JSON data, never code, because a CI cache may have been written by another
job. Reading checks the header and the checksum before anything is decoded; a damaged entry is a miss.
Writes go to a temporary file that replaces the entry in one step. Each cache keeps its entries in its own
subdirectory, bounded by the least recently used first.

This module imports no stage of the scan: a run answered from the result cache needs nothing else.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import importlib.util
import json
import os
import re
import stat
import sys
import tempfile
import time
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Iterable, Iterator

from scanner import __version__, checkout, terminal
from scanner.errors import InputError
from scanner.discover import CACHEDIR_SIGNATURE, CACHEDIR_TAG, SOVSCAN_TAG_LINE, is_cache_directory
from scanner.regular_file import read_bytes

DEFAULT_LIMIT = 512 * 1024 * 1024   # bytes of entries; a whole 2,000-file corpus takes about 20 MB
MAX_ENTRY = 256 * 1024 * 1024      # what one entry may expand to when it is read
# JSON values one entry may hold (counted by its commas and colons). A body of `[{},{},...]` takes twenty
# times its size once read: 256 MiB of it is 6 GB, enough to have a CI job killed. The largest entry of the
# 15-repository corpus (its whole result) holds 0.36 million; an entry past this is a miss.
MAX_VALUES = 4_000_000
TOUCH_AFTER = 3600                 # seconds: a hit refreshes an entry's time at most this often
EVICT_EVERY = 600                  # seconds between size checks, unless a run wrote a tenth of the limit


# what sovscan keeps in its cache directory: a folder per kind of entry
ENTRY_KINDS = ("builds", "outcomes", "parse", "policies", "results", "roots")


def entry_path(directory: str, kind: str, key: str) -> Path:
    """Where the entry of `kind` with `key` is kept (in one of 256 folders, by the key's first two digits)."""
    return Path(directory, kind, key[:2], key + ".json")


@dataclass
class CacheDirectory:
    """Where sovscan keeps its caches, and how many bytes of entries each may take; a cache of one kind of
    entry names its folder (ENTRY_KINDS)."""
    directory: str
    limit: int = DEFAULT_LIMIT
    kind: ClassVar[str] = ""

    def entry(self, key: str) -> Path:
        return entry_path(self.directory, self.kind, key)

    def entries(self) -> Path:
        """The folder of this cache's entries."""
        return Path(self.directory, self.kind)


def runtime_fingerprint() -> str:
    """What sovscan runs on besides its own files: its version, Python and its Unicode tables (identifiers),
    and the parser libraries (a new python-hcl2 may read the same file differently)."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version_info[:2]}\0{unicodedata.unidata_version}".encode())
    for module, distribution in (("hcl2", "python-hcl2"), ("lark", "lark"), ("yaml", "PyYAML")):
        digest.update(f"\0{installed(module, distribution)}".encode("utf-8", "surrogateescape"))
    import yaml
    digest.update(b"\0C-loader" if hasattr(yaml, "CSafeLoader") else b"\0pure-loader")
    return digest.hexdigest()


_DIGESTS: dict[str, tuple[tuple[int, ...], bytes]] = {}


def file_digest(path: Path) -> bytes:
    """The SHA-256 of the file's bytes. Several cache keys hash sovscan's own files on every run; within one
    process a file is read again whenever its inode, size, modification or change time differs (a copy that
    keeps the modification time still changes the change time). Raises OSError."""
    status = path.stat()
    stamp = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
    known = _DIGESTS.get(str(path))
    if known is not None and known[0] == stamp:
        return known[1]
    digest = hashlib.sha256(path.read_bytes()).digest()
    _DIGESTS[str(path)] = (stamp, digest)
    return digest


_INFO = re.compile(r"(?P<name>.+?)-(?P<version>\d[^-]*)(-.*)?\.(dist-info|egg-info)")


def installed(module: str, distribution: str) -> str:
    """The name and version of the distribution that installed `module`, as its .dist-info (or .egg-info)
    next to the module spells them: importlib.metadata would cost a cached run a fifth of its start-up, so it
    is asked only when the module lies elsewhere (an editable or zipped install)."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        return f"{distribution} missing"
    if spec.origin and os.path.isfile(spec.origin):
        here = os.path.dirname(spec.origin)    # a package's directory, or the site of a one-file module
        site = os.path.dirname(here) if spec.submodule_search_locations is not None else here
        with contextlib.suppress(OSError):
            for entry in sorted(os.listdir(site)):
                found = _INFO.fullmatch(entry)
                if found and _normalised(found["name"]) == _normalised(distribution):
                    return entry
    from importlib import metadata
    try:
        return f"{distribution}-{metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        return f"{distribution} at {spec.origin}"


def _normalised(name: str) -> str:
    """A distribution name as packaging compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def default_directory(environ: dict[str, str] | os._Environ) -> str:
    """$XDG_CACHE_HOME/sovscan, else ~/.cache/sovscan (the XDG base directory default)."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not base or not os.path.isabs(base):        # the XDG spec: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sovscan")


# What reading an entry may raise on damaged or forged content: each is a miss. ArithmeticError: a date or a
# number past its range (date.fromordinal of a forged day).
DECODE_ERRORS = (OSError, ValueError, TypeError, KeyError, IndexError, ArithmeticError, RecursionError, MemoryError,
                 zlib.error)


def read_entry(path: Path) -> bytes:
    """The bytes of an entry file (`<cache>/<kind>/<shard>/<key>.json`), at most MAX_ENTRY + 1. The cache may
    be written by another job: a symbolic link is not followed, neither as the entry (it could name any file,
    or /dev/zero) nor as its kind's or shard's directory (entries would be read from anywhere), and anything
    but a regular file (a FIFO would block the scan forever) raises OSError, as a missing entry does."""
    _check_real_parents(path)
    return read_bytes(str(path), MAX_ENTRY, follow_links=False)


def _check_real_parents(entry: Path) -> None:
    """Raise OSError unless the entry's shard and kind directories are directories, not links to one."""
    for directory in (entry.parent, entry.parent.parent):
        if not _is_real_directory(directory):
            raise OSError(errno.ENOTDIR, "a link or a file where the cache keeps a directory", str(directory))


def verified_body(raw: bytes, key: str, form: str) -> bytes | None:
    """The decompressed body when the header names the format `form` and this key and the checksum matches.
    Raises ValueError (JSON) or zlib.error on a damaged header or body."""
    if len(raw) > MAX_ENTRY:
        return None
    header, newline, compressed = raw.partition(b"\n")
    if not newline or len(header) > 1024:
        return None
    meta = json.loads(header)
    if not isinstance(meta, dict) or meta.get("format") != form or meta.get("key") != key:
        return None
    field, checksum = _seal(compressed)
    if not isinstance(meta.get(field), str) or not hmac.compare_digest(meta[field], checksum):
        return None
    return inflated(compressed)


SECRET_VARIABLE = "SOVSCAN_CACHE_SECRET"


def _seal(compressed: bytes) -> tuple[str, str]:
    """(header field, checksum) of an entry's compressed body: its SHA-256, or, when SOVSCAN_CACHE_SECRET is
    set, its HMAC-SHA256 under that secret. Anyone can compute the first, so an entry with it is trusted only
    as far as whoever can write the cache; with a secret, an entry written without it (one a commit put in a
    cache that lives in the project directory, one another job forged) is a miss."""
    secret = os.environ.get(SECRET_VARIABLE, "")
    if not secret:
        return "sha256", hashlib.sha256(compressed).hexdigest()
    return "hmac-sha256", hmac.new(secret.encode("utf-8", "surrogateescape"), compressed, hashlib.sha256).hexdigest()


def inflated(compressed: bytes) -> bytes | None:
    """What zlib data inflates to; None when it is cut short, or past MAX_ENTRY bytes or MAX_VALUES JSON values
    (a forged entry of a few kilobytes can inflate to gigabytes). Raises zlib.error on damaged data."""
    inflater = zlib.decompressobj()
    body = inflater.decompress(compressed, MAX_ENTRY)
    if inflater.unconsumed_tail or not inflater.eof or body.count(b",") + body.count(b":") > MAX_VALUES:
        return None
    return body


def tag_directory(directory: str) -> None:
    """Mark the cache directory as a cache (CACHEDIR.TAG): discovery skips it when it lies inside a scanned
    tree (a CI cache under the project directory), and backup tools leave it out."""
    target = Path(directory, CACHEDIR_TAG)
    if is_cache_directory(str(target)):
        return       # a damaged tag is written again: discovery would scan the cache as the project's files
    with contextlib.suppress(OSError):
        write_atomically(target, CACHEDIR_SIGNATURE + b"\n" + SOVSCAN_TAG_LINE + b": parsed files, "
                                                       b"evaluated roots, outcomes and results as JSON data.\n", directory)


def sealed(body: bytes, key: str, form: str) -> bytes:
    """An entry: a header line naming the format, the key and the seal of the compressed body (_seal), then the
    body."""
    return sealed_pieces((body,), key, form)


def sealed_pieces(pieces: Iterable[bytes], key: str, form: str) -> bytes:
    """`sealed` of the body the pieces make, compressed as they come: a large body is never whole in memory."""
    compressor = zlib.compressobj(1)
    return sealed_compressed(b"".join([compressor.compress(piece) for piece in pieces]) + compressor.flush(), key, form)


def sealed_compressed(compressed: bytes, key: str, form: str) -> bytes:
    """`sealed` of a body compressed already (zlib, as `sealed` compresses)."""
    field, checksum = _seal(compressed)
    header = json.dumps({"format": form, "key": key, field: checksum})
    return header.encode("ascii") + b"\n" + compressed


def keep_under_limit(entries: Path, written: int, limit: int) -> None:
    """After a run that wrote about `written` bytes into the entries directory: evict down to the limit,
    checked at most every EVICT_EVERY seconds unless the run wrote a tenth of the limit (the parse, root
    and result caches alike)."""
    if not written or not _is_real_directory(entries):
        return
    marker = entries / "last-size-check"
    with contextlib.suppress(OSError):
        recent = time.time() - os.lstat(marker).st_mtime < EVICT_EVERY
        if recent and written < limit // 10:
            return
    with contextlib.suppress(OSError):
        evict(entries, limit)
        write_atomically(marker, b"", entries)   # replaces a link another job put there; never writes through it


def _is_real_directory(path: Path) -> bool:
    """A directory, not a symbolic link to one (eviction would remove files wherever a link points)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def refresh(entry: Path) -> None:
    """Mark an entry as used (least recently used entries go first), not more than once an hour."""
    with contextlib.suppress(OSError):
        _check_real_parents(entry)
        if time.time() - os.lstat(entry).st_mtime > TOUCH_AFTER:
            os.utime(entry, follow_symlinks=False)   # the time of a link's target is not the cache's to change


def write_atomically(target: Path, data: bytes, cache: str | Path) -> None:
    """Write `target`, a file in the cache directory `cache`, through a temporary file renamed into place."""
    _real_directories(Path(cache), target.parent)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _real_directories(cache: Path, directory: Path) -> None:
    """Make the directories from the cache directory down to `directory`, each a directory and not a symbolic
    link: another job sharing the cache could put a link there to have entries written, or evicted,
    elsewhere. The cache directory itself may be a link (the user chose it). Raises OSError."""
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    current = cache
    for part in directory.relative_to(cache).parts:
        current = current / part
        with contextlib.suppress(FileExistsError):
            os.mkdir(current, 0o700)
        if not stat.S_ISDIR(os.lstat(current).st_mode):
            raise OSError(errno.ENOTDIR, "a link or a file where the cache keeps a directory", str(current))


# --- size -------------------------------------------------------------------------------------------

def _entries(root: Path) -> Iterator[tuple[float, int, str]]:
    """(modification time, size, path) of each entry and left-over temporary file; symbolic links are
    neither followed nor counted."""
    with os.scandir(root) as shards:
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False) or len(shard.name) != 2:
                continue
            with os.scandir(shard.path) as files:
                for item in files:
                    if item.is_file(follow_symlinks=False) and item.name.endswith((".json", ".tmp")):
                        stat = item.stat(follow_symlinks=False)
                        yield stat.st_mtime, stat.st_size, item.path


def evict(root: Path, limit: int) -> int:
    """Remove the least recently used entries until the entries take at most 80 % of `limit` bytes (so
    the next runs do not evict again at once); temporary files of interrupted writes older than an hour
    go as well. Returns the number of files removed."""
    entries = sorted(_entries(root))
    now = time.time()
    removed = 0
    stale = [e for e in entries if e[2].endswith(".tmp") and now - e[0] > 3600]
    for _, _, path in stale:
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed += 1
    kept = [e for e in entries if not e[2].endswith(".tmp")]
    total = sum(size for _, size, _ in kept)
    if total <= limit:
        return removed
    for _, size, path in kept:
        if total <= limit * 0.8:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed += 1
        total -= size
    return removed


# --- where the cache may be ------------------------------------------------------------------------

def check_location(directory: str, roots: tuple[str, ...]) -> None:
    """The cache directory is marked CACHEDIR.TAG and never scanned: one that is a scanned directory, or holds
    one, would make every later scan of it find nothing and pass. Inside a scanned tree is fine (skipped), when
    it is sovscan's cache already or new: tagging a directory of the project's files would leave them out of
    every later scan."""
    cache = os.path.realpath(directory)
    for root in roots:
        if checkout.inside(os.path.realpath(root), cache):
            raise InputError(f"--cache-dir {terminal.inert(directory)}: holds the scanned path "
                               f"{terminal.inert(root)}; sovscan marks its cache directory and never scans it. "
                               "Choose a directory elsewhere, or one inside the project (it is skipped)")
        link = _link_below(os.path.realpath(root), os.path.abspath(directory))
        if link is not None:
            raise InputError(f"--cache-dir {terminal.inert(directory)}: reached through the link "
                               f"{terminal.inert(link)} inside the scanned path {terminal.inert(root)}; the scanned "
                               "files would decide where sovscan writes, and which directory it tags as its cache "
                               "and leaves out. Choose a directory outside the project, or remove the link")
        if checkout.inside(cache, os.path.realpath(root)) and _holds_other_files(cache):
            raise InputError(f"--cache-dir {terminal.inert(directory)}: a directory of the scanned path "
                               f"{terminal.inert(root)} that holds other files; sovscan would mark it as its cache "
                               "and leave them out of every scan. Choose a new directory, or one outside the project")


# what sovscan keeps in its cache directory (a damaged tag beside them is written again)
CACHE_ENTRIES = frozenset({CACHEDIR_TAG, *ENTRY_KINDS})


def _holds_other_files(directory: str) -> bool:
    """An existing directory that holds something sovscan's cache does not (a write cut short leaves a hidden
    `.….tmp` file, which is sovscan's too)."""
    try:
        entries = os.listdir(directory)
    except OSError:
        return False        # not there yet (made as a new directory), or not one
    return any(name not in CACHE_ENTRIES and not (name.startswith(".") and name.endswith(".tmp")) for name in entries)


def _link_below(real_root: str, directory: str) -> str | None:
    """The first symbolic link on the way to `directory` that lies in the scanned tree (whose real path is
    `real_root`), followed step by step from the file system's root: a link above the tree (macOS's /tmp, a
    path to the checkout through a link) is the user's, one inside it the repository's."""
    path = os.path.abspath(os.sep)
    for part in directory.split(os.sep):
        if not part:
            continue
        path = os.path.join(path, part)
        if os.path.islink(path):
            if checkout.inside(os.path.join(os.path.realpath(os.path.dirname(path)), part), real_root):
                return path
            path = os.path.realpath(path)
        elif not os.path.isdir(path):
            return None    # what does not exist yet is made as real directories
    return None
