"""Which findings to report when only some files or lines matter (pre-commit, --changed-since).

The whole module of a changed file is still evaluated, so variables and modules resolve exactly as in
a full scan; only the report is narrowed.

--changed-since compares the commit REF names with the working tree, as `git diff REF` would, but the
diff is computed here: git only lists REF's tree and reads its blobs (scanner.git), so nothing in the
repository (diff drivers, filters, `.gitattributes` such as `*.tf -diff`, fsmonitor) can run or hide a
change. Every file is compared as text. A file that is not in REF (new, untracked or ignored by git)
counts as changed in full, unless it is an exact copy of a file REF had and the working tree no longer
has, in the same directory (a rename without changes). What a file REF had and the working tree lost decided
is gone from every chain, so its directory counts as changed (Focus.gone).
"""
from __future__ import annotations

import functools
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from scanner import checkout, git
from scanner.discover import DEFAULT_EXCLUDES, KUSTOMIZATION_FILES, MAX_FILE_BYTES, classify, display_prefix, too_deep
from scanner.errors import InputError
from scanner.parse.hcl_text import expression_lines
from scanner.regular_file import read_bytes

MAX_DIFF_MIDDLE = 2_000   # lines between the shared start and end above which no line diff is made
MAX_EDITS = 400           # inserted plus deleted lines above which no line diff is made
# files a tool reads by their name: renamed, they are no longer read (terraform.tfvars -> prod.tfvars)
AUTOLOADED = ("terraform.tfvars", "terraform.tfvars.json", ".auto.tfvars", ".auto.tfvars.json", "Chart.yaml",
              "values.yaml", "values.schema.json", "requirements.yaml")


@dataclass(frozen=True)
class Focus:
    files: dict   # display path -> frozenset of changed lines, or None for the whole file
    # the lines of each changed HCL file: a place on the first line of a multi-line expression (a local's list,
    # a default's map) is changed when any line of the expression is
    sources: dict = field(default_factory=dict)
    # the files (display paths) REF had and the working tree lost, of the kinds that decide values (Terraform,
    # variables files, YAML and JSON, kustomizations): what a deleted terraform.tfvars, patch or NetworkPolicy
    # decided changed with it, in its directory (`gone`) and, for a manifest, across objects
    lost: frozenset = frozenset()

    @functools.cached_property
    def gone(self) -> frozenset:
        """The directories of the lost files (asked for every place of every finding: computed once)."""
        return frozenset(posixpath.dirname(path) for path in self.lost)

    @property
    def lost_manifest(self) -> bool:
        return any(_kind(path) in ("yaml", "json") for path in self.lost)

    def keeps(self, path: str, line: int, block_start: int = 0, block_end: int = 0) -> bool:
        if posixpath.dirname(path) in self.gone:
            return True
        if path not in self.files:
            return False
        lines = self.files[path]
        if lines is None or line in lines:
            return True
        start, end = block_start or line, max(block_end, block_start, line, self._expression_end(path, line))
        return any(start <= changed <= end for changed in lines)

    def changed(self, path: str) -> bool:
        """Any line of the file changed, or it went with its directory's lost file (a file file() reads)."""
        return path in self.files or posixpath.dirname(path) in self.gone

    def _expression_end(self, path: str, line: int) -> int:
        source = self.sources.get(path)
        if not source or not 1 <= line <= len(source):
            return line
        return expression_lines(source, line)[-1][0]


@dataclass(frozen=True)
class Change:
    """What --changed-since found: the commit, the repository, and the changed files by display path
    with their path in REF (for reading the old version)."""
    commit: str
    repository: git.Repository
    focus: Focus
    old_paths: dict   # display path -> repository path at REF


def display_path(path: str, roots: tuple[str, ...] = ()) -> str:
    """A path as reports show it when `roots` are scanned: relative to the working directory when inside it,
    else as discovery shows the files of the scan root that holds it (discover.display_prefix)."""
    real, cwd = os.path.realpath(path), os.path.realpath(os.getcwd())
    rel = os.path.relpath(real, cwd).replace(os.sep, "/")
    if not rel.startswith(".."):
        return rel
    for root in roots:
        base = os.path.realpath(root)
        base = base if os.path.isdir(base) else os.path.dirname(base)
        if checkout.inside(real, base):
            return display_prefix(root, roots) + os.path.relpath(real, base).replace(os.sep, "/")
    return os.path.basename(real)


