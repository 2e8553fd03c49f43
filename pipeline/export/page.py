"""The page view every export renders: the boxes of lines and blocks, and the text blocks of a page in reading order."""

from __future__ import annotations

from ..model import BBox, Line, Page, Word, union


def line_box(line: Line, words: list[Word] | None = None) -> BBox | None:
    """The line's own box, else the box around its words' boxes (`words`: only those, when given)."""
    return line.bbox or union([w.bbox for w in (line.words if words is None else words) if w.bbox])


def text_blocks(page: Page) -> list[list[Line]]:
    """The page's lines with text, in reading order; consecutive lines of one block, paragraph and column make a block."""
    blocks: list[list[Line]] = []
    key = None
    for line in page.lines:
        if not any(w.text for w in line.words):
            continue
        this = (line.block, line.paragraph, line.column)
        if this != key or not blocks:
            blocks.append([])
            key = this
        blocks[-1].append(line)
    return blocks
