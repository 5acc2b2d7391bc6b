"""The scanned files as kustomize sees them: paths kept inside the scan root, kustomization files, manifests.

Nothing here touches the disk: `files` maps every discovered repository-relative path to its text. A
path that climbs out of the scan root, or a file kustomize would refuse to read, is a BuildError that the
build turns into a notice.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import yaml

from scanner.discover import KUSTOMIZATION_FILES
from scanner.model.kustomize.resource import BuildError, Resource
from scanner.model.kustomize.tree import Node, from_document
from scanner.model.rendered import Place
from scanner.parse.texts import changed_of, digest_of
from scanner.parse.yaml import YamlDocument, YamlTooComplex, parse_text

LOCAL_CONFIG = "config.kubernetes.io/local-config"
ORIGIN = "config.kubernetes.io/origin"
SUPPORTED = frozenset({
    "apiVersion", "kind", "metadata", "resources", "bases", "components", "namespace", "namePrefix",
    "nameSuffix", "commonLabels", "labels", "commonAnnotations", "patches", "patchesStrategicMerge",
    "patchesJson6902", "images", "imageTags", "replicas", "configMapGenerator", "secretGenerator",
    "generatorOptions", "configurations", "buildMetadata", "sortOptions"})
UNSUPPORTED = {
    "helmCharts": "Helm charts", "helmChartInflationGenerator": "Helm charts", "helmGlobals": "Helm charts",
    "replacements": "replacements", "vars": "vars", "generators": "generator plugins",
    "transformers": "transformer plugins", "validators": "validator plugins",
    "openapi": "a custom OpenAPI schema", "crds": "CRD field specs"}
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|(?:github\.com|gitlab\.com|bitbucket\.org)[/:])|\?ref=|\.git(?:/|$|\?)|//")


class ParseFailure(BuildError):
    """A file is not valid YAML; the message names it."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line = path, line


def inside(directory: str, relative: str) -> str | None:
    """The repository path `relative` names from `directory`, or None when it leaves the scan root."""
    if relative.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(directory, relative)) if directory else posixpath.normpath(relative)
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def under(directory: str, path: str) -> bool:
    return not directory or path == directory or path.startswith(directory + "/")


def looks_remote(reference: str) -> bool:
    return bool(_REMOTE.search(reference))


class Files:
    """The scan's files, parsed once and shared by every build of a render_all call. `parsed` may hand
    over documents the parse stage already made (parse_text's output for that path), saving a reparse.

    Every question a build asks goes through `text` and `is_directory`; while `asked` is a dict, each is
    kept with its answer (a digest of the text, None for a file not scanned), so a build rendered in an
    earlier run can be reused when the same questions get the same answers (scanner/model/build_cache.py)."""

    def __init__(self, files: Mapping[str, str], parsed: Mapping[str, Sequence[YamlDocument]] | None = None) -> None:
        self._texts = files
        self.directories = {""}
        for path in files:
            parent = posixpath.dirname(path)
            while parent not in self.directories:
                self.directories.add(parent)
                parent = posixpath.dirname(parent)
        self._parsed: dict[str, Sequence[YamlDocument] | ParseFailure] = dict(parsed or {})
        self._lines: dict[str, list[str]] = {}
        self.asked: dict[tuple[str, str], str | bool | None] | None = None

    def answer(self, kind: str, path: str) -> str | bool | None:
        """What the question ("text" or "directory", path) gets now, without recording it: for a text, the
        digest of the bytes it is made of (None: not a scanned file); for a directory, whether it is one."""
        if kind == "directory":
            return path in self.directories
        return digest_of(self._texts, path) if path in self._texts else None

    def text(self, path: str) -> str | None:
        """The text of a scanned file, None when `path` is not one."""
        if self.asked is not None:
            self.asked[("text", path)] = self.answer("text", path)
        return self._texts.get(path)

    @property
    def changed(self) -> frozenset[str]:
        """The files found changed when read again: what a build read of them was empty."""
        return changed_of(self._texts)

    def lines(self, path: str) -> list[str]:
        text = self.text(path) or ""
        if path not in self._lines:
            self._lines[path] = text.split("\n")
        return self._lines[path]

    def is_file(self, path: str) -> bool:
        return self.text(path) is not None

    def is_directory(self, path: str) -> bool:
        found = path in self.directories
        if self.asked is not None:
            self.asked[("directory", path)] = found
        return found

    def documents(self, path: str) -> Sequence[YamlDocument]:
        text = self.text(path) or ""
        if path not in self._parsed:
            try:
                self._parsed[path] = parse_text(path, text)
            except yaml.MarkedYAMLError as error:
                mark = error.problem_mark or error.context_mark
                line = mark.line + 1 if mark is not None else 1
                self._parsed[path] = ParseFailure(path, line, f"malformed YAML: {error.problem or error}")
            except (yaml.YAMLError, YamlTooComplex, RecursionError) as error:
                self._parsed[path] = ParseFailure(path, 1, f"malformed YAML: {error}")
        found = self._parsed[path]
        if isinstance(found, ParseFailure):
            raise found
        return found

    def kustomization_in(self, directory: str) -> str | None:
        found = [posixpath.join(directory, n) if directory else n for n in KUSTOMIZATION_FILES]
        found = [f for f in found if self.is_file(f)]
        if len(found) > 1:
            raise BuildError(f"found multiple kustomization files under '{directory or '.'}'")
        return found[0] if found else None


