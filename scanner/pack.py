"""Where the built-in policy pack lives: policies, registries and profiles are data shipped with sovscan; and
its compiled copy (policies/compiled.json, evaluate/policies.compile_pack), the same documents as JSON."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.cachedir import file_digest

COMPILED = "compiled.json"   # each file's YAML document as JSON, with the SHA-256 of the file's bytes


def builtin_policy_dir() -> Path:
    """Installed: scanner/policies; from a source checkout: the repository's policies/."""
    here = Path(__file__).resolve().parent
    installed = here / "policies"
    return installed if installed.is_dir() else here.parent / "policies"


def compiled(directory: Path) -> dict[str, Any]:
    """The pack's compiled copy; empty when it is missing or not what compile_pack writes."""
    try:
        data = json.loads((directory / COMPILED).read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def compiled_document(copy: dict[str, Any], directory: Path, path: Path) -> Any:
    """The document of the file `path` of the pack at `directory` in its compiled copy, when the copy was made
    from the file's exact bytes (JSON reads in a tenth of the time of YAML); else None, and the caller reads
    the YAML."""
    entry = copy.get(path.relative_to(directory).as_posix())
    if not isinstance(entry, dict):
        return None
    try:
        made_from = file_digest(path).hex()     # the pack's key hashed it already this run: not read again
    except OSError:
        return None         # reading the YAML says why it cannot be read
    return entry.get("document") if entry.get("sha256") == made_from else None
