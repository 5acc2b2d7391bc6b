"""Stage 1: walk the scan roots and classify files into Sources."""
from __future__ import annotations

import errno
import fnmatch
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from scanner.checkout import inside
from scanner.notices import CACHE_SKIPPED, Notice
from scanner.regular_file import is_regular, read_bytes

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")   # `Kustomization`: no suffix
DEFAULT_EXCLUDES = (".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".tox")
# Of those, the ones that hold other projects' code: left out with a note, as any directory can take the name
THIRD_PARTY = frozenset({"node_modules", ".venv", "venv", "__pycache__", ".tox"})
SKIPPED_THIRD_PARTY = "skipped: installed third-party code (node_modules, a virtual environment, __pycache__, .tox) is never scanned"
MAX_FILE_BYTES = 5 * 1024 * 1024
# Directories nested deeper than this below a scanned one are not entered: a committed tree of a thousand
# levels would exhaust Python's recursion in os.walk and end the scan with nothing reported
MAX_DIRECTORY_DEPTH = 128
TOO_DEEP = f"skipped: nested deeper than {MAX_DIRECTORY_DEPTH} directories below the scanned one"

TERRAFORM_STATE_SUFFIXES = (".tfstate", ".tfstate.backup", ".tfplan")


@dataclass(frozen=True, order=True, slots=True)   # one per scanned file: no __dict__ each
class Source:
    path: str          # relative to the scan root, POSIX separators
    kind: str          # terraform | tfvars | terraform-json | yaml | json | tfstate | text
    abspath: str
    installed: bool = False   # a module `terraform init` downloaded: evaluated, never reported as the user's


def classify(name: str) -> str:
    lower = name.lower()
    if lower.endswith((".tf", ".tofu")):
        return "terraform"
    if lower.endswith((".tf.json", ".tofu.json")):
        return "terraform-json"
    if lower.endswith(".tfvars") or lower.endswith(".tfvars.json"):
        return "tfvars"
    if lower.endswith(TERRAFORM_STATE_SUFFIXES):
        return "tfstate"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith(".json"):
        return "json"
    return "text"


GITHUB_WORKFLOW, GITLAB_CI = "github_workflow", "gitlab_ci"
CI_KINDS = (GITHUB_WORKFLOW, GITLAB_CI)


def ci_kind(path: str) -> str | None:
    name = posixpath.basename(path)
    if "/.github/workflows/" in f"/{path}" and name.endswith((".yml", ".yaml")):
        return GITHUB_WORKFLOW
    if name in (".gitlab-ci.yml", ".gitlab-ci.yaml") or path.endswith(".gitlab-ci.yml"):
        return GITLAB_CI
    return None


def _normal(pattern: str) -> str:
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/") or pattern


def _matches(shown: str, name: str, pattern: str) -> bool:
    """A glob against the path as reports show it; a pattern without `/` also matches a bare name, and
    `*` crosses directories (`test/*` and `test/**` leave out everything under test/)."""
    normal = _normal(pattern)
    if "/" not in normal and (name == normal or fnmatch.fnmatchcase(name, normal)):
        return True
    if fnmatch.fnmatchcase(shown, normal):
        return True
    return normal.startswith("**/") and fnmatch.fnmatchcase(shown, normal[3:])


def _excluded(shown: str, name: str, excludes: tuple[str, ...], matched: set[str] | None = None) -> bool:
    for pattern in excludes:
        if _matches(shown, name, pattern):
            if matched is not None:
                matched.add(pattern)
            return True
    return False


def unused_excludes(given: tuple[str, ...], configured: tuple[str, ...], config_file: str,
                    matched: set[str]) -> list[Notice]:
    """A warning for each exclude pattern that left nothing out (a typo, or a path not as reports show it):
    on the configuration file that has it, or on no file for a command-line --exclude."""
    patterns = [(p, "", "--exclude ") for p in given] + \
        [(p, config_file or ".sovscan.yaml", "exclude ") for p in configured]
    return [Notice(where, 0, f"{option}{pattern!r} matches no path (patterns match paths as reports show them)")
            for pattern, where, option in dict.fromkeys(patterns) if pattern not in matched]


def _looks_binary(path: str) -> bool:
    return b"\0" in read_bytes(path, 8192)[:8192]


def display_prefix(root: str, roots: tuple[str, ...] = ()) -> str:
    """Paths are shown relative to the working directory (the repository root in CI) when the scan root
    is inside it, so SARIF URIs are repository-relative; otherwise relative to the scan root, unless it is one
    of several `roots` scanned together: then relative to the working directory too (`../b/main.tf`), so the
    files of two roots are never shown with one path."""
    real_root, cwd = os.path.realpath(root), os.path.realpath(os.getcwd())
    if real_root == cwd or (not inside(real_root, cwd) and len({os.path.realpath(r) for r in roots}) < 2):
        return ""
    base = real_root if os.path.isdir(real_root) else os.path.dirname(real_root)
    rel = os.path.relpath(base, cwd).replace(os.sep, "/")
    return "" if rel == "." else rel + "/"


CACHEDIR_TAG = "CACHEDIR.TAG"
CACHEDIR_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"   # the Cache Directory Tagging Specification
SOVSCAN_TAG_LINE = b"# This directory holds sovscan's caches"        # the line sovscan writes below it
# Tagged caches other tools make in a project (pytest, mypy, ruff): left out with a note, like sovscan's own
TOOL_CACHES = (".pytest_cache", ".mypy_cache", ".ruff_cache")


SKIPPED_CACHE = "skipped: a cache directory (it holds a CACHEDIR.TAG); none of its files is scanned"


def is_cache_directory(tag: str) -> bool:
    """The directory holds a CACHEDIR.TAG with the Cache Directory Tagging Specification's signature."""
    return _tag_text(tag).startswith(CACHEDIR_SIGNATURE)


def _tag_text(tag: str) -> bytes:
    """The start of a CACHEDIR.TAG: the signature, and the line sovscan writes below it; b"" when unreadable."""
    try:
        return read_bytes(tag, 512)
    except OSError:
        return b""


def discover(root: str, excludes: tuple[str, ...] = (), prefix: str = "",
             matched: set[str] | None = None, own_cache: str = "") -> tuple[list[Source], list[Notice]]:
    """Every scannable file under root (a directory or a single file), sorted by path.

    Excludes are globs over the paths as reports show them (`prefix` + the path under the root); the
    patterns that left something out are added to `matched`. Symlinks are followed only when their target
    stays inside the root; directories are visited once by their real path, so symlink loops end. A
    directory tagged as a cache (CACHEDIR.TAG) is skipped: silently when it is `own_cache` (the real path of
    the cache directory this scan uses), else with a notice of kind CACHE_SKIPPED, since anyone can tag a
    directory and the tag must not hide code unseen: a note for another sovscan cache or a known tool's,
    a warning (which fails --strict) for any other.
    """
    root_path = Path(root)
    user_excludes = tuple(excludes)
    if root_path.is_file():
        shown = prefix + root_path.name
        if _excluded(shown, root_path.name, user_excludes, matched):
            return [], []
        return _single_file(root_path, prefix)
    real_root = os.path.realpath(root)
    sources: list[Source] = []
    notices: list[Notice] = []
    seen_dirs: set[str] = set()

    def on_error(err: OSError) -> None:
        rel = shown_path(prefix + os.path.relpath(err.filename or root, root).replace(os.sep, "/"))
        notices.append(Notice(rel, 0, f"cannot read directory: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        real_dir = os.path.realpath(dirpath)
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = prefix + ("" if rel_dir == "." else rel_dir + "/")
        if real_dir in seen_dirs or not inside(real_dir, real_root):
            dirnames[:] = []
            notices.append(Notice(shown_path(rel_dir.rstrip("/")), 0, "skipped: symlink loop or link outside the scan root",
                                  "note"))
            continue
        seen_dirs.add(real_dir)
        if dirnames and too_deep(dirpath, root):
            notices.append(Notice(shown_path(rel_dir.rstrip("/")), 0, TOO_DEEP))
            dirnames[:] = []
        tag = _tag_text(os.path.join(dirpath, CACHEDIR_TAG)) if CACHEDIR_TAG in filenames else b""
        if tag.startswith(CACHEDIR_SIGNATURE):
            dirnames[:] = []          # a cache (sovscan's own under a CI project directory): not the user's files
            if real_dir != own_cache:
                known = os.path.basename(real_dir) in TOOL_CACHES or SOVSCAN_TAG_LINE in tag
                notices.append(Notice(shown_path(rel_dir.rstrip("/") or "."), 0, SKIPPED_CACHE,
                                      "note" if known else "warning", CACHE_SKIPPED))
            continue
        notices.extend(Notice(shown_path(rel_dir + d), 0, SKIPPED_THIRD_PARTY, "note")
                       for d in sorted(dirnames) if d in THIRD_PARTY and not _excluded(rel_dir + d, d, user_excludes, set())
                       and not _only_bytecode(os.path.join(dirpath, d)))
        dirnames[:] = sorted(d for d in dirnames if d not in DEFAULT_EXCLUDES
                             and not _excluded(rel_dir + d, d, user_excludes, matched))
        for name in sorted(filenames):
            rel = rel_dir + name
            if name in DEFAULT_EXCLUDES or _excluded(rel, name, user_excludes, matched):
                continue
            source, notice = _source(os.path.join(dirpath, name), rel, real_root)
            if notice:
                notices.append(notice)
            if source:
                sources.append(source)
    return sorted(sources), sorted(notices)


def _only_bytecode(directory: str) -> bool:
    """A __pycache__ that holds what Python writes there and nothing else: no note for every Python package."""
    if os.path.basename(directory) != "__pycache__":
        return False
    try:
        return all(entry.name.endswith(".pyc") and entry.is_file(follow_symlinks=False) for entry in os.scandir(directory))
    except OSError:
        return False


def shown_path(rel: str) -> str:
    """The path as reports show it. A name that is not UTF-8 reaches Python with surrogate escapes, which
    no report (or hash) can encode: its bytes are shown as \\xNN. The file is still read by its real name."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _missing(abspath: str) -> str:
    """Why a listed name cannot be opened: a symbolic link that leads to itself, or to nothing."""
    try:
        os.stat(abspath)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "a symbolic link loop (it leads back to itself)"
    return "it does not exist (a broken symlink?)"


def _source(abspath: str, rel: str, real_root: str) -> tuple[Source | None, Notice | None]:
    rel = shown_path(rel)
    if os.path.islink(abspath) and not inside(os.path.realpath(abspath), real_root):
        return None, Notice(rel, 0, "skipped: symlink points outside the scan root", "note")
    if not os.path.exists(abspath):
        return None, Notice(rel, 0, f"cannot read file: {_missing(abspath)}")
    if not is_regular(abspath):
        return None, Notice(rel, 0, "skipped: not a regular file (a FIFO, device or socket is never read)", "warning")
    try:
        size = os.path.getsize(abspath)
        if size > MAX_FILE_BYTES:
            return None, Notice(rel, 0, f"skipped: file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", "note")
        kind = classify(rel)
        if kind != "tfstate" and _looks_binary(abspath):
            if kind == "text":
                return None, None
            return None, Notice(rel, 0, "skipped: binary file", "warning")
    except OSError as err:
        return None, Notice(rel, 0, f"cannot read file: {err.strerror}")
    return Source(rel, kind, abspath), None


def _single_file(path: Path, prefix: str) -> tuple[list[Source], list[Notice]]:
    source, notice = _source(str(path), prefix + path.name, os.path.realpath(path.parent))
    return ([source] if source else []), ([notice] if notice else [])


def too_deep(directory: str, top: str) -> bool:
    """`directory` lies MAX_DIRECTORY_DEPTH levels below `top`: a walk goes no deeper."""
    relative = os.path.relpath(directory, top)
    return relative != "." and relative.count(os.sep) + 1 >= MAX_DIRECTORY_DEPTH


def installed_module_sources(root: str, prefix: str, directories: list[str]) -> tuple[list[Source], list[Notice]]:
    """The Terraform files of modules `terraform init` installed (`.terraform/modules/...`), in the given
    directories relative to the scan root, which a modules.json names and confines to the root."""
    real_root = os.path.realpath(root)
    sources: list[Source] = []
    notices: list[Notice] = []
    for directory in dict.fromkeys(directories):
        top = os.path.join(real_root, directory)
        if not inside(os.path.realpath(top), real_root) or not os.path.isdir(top):
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            rel_dir = os.path.relpath(dirpath, real_root).replace(os.sep, "/")
            if CACHEDIR_TAG in filenames and is_cache_directory(os.path.join(dirpath, CACHEDIR_TAG)):
                # as discovery (and the result cache's key) leaves it out, not unseen
                notices.append(Notice(shown_path(prefix + rel_dir), 0, SKIPPED_CACHE, "warning", CACHE_SKIPPED))
                dirnames[:] = []
                continue
            # as deep as discovery goes below the scan root (the result cache's key reads no deeper)
            dirnames[:] = [] if too_deep(dirpath, real_root) else sorted(d for d in dirnames if d not in (".git", ".terraform"))
            for name in sorted(filenames):
                if classify(name) not in ("terraform", "terraform-json"):
                    continue
                source, notice = _source(os.path.join(dirpath, name), prefix + rel_dir + "/" + name, real_root)
                if notice:
                    notices.append(notice)
                if source:
                    sources.append(Source(source.path, source.kind, source.abspath, installed=True))
    return sources, notices

