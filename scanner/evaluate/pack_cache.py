"""The built-in policy pack, validated once per version and content.

Validating the ~90 built-in policies against their JSON Schema, the citation registries and the predicates'
argument schemas takes longer than the rest of a pre-commit run's start-up. The verdict depends only on the
pack's files and on the code and schemas that validate them, so after the first run it is kept next to the
parse cache, in the same sealed JSON entries (a header line with format, key and SHA-256, then the
compressed body; never code). The key is a SHA-256 over sovscan's version, the validating code and
schemas, and every file of the pack, so an edited policy, registry or schema is validated again.

The built-in profiles (policies/profiles) and registries (policies/registries) are part of the pack: with the
pack's verdict cached, the configuration loader does not validate a built-in profile again and registries are
read without their schema check; a pack is only remembered after all its policies, profiles and registries
validated.

The entry holds the verdict (the names of the pack's files), not the policies: they are still read from
the installed pack (its compiled copy, policies/compiled.json, where the copy matches the YAML; the verdict
is only written when it does), so a cache written by another CI job can at most skip validating files whose
exact content passed validation before, and never changes a rule. A
damaged, truncated, foreign or malformed entry is a miss: the pack is validated and the entry rewritten.
A user's own policy directories (--policies, `policies:`) are validated on every run.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

from scanner import __version__
from scanner.cachedir import (DECODE_ERRORS, entry_path, file_digest, read_entry, sealed, tag_directory,
                              verified_body, write_atomically)

FORMAT = "sovscan-policy-pack/1"

_CODE = Path(__file__).resolve().parent.parent      # scanner/


def pack_key(pack: Path) -> str:
    """SHA-256 over the format, sovscan's version, what validates (evaluation code, registries, JSON Schemas)
    and every file of the pack, each under its path relative to its root (the key is the same in every
    checkout and CI runner). Computed on every call: a long-lived process whose pack changes gets the new
    key (a file is read again when its size or modification time changed, cachedir.file_digest)."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}".encode())
    named = [(f"code/{p.relative_to(_CODE)}", p) for p in sorted((_CODE / "evaluate").rglob("*.py"))]
    named += [(f"code/{p.relative_to(_CODE)}", p) for p in sorted((_CODE / "registries").rglob("*.py"))]
    named += [(f"code/{p.relative_to(_CODE)}", p) for p in sorted((_CODE / "schemas").glob("*.json"))]
    named += [("code/config.py", _CODE / "config.py"), ("code/yamlfile.py", _CODE / "yamlfile.py")]
    named += [(f"pack/{p.relative_to(pack)}", p) for p in sorted(pack.rglob("*"))]
    for name, path in named:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(b"\0" + name.encode("utf-8", "surrogateescape") + b"\0" + file_digest(path))
    return digest.hexdigest()


def pack_files(pack: Path) -> list[str]:
    return sorted(p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def validated(cache_dir: str, pack: Path) -> bool:
    """Whether this pack, with this content, validated before (its policies and its profiles)."""
    key, names = pack_key(pack), pack_files(pack)
    try:
        body = verified_body(read_entry(entry_path(cache_dir, "policies", key)), key, FORMAT)
        return body is not None and json.loads(body) == names
    except DECODE_ERRORS:
        return False


def remember(cache_dir: str, pack: Path) -> None:
    """Record that this pack validated; a cache that cannot be written leaves it to be validated next time."""
    key, names = pack_key(pack), pack_files(pack)
    body = json.dumps(names, ensure_ascii=True).encode("ascii")
    with contextlib.suppress(OSError):
        write_atomically(entry_path(cache_dir, "policies", key), sealed(body, key, FORMAT), cache_dir)
        tag_directory(cache_dir)
