"""Render Vietnamese administrative documents (plain text) into clean A4 pages, laid out after Decree 30/2020."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from .fonts import INK, _Face, _face
from .parse import _ARTICLE_RE, _BASIS_RE, _LETTER_RE, _NUM_RE, _ROMAN_RE, ParsedDocument, _is_upper, parse_document

A4_MM = (210.0, 297.0)
# Decree 30/2020 margins (mm).
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20.0, 20.0, 30.0, 15.0

PEN = 70  # signature scribble colour (ballpoint in grayscale)


def page_size_px(dpi: int) -> tuple[int, int]:
    """A4 page size in pixels at ``dpi``."""
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


@dataclass(frozen=True)
class _Para:
    runs: tuple[tuple[str, str], ...]  # (text, style)
    align: str = "justify"  # justify | left | center
    indent_mm: float = 10.0  # first line
    size: float = 0.0  # pt, 0 = body size
    before_pt: float = 0.0
    after_pt: float = 6.0
    keep_next: bool = False


def _classify(line: str) -> _Para:
    """Paragraph style of a body line (headings bold, Căn cứ italic, Điều N. bold prefix)."""
    if _ROMAN_RE.match(line):
        return _Para(((line, "bold"),), align="left", before_pt=6, keep_next=True)
    m = _NUM_RE.match(line)
    if m:
        short = len(line) <= 110 and line[-1] not in ".;"
        if short:
            style = "bolditalic" if "." in m.group(1) else "bold"
            return _Para(((line, style),), align="left", keep_next=True)
        return _Para(((line, "regular"),))
    if _LETTER_RE.match(line) and len(line) <= 90 and line[-1] not in ".;":
        return _Para(((line, "italic"),), align="left", keep_next=True)
    m = _ARTICLE_RE.match(line)
    if m:
        rest = (m.group(2) or "").strip()
        return _Para(((m.group(1), "bold"), (rest, "regular")) if rest else ((m.group(1), "bold"),))
    if _is_upper(line) and len(line.split()) <= 14:
        return _Para(((line, "bold"),), align="center", indent_mm=0, before_pt=6, keep_next=True)
    if _BASIS_RE.match(line):
        return _Para(((line, "italic"),))
    return _Para(((line, "regular"),))


@dataclass
class _Word:
    text: str
    style: str
    width: float = 0.0


class _Pager:
    """Pages being drawn plus the current vertical position (pixels)."""

    def __init__(self, dpi: int, font_size: float) -> None:
        self.dpi, self.fs = dpi, font_size
        self.W, self.H = page_size_px(dpi)
        self.left = self.mm(MARGIN_LEFT)
        self.right = self.W - self.mm(MARGIN_RIGHT)
        self.bottom = self.H - self.mm(MARGIN_BOTTOM)
        self.width = self.right - self.left
        self.pages: list[Image.Image] = []
        self.y = 0.0
        self.new_page()

    def mm(self, v: float) -> float:
        return v * self.dpi / 25.4

    def pt(self, v: float) -> float:
        return v * self.dpi / 72.0

    def face(self, style: str, size_pt: float) -> _Face:
        return _face(style, round(self.pt(size_pt), 2))

    def new_page(self) -> None:
        img = Image.new("L", (self.W, self.H), 255)
        img.info["dpi"] = (self.dpi, self.dpi)
        self.pages.append(img)
        self.draw = ImageDraw.Draw(img)
        self.y = self.mm(MARGIN_TOP)
        if len(self.pages) > 1:
            self.centred(str(len(self.pages)), "regular", self.fs, self.W / 2, self.mm(MARGIN_TOP) - self.mm(6))

    def lead(self, size_pt: float, factor: float = 1.2) -> float:
        return self.pt(size_pt) * factor

    def ensure(self, height: float) -> None:
        if self.y + height > self.bottom:
            self.new_page()

    def centred(self, text: str, style: str, size_pt: float, cx: float, baseline: float) -> float:
        f = self.face(style, size_pt)
        w = f.length(text)
        f.draw(self.draw, cx - w / 2, baseline, text)
        return w

    def rule(self, cx: float, y: float, length: float) -> None:
        t = max(1, round(self.mm(0.25)))
        self.draw.rectangle((round(cx - length / 2), round(y), round(cx + length / 2), round(y) + t - 1), fill=INK)

    def wrap(self, words: list[_Word], size_pt: float, first: float, width: float) -> list[list[_Word]]:
        for w in words:
            w.width = self.face(w.style, size_pt).length(w.text)
        lines: list[list[_Word]] = []
        cur: list[_Word] = []
        used = 0.0
        for w in words:
            space = self.face(w.style, size_pt).length(" ")
            avail = width - (first if not lines else 0)
            if cur and used + space + w.width > avail:
                lines.append(cur)
                cur, used = [w], w.width
            else:
                used += (space if cur else 0) + w.width
                cur.append(w)
        if cur:
            lines.append(cur)
        return lines

    def draw_line(self, words: list[_Word], size_pt: float, x: float, width: float, align: str, last: bool) -> None:
        baseline = self.y + self.pt(size_pt) * 0.92
        spaces = [self.face(w.style, size_pt).length(" ") for w in words[1:]]
        natural = sum(w.width for w in words) + sum(spaces)
        if align == "center":
            x += (width - natural) / 2
        extra = 0.0
        if align == "justify" and not last and len(words) > 1:
            extra = max(0.0, (width - natural) / (len(words) - 1))
        for k, w in enumerate(words):
            self.face(w.style, size_pt).draw(self.draw, x, baseline, w.text)
            if k < len(spaces):
                x += w.width + spaces[k] + extra

    def paragraph(self, p: _Para, next_height: float = 0.0) -> None:
        size = p.size or self.fs
        words = [_Word(t, style) for text, style in p.runs for t in text.split()]
        if not words:
            return
        first = self.mm(p.indent_mm) if p.align != "center" else 0.0
        lines = self.wrap(words, size, first, self.width)
        lead = self.lead(size)
        self.y += self.pt(p.before_pt)
        need = lead * min(len(lines), 2) + (next_height if p.keep_next else 0.0)
        if self.y + need > self.bottom:
            self.new_page()
        for k, ln in enumerate(lines):
            self.ensure(lead)
            x = self.left + (first if k == 0 else 0.0)
            w = self.width - (first if k == 0 else 0.0)
            self.draw_line(ln, size, x, w, p.align, k == len(lines) - 1)
            self.y += lead
        self.y += self.pt(p.after_pt)

    def block(self, texts: Sequence[str], style: str, size_pt: float, x0: float, x1: float, y: float, factor: float = 1.15) -> float:
        """Centred, wrapped lines in the column [x0, x1]; returns the y below them."""
        cx, width = (x0 + x1) / 2, x1 - x0
        lead = self.lead(size_pt, factor)
        for text in texts:
            for ln in self.wrap([_Word(t, style) for t in text.split()], size_pt, 0.0, width):
                self.face(style, size_pt).draw(
                    self.draw, cx - sum(w.width for w in ln) / 2 - self.face(style, size_pt).length(" ") * (len(ln) - 1) / 2,
                    y + self.pt(size_pt) * 0.92, " ".join(w.text for w in ln),
                )
                y += lead
        return y


def _fit(pager: _Pager, text: str, style: str, size_pt: float, width: float, floor: float = 0.7) -> float:
    """Largest size <= size_pt (down to ``floor`` of it) at which ``text`` fits in ``width``."""
    s = size_pt
    while s > size_pt * floor and pager.face(style, s).length(text) > width:
        s -= 0.25
    return s


def _header(pg: _Pager, doc: ParsedDocument) -> None:
    fs = pg.fs
    lx0, lx1 = pg.left - pg.mm(4), pg.left + pg.width * 0.42
    rx0, rx1 = lx1, pg.right + pg.mm(2)
    lcx, rcx = (lx0 + lx1) / 2, (rx0 + rx1) / 2
    y0 = pg.mm(MARGIN_TOP)
    # issuer: upper case, last line bold, short rule under it
    yl = y0
    room = lx1 - lx0 - pg.mm(6)  # a gap before the motto's column
    size_i = min(_fit(pg, ln, "bold", fs - 1, room) for ln in doc.issuer)
    for k, text in enumerate(doc.issuer):
        style = "bold" if k == len(doc.issuer) - 1 else "regular"
        for ln in pg.wrap([_Word(t, style) for t in text.split()], size_i, 0.0, room):  # too long even when smaller
            base = yl + pg.pt(size_i) * 0.92
            w = pg.centred(" ".join(w.text for w in ln), style, size_i, lcx, base)
            yl += pg.lead(size_i, 1.12)
    pg.rule(lcx, base + pg.pt(size_i) * 0.25 + pg.mm(1.2), max(pg.mm(15), w * 0.4))
    yl = max(yl, base + pg.pt(size_i) * 0.25 + pg.mm(2))
    # motto: bold, line 1 upper case, rule under line 2
    yr = y0
    size_m = _fit(pg, doc.motto[0], "bold", fs - 1, rx1 - rx0 - pg.mm(2))
    pg.centred(doc.motto[0], "bold", size_m, rcx, yr + pg.pt(size_m) * 0.92)
    yr += pg.lead(size_m, 1.12)
    for ln in doc.motto[1:]:
        s2 = _fit(pg, ln, "bold", fs, rx1 - rx0)
        base = yr + pg.pt(s2) * 0.92
        w = pg.centred(ln, "bold", s2, rcx, base)
        yr += pg.lead(s2, 1.12)
        pg.rule(rcx, base + pg.pt(s2) * 0.25 + pg.mm(1.0), w)
        yr = max(yr, base + pg.pt(s2) * 0.25 + pg.mm(2))
    # number (left) and date (right) on one row, V/v under the number
    y = max(yl, yr) + pg.mm(3)
    yl = yr = y
    if doc.number:
        yl = pg.block(doc.number, "regular", fs - 0.5, lx0, lx1, yl)
    if doc.vv:
        yl = pg.block(doc.vv, "regular", fs - 1.5, lx0 + pg.mm(4), lx1 - pg.mm(4), yl + pg.mm(0.5), 1.1)
    if doc.date:
        yr = pg.block(doc.date, "italic", fs, rx0, rx1, yr)
    pg.y = max(yl, yr) + pg.mm(6)
    if doc.doc_type:
        pg.y = pg.block(doc.doc_type, "bold", fs + 0.5, pg.left, pg.right, pg.y)
        if doc.subject:
            size_s = min(_fit(pg, ln, "bold", fs, pg.width, 0.85) for ln in doc.subject)
            pg.y = pg.block(doc.subject, "bold", size_s, pg.left, pg.right, pg.y, 1.12)
        pg.rule((pg.left + pg.right) / 2, pg.y + pg.mm(2.0), pg.mm(40))
        pg.y += pg.mm(7)
    if doc.addressee:
        pg.y += pg.mm(2)
        first = doc.addressee[0]
        f = pg.face("regular", fs)
        label = "Kính gửi:"
        if len(doc.addressee) == 1:
            pg.y = pg.block([first], "regular", fs, pg.left + pg.mm(10), pg.right - pg.mm(10), pg.y)
        else:
            x = pg.left + pg.width * 0.3
            f.draw(pg.draw, x, pg.y + pg.pt(fs) * 0.92, first)
            indent = f.length(label + " ")
            for item in doc.addressee[1:]:  # a long item wraps under its own dash
                for ln in pg.wrap([_Word(t, "regular") for t in item.split()], fs, 0.0, pg.right - x - indent):
                    pg.y += pg.lead(fs)
                    f.draw(pg.draw, x + indent, pg.y + pg.pt(fs) * 0.92, " ".join(w.text for w in ln))
            pg.y += pg.lead(fs)
        pg.y += pg.mm(4)


def _scribble(pg: _Pager, cx: float, cy: float, seed_text: str) -> None:
    rng = np.random.default_rng(zlib.crc32(seed_text.encode("utf-8")))
    w, h = pg.mm(rng.uniform(28, 38)), pg.mm(rng.uniform(6, 10))
    n = 90
    t = np.linspace(0.0, 1.0, n)
    loops = rng.integers(2, 5)
    xs = cx - w / 2 + w * t + pg.mm(2.5) * np.sin(2 * np.pi * loops * t + rng.uniform(0, 6))
    ys = cy + h / 2 * np.sin(2 * np.pi * (loops + 0.5) * t + rng.uniform(0, 6)) * (1 - 0.5 * t) - h * 0.3 * t
    width = max(1, round(pg.mm(0.35)))
    pg.draw.line(list(zip(xs.tolist(), ys.tolist())), fill=PEN, width=width, joint="curve")
    tail = [(cx - w * 0.35, cy + h * 0.55), (cx + w * 0.45, cy + h * 0.35)]
    pg.draw.line(tail, fill=PEN, width=width)


def _closing(pg: _Pager, doc: ParsedDocument, sign: bool) -> None:
    """Recipients bottom-left, signature block centred in the right half."""
    fs = pg.fs
    rw = pg.width * 0.45
    sx0, sx1 = pg.left + pg.width * 0.42, pg.right
    rec_size = min(fs - 2.5, 11.0)
    auth = [ln for ln in doc.signature if _is_upper(ln)]
    names = [ln for ln in doc.signature if not _is_upper(ln)]
    if names and doc.signature and _is_upper(doc.signature[-1]):
        auth, names = list(doc.signature), []
    gap = pg.mm(24)
    sig_h = pg.lead(fs, 1.15) * (len(auth) + len(names)) + gap
    rec_lines = 0
    for ln in doc.recipients[1:]:
        rec_lines += len(pg.wrap([_Word(t, "regular") for t in ln.split()], rec_size, 0.0, rw))
    rec_h = pg.lead(12) + pg.lead(rec_size, 1.1) * rec_lines
    pg.y += pg.pt(6)
    pg.ensure(max(sig_h, rec_h))
    top = pg.y
    # recipients
    y = top
    if doc.recipients:
        title = doc.recipients[0]
        pg.face("bolditalic", 12).draw(pg.draw, pg.left, y + pg.pt(12) * 0.92, title)
        y += pg.lead(12)
        f = pg.face("regular", rec_size)
        hang = f.length("- ")
        for ln in doc.recipients[1:]:
            parts = pg.wrap([_Word(t, "regular") for t in ln.split()], rec_size, 0.0, rw)
            for k, part in enumerate(parts):
                f.draw(pg.draw, pg.left + (hang if k else 0), y + pg.pt(rec_size) * 0.92, " ".join(w.text for w in part))
                y += pg.lead(rec_size, 1.1)
    # signature
    y = top
    if auth:
        y = pg.block(auth, "bold", fs, sx0, sx1, y, 1.15)
    if names or auth:
        if sign and names:
            _scribble(pg, (sx0 + sx1) / 2, y + gap / 2, names[-1])
        y += gap
    if names:
        pg.block(names, "bold", fs, sx0, sx1, y, 1.15)
    pg.y = max(y + pg.lead(fs, 1.15) * len(names), top + rec_h)


def render_document(
    text: str, *, dpi: int = 300, font_size: float = 13.5, signature_mark: bool = True
) -> list[Image.Image]:
    """Clean grayscale ("L") A4 pages of the document; page numbers on pages 2+."""
    doc = parse_document(text)
    pg = _Pager(dpi, font_size)
    if doc.structured:
        _header(pg, doc)
    paras = [_classify(ln) for ln in doc.body]
    for k, p in enumerate(paras):
        nxt = pg.lead(font_size) * 2 if k + 1 < len(paras) else 0.0
        pg.paragraph(p, nxt)
    if doc.recipients or doc.signature:
        _closing(pg, doc, signature_mark)
    return pg.pages
