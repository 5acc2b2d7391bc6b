"""Masking of secret values: findings say where a secret is and what it starts with, never what it is.

Every message and detail that mentions a secret value goes through `mask`, so no report format can
disclose it (reports are published as CI artefacts, PR annotations and code-scanning alerts).
"""
from __future__ import annotations

MASK = "****"
MAX_SHOWN = 4


def mask(value: object) -> str:
    """At most the first 4 characters, and never more than a quarter of the value, then a fixed mask.

    The mask has a fixed length, so it does not tell the value's length either.
    """
    text = "" if value is None else str(value)
    shown = min(MAX_SHOWN, len(text) // 4)
    return text[:shown] + MASK
