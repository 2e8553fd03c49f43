"""`OUT/report.html`: the Overview as one file that opens without a server (inline CSS and SVG, no script).

Written at the end of every `vnocr process` run (`write_report`). Every text from the archive (names,
types, issuers, errors) goes through `html.escape`; its links to documents lead to the review app at its
usual address (`vnocr review OUT`), its links to manifest lines stay inside the report.
"""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path

from ..outputs import atomic_write_text
from .charts import Cell, Chart, Shape, Table
from .figures import refresh
from .overview import Links, Note, Overview, Section, Stats, overview

NAME = "report.html"
REVIEW_APP = "http://127.0.0.1:8765"  # where `vnocr review OUT` listens unless told otherwise (serve.py)
PAGE_CSS = """
body { margin: 0; font-family: "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; color: #1d2329;
       background: #f4f6f8; font-size: 16px; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
h1 { font-size: 1.5rem; margin: 0.2rem 0 0.8rem; }
h2 { font-size: 1.15rem; }
a { color: #0b5cad; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _link(text: str, href: str | None) -> str:
    return f'<a href="{_e(href)}">{_e(text)}</a>' if href else _e(text)


def _shape(shape: Shape) -> str:
    attrs = "".join(f' {_e(k)}="{_e(v)}"' for k, v in shape.attrs.items())
    tip = f"<title>{_e(shape.tip)}</title>" if shape.tip else ""
    element = f"<{shape.tag}{attrs}>{tip}{_e(shape.text)}</{shape.tag}>"
    return f'<a href="{_e(shape.href)}">{element}</a>' if shape.href else element


def _class(name: str) -> str:
    return f' class="{name}"' if name else ""


def _cell(cell: Cell, numeric: bool) -> str:
    return f"<td{_class('num' if numeric else 'ov-raw' if cell.raw else '')}>{_link(cell.text, cell.href)}</td>"


def _table(table: Table) -> str:
    numeric = table.numeric + [False] * (len(table.columns) - len(table.numeric))
    head = "".join(f'<th scope="col"{_class("num" if n else "")}>{_e(c)}</th>' for c, n in zip(table.columns, numeric))
    rows = []
    for row in table.rows:
        anchor = next((c.anchor for c in row if c.anchor), None)
        rid = f' id="{_e(anchor)}"' if anchor else ""
        rows.append(f"<tr{rid}>" + "".join(_cell(c, n) for c, n in zip(row, numeric)) + "</tr>")
    return (f'<table class="ov-table"><caption>{_e(table.caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _chart(chart: Chart) -> str:
    cid = _e(chart.id)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width} {chart.height}" width="{chart.width}" '
           f'height="{chart.height}" aria-labelledby="{cid}-title {cid}-desc">'
           f'<title id="{cid}-title">{_e(chart.title)}</title><desc id="{cid}-desc">{_e(chart.description)}</desc>'
           + "".join(_shape(s) for s in chart.shapes) + "</svg>")
    return (f'<figure class="ov-chart" id="{cid}"><figcaption>{_e(chart.title)}</figcaption>'
            f'<p class="ov-desc">{_e(chart.description)}</p>{svg}'
            f"<details><summary>Table of this chart</summary>{_table(chart.table)}</details></figure>")


def _stats(stats: Stats) -> str:
    items = "".join(
        f'<div class="ov-stat"><dt>{_e(s.label)}</dt><dd>{_e(s.value)}</dd>'
        + (f'<dd class="ov-stat-note">{_e(s.note)}</dd>' if s.note else "") + "</div>"
        for s in stats.items
    )
    return f'<dl class="ov-stats">{items}</dl>'


def _section(section: Section) -> str:
    parts = []
    for block in section.blocks:
        if isinstance(block, Chart):
            parts.append(_chart(block))
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Stats):
            parts.append(_stats(block))
        elif isinstance(block, Note):
            parts.append(f'<p class="ov-note">{_e(block.text)}</p>')
    return f'<section class="ov-section" id="{_e(section.id)}"><h2>{_e(section.title)}</h2>{"".join(parts)}</section>'


def charts_css() -> str:
    return resources.files("pipeline.review").joinpath("static/charts.css").read_text("utf-8")


def render(ov: Overview, folder: str) -> str:
    """The report page: the sections with a table of contents, styled inline."""
    toc = "".join(f'<li><a href="#{_e(s.id)}">{_e(s.title)}</a></li>' for s in ov.sections)
    return (
        '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>vnocr report · {_e(folder)}</title>\n<style>{PAGE_CSS}{charts_css()}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>Archive report: {_e(folder)}</h1>\n"
        f'<p class="ov-updated">Figures as of {_e(ov.updated)}. Links to documents open the review app '
        f"(run <code>vnocr review {_e(folder)}</code>, then {_e(REVIEW_APP)}/).</p>\n"
        f'<ul class="ov-toc">{toc}</ul>\n' + "\n".join(_section(s) for s in ov.sections) + "\n</main>\n</body>\n</html>\n"
    )


def write_report(out_dir: Path) -> Path:
    """Bring the figures up to date and write `OUT/report.html` (atomically); returns its path."""
    out_dir = Path(out_dir)
    figures = refresh(out_dir)
    path = out_dir / NAME
    atomic_write_text(path, render(overview(figures, Links(REVIEW_APP)), str(out_dir)))
    return path