def changed_since(ref: str) -> Change:
    """Lines added or changed since REF in the working tree, for the files under the working directory."""
    cwd = Path(os.path.realpath(os.getcwd()))
    top = git.top_level(str(cwd))
    if top is None:
        raise InputError("--changed-since: the working directory is not inside a git repository")
    repository = git.Repository(Path(os.path.realpath(top)), MAX_FILE_BYTES)
    commit = repository.commit(ref)
    tree = repository.tree(commit)
    object_format = repository.object_format()
    current = _working_files(cwd)
    prefix = cwd.relative_to(repository.top).as_posix() if cwd != repository.top else ""
    prefix = prefix + "/" if prefix else ""
    local = {display: prefix + display for display in current}
    changed: dict[str, frozenset[int] | None] = {}
    compare: dict[str, tuple[str, bytes]] = {}
    old_paths: dict[str, str] = {}
    renamed_from = _rename_sources(tree, set(local.values()), current, local, object_format)
    for display, repo_path in local.items():
        content = current[display]
        if repo_path in tree:
            old_paths[display] = repo_path
            if content is None or git.blob_id(content, object_format) != tree[repo_path][1]:
                compare[display] = (tree[repo_path][1], content or b"")
                if content is None:
                    changed[display] = None
            continue
        if display in renamed_from:
            old_paths[display] = renamed_from[display]
            if _same_part(renamed_from[display], repo_path):
                continue      # renamed in its directory, as the same kind of file: the same module, overlay or chart
        changed[display] = None
    blobs = repository.blobs([oid for display, (oid, _) in compare.items() if display not in changed])
    for display, (oid, content) in compare.items():
        if display not in changed:
            changed[display] = _changed_lines(blobs.get(oid, b""), content)
    sources = {display: (current[display] or b"").decode("utf-8", "replace").splitlines()
               for display, lines in changed.items()
               if lines is not None and _kind(display) in ("terraform", "terraform-json", "tfvars")}
    kept = set(local.values()) | {old for new, old in renamed_from.items() if _same_part(old, local[new])}
    lost = frozenset(path[len(prefix):] for path in tree if path.startswith(prefix) and path not in kept
                     and _decides(path) and not os.path.lexists(cwd / path[len(prefix):]))
    return Change(commit, repository, Focus(changed, sources, lost), old_paths)


def _kind(path: str) -> str:
    """What discovery reads the file as (scanner/discover.py classify)."""
    return classify(posixpath.basename(path))


def _decides(path: str) -> bool:
    """A file of a kind that decides values, outside what discovery always leaves out."""
    parts = path.split("/")
    if any(part in DEFAULT_EXCLUDES for part in parts[:-1]):
        return False
    return parts[-1] in KUSTOMIZATION_FILES or classify(parts[-1]) in ("terraform", "terraform-json", "tfvars",
                                                                       "yaml", "json")


def _same_part(old: str, new: str) -> bool:
    """A rename that keeps the file where it was and what it is (main.tf -> network.tf), not one that moves it
    to another module or build, or makes it another kind (terraform.tfvars -> terraform.tfvars.bak)."""
    old_name, new_name = posixpath.basename(old), posixpath.basename(new)
    return posixpath.dirname(old) == posixpath.dirname(new) and classify(old_name) == classify(new_name) and \
        (old_name in KUSTOMIZATION_FILES) == (new_name in KUSTOMIZATION_FILES) and \
        not old_name.endswith(AUTOLOADED) and not new_name.endswith(AUTOLOADED)


