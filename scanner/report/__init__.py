"""Stage 5: report formats, each a pure function of the scan result.

A format's module is imported when the format is first asked for: a pre-commit run that prints text does
not load the HTML report, and `sovscan --version` loads none of them.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

if TYPE_CHECKING:
    from scanner.report.model import Report

FORMAT_MODULES = {      # format name -> module under scanner.report with a render(Report) -> str
    "text": "text",
    "sarif": "sarif",
    "json": "json_report",
    "gitlab-sast": "gitlab_sast",
    "codequality": "codequality",
    "junit": "junit",
    "markdown": "markdown",
    "github": "github",
    "html": "html",
}


class _Formatters(Mapping[str, "Callable[[Report], str]"]):
    """The render function of each format by name, its module imported on first use."""

    def __getitem__(self, name: str) -> Callable[[Report], str]:
        render: Callable[[Report], str] = importlib.import_module(f"scanner.report.{FORMAT_MODULES[name]}").render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(FORMAT_MODULES)

    def __len__(self) -> int:
        return len(FORMAT_MODULES)


FORMATTERS: Mapping[str, Callable[[Report], str]] = _Formatters()


def __getattr__(name: str) -> Any:
    """`from scanner.report import Report` without loading the evaluation stage on `import scanner.report`."""
    if name == "Report":
        from scanner.report.model import Report
        return Report
    raise AttributeError(f"module 'scanner.report' has no attribute {name!r}")


__all__ = ["FORMATTERS", "FORMAT_MODULES", "Report"]
