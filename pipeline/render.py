"""Render Vietnamese administrative documents (plain text) into realistic scanned A4 pages.

Input format: one printed line/paragraph per line (issuer, motto, ``Số:``, date, type,
subject, body, ``Nơi nhận:``, signature), see :func:`parse_document`.
Public API: :func:`render_document`, :func:`degrade`, :func:`save_pdf`, :func:`truth_text`.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

__all__ = [
    "A4_MM",
    "Degradation",
    "ParsedDocument",
    "degrade",
    "page_size_px",
    "parse_document",
    "render_document",
    "save_pdf",
    "truth_text",
]

A4_MM = (210.0, 297.0)
# Decree 30/2020 margins (mm).
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20.0, 20.0, 30.0, 15.0

# Liberation Serif 2.x (fonts-liberation2) covers Vietnamese; 1.07 lacks many glyphs,
# which are then composed from a base letter plus marks (see _composite).
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
_STYLE_FILE = {"regular": "Regular", "bold": "Bold", "italic": "Italic", "bolditalic": "BoldItalic"}
_FALLBACK_FILE = {
    "regular": "DejaVuSerif.ttf",
    "bold": "DejaVuSerif-Bold.ttf",
    "italic": "DejaVuSerif-Italic.ttf",
    "bolditalic": "DejaVuSerif-BoldItalic.ttf",
}
_FALLBACK_DIR = Path("/usr/share/fonts/truetype/dejavu")

INK = 0  # text colour on the clean page
PEN = 70  # signature scribble colour (ballpoint in grayscale)


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class ParsedDocument:
    """The blocks of an administrative document; ``structured`` is False for the fallback."""

    issuer: tuple[str, ...] = ()
    motto: tuple[str, ...] = ()
    number: tuple[str, ...] = ()
    vv: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    doc_type: tuple[str, ...] = ()
    subject: tuple[str, ...] = ()
    addressee: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    structured: bool = True

    def reading_order(self) -> list[str]:
        """Lines as OCR should read them: left header column, right column, then the rest."""
        return [
            *self.issuer, *self.number, *self.vv, *self.motto, *self.date, *self.doc_type,
            *self.subject, *self.addressee, *self.body, *self.recipients, *self.signature,
        ]


_NUMBER_RE = re.compile(r"^s[ốo]\s*[:.]", re.IGNORECASE)
_VV_RE = re.compile(r"^v/v\b", re.IGNORECASE)
_DATE_RE = re.compile(r"\bngày\b.*\btháng\b.*\bnăm\b", re.IGNORECASE)
_AUTH_RE = re.compile(r"^(TM|KT|TL|TUQ|Q|T/M|K/T)\s*\.\s*\S")
_ROMAN_RE = re.compile(r"^([IVXL]+)\.\s+\S")
_NUM_RE = re.compile(r"^(\d+(?:\.\d+)*)\.\s+\S")
_LETTER_RE = re.compile(r"^([a-zđ])\)\s+\S")
_ARTICLE_RE = re.compile(r"^(Điều\s+\d+[a-z]?\.)(\s+.*)?$")
_BASIS_RE = re.compile(r"^(Căn cứ|Xét|Theo đề nghị)\b")


def _clean_lines(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text)
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _is_motto(line: str) -> bool:
    up = line.upper().replace("HOÀ", "HÒA")
    return up.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA")


def _is_name(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 6
        and not _is_upper(line)
        and line[-1] not in ".;:,"
        and all(w[0].isupper() for w in words if w[0].isalpha())
    )


def _is_subject(line: str) -> bool:
    return (
        len(line) <= 160
        and not _is_upper(line)
        and line[-1] not in ".;:"
        and not line.startswith(("-", "+", "Kính gửi", "Căn cứ"))
        and not (_ROMAN_RE.match(line) or _NUM_RE.match(line) or _LETTER_RE.match(line))
    )


def _signature_before(lines: list[str], end: int, start: int) -> int | None:
    """Index where a signature block ending just before ``end`` starts (authority + name)."""
    j = end
    names = 0
    while j - 1 >= start and names < 2 and not _is_upper(lines[j - 1]) and (
        _is_name(lines[j - 1]) or lines[j - 1].startswith("(")
    ):
        j -= 1
        names += 1
    k = j
    while k - 1 >= start and j - k < 4 and _is_upper(lines[k - 1]) and len(lines[k - 1]) <= 60:
        k -= 1
    if k == j or not names:
        return None
    if not (_AUTH_RE.match(lines[k]) or j - k <= 2):
        return None
    return k


def parse_document(text: str) -> ParsedDocument:
    """Split document text into layout blocks; falls back to all-body if there is no motto."""
    lines = _clean_lines(text)
    motto_at = next((i for i, ln in enumerate(lines[:6]) if _is_motto(ln)), None)
    if motto_at is None or motto_at == 0 or motto_at > 4:
        return ParsedDocument(body=tuple(lines), structured=False)
    issuer = lines[:motto_at]
    i = motto_at + 1
    motto = [lines[motto_at]]
    if i < len(lines) and lines[i].upper().startswith("ĐỘC LẬP"):
        motto.append(lines[i])
        i += 1
    number: list[str] = []
    vv: list[str] = []
    date: list[str] = []
    while i < len(lines):
        ln = lines[i]
        if _NUMBER_RE.match(ln) and not number:
            number.append(ln)
        elif _VV_RE.match(ln) and not vv:
            vv.append(ln)
        elif _DATE_RE.search(ln) and len(ln) <= 90 and not date:
            date.append(ln)
        else:
            break
        i += 1
    doc_type: list[str] = []
    subject: list[str] = []
    if (
        i < len(lines)
        and _is_upper(lines[i])
        and len(lines[i].split()) <= 8
        and not _AUTH_RE.match(lines[i])
        and not lines[i].upper().startswith("KÍNH GỬI")
    ):
        doc_type.append(lines[i])
        i += 1
        while i < len(lines) and len(subject) < 3 and _is_subject(lines[i]):
            subject.append(lines[i])
            i += 1
    addressee: list[str] = []
    if i < len(lines) and lines[i].lower().startswith("kính gửi"):
        addressee.append(lines[i])
        bare = lines[i].rstrip().endswith(":")
        i += 1
        while bare and i < len(lines) and lines[i].startswith(("-", "+")):
            addressee.append(lines[i])
            i += 1

    rest = lines[i:]
    recip_at = next(
        (k for k in range(len(rest) - 1, -1, -1) if rest[k].lower().startswith("nơi nhận")), None
    )
    recipients: list[str] = []
    signature: list[str] = []
    body_end = len(rest)
    if recip_at is not None:
        sig_at = next(
            (
                k
                for k in range(recip_at + 1, len(rest))
                if not rest[k].startswith(("-", "+")) and (_AUTH_RE.match(rest[k]) or _is_upper(rest[k]))
            ),
            None,
        )
        if sig_at is not None:
            recipients, signature = rest[recip_at:sig_at], rest[sig_at:]
        else:
            recipients = rest[recip_at:]
            before = _signature_before(rest, recip_at, 0)
            if before is not None:
                signature = rest[before:recip_at]
                recip_at = before
        body_end = recip_at
    else:
        before = _signature_before(rest, len(rest), 0)
        if before is not None and len(rest) - before <= 6:
            signature = rest[before:]
            body_end = before
    return ParsedDocument(
        issuer=tuple(issuer), motto=tuple(motto), number=tuple(number), vv=tuple(vv),
        date=tuple(date), doc_type=tuple(doc_type), subject=tuple(subject),
        addressee=tuple(addressee), body=tuple(rest[:body_end]),
        recipients=tuple(recipients), signature=tuple(signature),
    )


def truth_text(text: str) -> str:
    """The document text in OCR reading order, one logical line/paragraph per line."""
    lines = parse_document(text).reading_order()
    return "\n".join(lines) + "\n" if lines else ""


# --------------------------------------------------------------------------- fonts


def _font_file(style: str) -> Path:
    for d in _FONT_DIRS:
        p = d / f"LiberationSerif-{_STYLE_FILE[style]}.ttf"
        if p.exists():
            return p
    return _FALLBACK_DIR / _FALLBACK_FILE[style]


@lru_cache(maxsize=512)
def _font(style: str, px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_font_file(style)), max(1.0, px))


@lru_cache(maxsize=512)
def _fallback_font(style: str, px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_FALLBACK_DIR / _FALLBACK_FILE[style]), max(1.0, px))


@lru_cache(maxsize=8)
def _notdef(style: str) -> bytes:
    return bytes(_font(style, 48.0).getmask("\U0010fffd"))


@lru_cache(maxsize=8192)
def _has_glyph(style: str, ch: str) -> bool:
    return ch.isspace() or bytes(_font(style, 48.0).getmask(ch)) != _notdef(style)


@lru_cache(maxsize=8)
def _fallback_scale(style: str) -> float:
    """Size factor making the fallback font's x-height equal to the main font's."""
    a = _font(style, 100.0).getbbox("x", anchor="ls")
    b = _fallback_font(style, 100.0).getbbox("x", anchor="ls")
    return (a[3] - a[1]) / max(1, b[3] - b[1])


@dataclass(frozen=True)
class _Ink:
    """An antialiased ink mask placed relative to the pen position on the baseline."""

    mask: Image.Image
    x0: int
    y0: int

    @property
    def x1(self) -> int:
        return self.x0 + self.mask.width

    @property
    def y1(self) -> int:
        return self.y0 + self.mask.height

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


def _ink(font: ImageFont.FreeTypeFont, text: str) -> _Ink:
    x0, y0, x1, y1 = font.getbbox(text, anchor="ls")
    img = Image.new("L", (max(1, x1 - x0), max(1, y1 - y0)), 0)
    ImageDraw.Draw(img).text((-x0, -y0), text, fill=255, font=font, anchor="ls")
    return _Ink(img, x0, y0)


def _union(layers: Sequence[_Ink]) -> _Ink:
    x0 = min(l.x0 for l in layers)
    y0 = min(l.y0 for l in layers)
    x1 = max(l.x1 for l in layers)
    y1 = max(l.y1 for l in layers)
    out = Image.new("L", (x1 - x0, y1 - y0), 0)
    for l in layers:
        tile = Image.new("L", out.size, 0)
        tile.paste(l.mask, (l.x0 - x0, l.y0 - y0))
        out = ImageChops.lighter(out, tile)
    return _Ink(out, x0, y0)


def _shift(ink: _Ink, dx: float, dy: float) -> _Ink:
    return _Ink(ink.mask, ink.x0 + round(dx), ink.y0 + round(dy))


def _mark(font: ImageFont.FreeTypeFont, composed: str, base: str) -> tuple[_Ink, _Ink] | None:
    """The mark of ``composed`` that ``base`` lacks (as positioned by the font) and the base ink."""
    a, b = _ink(font, composed), _ink(font, base)
    x0, y0 = min(a.x0, b.x0), min(a.y0, b.y0)
    w, h = max(a.x1, b.x1) - x0, max(a.y1, b.y1) - y0
    A = np.zeros((h, w), np.uint8)
    B = np.zeros((h + 4, w + 4), np.uint8)
    A[a.y0 - y0 : a.y1 - y0, a.x0 - x0 : a.x1 - x0] = np.asarray(a.mask)
    B[b.y0 - y0 + 2 : b.y1 - y0 + 2, b.x0 - x0 + 2 : b.x1 - x0 + 2] = np.asarray(b.mask)
    dil = np.zeros((h, w), np.uint8)
    for dy in range(5):
        for dx in range(5):
            np.maximum(dil, B[dy : dy + h, dx : dx + w], out=dil)
    M = np.where(dil > 0, 0, A).astype(np.uint8)
    ys, xs = np.nonzero(M > 40)
    if len(xs) == 0:
        return None
    c = M[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return _Ink(Image.fromarray(c), x0 + int(xs.min()), y0 + int(ys.min())), b


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_SLANT = {"regular": 0.0, "bold": 0.0, "italic": 0.2, "bolditalic": 0.2}


@lru_cache(maxsize=4096)
def _composite(style: str, px: float, ch: str) -> tuple[_Ink, float] | None:
    """A Vietnamese letter the font lacks, built from a base glyph plus tone/horn marks."""
    nfd = unicodedata.normalize("NFD", ch)
    letter, marks = nfd[0], nfd[1:]
    if not marks or not letter.isalpha() or any(m not in _TONES | {"\u0302", "\u0306", "\u031b"} for m in marks):
        return None
    tones = [m for m in marks if m in _TONES]
    mods = "".join(m for m in marks if m in "\u0302\u0306")
    horn = "\u031b" in marks
    base_ch = unicodedata.normalize("NFC", letter + mods)
    if base_ch == "i" and tones and tones[0] != "\u0323":
        base_ch = "ı"
    if len(base_ch) != 1 or not _has_glyph(style, base_ch):
        return None
    font = _font(style, px)
    alt = _fallback_font(style, px * _fallback_scale(style))
    slant = _SLANT[style]
    base = _ink(font, base_ch)
    body = _ink(font, "ı" if base_ch == "ı" else letter)
    adv = font.getlength(base_ch)
    layers = [base]
    right = base.x1
    if horn:
        got = _mark(alt, unicodedata.normalize("NFC", letter + "\u031b"), letter)
        if got is None:
            return None
        hm, ref = got
        hm = _shift(hm, body.x1 - ref.x1 - 0.04 * px, body.y0 - ref.y0)
        layers.append(hm)
        right = max(right, hm.x1)
        adv = max(adv, adv + (hm.x1 - body.x1) * 0.9)
    for tone in tones:
        if tone in "\u0300\u0301\u0303" and _has_glyph(style, unicodedata.normalize("NFC", letter + tone)):
            src, ref_letter = font, letter
        elif tone in "\u0300\u0301\u0303":
            src, ref_letter = font, "A" if letter.isupper() else "a"
        else:
            src, ref_letter = alt, letter
        composed = unicodedata.normalize("NFC", ref_letter + tone)
        if len(composed) != 1:
            return None
        got = _mark(src, composed, ref_letter)
        if got is None:
            return None
        m, ref = got
        if tone == "\u0323":  # dot below: keep the font's gap under the letter body
            dx = body.cx - ref.cx - slant * (ref.y1 - body.y1)
            layers.append(_shift(m, dx, max(body.y1, 0) - max(ref.y1, 0)))
            continue
        gap = ref.y0 - m.y1
        top = base.y0
        if "\u0302" in mods and tone != "\u0303":
            # Vietnamese style: acute/grave/hook sit on the right shoulder of the circumflex.
            circ_h = max(1, body.y0 - base.y0)
            want_y1 = base.y0 + 0.45 * circ_h
            want_x0 = base.cx + 0.12 * (base.x1 - base.x0) + slant * (body.y0 - want_y1)
            layers.append(_shift(m, want_x0 - m.x0, want_y1 - m.y1))
            continue
        want_y1 = top - gap
        want_cx = body.cx + (m.cx - ref.cx) + slant * (ref.y0 - top)
        layers.append(_shift(m, want_cx - m.cx, want_y1 - m.y1))
    return _union(layers), adv


class _Face:
    """Text measuring/drawing in one style and size, composing glyphs the font lacks."""

    def __init__(self, style: str, px: float) -> None:
        self.style, self.px = style, px
        self.font = _font(style, px)

    def _pieces(self, text: str) -> list[tuple[bool, str]]:
        """(composed?, text) pieces: runs the font can draw, single characters it cannot."""
        out: list[tuple[bool, str]] = []
        run = ""
        for ch in text:
            if _has_glyph(self.style, ch):
                run += ch
                continue
            if run:
                out.append((False, run))
                run = ""
            out.append((True, ch))
        if run:
            out.append((False, run))
        return out

    def _single(self, ch: str) -> tuple[_Ink | None, float]:
        comp = _composite(self.style, self.px, ch)
        if comp is not None:
            return comp
        alt = _fallback_font(self.style, self.px * _fallback_scale(self.style))
        return _ink(alt, ch), alt.getlength(ch)

    def length(self, text: str) -> float:
        total = 0.0
        for single, piece in self._pieces(text):
            total += self._single(piece)[1] if single else self.font.getlength(piece)
        return total

    def draw(self, draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, fill: int = INK) -> float:
        for single, piece in self._pieces(text):
            if single:
                ink, adv = self._single(piece)
                if ink is not None:
                    draw.bitmap((round(x + ink.x0), round(baseline + ink.y0)), ink.mask, fill=fill)
                x += adv
            else:
                draw.text((x, baseline), piece, font=self.font, fill=fill, anchor="ls")
                x += self.font.getlength(piece)
        return x


@lru_cache(maxsize=256)
def _face(style: str, px: float) -> _Face:
    return _Face(style, px)


# --------------------------------------------------------------------------- layout


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
    size_i = min(_fit(pg, ln, "bold", fs - 1, lx1 - lx0) for ln in doc.issuer)
    for k, ln in enumerate(doc.issuer):
        style = "bold" if k == len(doc.issuer) - 1 else "regular"
        base = yl + pg.pt(size_i) * 0.92
        w = pg.centred(ln, style, size_i, lcx, base)
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
            for ln in doc.addressee[1:]:
                pg.y += pg.lead(fs)
                f.draw(pg.draw, x + indent, pg.y + pg.pt(fs) * 0.92, ln)
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


# --------------------------------------------------------------------------- degradation


@dataclass(frozen=True)
class Degradation:
    """Scan simulation settings; all randomness comes from the ``seed`` given to :func:`degrade`."""

    dpi: int | None = None  # rescan resolution; None keeps the page's
    rotation_deg: float = 0.0  # counter-clockwise skew
    noise: float = 4.0  # gaussian noise sigma (grey levels)
    blur: float = 0.6  # gaussian blur sigma (pixels at 300 DPI, scaled with dpi)
    jpeg_quality: int | None = None  # JPEG round-trip quality; None = no round-trip
    speckles: float = 0.0002  # fraction of pixels hit by salt-and-pepper dots
    dark_border: float = 0.0  # max width (mm) of dark scanner borders; 0 = none
    contrast: float = 1.0  # ink strength (<1 faded, >1 heavy)
    background: float = 6.0  # amplitude (grey levels) of uneven paper shading
    paper: float = 242.0  # mean paper grey level
    bitonal: bool = False  # threshold to 1-bit like a bitonal office scanner
    threshold: int = 150  # bitonal threshold


def _dpi_of(image: Image.Image, default: int = 300) -> int:
    dpi = image.info.get("dpi")
    try:
        return int(round(float(dpi[0]))) if dpi else default
    except (TypeError, ValueError, IndexError):
        return default


def degrade(image: Image.Image, d: Degradation, seed: int) -> Image.Image:
    """Make a clean page look scanned; deterministic for a given (image, d, seed)."""
    import cv2

    rng = np.random.default_rng(seed)
    src_dpi = _dpi_of(image)
    out_dpi = d.dpi or src_dpi
    a = np.asarray(image.convert("L"), dtype=np.float32)
    if out_dpi != src_dpi:
        h, w = a.shape
        size = (max(1, round(w * out_dpi / src_dpi)), max(1, round(h * out_dpi / src_dpi)))
        interp = cv2.INTER_AREA if out_dpi < src_dpi else cv2.INTER_CUBIC
        a = cv2.resize(a, size, interpolation=interp)
    h, w = a.shape
    k = out_dpi / 300.0
    # ink strength over an unevenly lit paper
    dark = (255.0 - a) / 255.0
    grid = rng.standard_normal((4, 3)).astype(np.float32)
    shade = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC) * d.background
    paper = d.paper + shade
    ink = 22.0 + rng.uniform(-6, 6)
    a = paper - np.clip(dark * d.contrast, 0.0, 1.0) * (paper - ink)
    bed = float(rng.uniform(25, 60))  # scanner background seen past the page edge
    if d.rotation_deg:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), d.rotation_deg, 1.0)
        fill = bed if d.dark_border > 0 else float(d.paper)
        a = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    if d.blur > 0:
        a = cv2.GaussianBlur(a, (0, 0), d.blur * k)
    if d.dark_border > 0:
        px = d.dark_border * out_dpi / 25.4
        sides = [s for s in ("left", "right", "top", "bottom") if rng.random() < 0.5] or ["left"]
        for side in sides:
            n = h if side in ("left", "right") else w
            ramp = np.linspace(rng.uniform(0.2, 1.0), rng.uniform(0.2, 1.0), n) * px
            ramp += cv2.resize(rng.standard_normal((8, 1)).astype(np.float32), (1, n)).ravel() * px * 0.05
            depth = np.arange(w if side in ("left", "right") else h, dtype=np.float32)
            if side in ("right", "bottom"):
                depth = depth[::-1]
            if side in ("left", "right"):
                mask = depth[None, :] < ramp[:, None]
            else:
                mask = depth[:, None] < ramp[None, :]
            a[mask] = bed
    if d.noise > 0:
        a += rng.standard_normal(a.shape, dtype=np.float32) * d.noise
    if d.speckles > 0:
        n = int(d.speckles * w * h)
        ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
        pepper = rng.random(n) < 0.6
        a[ys[pepper], xs[pepper]] = rng.uniform(20, 110, int(pepper.sum()))
        big = pepper & (rng.random(n) < 0.5)
        a[np.minimum(ys[big] + 1, h - 1), xs[big]] = 60.0
        a[ys[big], np.minimum(xs[big] + 1, w - 1)] = 60.0
        a[ys[~pepper], xs[~pepper]] = 255.0
    a = np.clip(a, 0, 255).astype(np.uint8)
    if d.bitonal:
        out = Image.fromarray(np.where(a < d.threshold, 0, 255).astype(np.uint8)).convert("1", dither=Image.Dither.NONE)
    else:
        out = Image.fromarray(a, mode="L")
        if d.jpeg_quality:
            buf = io.BytesIO()
            out.save(buf, "JPEG", quality=int(d.jpeg_quality))
            buf.seek(0)
            out = Image.open(buf)
            out.load()
            out = out.convert("L")
    out.info["dpi"] = (out_dpi, out_dpi)
    return out


# --------------------------------------------------------------------------- PDF


def _pdf_jpeg_page(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("L").save(buf, "JPEG", quality=int(quality), dpi=(_dpi_of(img),) * 2)
    return buf.getvalue()


def save_pdf(pages: Sequence[Image.Image], path: str | Path, jpeg_quality: int = 75, dpi: int | None = None) -> None:
    """Write a scanner-style PDF: each page is exactly one embedded grayscale JPEG (DCTDecode)."""
    if not pages:
        raise ValueError("no pages")
    objs: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    for i, img in enumerate(pages):
        res = dpi or _dpi_of(img)
        wpt, hpt = img.width * 72.0 / res, img.height * 72.0 / res
        jpg = _pdf_jpeg_page(img, jpeg_quality)
        content_no, image_no = 4 + 3 * i, 5 + 3 * i  # the page itself is object 3 + 3 * i
        content = f"q {wpt:.4f} 0 0 {hpt:.4f} 0 0 cm /Im0 Do Q\n".encode()
        objs.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {wpt:.4f} {hpt:.4f}] "
                f"/Resources << /XObject << /Im0 {image_no} 0 R >> >> /Contents {content_no} 0 R >>"
            ).encode()
        )
        objs.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"endstream")
        objs.append(
            (
                f"<< /Type /XObject /Subtype /Image /Width {img.width} /Height {img.height} "
                f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpg)} >>\nstream\n"
            ).encode()
            + jpg
            + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    Path(path).write_bytes(bytes(out))
