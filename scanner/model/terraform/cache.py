"""The root cache: what evaluating one Terraform root module produced, remembered between runs.

Evaluating root modules is most of a warm scan (the parse cache spares only parsing). A root's evaluation
reads its own module directory, every module directory it may call (local sources, and the modules
`terraform init` installed for it), the --var-file files, its root's modules.json, and the scanned files
its file functions read; it writes Resources, notices, and the module directories it visited. An entry
keeps what it wrote; its key is a SHA-256 over everything it may read that is known before evaluating:

  - the cache format, sovscan's version, and every source file of sovscan and its registries (a changed
    evaluator is a new key, released or not) with the parser libraries (the parse cache's fingerprint);
  - the root's directory and the --var-file files (path and content);
  - the modules.json of the root (every record: an installed module is found by it);
  - every module directory the root may reach, transitively: each directory a local `source` names and each
    directory its modules.json records, whether it is scanned and installed, and the path, role and
    content hash of each of its .tf/.tofu/.tf.json files and tfvars.

The directories are a superset of those evaluation visits: calls that count = 0 leaves out, or that a limit
stops, are keyed all the same. A root with a module `source` that is not a literal (Terraform refuses
those) or with a --plan assigned is never cached. What file(), templatefile(), fileset() and fileexists()
read is known only after evaluating: the entry keeps each question with a digest of its answer, and a
hit asks them again of this scan's files; a different answer is a miss.

Entries are `<dir>/roots/<k[:2]>/<k>.json`, sealed as every cache entry is (scanner/cachedir.py: a header
line with the format, key and SHA-256 of the compressed body; JSON data only, scanner/model/codec.py): a
truncated, corrupt, foreign or malformed entry is a miss, evaluated again and rewritten. Writes are atomic;
the least recently used entries are removed past the cache directory's size bound.
"""
from __future__ import annotations

import hashlib
import json
import posixpath
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from scanner import __version__
from scanner.model import codec
from scanner.model.resource import Resource
from scanner.model.terraform.files import Read, ScannedFiles, digest
from scanner.model.terraform.modules import TerraformModel
from scanner.notices import Notice
from scanner.parse import codec as parse_codec
from scanner.cachedir import (DECODE_ERRORS, CacheDirectory, keep_under_limit, read_entry, refresh, sealed_compressed,
                              verified_body, write_atomically)
from scanner.parse.cache import code_fingerprint
from scanner.parse.packed import TerraformSyntax
from scanner.parse.terraform import TerraformFile

FORMAT = "sovscan-root-cache/2"


@dataclass
class Evaluated:
    """What evaluating one root module wrote into the Terraform model, in the order it wrote it."""
    resources: list[Resource]
    notices: list[Notice]
    visited: list[str]                 # module directories evaluated, sorted
    reads: list[Read] = field(default_factory=list)   # file functions' questions, each once


def model_fingerprint() -> str:
    """What decides how a root evaluates, and how a build renders, besides its inputs: the parse cache's
    fingerprint (version, parser libraries, Python), every file of sovscan (its source and its data, such as
    Kustomize's merge keys) and its registries (secret detectors mask values)."""
    from scanner.pack import builtin_policy_dir
    digest_ = hashlib.sha256(f"{FORMAT}\0{__version__}\0{code_fingerprint()}".encode())
    package = Path(__file__).resolve().parents[2]
    registries = builtin_policy_dir() / "registries"
    sources = [(p, p.relative_to(package).as_posix()) for p in sorted(package.rglob("*"))
               if p.suffix in (".py", ".yaml", ".json") and "__pycache__" not in p.parts and p.is_file()]
    sources += [(p, "registries/" + p.name) for p in sorted(registries.glob("*.yaml"))]
    for source, name in sources:
        try:
            digest_.update(b"\0" + name.encode() + b"\0" + source.read_bytes())
        except OSError:
            digest_.update(b"\0" + name.encode() + b"\0unreadable")
    return digest_.hexdigest()


@dataclass
class RootCache(CacheDirectory):
    """A cache directory's root entries."""
    kind: ClassVar[str] = "roots"
    fingerprint: str = field(default_factory=lambda: model_fingerprint())
    writable: bool = True
    written: int = 0                   # bytes of entries this run wrote

    def get(self, key: str, files: ScannedFiles, share: codec.Share | None = None) -> Evaluated | None:
        """The entry for `key` when its file reads get the same answers from `files`; None otherwise, and
        for missing, damaged, foreign or unreadable entries alike. `share`: TerraformModel.share, which
        keeps one object for equal tables of the resources read."""
        entry = self.entry(key)
        try:
            body = verified_body(read_entry(entry), key, FORMAT)
            if body is None:
                return None
            evaluated = decode(body, share)
            if not same_answers(evaluated.reads, files):
                return None
        except DECODE_ERRORS:
            return None
        refresh(entry)
        return evaluated

    def has(self, key: str) -> bool:
        """Whether an entry for `key` is there (it may still be a miss: damaged, or other file answers)."""
        return self.entry(key).exists()

    def put(self, key: str, evaluated: Evaluated) -> None:
        """Write the entry; a result the codec cannot keep exactly, or a directory that cannot be written,
        leaves the root uncached."""
        if not self.writable:
            return
        try:
            body = encode(evaluated)
        except ENCODE_ERRORS:
            return
        self.written += self.put_compressed(key, zlib.compress(body, 1))

    def put_compressed(self, key: str, compressed: bytes) -> int:
        """Write the entry of a body `encode` made, compressed with zlib; the bytes written."""
        if not self.writable:
            return 0
        data = sealed_compressed(compressed, key, FORMAT)
        try:
            write_atomically(self.entry(key), data, self.directory)
        except OSError:
            self.writable = False
            return 0
        return len(data)

    def tidy(self) -> None:
        """After a run that wrote entries: keep roots/ under the limit, checked at most every EVICT_EVERY
        seconds unless the run wrote a tenth of the limit (as the parse cache does)."""
        if self.writable:
            keep_under_limit(self.entries(), self.written, self.limit)


