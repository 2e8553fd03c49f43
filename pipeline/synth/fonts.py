"""Fonts for rendering Vietnamese: Liberation Serif, with the glyphs it lacks composed from a base letter and marks."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

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
