"""What a reader outside the project sees: no placeholder domain, and no internal source line references
(`003:415`) or the word "seed" in any report format, in either language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner import cli
from scanner.report import FORMATTERS

ROOT = Path(__file__).resolve().parents[2]
SEED_LINE = re.compile(r"(?<![\w.:/-])\d{3}:\d+(?:-\d+)?(?![\w.])")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_no_format_shows_a_dead_link_or_a_seed_reference(lang, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    files = {name: tmp_path / f"out.{name}" for name in FORMATTERS if name != "text"}
    args = ["scan", "examples", "--lang", lang, "--show-unresolved", "--include-suppressed", "-f", "text"]
    args += [arg for name, path in files.items() for arg in ("-f", f"{name}={path}")]
    assert cli.main(args) == 1
    outputs = {"text": capsys.readouterr().out} | {name: path.read_text("utf-8") for name, path in files.items()}
    assert set(outputs) == set(FORMATTERS)
    for name, text in outputs.items():
        assert text, name
        assert "sovscan.invalid" not in text, name
        assert SEED_LINE.findall(text) == [], name
        assert re.findall(r"\bseeds?\b", text, re.IGNORECASE) == [], name


def test_the_pattern_finds_what_it_must():
    assert SEED_LINE.findall("see 003:415 and (002:390-395)") == ["003:415", "002:390-395"]
    assert SEED_LINE.findall("main.tf:140, 10.0.0.100:443, 2026-11-20T09:00:00, ab123:1") == []
