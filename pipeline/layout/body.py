"""The body of an administrative document: preamble, then a tree of sections, then the closing paragraph.

Rows are read once, top to bottom. A row opens a section when it starts with a
marker (`III.`, `Điều 2.`, `1.`, `1.2.`, `b)`, `-`, `+`) that fits the numbering
so far (the next number, or one skipped, under the right parent); otherwise it
starts a paragraph or continues the one being read. Paragraph breaks come from
the layout evidence of the rows (blank line, indent, gap, short line before) and
go across a page break only when the text before it is unfinished.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .fields import Body, Section
from .patterns import (
    LETTER_ORDER,
    RANKS,
    Marker,
    ends_document,
    ends_sentence,
    is_closing,
    is_upper,
    join_lines,
    marker_candidates,
    roman_value,
    starts_body_phrase,
    to_roman,
)
from .rows import Row


# What OCR makes of an italic list letter: `a)` read as `g)`, `b)` as `h)`.
LETTER_MISREADS = {"a": "gdoqe", "b": "hk", "c": "eo", "d": "a", "đ": "d", "e": "c"}


def breaks_before(previous: Row, row: Row) -> bool:
    """Does `row` start a new paragraph after `previous` (markers aside)? Never where a full row's sentence goes
    on in small letters (`được tiếp | nhận: 49`), whatever gap or indent Tesseract saw before it."""
    if previous.full and row.text[:1].islower() and not ends_sentence(previous.text):
        return False
    if row.after_break:
        if row.geometric:
            return row.para_start or not previous.full
        return not previous.full or ends_sentence(previous.text)
    if row.para_start or not previous.full or starts_body_phrase(row.text):
        return True
    if is_upper(previous.text) != is_upper(row.text):
        return True
    return previous.text.rstrip()[-1:] in ";:" and row.text[:1].isupper()


def _opens_section(previous: Row | None, row: Row, marker: Marker) -> bool:
    """A marker at a line start is a section only where a paragraph may start (strong numberings always)."""
    if previous is None or marker.kind in ("roman", "article", "decimal"):
        return True
    return breaks_before(previous, row) or ends_sentence(previous.text) or is_upper(previous.text)


def section_value(section: Section) -> tuple[int, ...]:
    if section.kind == "roman":
        return (roman_value(section.number) or 0,)
    if section.kind == "letter":
        return (LETTER_ORDER.index(section.number) + 1,)
    if section.kind in ("dash", "plus"):
        return ()
    return tuple(int(p) for p in section.number.split("."))


def section_rank(section: Section) -> int:
    return RANKS[section.kind] + (section.number.count(".") - 1 if section.kind == "decimal" else 0)


@dataclass
class _Paragraph:
    rows: list[Row] = field(default_factory=list)
    text: str = ""
    into: list | None = None  # where it goes once complete (a list of text, or a section's content); None: the title of `section`
    section: Section | None = None  # the section it belongs to


class _Tree:
    def __init__(self) -> None:
        self.body = Body()
        self.stack: list[Section] = []
        self.current: _Paragraph | None = None
        self.closing = False

    # numbering -------------------------------------------------------------

    def _parent(self, rank: int) -> Section | None:
        return next((s for s in reversed(self.stack) if section_rank(s) < rank), None)

    def fit(self, marker: Marker) -> Marker | None:
        """The marker if it continues the numbering under the parent it would get (a Roman numeral that
        lost a stroke, `II.` after `II.`, read as the next one); None when it does not fit."""
        if marker.kind in ("dash", "plus"):
            return marker
        parent = self._parent(marker.rank)
        if marker.kind == "decimal" and parent is not None and parent.kind in ("arabic", "decimal"):
            if section_value(parent) != marker.value[:-1]:
                return None
        siblings = parent.children if parent else self.body.sections
        same = [s for s in siblings if s.kind == marker.kind]
        last = section_value(same[-1])[-1] if same else 0
        if marker.value[-1] in (last + 1, last + 2):
            return marker
        if marker.kind == "roman" and set(marker.number) == {"I"} and marker.value[0] == last and is_upper(marker.rest):
            return replace(marker, number=to_roman(last + 1), value=(last + 1,))
        expected = LETTER_ORDER[last] if marker.kind == "letter" and last < len(LETTER_ORDER) else ""
        if expected and marker.number in LETTER_MISREADS.get(expected, ""):
            return replace(marker, number=expected, value=(last + 1,))
        return None

    # building ------------------------------------------------------------------

    def flush(self) -> None:
        p = self.current
        self.current = None
        if p is None or not p.text:
            return
        if p.into is None and p.section is not None:
            p.section.title = p.text
        elif p.into is not None:
            (self.body.closing if self._closes(p) else p.into).append(p.text)

    def _closes(self, p: _Paragraph) -> bool:
        """A last paragraph (`./.`) after sections is the document's, unless it is all its heading holds."""
        if p.section is None or not ends_document(p.text):
            return False
        s = p.section
        lone = not s.content and not ends_sentence(s.title) and s.kind not in ("dash", "plus")
        return not lone

    def _add(self, row: Row, text: str) -> None:
        assert self.current is not None
        self.current.rows.append(row)
        self.current.text = join_lines(self.current.text, text)
        for section in self.stack:
            section.page_end = max(section.page_end, row.page)

    def open(self, marker: Marker, row: Row) -> None:
        self.flush()
        self.closing = False
        while self.stack and section_rank(self.stack[-1]) >= marker.rank:
            self.stack.pop()
        section = Section(marker.kind, marker.number, marker.label, "", row.line, row.page, row.page)
        (self.stack[-1].content if self.stack else self.body.sections).append(section)
        self.stack.append(section)
        self.current = _Paragraph(section=section)
        self._add(row, marker.rest)

    def start(self, row: Row) -> None:
        self.flush()
        while self.stack and self.stack[-1].kind in ("dash", "plus"):
            self.stack.pop()
        if is_closing(row.text) or (not self.stack and self.body.sections):
            self.closing = True
        if self.closing:
            self.current = _Paragraph(into=self.body.closing)
        elif self.stack:
            self.current = _Paragraph(into=self.stack[-1].content, section=self.stack[-1])
        else:
            self.current = _Paragraph(into=self.body.preamble)
        self._add(row, row.text)

    def go_on(self, row: Row) -> None:
        self._add(row, row.text)


def row_markers(row: Row) -> list[Marker]:
    """Markers the line starts with, read from its text, then from the raw OCR (repair may have
    turned `I11.` into a word) with the rest taken from the text."""
    found = marker_candidates(row.text)
    if row.ocr and row.ocr != row.text:
        words = row.text.split()
        for m in marker_candidates(row.ocr):
            skip = len(row.ocr[: len(row.ocr) - len(m.rest)].split()) if m.rest else len(row.ocr.split())
            found.append(replace(m, rest=" ".join(words[skip:])))
    return found


def parse_body(rows: list[Row]) -> Body:
    tree = _Tree()
    previous: Row | None = None
    for row in rows:
        marker = next(filter(None, map(tree.fit, row_markers(row))), None)
        if marker is not None and _opens_section(previous, row, marker):
            tree.open(marker, row)
        elif tree.current is None or previous is None or breaks_before(previous, row):
            tree.start(row)
        else:
            tree.go_on(row)
        previous = row
    tree.flush()
    return tree.body

