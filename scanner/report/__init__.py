"""Stage 5: report formats, each a pure function of the scan result."""
from __future__ import annotations

from typing import Callable

from scanner.report import codequality, github, gitlab_sast, html, json_report, junit, markdown, sarif, text
from scanner.report.model import Report

FORMATTERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "sarif": sarif.render,
    "json": json_report.render,
    "gitlab-sast": gitlab_sast.render,
    "codequality": codequality.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "github": github.render,
    "html": html.render,
}

__all__ = ["FORMATTERS", "Report"]
