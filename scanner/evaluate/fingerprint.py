"""Stable finding identity: rule + file + resource address + attribute path, never line numbers."""
from __future__ import annotations

import hashlib


def finding_key(rule_id: str, path: str, address: str, attribute: str = "") -> str:
    raw = "\x1f".join([rule_id, path.replace("\\", "/"), address, attribute])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def attribute_in_root(attribute: str, root: str) -> str:
    """The attribute as a fingerprint names it in module code several root modules deploy: the same addresses
    under each root are different places."""
    return f"{attribute}@{root}"
