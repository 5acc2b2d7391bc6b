"""The building blocks of the HTML reports: escaping, figures, tables, badges, the inline style and script.

The style uses the system's own fonts (no web font) and prints on A4; the script only adds a text filter to
the findings and a print button, and the page reads the same without it.
"""
from __future__ import annotations

import html
from typing import Sequence

from scanner.registries.regions import regions
from scanner.terminal import inert


def esc(value: object) -> str:
    """Text from the scan or the policies, inert (control characters escaped) and HTML-escaped."""
    return html.escape(inert(str(value)), quote=True)


def in_eu(jurisdiction: str) -> bool:
    """The jurisdiction is an EU member state (the region registry's country tiers)."""
    return regions().country_tier(jurisdiction) == "eu"


def location(path: str, line: int) -> str:
    return f"<code>{esc(path)}:{line}</code>" if line > 0 else f"<code>{esc(path)}</code>"


def heading(number: int, anchor: str, title: str) -> list[str]:
    return [f'<section id="{anchor}" aria-labelledby="h-{anchor}">', f'<h2 id="h-{anchor}">{number}. {esc(title)}</h2>']


def figures(numbers: Sequence[tuple[str, object, str]]) -> str:
    """The section's numbers, before its prose: (label, value, tone: pass | fail | warn | error | ... | "")."""
    tiles = "".join(f'<div class="figure {esc(tone)}"><dd>{esc(value)}</dd><dt>{esc(name)}</dt></div>'
                    for name, value, tone in numbers)
    return f'<dl class="figures">{tiles}</dl>'


def state_badge(tone: str, text: str) -> str:
    return f'<span class="badge {esc(tone)}">{esc(text)}</span>'


def table(caption: str, headers: list[str], rows: list[list[str]], numeric: tuple[int, ...] = (),
          raw: tuple[int, ...] = ()) -> str:
    """A table; cells in `raw` are already HTML, the others are escaped; `numeric` columns align right."""
    right = ' class="num"'
    head = "".join(f'<th scope="col"{right if i in numeric else ""}>{esc(h)}</th>' for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = "".join(f'<td{right if i in numeric else ""}>{cell if i in raw else esc(cell)}</td>'
                        for i, cell in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return (f'<div class="table"><table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


CSS = """
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#ffffff;--soft:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;
--warn:#9a6700;--note:#0969da;--eu:#1a7f37;--eea:#2da44e;--adequacy:#bf8700;--third:#cf222e;--unknown:#8c959f}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);
background:var(--bg);line-height:1.45;font-size:15px}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 24px}
.wide header,.wide main,.wide footer{max-width:1500px}
header{padding-top:24px;border-bottom:3px solid var(--ink)}
h1{font-size:1.6em;margin:0 0 12px}
h2{font-size:1.3em;margin:32px 0 12px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1.05em;margin:20px 0 8px}
h4{font-size:1em;margin:0 0 4px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.9em}
.finding code,li code,td:last-child code{overflow-wrap:anywhere}
th.group{text-align:center}thead code{overflow-wrap:anywhere}tbody th{font-weight:400;min-width:12em}
.facts{display:flex;flex-wrap:wrap;gap:4px 24px;margin:0 0 16px}
.facts div{display:flex;gap:6px}.facts dt{color:var(--muted)}.facts dd{margin:0;font-weight:600}
nav ol{columns:3;margin:0;padding-left:20px}nav h2{border:0;margin-top:16px}
.figures{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 12px}
.figure{border:1px solid var(--line);border-left:5px solid var(--line);border-radius:4px;padding:6px 12px;
min-width:120px;background:var(--soft);display:flex;flex-direction:column-reverse}
.figure dd{margin:0;font-size:1.5em;font-weight:700}.figure dt{color:var(--muted);font-size:.85em}
.figure.pass{border-left-color:var(--pass)}.figure.fail,.figure.error{border-left-color:var(--fail)}
.figure.warn,.figure.warning{border-left-color:var(--warn)}.figure.note{border-left-color:var(--note)}
.verdict{font-size:1.1em;font-weight:700}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:.92em}
caption{text-align:left;font-weight:600;padding:4px 0;color:var(--muted)}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:.85em;font-weight:600;border:1px solid;
white-space:nowrap}
.badge.pass{color:var(--pass)}.badge.fail,.badge.error{color:var(--fail)}.badge.warn,.badge.warning{color:var(--warn)}
.badge.note,.badge.open{color:var(--note)}.badge.waived{color:var(--muted)}
.finding{border:1px solid var(--line);border-radius:4px;padding:8px 12px;margin:0 0 10px;break-inside:avoid}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0 0}
.finding dt{color:var(--muted)}.finding dd{margin:0}
.where{color:var(--muted);margin:0}
.chart{max-width:100%;height:auto}
.filter{margin:8px 0 12px}.filter input{font:inherit;padding:4px 8px;width:24em;max-width:100%}
footer{color:var(--muted);font-size:.85em;border-top:1px solid var(--line);margin-top:32px;padding-bottom:24px}
@media print{
@page{size:A4;margin:14mm}
body{font-size:10.5pt}header,main,footer{max-width:none;padding:0}
nav,.filter{display:none}
section{break-before:page}section#verdict{break-before:auto}
h2,h3,h4{break-after:avoid}tr,.figure,.finding{break-inside:avoid}
.table{overflow:visible}a{color:inherit;text-decoration:none}
table{font-size:8.5pt}th,td{padding:2px 4px}td{overflow-wrap:anywhere}tbody th{min-width:0}
.figure{background:none}
}
""".strip()

# Shows the filter box and hides findings that do not contain the typed text; nothing else.
SCRIPT = """
(function(){var box=document.querySelector('.filter');var input=document.getElementById('filter');
if(!box||!input){return;}box.hidden=false;
input.addEventListener('input',function(){var q=input.value.toLowerCase();
document.querySelectorAll('article.finding').forEach(function(a){
a.hidden=q!==''&&a.textContent.toLowerCase().indexOf(q)<0;});});})();
""".strip()


def registry_term(value: str, words: dict[str, str]) -> str:
    """A provider registry's term (eu, non-eu, public-cloud, ...) in the report's language; as written when
    the words have none."""
    return words.get("term_" + value, value)
