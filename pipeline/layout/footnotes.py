"""Footnotes: the lines at the foot of a page, set smaller than the body, each note opened by its mark
(`1`, `(1)`, `*`, `¹`), that a law or a report refers to from its text.

They are found on the page's geometry: the lines below the last body-sized line, across the whole
width (not the recipients' or the signature's column), all in a smaller type than the body's, the
first opened by a mark. They stay where they stand in the `.txt`; the structure records them apart
and the body's sections do not take them for items (`1 Nghị định số ...` is no section 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from ..model import Document, Line

MARK = re.compile(r"^(\(\d{1,2}\)|\d{1,2}(?=\s+[^\W\d_])|\*{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s*")  # `2 Cụm từ`, not `2. Quá` or `86/2016`
SMALL = 0.88  # a footnote's letters are at most this share of the body's wide
MIN_LINES = 6  # a page with fewer lines has no body size to compare with


@dataclass
class Footnote:
    page: int
    mark: str
    text: str
    lines: list[str]


def letter_width(line: Line) -> float | None:
    """The line's type size, as the median width of a letter in its words of three letters or more
    (a line's height says less: marks above and below the letters make it)."""
    widths = [(w.bbox[2] - w.bbox[0]) / len(w.text) for w in line.words if w.bbox and len(w.text) >= 3 and w.text.isalpha()]
    return median(widths) if widths else None


def page_footnotes(lines: list[Line]) -> list[Footnote]:
    """The footnotes of one page's lines (those with boxes, page numbers and e-signature boxes left out):
    the lines at its foot in a smaller type than its body's (the upper quartile of its lines' sizes, as
    a page of long notes has more note lines than body lines), the first opened by a mark."""
    lines = sorted((ln for ln in lines if ln.bbox and ln.text.strip()), key=lambda ln: ln.bbox[1])
    sizes = sorted(w for w in map(letter_width, lines) if w is not None)
    if len(sizes) < MIN_LINES:
        return []
    body = sizes[3 * len(sizes) // 4]
    foot: list[Line] = []
    for line in reversed(lines):
        size = letter_width(line)
        if line.column != "full" or (size is not None and size > SMALL * body):
            break
        foot.insert(0, line)
    while foot and letter_width(foot[0]) is None:  # marks and specks above the first note
        foot.pop(0)
    if not foot or not MARK.match(foot[0].text):  # the small lines at the foot open with a note's mark, or are none
        return []
    notes: list[Footnote] = []
    for line in foot:
        mark = MARK.match(line.text)
        if mark:
            notes.append(Footnote(line.page, mark.group(1), line.text[mark.end() :].strip(), [line.id]))
        else:
            notes[-1].text = f"{notes[-1].text} {line.text}"
            notes[-1].lines.append(line.id)
    return notes


def find(doc: Document, skip: set[str]) -> list[Footnote]:
    """Every page's footnotes; lines in `skip` (page numbers, e-signature boxes) are none."""
    return [note for page in doc.pages for note in page_footnotes([ln for ln in page.lines if ln.id not in skip])]
