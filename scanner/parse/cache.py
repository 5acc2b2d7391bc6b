"""The parse cache: what parsing a file produced, remembered by the file's content between runs.

An entry's key is a SHA-256 over the cache format, sovscan's version, the code and parser libraries
that parse (a changed parser is a new key, released or not), the file's path and kind as discovered,
and the file's bytes. The entry is a JSON document (parse/codec.py), never code: a CI cache may have
been written by another job, so reading an entry can build syntax trees and nothing else.

Each entry is one file, `<dir>/parse/<k[:2]>/<k>.json`: a header line (format, key, SHA-256 of the
body) and the body. An entry that is truncated, corrupt, of another format or version, written for
another key, or not what the codec writes is a miss: the file is parsed again and the entry rewritten.
A damaged entry never changes a result; an entry forged with a matching checksum by someone who can
write the cache directory can (the README says to share the cache only between trusted jobs).

Writes go to a temporary file that replaces the entry in one step, so concurrent scans sharing a
directory never read half an entry. A cache that cannot be written (read-only, full disk) is
silently not written. The size is bounded: when it grows past the limit, the least recently used
entries (a hit refreshes an entry's modification time, at most once an hour) are removed.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
import unicodedata
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

from scanner import __version__
from scanner.notices import Notice
from scanner.parse import codec

FORMAT = "sovscan-parse-cache/1"
DEFAULT_LIMIT = 512 * 1024 * 1024   # bytes of entries; a whole 2,000-file corpus takes about 20 MB
MAX_ENTRY = 256 * 1024 * 1024      # what one entry may expand to when it is read
TOUCH_AFTER = 3600                 # seconds: a hit refreshes an entry's time at most this often
EVICT_EVERY = 600                  # seconds between size checks, unless a run wrote a tenth of the limit


@dataclass(frozen=True)
class Parsed:
    """What parse_file made of a file, without its text (read from the file) and directives (read from
    the text): the Terraform syntax, the YAML documents and the notices."""
    terraform: Any = None            # TerraformFile | None
    documents: tuple = ()            # YamlDocument
    notices: tuple[Notice, ...] = ()


@dataclass
class ParseCache:
    """A cache directory; picklable, so parse workers write the entries of the files they parse."""
    directory: str
    limit: int = DEFAULT_LIMIT
    fingerprint: str = field(default_factory=lambda: code_fingerprint())
    writable: bool = True
    tagged: bool = False               # CACHEDIR.TAG written (or found) by this process

    def key(self, path: str, kind: str, data: bytes) -> str:
        digest = hashlib.sha256(self.fingerprint.encode())
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0" + kind.encode() + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def entry(self, key: str) -> Path:
        return Path(self.directory, "parse", key[:2], key + ".json")

    def get(self, path: str, key: str) -> Parsed | None:
        """The entry for `key`, or None: missing, damaged, foreign or unreadable entries alike."""
        entry = self.entry(key)
        try:
            with open(entry, "rb") as handle:
                raw = handle.read(MAX_ENTRY + 1)
            body = verified_body(raw, key)
            parsed = None if body is None else _decode(path, body)
        except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError, MemoryError, zlib.error):
            return None
        if parsed is not None:
            refresh(entry)
        return parsed

    def put(self, path: str, key: str, parsed: Parsed) -> None:
        """Write the entry; a value the codec cannot keep exactly, or a directory that cannot be written,
        leaves the file uncached."""
        if not self.writable:
            return
        try:
            body = _encode(path, parsed)
        except (codec.Unencodable, RecursionError, ValueError):
            return
        try:
            write_atomically(self.entry(key), sealed(body, key))
        except OSError:
            self.writable = False      # read-only, full or gone: the scan goes on without writing
            return
        if not self.tagged:
            tag_directory(self.directory)
            self.tagged = True

    def tidy(self, written: int) -> None:
        """After a run that wrote about `written` bytes of entries (workers wrote them: the bytes parsed
        stand in): keep the directory under its limit, checked at most every EVICT_EVERY seconds unless
        the run wrote a tenth of the limit."""
        if self.writable:
            keep_under_limit(Path(self.directory, "parse"), written, self.limit)


def code_fingerprint() -> str:
    """What decides how a file parses: sovscan's version, the parse code itself (a development checkout
    changes it without a new version), the parser libraries and Python's Unicode tables (identifiers)."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version_info[:2]}\0{unicodedata.unidata_version}".encode())
    for package in ("python-hcl2", "lark", "PyYAML"):
        try:
            digest.update(f"\0{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"\0{package}=?".encode())
    import yaml
    digest.update(b"\0C-loader" if hasattr(yaml, "CSafeLoader") else b"\0pure-loader")
    here = Path(__file__).resolve().parent
    for source in sorted(here.glob("*.py")) + [here.parent / "discover.py", here.parent / "notices.py"]:
        try:
            digest.update(b"\0" + source.name.encode() + b"\0" + source.read_bytes())
        except OSError:
            digest.update(b"\0" + source.name.encode() + b"\0unreadable")
    return digest.hexdigest()


def default_directory(environ: dict[str, str] | os._Environ) -> str:
    """$XDG_CACHE_HOME/sovscan, else ~/.cache/sovscan (the XDG base directory default)."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not base or not os.path.isabs(base):        # the XDG spec: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sovscan")


# --- entries ----------------------------------------------------------------------------------------

def _encode(path: str, parsed: Parsed) -> bytes:
    body = {"terraform": None if parsed.terraform is None else codec.encode_terraform(parsed.terraform),
            "documents": codec.encode_documents(list(parsed.documents)),
            "notices": codec.encode_notices(path, list(parsed.notices))}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True, allow_nan=True).encode("ascii")


def _decode(path: str, body: bytes) -> Parsed:
    data = json.loads(body)
    if not isinstance(data, dict) or set(data) != {"terraform", "documents", "notices"}:
        raise codec.Malformed("entry")
    terraform = None if data["terraform"] is None else codec.decode_terraform(path, data["terraform"])
    return Parsed(terraform, tuple(codec.decode_documents(path, data["documents"])),
                  tuple(codec.decode_notices(path, data["notices"])))


def verified_body(raw: bytes, key: str, form: str = FORMAT) -> bytes | None:
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
    if meta.get("sha256") != hashlib.sha256(compressed).hexdigest():
        return None
    inflater = zlib.decompressobj()
    body = inflater.decompress(compressed, MAX_ENTRY)
    if inflater.unconsumed_tail or not inflater.eof:
        return None
    return body


CACHEDIR_TAG = "CACHEDIR.TAG"
CACHEDIR_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"   # the Cache Directory Tagging Specification


def tag_directory(directory: str) -> None:
    """Mark the cache directory as a cache (CACHEDIR.TAG): discovery skips it when it lies inside a scanned
    tree (a CI cache under the project directory), and backup tools leave it out."""
    target = Path(directory, CACHEDIR_TAG)
    if target.exists():
        return
    with contextlib.suppress(OSError):
        write_atomically(target, CACHEDIR_SIGNATURE + b"\n# This directory holds sovscan's cache: parsed files as JSON data.\n")


def sealed(body: bytes, key: str, form: str = FORMAT) -> bytes:
    """An entry: a header line naming the format, the key and the SHA-256 of the compressed body, then the body."""
    compressed = zlib.compress(body, 1)
    header = json.dumps({"format": form, "key": key, "sha256": hashlib.sha256(compressed).hexdigest()})
    return header.encode("ascii") + b"\n" + compressed


def keep_under_limit(entries: Path, written: int, limit: int) -> None:
    """After a run that wrote about `written` bytes into the entries directory: evict down to the limit,
    checked at most every EVICT_EVERY seconds unless the run wrote a tenth of the limit (the parse, root
    and result caches alike)."""
    if not written:
        return
    marker = entries / "last-size-check"
    with contextlib.suppress(OSError):
        recent = time.time() - marker.stat().st_mtime < EVICT_EVERY
        if recent and written < limit // 10:
            return
    with contextlib.suppress(OSError):
        evict(entries, limit)
        marker.touch()


def refresh(entry: Path) -> None:
    """Mark an entry as used (least recently used entries go first), not more than once an hour."""
    with contextlib.suppress(OSError):
        if time.time() - entry.stat().st_mtime > TOUCH_AFTER:
            os.utime(entry)


def write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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
