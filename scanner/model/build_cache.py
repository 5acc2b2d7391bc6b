"""The build cache: Kustomize and Helm builds rendered in earlier runs, remembered between runs.

After one file changes, most builds of a scan read only files that did not: rendering them again was a tenth
of such a run (Helm renders each chart up to four times, in a child process). A build is a function of the
files it reads, sovscan itself and, for a chart, the Helm engine:

  - a chart reads its directory and the values files named for it, all known before it is rendered: the
    entry's key is a SHA-256 over the cache format, the root cache's fingerprint (sovscan's version, files
    and registries, the parser libraries), the engine that renders it (the SDK's version, or the `helm`
    binary's path, size and time), the chart's directory, the values files named and the path and bytes of
    each of those files. A chart is kept only when every render of it succeeded (one that failed may have
    hit its time or memory limit, and the places then fall back to coarser ones) and it was rendered whole or
    lacks only whole objects (a dependency not vendored, a template that is not YAML).
  - a kustomization reads what its resources, patches and generators name, known only as it is built: the
    key is over the format, the fingerprint, the build's directory and the answers for its kustomization file
    names, and the entry keeps every question the build asked of the scanned files (the text of this path, is
    this a directory) with its answer (the bytes' digest, or none: kustfile.Files.answer). A hit asks them again of this scan's files;
    another answer is a miss, rendered and written again.

Answers are the digests of the bytes parsing read (ScannedTexts.digest); a build that read a file that had
changed by then (read as empty) is not written. Entries are `<dir>/builds/<k[:2]>/<k>.json`, sealed as
every cache entry is (scanner/cachedir.py: JSON data only, the values read with the parse cache's decoder);
a truncated, corrupt, foreign or malformed entry is a miss and the build is rendered again. Writes are
atomic; the least recently used entries are removed past the cache directory's size bound.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import posixpath
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping, Sequence

from scanner.discover import KUSTOMIZATION_FILES
from scanner.cachedir import (DECODE_ERRORS, CacheDirectory, keep_under_limit, read_entry, refresh, sealed,
                              verified_body, write_atomically)
from scanner.model import codec
from scanner.model.codec import checked_text, read_at, read_list, read_text
from scanner.model.helm import chart_inputs, render_chart
from scanner.model.helm_engines import choose
from scanner.model.helm_engines import identity as engine_identity
from scanner.model.kustomize import Files, render_root
from scanner.model.rendered import Place, RenderedBuild, RenderedObject
from scanner.parse import codec as values_codec
from scanner.parse.codec import Malformed, Unencodable
from scanner.parse.texts import changed_of, digest_of

FORMAT = "sovscan-build-cache/1"

@dataclass
class BuildCache(CacheDirectory):
    """A cache directory's build entries."""
    kind: ClassVar[str] = "builds"
    fingerprint: str = ""               # the root cache's: sovscan's sources and registries, the parsers
    written: int = 0

    def _key(self, *parts: Any) -> str:
        described = json.dumps([FORMAT, self.fingerprint, *parts], ensure_ascii=True)
        return hashlib.sha256(described.encode("ascii")).hexdigest()

    def kustomization(self, files: Files, root: str) -> RenderedBuild:
        """The build of the kustomization in `root`: an earlier run's, when it asked the same questions of
        `files` and got the same answers; else rendered now, and kept unless a file it read had changed."""
        key = self._key("kustomize", root, [files.answer("text", posixpath.join(root, name))
                                            for name in KUSTOMIZATION_FILES])
        data = self._read(key)
        if data is not None:
            remembered = _remembered_kustomization(data, files, root)
            if remembered is not None:
                return remembered
        files.asked = {}
        try:
            build = render_root(files, root)
            asked = files.asked
        finally:
            files.asked = None
        read = {path for kind, path in asked if kind == "text"}
        if read.isdisjoint(files.changed):
            self._write(key, lambda: {"asked": [[kind, path, answer] for (kind, path), answer in asked.items()],
                                      "build": encode_build(build)})
        return build

    def chart(self, root: str, texts: Mapping[str, str], values_files: Sequence[str], engine: str) -> RenderedBuild:
        """The chart in `root` rendered with `values_files` by the engine `engine` chooses (a preference, as
        render_chart takes it): an earlier run's render of the same files by the same engine, else rendered
        now and kept when every render succeeded, what it lacks is decided by the files alone and no file it
        read had changed. Without an engine there is nothing to remember."""
        chosen = choose(engine)
        if chosen is None:
            return render_chart(root, texts, values_files, engine)
        read = chart_inputs(root, texts, values_files)
        key = self._key("helm", engine_identity(chosen), root, list(values_files),
                        [[path, digest_of(texts, path)] for path in read])
        data = self._read(key)
        if data is not None:
            with contextlib.suppress(*DECODE_ERRORS):
                return _built(decode_build(data), root, "helm")
        build = render_chart(root, texts, values_files, chosen)
        if build.repeatable and (build.complete or build.only_objects_missing) and changed_of(texts).isdisjoint(read):
            self._write(key, lambda: encode_build(build))
        return build

    def _read(self, key: str) -> Any:
        entry = self.entry(key)
        try:
            body = verified_body(read_entry(entry), key, FORMAT)
            data = None if body is None else json.loads(body)
        except DECODE_ERRORS:
            return None
        if data is not None:
            refresh(entry)
        return data

    def _write(self, key: str, data: Any) -> None:
        try:
            body = json.dumps(data(), separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")
            entry = sealed(body, key, FORMAT)
            write_atomically(self.entry(key), entry, self.directory)
        except (Unencodable, ValueError, RecursionError, OSError):
            return
        self.written += len(entry)

    def tidy(self) -> None:
        keep_under_limit(self.entries(), self.written, self.limit)


def _remembered_kustomization(data: Any, files: Files, root: str) -> RenderedBuild | None:
    """The entry's build when each question it keeps gets the same answer of `files`; None otherwise."""
    try:
        if not isinstance(data, dict) or set(data) != {"asked", "build"}:
            return None
        for question in read_list(data["asked"]):
            if not isinstance(question, list) or len(question) != 3:
                return None
            kind, path, answer = question
            if kind not in ("text", "directory") or type(path) is not str:
                return None
            now = files.answer(kind, path)
            if now != answer or type(now) is not type(answer):
                return None
        return _built(decode_build(data["build"]), root, "kustomize")
    except DECODE_ERRORS:
        return None


def _built(build: RenderedBuild, root: str, tool: str) -> RenderedBuild:
    """The build read back, when it is the one asked for (its key names it: another is a forged entry)."""
    if (build.root, build.tool) != (root, tool):
        raise Malformed("another build")
    return build


# --- a rendered build as plain JSON data and back ----------------------------------------------------------

def encode_build(build: RenderedBuild) -> list:
    places: dict[Place, int] = {}

    def place(at: Any) -> int:
        codec.encode_place(at)             # a Place of a str and an int, or Unencodable
        return places.setdefault(at, len(places))

    objects = [[values_codec.encode_value(o.values), {checked_text(k): place(p) for k, p in o.places.items()},
                place(o.origin), checked_text(o.build)] for o in build.objects]
    if not all(type(flag) is bool for flag in (build.complete, build.only_objects_missing)):
        raise Unencodable("flag")
    return [checked_text(build.root), checked_text(build.tool), [[p.path, p.line] for p in places], objects,
            sorted(checked_text(path) for path in build.inputs), codec.encode_notices(build.notices), build.complete,
            build.only_objects_missing]


def decode_build(data: Any) -> RenderedBuild:
    if not isinstance(data, list) or len(data) != 8:
        raise Malformed("build")
    root, tool, place_table, objects, inputs, notices, complete, only_objects_missing = data
    if type(complete) is not bool or type(only_objects_missing) is not bool:
        raise Malformed("flag")
    places = [codec.decode_place(p) for p in read_list(place_table)]
    build = RenderedBuild(read_text(root), read_text(tool), inputs=frozenset(read_text(p) for p in read_list(inputs)),
                          notices=codec.decode_notices(notices), complete=complete,
                          only_objects_missing=only_objects_missing)
    for item in read_list(objects):
        if not isinstance(item, list) or len(item) != 4:
            raise Malformed("rendered object")
        values, own, origin, of_build = item
        if type(own) is not dict:
            raise Malformed("places")
        build.objects.append(RenderedObject(values_codec.decode_value(values),
                                            {read_text(k): read_at(places, v) for k, v in own.items()},
                                            read_at(places, origin), read_text(of_build)))
    return build