def evaluation(key: str, reads: list[Read]) -> str:
    """What identifies a root's evaluation: its key (everything it may read that is known before evaluating)
    and the answers its file functions got. Evaluating is deterministic, so equal digests, equal resources."""
    return hashlib.sha256(json.dumps([key, [list(read) for read in reads]]).encode()).hexdigest()


def same_answers(reads: list[Read], files: ScannedFiles) -> bool:
    """Whether every file function question of an entry gets the answer it got when the entry was made."""
    return all(digest(files.answer(operation, path, limit)) == answer for operation, path, limit, answer in reads)


# --- keys -------------------------------------------------------------------------------------------------

class RootKeys:
    """The key of each root module of one Terraform model (None: that root is not cached)."""

    def __init__(self, model: TerraformModel, files: list[TerraformSyntax], tfvars: list[TerraformFile],
                 var_files: list[TerraformFile], fingerprint: str):
        self.model = model
        self.fingerprint = fingerprint
        self.by_directory: dict[str, list[tuple[str, str]]] = {}
        for role, group in (("terraform", files), ("tfvars", tfvars)):
            for tf in group:
                self.by_directory.setdefault(posixpath.dirname(tf.path), []).append((tf.path, role))
        self.var_files = _var_files(var_files)
        self.keys: dict[str, str | None] = {}

    def key(self, root: str) -> str | None:
        """Computed once per root: the scan asks before it evaluates the roots (to send those the cache
        cannot answer to workers) and again for each."""
        if root not in self.keys:
            self.keys[root] = self._key(root)
        return self.keys[root]

    def _key(self, root: str) -> str | None:
        if self.var_files is None or root in self.model.plans:
            return None
        reached = self.model.reached(root)
        if reached is None:
            return None
        directories, facts = reached
        described = [FORMAT, root, self.var_files, _manifest(self.model, root), sorted(facts),
                     [self._directory(d) for d in sorted(directories)]]
        digest_ = hashlib.sha256(self.fingerprint.encode())
        digest_.update(b"\0" + json.dumps(described, ensure_ascii=True).encode("ascii"))
        return digest_.hexdigest()

    def _directory(self, directory: str) -> list:
        files = sorted(self.by_directory.get(directory, []))
        return [directory, directory in self.model.installed, [[path, role, self._digest(path)] for path, role in files]]

    def _digest(self, path: str) -> str:
        """The digest of the bytes parsing read: what the root was evaluated from, even if the file has
        changed on disk since."""
        return self.model.digests.get(path, "")


def _var_files(var_files: list[TerraformFile]) -> str | None:
    """A digest of the --var-file files as parsed (their paths are as given on the command line)."""
    try:
        data = [[tf.path, parse_codec.encode_terraform(tf)] for tf in var_files]
        return hashlib.sha256(json.dumps(data, ensure_ascii=True).encode("ascii")).hexdigest()
    except (parse_codec.Unencodable, ValueError, RecursionError):
        return None


def _manifest(model: TerraformModel, root: str) -> Any:
    manifest = model.manifests.get(root)
    if manifest is None:
        return None
    records = [[key, m.key, m.address, m.source, m.version, m.directory, m.path]
               for key, m in sorted(manifest.modules.items())]
    return [manifest.path, manifest.root, records]


# --- entries ----------------------------------------------------------------------------------------------

def encode(evaluated: Evaluated) -> bytes:
    body = {"resources": codec.encode_resources(evaluated.resources),
            "notices": codec.encode_notices(evaluated.notices),
            "visited": list(evaluated.visited), "reads": [list(read) for read in evaluated.reads]}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True, allow_nan=True).encode("ascii")


ENCODE_ERRORS = (parse_codec.Unencodable, RecursionError, ValueError, TypeError)   # what encode raises on values it cannot keep


def decode(body: bytes, share: codec.Share | None = None) -> Evaluated:
    data = json.loads(body, object_hook=codec.object_hook)
    if not isinstance(data, dict) or set(data) != {"resources", "notices", "visited", "reads"}:
        raise parse_codec.Malformed("entry")
    visited = data["visited"]
    if not isinstance(visited, list) or not all(type(d) is str for d in visited):
        raise parse_codec.Malformed("visited")
    return Evaluated(codec.decode_resources(data["resources"], share), codec.decode_notices(data["notices"]), visited,
                     [_read(item) for item in _list(data["reads"])])


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise parse_codec.Malformed("list")
    return value


def _read(item: Any) -> Read:
    if not isinstance(item, list) or len(item) != 4 or item[0] not in ("read", "kind", "list") \
            or type(item[1]) is not str or type(item[2]) is not int or type(item[3]) is not str:
        raise parse_codec.Malformed("read")
    return item[0], item[1], item[2], item[3]