def _working_files(cwd: Path) -> dict[str, bytes | None]:
    """Every file under the working directory (display path -> content, None when too large or unreadable),
    leaving out what discovery always leaves out."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(cwd):
        dirnames[:] = [] if too_deep(dirpath, str(cwd)) else sorted(d for d in dirnames if d not in DEFAULT_EXCLUDES)
        for name in filenames:
            path = os.path.join(dirpath, name)
            display = os.path.relpath(path, cwd).replace(os.sep, "/")
            out[display] = _content(path)
    return out


def _content(path: str) -> bytes | None:
    try:
        if os.path.islink(path):
            return os.readlink(path).encode("utf-8", "surrogateescape")   # git stores a link as its target
        raw = read_bytes(path, MAX_FILE_BYTES)
        return None if len(raw) > MAX_FILE_BYTES else raw
    except OSError:
        return None


def _rename_sources(tree: dict, present: set[str], current: dict, local: dict, object_format: str) -> dict[str, str]:
    """New paths whose content is exactly that of a path REF had and the working tree lost: pure renames."""
    gone = {oid: path for path, (_, oid) in sorted(tree.items()) if path not in present}
    if not gone:
        return {}
    out = {}
    for display, repo_path in local.items():
        content = current[display]
        if repo_path in tree or content is None:
            continue
        source = gone.get(git.blob_id(content, object_format))
        if source is not None:
            out[display] = source
    return out


def _changed_lines(old: bytes, new: bytes) -> frozenset[int]:
    """Lines of `new` that are added or changed against `old`, and the lines either side of a deletion.

    Lines both sides share at the start and the end are left out first, in linear time. The middle is
    diffed with Myers' algorithm, whose work grows with the number of edits times the length, up to
    MAX_EDITS edits (difflib's matcher is cubic on repeated lines: a committed file could stall the scan);
    a larger or longer middle counts every new line in it as changed, which keeps more in focus, never less."""
    old_lines = old.decode("utf-8", "replace").splitlines()
    new_lines = new.decode("utf-8", "replace").splitlines()
    start, old_end, new_end = _common_ends(old_lines, new_lines)
    old_middle, new_middle = old_lines[start:old_end], new_lines[start:new_end]
    if not old_middle and not new_middle:
        return frozenset()
    script = _edit_script(old_middle, new_middle) if max(len(old_middle), len(new_middle)) <= MAX_DIFF_MIDDLE else None
    if script is None:
        return frozenset(_replaced(start, new_end, len(new_lines)))
    lines: set[int] = set()
    for first, end in _edited_runs(script):
        lines.update(_replaced(start + first, start + end, len(new_lines)))
    return frozenset(lines)


def _edit_script(old: list[str], new: list[str]) -> list[tuple[str, int]] | None:
    """A shortest edit script from old to new as ("insert", new index) and ("delete", new index before which
    the line goes) steps in order, by Myers' greedy algorithm; None when it needs more than MAX_EDITS edits."""
    n, m = len(old), len(new)
    offset = MAX_EDITS + 1
    furthest = [0] * (2 * MAX_EDITS + 3)     # furthest old index reached on each diagonal k = x - y
    trace: list[list[int]] = []
    for edits in range(MAX_EDITS + 1):
        trace.append(list(furthest))
        for k in range(-edits, edits + 1, 2):
            down = k == -edits or (k != edits and furthest[k - 1 + offset] < furthest[k + 1 + offset])
            x = furthest[k + 1 + offset] if down else furthest[k - 1 + offset] + 1
            y = x - k
            while x < n and y < m and old[x] == new[y]:
                x, y = x + 1, y + 1
            furthest[k + offset] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m, offset)
    return None


def _backtrack(trace: list[list[int]], n: int, m: int, offset: int) -> list[tuple[str, int]]:
    steps: list[tuple[str, int]] = []
    x, y = n, m
    for edits in range(len(trace) - 1, 0, -1):
        furthest = trace[edits]
        k = x - y
        down = k == -edits or (k != edits and furthest[k - 1 + offset] < furthest[k + 1 + offset])
        previous_k = k + 1 if down else k - 1
        previous_x = furthest[previous_k + offset]
        previous_y = previous_x - previous_k
        steps.append(("insert", previous_y) if down else ("delete", previous_y))
        x, y = previous_x, previous_y
    return steps[::-1]


def _edited_runs(script: list[tuple[str, int]]) -> list[tuple[int, int]]:
    """The edits grouped where they touch: (first new index, end) of the new lines each group inserts; a
    group that only deletes is empty at the new index it deletes before."""
    runs: list[tuple[int, int]] = []
    for kind, index in script:
        end = index + 1 if kind == "insert" else index
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((index, end))
    return runs


def _common_ends(old: list[str], new: list[str]) -> tuple[int, int, int]:
    """(lines shared at the start, end of old's middle, end of new's middle): the shared end lines never
    overlap the shared start lines."""
    shortest = min(len(old), len(new))
    start = 0
    while start < shortest and old[start] == new[start]:
        start += 1
    shared_end = 0
    while shared_end < shortest - start and old[-1 - shared_end] == new[-1 - shared_end]:
        shared_end += 1
    return start, len(old) - shared_end, len(new) - shared_end


def _replaced(first: int, end: int, total: int) -> range | tuple[int, ...]:
    """The 1-based new lines [first, end) stand for a change; an empty range (a deletion) marks the
    lines either side of it."""
    if end > first:
        return range(first + 1, end + 1)
    return tuple(n for n in (first, first + 1) if 1 <= n <= max(total, 1))
