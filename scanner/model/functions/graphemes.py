"""User-perceived characters (extended grapheme clusters, UAX #29), which Terraform counts in
length(), substr(), strrev() and format() widths.

The rules are Unicode's (GB3-GB13, as go-textseg v15 implements them, so without the later Indic
conjunct rule); character properties come from Python's unicodedata categories plus the small
fixed sets below, so rare scripts may split differently from Terraform. ASCII text takes a fast path.
"""
from __future__ import annotations

import unicodedata

_CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _PREPEND, _SPACING, _L, _V, _T, _LV, _LVT, _PICT, _OTHER = range(15)

_PREPEND_CHARS = frozenset(
    [*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x0D4E, 0x110BD, 0x110CD, 0x111C2,
     0x111C3, 0x1193F, 0x11941, 0x11A3A, *range(0x11A84, 0x11A8A), 0x11D46])
_PICTOGRAPHIC_RANGES = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328),
    (0x2388, 0x2388), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2),
    (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x27BF),
    (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
    (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1F1E5),
    (0x1F200, 0x1F3FA), (0x1F400, 0x1FAFF), (0x1FC00, 0x1FFFD))


def _property(char: str) -> int:  # noqa: C901 - one case per Grapheme_Cluster_Break value
    code = ord(char)
    if char == "\r":
        return _CR
    if char == "\n":
        return _LF
    if code == 0x200D:
        return _ZWJ
    if 0x1F1E6 <= code <= 0x1F1FF:
        return _RI
    if code in _PREPEND_CHARS:
        return _PREPEND
    if 0xAC00 <= code <= 0xD7A3:
        return _LV if (code - 0xAC00) % 28 == 0 else _LVT
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return _L
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return _V
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return _T
    if code == 0x200C or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F or 0xFF9E <= code <= 0xFF9F:
        return _EXTEND
    category = unicodedata.category(char)
    if category in ("Mn", "Me"):
        return _EXTEND
    if category == "Mc":
        return _SPACING
    if category in ("Cc", "Zl", "Zp", "Cf"):
        return _CONTROL
    if any(low <= code <= high for low, high in _PICTOGRAPHIC_RANGES):
        return _PICT
    return _OTHER


_HANGUL_JOINS = {(_L, _L), (_L, _V), (_L, _LV), (_L, _LVT), (_LV, _V), (_LV, _T), (_V, _V), (_V, _T),
                 (_LVT, _T), (_T, _T)}


def clusters(text: str) -> list[str]:
    """The text split into user-perceived characters."""
    if text.isascii():
        return _ascii_clusters(text)
    out: list[str] = []
    previous = -1
    regional_run = 0          # regional indicators in a row just before here
    emoji_zwj = False         # the text so far ends in Extended_Pictographic Extend* ZWJ
    in_pictograph = False     # ... ends in Extended_Pictographic Extend*
    for char in text:
        prop = _property(char)
        if out and not _breaks(previous, prop, regional_run, emoji_zwj):
            out[-1] += char
        else:
            out.append(char)
        regional_run = regional_run + 1 if prop == _RI else 0
        emoji_zwj = in_pictograph and prop == _ZWJ
        in_pictograph = prop == _PICT or (in_pictograph and prop == _EXTEND)
        previous = prop
    return out


def _breaks(before: int, after: int, regional_run: int, emoji_zwj: bool) -> bool:
    if before == _CR and after == _LF:
        return False
    if before in (_CR, _LF, _CONTROL) or after in (_CR, _LF, _CONTROL):
        return True
    if (before, after) in _HANGUL_JOINS:
        return False
    if after in (_EXTEND, _ZWJ, _SPACING) or before == _PREPEND:
        return False
    if emoji_zwj and after == _PICT:
        return False
    if before == _RI and after == _RI:
        return regional_run % 2 == 0
    return True


def _ascii_clusters(text: str) -> list[str]:
    if "\r\n" not in text:
        return list(text)
    out: list[str] = []
    for char in text:
        if char == "\n" and out and out[-1] == "\r":
            out[-1] = "\r\n"
        else:
            out.append(char)
    return out


def count(text: str) -> int:
    if text.isascii():
        return len(text) - text.count("\r\n")
    return len(clusters(text))
