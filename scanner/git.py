"""git, run so that nothing in the scanned repository can make it execute a command or reach the network.

sovscan asks git only about the object database (resolve a ref, list a tree, read blobs): none of these
commands looks at the working tree, so filters, textconv, external diff drivers, fsmonitor and
`.gitattributes` never come into play, and the diff against the working tree is computed in Python
(scanner.focus). On top of that, every setting that can run a command is overridden on the command line
(which wins over the repository's own config and anything it includes), the caller's GIT_* variables are
dropped, the system and global config are not read, and every transport is forbidden, so not even a lazy
fetch of a partial clone can start a remote helper.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import InputError
from scanner.regular_file import read_bytes

class GitHung(InputError):
    """git did not answer in time: every later call would wait as long, so none is made."""


MAX_BLOBS_BYTES = 256 * 1024 * 1024    # old versions read for one --changed-since run, in all

TIMEOUT_SECONDS = 120
_PROTOCOLS = ("ext", "file", "git", "http", "https", "ssh", "ftp", "ftps")


def top_level(start: str) -> Path | None:
    """The nearest directory at or above `start` that holds `.git` (a directory or a gitfile), found
    without running git, so no repository config is read to find it."""
    path = Path(os.path.abspath(start))
    if not path.is_dir():
        path = path.parent
    for candidate in (path, *path.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REF_BYTES = 4096                        # HEAD, a loose ref, commondir, a gitfile: one short line
_PACKED_REFS_BYTES = 16 * 1024 * 1024


def revision(paths: tuple[str, ...]) -> str:
    """The commit the scanned checkout has out, when every path lies in one git checkout ("" otherwise)."""
    tops = {top_level(os.path.realpath(p)) for p in paths or (".",)}
    top = tops.pop() if len(tops) == 1 else None
    return (head_commit(top) or "") if top is not None else ""


def head_commit(top: Path) -> str | None:
    """The commit the checkout at `top` has out, read from the files under .git (no git runs, nothing the
    repository configures is read): None when it cannot be told (an unborn branch, a damaged or odd file, a
    link that loops or a NUL byte in a path the repository names)."""
    try:
        return _head_commit(top)
    except (OSError, ValueError, RuntimeError):
        return None


def _head_commit(top: Path) -> str | None:
    git_dir = _git_dir(top)
    head = None if git_dir is None else _first_line(git_dir / "HEAD", _REF_BYTES)
    if git_dir is None or head is None:
        return None
    if _COMMIT_ID.fullmatch(head):
        return head                      # detached, as CI checks out
    ref = head.removeprefix("ref: ")
    if ref == head or not ref.startswith("refs/") or any(part in ("", ".", "..") for part in ref.split("/")):
        return None
    common = git_dir
    shared = _first_line(git_dir / "commondir", _REF_BYTES)   # a worktree keeps its branches there
    if shared is not None:
        common = (git_dir / shared).resolve()
    for directory in dict.fromkeys((git_dir, common)):
        loose = _first_line(directory / ref, _REF_BYTES)
        if loose is not None:
            return loose if _COMMIT_ID.fullmatch(loose) else None
    try:
        packed = read_bytes(str(common / "packed-refs"), _PACKED_REFS_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    for line in packed.splitlines():
        commit, _, name = line.partition(" ")
        if name == ref and _COMMIT_ID.fullmatch(commit):
            return commit
    return None


def _git_dir(top: Path) -> Path | None:
    dot_git = top / ".git"
    if dot_git.is_dir():
        return dot_git
    line = _first_line(dot_git, _REF_BYTES)     # a submodule's or worktree's gitfile
    if line is None or not line.startswith("gitdir: "):
        return None
    return (top / line.removeprefix("gitdir: ")).resolve()


def _first_line(path: Path, limit: int) -> str | None:
    try:
        raw = read_bytes(str(path), limit)
    except (OSError, ValueError):
        return None
    if len(raw) > limit:
        return None
    lines = raw.decode("utf-8", "replace").splitlines()
    return lines[0].strip() if lines else None


def _overrides(top: Path) -> list[str]:
    settings = [
        "core.fsmonitor=false", f"core.hooksPath={os.devnull}", "core.pager=cat", "core.askPass=",
        "core.sshCommand=", "core.gitProxy=", "core.alternateRefsCommand=", f"core.attributesFile={os.devnull}",
        "core.quotePath=false", "credential.helper=", "diff.external=", "gc.auto=0", "maintenance.auto=false",
        "protocol.allow=never", *(f"protocol.{name}.allow=never" for name in _PROTOCOLS),
        # The checkout may belong to another user (CI containers); trusting it is safe here because
        # nothing it configures can run.
        f"safe.directory={top}",
    ]
    return [part for setting in settings for part in ("-c", setting)]


def _environment(top: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_ATTR_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
               GIT_NO_LAZY_FETCH="1", GIT_OPTIONAL_LOCKS="0", GIT_PAGER="cat", PAGER="cat", LC_ALL="C",
               GIT_CEILING_DIRECTORIES=str(top.parent))
    return env


@dataclass(frozen=True)
class Repository:
    """A git repository read through its object database only; no blob over `largest` bytes is read (the
    caller's own bound on a file: discovery's)."""
    top: Path
    largest: int

    def run(self, args: list[str], stdin: bytes = b"", what: str = "git") -> bytes:
        command = ["git", "--no-pager", *_overrides(self.top), *args]
        try:
            done = subprocess.run(command, cwd=self.top, env=_environment(self.top), input=stdin,
                                  capture_output=True, check=False, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise GitHung(f"{what}: git {args[0]} did not answer within {TIMEOUT_SECONDS} s (is a file of the "
                          f"repository's git metadata, such as .git/config or one it includes, a FIFO?)") from None
        except OSError as err:
            raise InputError(f"{what}: cannot run git: {err}") from None
        if done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise InputError(f"{what}: git {args[0]} failed: {reason[-1] if reason else 'no reason given'}")
        return done.stdout

    def commit(self, ref: str, what: str = "--changed-since") -> str:
        """The commit id REF names; exit 2 when REF is not a commit in this clone (with what to do when
        the clone is shallow). REF is passed after --end-of-options, so `--output=x` is a name, not an option."""
        try:
            return self.run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
                            what=what).decode("ascii").strip()
        except GitHung:
            raise
        except InputError:
            pass
        if self.is_shallow():
            raise InputError(f"{what}: {ref!r} is not in this shallow clone; fetch the history it needs, e.g. "
                             f"`git fetch --deepen=200 origin` or `git fetch origin {_quoted(ref)}` "
                             "(GitHub Actions: actions/checkout with fetch-depth: 0; GitLab CI: GIT_DEPTH: 0)")
        raise InputError(f"{what}: {ref!r} is not a commit in {self.top}")

    def is_shallow(self) -> bool:
        try:
            return self.run(["rev-parse", "--is-shallow-repository"]).strip() == b"true"
        except GitHung:
            raise
        except InputError:
            return False

    def object_format(self) -> str:
        try:
            return self.run(["rev-parse", "--show-object-format"]).decode("ascii").strip() or "sha1"
        except GitHung:
            raise
        except InputError:
            return "sha1"

    def tree(self, commit: str) -> dict[str, tuple[str, str]]:
        """Every file of the commit: repository-relative POSIX path -> (mode, object id)."""
        out: dict[str, tuple[str, str]] = {}
        for entry in self.run(["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit]).split(b"\0"):
            if not entry:
                continue
            meta, _, path = entry.partition(b"\t")
            mode, kind, oid = meta.decode("ascii").split(" ")
            if kind == "blob":
                out[path.decode("utf-8", "surrogateescape")] = (mode, oid)
        return out

    def blobs(self, oids: list[str]) -> dict[str, bytes]:
        """The content of each blob, read with `cat-file --batch` (no filters, no textconv). A blob over
        `largest`, or past MAX_BLOBS_BYTES in all, is left out (a caller treats it as unknown): an old
        version of a file is what the history holds, and a commit can hold a gigabyte of zeros."""
        wanted = self._small(sorted(set(oids)))
        if not wanted:
            return {}
        data = self.run(["cat-file", "--batch"], stdin="".join(f"{o}\n" for o in wanted).encode("ascii"))
        out: dict[str, bytes] = {}
        position = 0
        while position < len(data):
            end = data.index(b"\n", position)
            header = data[position:end].decode("ascii").split(" ")
            position = end + 1
            if len(header) != 3:          # "<oid> missing"
                continue
            size = int(header[2])
            out[header[0]] = data[position:position + size]
            position += size + 1
        return out

    def _small(self, oids: list[str]) -> list[str]:
        """The blobs among `oids` whose size (`cat-file --batch-check`) is within the bounds, in order."""
        if not oids:
            return []
        kept, total = [], 0
        for line in self.run(["cat-file", "--batch-check"], stdin="".join(f"{o}\n" for o in oids).encode("ascii")
                             ).decode("ascii", "replace").splitlines():
            fields = line.split(" ")
            if len(fields) != 3 or fields[1] != "blob" or not fields[2].isdigit():
                continue
            size = int(fields[2])
            if size <= self.largest and total + size <= MAX_BLOBS_BYTES:
                kept.append(fields[0])
                total += size
        return kept

    def read(self, commit: str, path: str) -> bytes | None:
        """A file's content at a commit, or None when it has no such file."""
        entry = self.tree(commit).get(path)
        if entry is None:
            return None
        return self.blobs([entry[1]]).get(entry[1])


def blob_id(content: bytes, object_format: str = "sha1") -> str:
    """The object id git gives this content as a blob."""
    digest = hashlib.sha256 if object_format == "sha256" else hashlib.sha1
    return digest(b"blob %d\0" % len(content) + content).hexdigest()


def _quoted(ref: str) -> str:
    return ref if all(c.isalnum() or c in "/._-" for c in ref) else "'" + ref.replace("'", "'\\''") + "'"
