"""The parse cache: what parsing a file produced, remembered by the file's content between runs.

An entry's key is a SHA-256 over the cache format, sovscan's version, the code and parser libraries
that parse (a changed parser is a new key, released or not), the file's path and kind as discovered,
and the file's bytes. The entry is JSON data (parse/codec.py), never code: a CI cache may have
been written by another job, so reading an entry can build syntax trees and nothing else.

Each entry is one file, `<dir>/parse/<k[:2]>/<k>.json`: a header line (format, key, SHA-256 of the
body) and the body: a JSON line with the documents, notices and module sources, then the packed Terraform
tree (compressed JSON, parse/packed.py), unpacked only when the model evaluates its directory. An entry
that is truncated, corrupt, of another format or version, written for another key, or not what the codec
writes is a miss: the file is parsed again and the entry rewritten (a packed tree the codec refuses when it
is unpacked: the file is parsed again then).
A damaged entry never changes a result; an entry forged with a matching checksum by someone who can
write the cache directory can (the README says to share the cache only between trusted jobs).

Writes go to a temporary file that replaces the entry in one step, so concurrent scans sharing a
directory never read half an entry. A cache that cannot be written (read-only, full disk) is
silently not written. The size is bounded: when it grows past the limit, the least recently used
entries (a hit refreshes an entry's modification time, at most once an hour) are removed.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from scanner.cachedir import (DECODE_ERRORS, CacheDirectory, keep_under_limit, read_entry, refresh,
                              runtime_fingerprint, sealed, verified_body, write_atomically)
from scanner.discover import Source
from scanner.notices import Notice
from scanner.parse import codec
from scanner.parse.packed import PackedTerraform
from scanner.parse.terraform import TerraformFile

FORMAT = "sovscan-parse-cache/3"


@dataclass(frozen=True)
class Parsed:
    """What parse_file made of a file, without its text (read from the file) and directives (read from
    the text): the Terraform syntax, the YAML documents and the notices."""
    terraform: Any = None            # PackedTerraform | TerraformFile (one the codec cannot keep: not cached) | None
    documents: tuple = ()            # YamlDocument
    notices: tuple[Notice, ...] = ()


@dataclass
class ParseCache(CacheDirectory):
    """The parse entries of a cache directory; picklable, so parse workers write the entries of the files
    they parse."""
    kind: ClassVar[str] = "parse"
    fingerprint: str = field(default_factory=lambda: code_fingerprint())
    writable: bool = True

    def key(self, path: str, kind: str, data: bytes) -> str:
        digest = hashlib.sha256(self.fingerprint.encode())
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0" + kind.encode() + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, source: Source, key: str, digest: str) -> Parsed | None:
        """The entry for `key` (of `source`, whose bytes have the SHA-256 `digest`), or None: missing, damaged,
        foreign or unreadable entries alike."""
        entry = self.entry(key)
        try:
            body = verified_body(read_entry(entry), key, FORMAT)
            parsed = None if body is None else _decode(source, digest, body)
        except DECODE_ERRORS:
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
            write_atomically(self.entry(key), sealed(body, key, FORMAT), self.directory)
        except OSError:
            self.writable = False      # read-only, full or gone: the scan goes on without writing
            return

    def tidy(self, written: int) -> None:
        """After a run that wrote about `written` bytes of entries (workers wrote them: the bytes parsed
        stand in): keep the directory under its limit, checked at most every EVICT_EVERY seconds unless
        the run wrote a tenth of the limit."""
        if self.writable:
            keep_under_limit(self.entries(), written, self.limit)


def code_fingerprint() -> str:
    """What decides how a file parses: the runtime (sovscan's version, Python, the parser libraries) and the
    parse code itself (a development checkout changes it without a new version)."""
    digest = hashlib.sha256(f"{FORMAT}\0{runtime_fingerprint()}".encode())
    here = Path(__file__).resolve().parent
    for source in sorted(here.glob("*.py")) + [here.parent / "discover.py", here.parent / "notices.py"]:
        try:
            digest.update(b"\0" + source.name.encode() + b"\0" + source.read_bytes())
        except OSError:
            digest.update(b"\0" + source.name.encode() + b"\0unreadable")
    return digest.hexdigest()


# --- entries ----------------------------------------------------------------------------------------

def _encode(path: str, parsed: Parsed) -> bytes:
    """A header line (the module sources, documents and notices as JSON), then the packed Terraform tree as it
    is: the model unpacks it only where it evaluates."""
    if isinstance(parsed.terraform, TerraformFile):
        raise codec.Unencodable("a tree that could not be packed")
    sources = None if parsed.terraform is None else \
        [None if e is None else codec.encode_expr(e) for e in parsed.terraform.module_sources]
    header = {"terraform": sources, "documents": codec.encode_documents(list(parsed.documents)),
              "notices": codec.encode_notices(path, list(parsed.notices))}
    packed = b"" if parsed.terraform is None else parsed.terraform.data
    return json.dumps(header, separators=(",", ":"), ensure_ascii=True, allow_nan=True).encode("ascii") + b"\n" + packed


def _listed(value: Any) -> list:
    if not isinstance(value, list):
        raise codec.Malformed("module sources")
    return value


def _decode(source: Source, digest: str, body: bytes) -> Parsed:
    line, newline, packed = body.partition(b"\n")
    if not newline:
        raise codec.Malformed("entry")
    data = json.loads(line)
    if not isinstance(data, dict) or set(data) != {"terraform", "documents", "notices"}:
        raise codec.Malformed("entry")
    terraform = None
    if data["terraform"] is not None:
        sources = tuple(None if e is None else codec.decode_expr(e) for e in _listed(data["terraform"]))
        terraform = PackedTerraform(source, digest, packed, sources)
    elif packed:
        raise codec.Malformed("a tree without its module sources")
    return Parsed(terraform, tuple(codec.decode_documents(source.path, data["documents"])),
                  tuple(codec.decode_notices(source.path, data["notices"])))
