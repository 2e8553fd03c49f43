"""Rows: a document's lines with the layout evidence structure needs, and page numbers taken out.

A row is one line's text plus what its geometry (or, for text input, its
length and the blank lines around it) says: does it reach the right margin
(`full`, so a paragraph goes on), is it indented or after a wider gap
(`para_start`), is it centred, does a page break come before it. Printed page
numbers are recognised here and kept out of the rows.
"""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass, replace

from ..model import Document, Line, Page
from .patterns import has_words, page_number_of


@dataclass(frozen=True)
class Row:
    text: str
    page: int
    line: str  # id of the Line it came from
    column: str = "full"  # left | right | full (from OCR geometry; always full for text input)
    para_start: bool = False  # blank line, first-line indent or wider gap before it
    gap: bool = False  # a wider vertical gap before it than between the lines of a paragraph (boxes only)
    indent: bool = False  # it starts right of the left margin, as a paragraph's first line does (boxes only)
    full: bool = False  # reaches the right margin: the paragraph may go on
    centred: bool = False
    after_break: bool = False  # a page break (or a printed page number) comes right before it
    geometric: bool = False  # the evidence comes from boxes, not from text length
    ocr: str = ""  # what the OCR read on the line, before repair

    def part(self, start: int, end: int | None = None) -> Row:
        """The row cut to `text[start:end]` (a header or footer line holding both columns)."""
        return replace(self, text=self.text[start:end].strip())


@dataclass(frozen=True)
class PageNumber:
    page: int  # the page of the input it was printed on
    printed: int
    line: str


def _clean(line: Line) -> str:
    return unicodedata.normalize("NFC", line.text).strip()


def _raw(line: Line) -> str:
    return unicodedata.normalize("NFC", line.ocr_text).strip()


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


# --------------------------------------------------------------------------- text input


def _text_rows(page: Page) -> list[Row]:
    rows: list[Row] = []
    last_paragraph = None
    for line in page.lines:
        text = _clean(line)
        if not has_words(text):
            continue
        rows.append(
            Row(
                text, page.number, line.id,
                para_start=line.paragraph != last_paragraph,
                after_break=not rows and page.number > 1,
                ocr=_raw(line),
            )
        )
        last_paragraph = line.paragraph
    return rows


def wrap_width(lengths: list[int]) -> int | None:
    """The printed line length (characters) of text an OCR wrapped like the page, or None when lines are whole paragraphs."""
    if len(lengths) < 4:
        return None
    values = [float(n) for n in lengths]
    width = _percentile(values, 0.8)
    wrapped = 45 <= width <= 110 and _percentile(values, 0.95) <= 1.25 * width
    return round(width) if wrapped else None


def _mark_full(rows: list[Row]) -> list[Row]:
    width = wrap_width([len(r.text) for r in rows])
    if width is None:
        return rows
    return [replace(r, full=len(r.text) >= 0.8 * width) for r in rows]


# --------------------------------------------------------------------------- image input


@dataclass(frozen=True)
class _Frame:
    """The text block of a page: left and right margins, line pitch."""

    left: float
    right: float
    pitch: float

    @property
    def width(self) -> float:
        return max(self.right - self.left, 1.0)


def _left_margin(boxes: list[tuple[int, int, int, int]], tolerance: float) -> float:
    """The leftmost x0 shared by two or more lines (continuation lines start there; first lines are indented)."""
    xs = sorted(b[0] for b in boxes)
    for x in xs:
        if sum(1 for other in xs if abs(other - x) <= tolerance) >= 2:
            return x
    return xs[0]


def _frame(lines: list[Line]) -> _Frame:
    boxed = [ln.bbox for ln in lines if ln.bbox]
    body = [ln.bbox for ln in lines if ln.bbox and ln.column == "full"] or boxed
    extent = max(b[2] for b in boxed) - min(b[0] for b in boxed)
    steps = [b[1] - a[1] for a, b in zip(boxed, boxed[1:]) if b[1] > a[1]]
    heights = [b[3] - b[1] for b in boxed]
    pitch = _percentile(steps, 0.25) if steps else 1.5 * statistics.median(heights)
    left = _left_margin([ln.bbox for ln in lines if ln.bbox and ln.column != "right"] or boxed, 0.01 * extent)
    return _Frame(left, _percentile([b[2] for b in body], 0.9), pitch)


def _geometric_rows(page: Page) -> list[Row]:
    lines = [ln for ln in page.lines if ln.bbox and has_words(_clean(ln))]
    if not lines:
        return []
    frame = _frame(lines)
    rows: list[Row] = []
    previous = None
    for line in lines:
        x0, y0, x1, y1 = line.bbox
        left_gap, right_gap = x0 - frame.left, frame.right - x1
        indent = 0.03 * frame.width <= left_gap <= 0.25 * frame.width
        # baselines, not tops: a line without ascenders (`sau:`) starts lower but is no further away
        gap = previous is not None and (y1 - previous[3] > 1.3 * frame.pitch or y0 < previous[1])
        rows.append(
            Row(
                _clean(line), page.number, line.id, line.column,
                para_start=indent or gap,
                gap=gap,
                indent=indent,
                full=right_gap <= 0.04 * frame.width,
                centred=min(left_gap, right_gap) >= 0.01 * frame.width and abs(left_gap - right_gap) <= 0.04 * frame.width,
                after_break=not rows and page.number > 1,
                geometric=True,
                ocr=_raw(line),
            )
        )
        previous = line.bbox
    return rows


def _edge_lines(doc: Document) -> set[str]:
    """Ids of lines in the top or bottom eighth of their page (where page numbers are printed)."""
    return {
        line.id
        for page in doc.pages
        if page.height
        for line in page.lines
        if line.bbox and (line.bbox[3] < 0.12 * page.height or line.bbox[1] > 0.88 * page.height)
    }


# --------------------------------------------------------------------------- page numbers


def _is_page_number(rows: list[Row], i: int, edges: set[str], pages: int) -> bool:
    row = rows[i]
    if page_number_of(row.text) is None:
        return False
    if row.geometric:
        return row.line in edges
    if i == 0:
        return False
    last = i == len(rows) - 1 or rows[i + 1].page != row.page
    first = rows[i - 1].page != row.page
    alone = row.para_start and (last or rows[i + 1].para_start)
    return alone or (pages > 1 and (first or last))


def drop_page_numbers(rows: list[Row], edges: set[str], pages: int) -> tuple[list[Row], list[PageNumber]]:
    """Rows without the printed page numbers (`5`, `- 5 -`), and the numbers found; the row after one follows a break."""
    kept: list[Row] = []
    numbers: list[PageNumber] = []
    pending_break = False
    for i, row in enumerate(rows):
        if _is_page_number(rows, i, edges, pages):
            numbers.append(PageNumber(row.page, page_number_of(row.text) or 0, row.line))
            pending_break = True
            continue
        kept.append(replace(row, after_break=True) if pending_break else row)
        pending_break = False
    return kept, numbers


def document_rows(doc: Document) -> tuple[list[Row], list[PageNumber]]:
    """All rows of the document in reading order, and the printed page numbers taken out of them."""
    geometric = any(line.bbox for line in doc.lines())
    rows: list[Row] = []
    for page in doc.pages:
        rows.extend(_geometric_rows(page) if geometric else _text_rows(page))
    if not geometric:
        rows = _mark_full(rows)
    return drop_page_numbers(rows, _edge_lines(doc) if geometric else set(), len(doc.pages))