@dataclass
class Kustomization:
    path: str
    directory: str
    node: Node

    @property
    def kind(self) -> str:
        return self.node.text("kind") or "Kustomization"

    def get(self, key: str) -> Node | None:
        found = self.node.get(key)
        return None if found is None or found.is_null else found

    def string(self, key: str) -> Node | None:
        found = self.get(key)
        if found is not None and not isinstance(found.value, str):
            raise BuildError(f"'{key}' must be a string")
        return found

    def strings(self, key: str) -> list[Node]:
        found = self.get(key)
        if found is None:
            return []
        if not found.is_seq or any(not isinstance(item.value, str) for item in found.value):
            raise BuildError(f"'{key}' must be a list of strings")
        return list(found.value)

    def entries(self, key: str) -> list[Node]:
        found = self.get(key)
        if found is None:
            return []
        if not found.is_seq:
            raise BuildError(f"'{key}' must be a list")
        return list(found.value)

    def place(self, key: str) -> Place:
        found = self.node.get(key)
        return found.place if found is not None else self.node.place


def load_kustomization(files: Files, path: str) -> Kustomization:
    documents = files.documents(path)
    if len(documents) != 1 or not isinstance(documents[0].values, dict) or not documents[0].values:
        raise BuildError("a kustomization file must hold one non-empty mapping")
    kustomization = Kustomization(path, posixpath.dirname(path), from_document(documents[0], documents[0].values))
    kind, api_version = kustomization.node.text("kind"), kustomization.node.text("apiVersion")
    if kind not in ("", "Kustomization", "Component"):
        raise BuildError("kind should be Kustomization or Component")
    expected = "kustomize.config.k8s.io/v1alpha1" if kind == "Component" else "kustomize.config.k8s.io/v1beta1"
    if api_version and api_version != expected:
        raise BuildError(f"apiVersion for {kind or 'Kustomization'} should be {expected}")
    return kustomization


def resources_in(files: Files, path: str) -> list[Resource]:
    """The objects of a manifest file, List kinds unpacked, as kustomize reads them. Raises BuildError."""
    queue: list[tuple[YamlDocument, object, tuple]] = [(d, d.values, ()) for d in files.documents(path)]
    result: list[Resource] = []
    while queue:
        document, values, prefix = queue.pop(0)
        if not isinstance(values, dict):
            raise BuildError(f"document at line {document.locations.get(prefix, document.line)} is not a mapping")
        kind = values.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and "items" in values:
            items = values["items"]
            if items is not None and not isinstance(items, list):
                raise BuildError(f"expected a list in {kind}/items")
            queue.extend((document, item, prefix + ("items", i)) for i, item in enumerate(items or []))
            continue
        node = from_document(document, values, prefix, files.lines(path))
        resource = Resource(node, Place(path, node.place.line))
        if not isinstance(kind, str) or not kind:
            raise BuildError(f"missing kind in the object at line {node.place.line}")
        if not kind.endswith("List") and not resource.name:
            raise BuildError(f"missing metadata.name in the {kind} at line {node.place.line}")
        result.append(resource.with_annotations())
    return result
