"""A PDF page's text layer judged before anything is OCR'd, and a usable one turned into words with boxes.

The page's characters (`pdfium.page_objects`) decide:
- no visible character: the page is OCR'd (nothing, another engine's invisible layer, white or
  off-page text: a layer that is not what the page shows);
- a page that is one scan with text drawn over it (e-signature boxes, receipt stamps): OCR'd, the
  vector text goes to the e-signature reader (`raster` finds such pages before this module);
- visible text in fonts with a Unicode map, reading as words, covering the page's letters:
  born-digital, read from the layer (`source: text-layer`, confidence 1); a legacy-encoded layer
  (TCVN3, VNI, VISCII) is converted first;
- images pasted among such text (a scanned paragraph, a table as a picture): those parts are OCR'd
  and merged with the layer's words in reading order.
Every decision keeps its reason and its evidence for the page's JSON.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import regex

from ..model import union
from ..text import legacy
from ..text.vietnamese import is_syllable
from .pdfium import Box, Char, PageObjects
from .tesseract import OcrWord

UNMAPPED_SHARE = 0.1  # more characters than this without a Unicode map: the layer's text is a guess
READABLE_SHARE = 0.6  # fewer tokens than this reading as words, numbers or codes: not the page's text
UNCOVERED_SHARE = 0.25  # more of the page's letters than this outside the layer: OCR the page
REGION_AREA = 0.02  # a pasted image at least this share of the page is OCR'd...
REGION_HEIGHT = 24.0  # ...when at least this tall (points), two lines of text
SCAN_AREA = 0.5  # one image over this share of the page: a scan, whatever text is drawn on it
WORD_GAP = 0.25  # a gap between two characters wider than this share of their height parts words

_LETTERS = regex.compile(r"^\p{L}+$")
_HAS_DIGIT = regex.compile(r"\d")
_EDGES = regex.compile(r"^[\p{P}\p{S}]+|[\p{P}\p{S}]+$")


@dataclass
class LayerLine:
    words: list[tuple[str, Box, str]]  # text, box (points), font
    paragraph: int


@dataclass
class Judgement:
    """What the page's layer is worth: `read` is text-layer, text-layer+ocr (a mixed page) or ocr."""

    read: str
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
    lines: list[LayerLine] = field(default_factory=list)
    regions: list[Box] = field(default_factory=list)  # parts of the page to OCR (points)
    encoding: str | None = None

    def record(self) -> dict[str, Any]:
        data: dict[str, Any] = {"read": self.read, "reason": self.reason, "evidence": self.evidence}
        if self.encoding:
            data["encoding"] = self.encoding
        return data


def _area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def is_scan(objects: PageObjects) -> bool:
    """One image covers most of the page: a scan, whatever text is drawn over it."""
    page = objects.width * objects.height
    return any(_area(box) > SCAN_AREA * page for box in objects.images)


def _normal(text: str) -> str:
    """NFC, with typographic ligatures (ﬁ, ﬂ) spelled out."""
    return unicodedata.normalize("NFC", "".join(
        unicodedata.normalize("NFKC", ch) if "\ufb00" <= ch <= "\ufb06" else ch for ch in text
    ))


def layer_lines(chars: list[Char]) -> list[LayerLine]:
    """Visible characters, in the layer's order, -> lines of words; a paragraph starts after a wider
    gap than the lines', at an indented line, or after a line that stops short of the column's end."""
    rows: list[list[list[Char]]] = [[[]]]
    previous: Char | None = None
    for ch in chars:
        if ch.newline or ch.space or ch.hidden:  # a new line, or a new word
            if ch.newline:
                rows.append([[]])
            else:
                rows[-1].append([])
            previous = None
            continue
        if previous is not None:
            height = max(ch.box[3] - ch.box[1], previous.box[3] - previous.box[1], 1.0)
            if ch.box[0] - previous.box[2] > WORD_GAP * height or ch.box[1] > previous.box[3]:
                rows[-1].append([])
        rows[-1][-1].append(ch)
        previous = ch
    lines = [[_word(w) for w in row if w] for row in rows]
    return _paragraphs([line for line in lines if line])


def _word(chars: list[Char]) -> tuple[str, Box, str]:
    return _normal("".join(c.text for c in chars)), union([c.box for c in chars]), chars[0].font


def _paragraphs(lines: list[list[tuple[str, Box, str]]]) -> list[LayerLine]:
    result: list[LayerLine] = []
    right_edge = max((w[1][2] for line in lines for w in line), default=0.0)
    paragraph = 0
    previous: tuple[Box, float] | None = None
    for words in lines:
        box = union([w[1] for w in words])
        height = max(box[3] - box[1], 1.0)
        if previous is None:
            paragraph += 1
        else:
            last, last_height = previous
            gap = box[1] - last[3]
            if (gap > 0.8 * max(height, last_height) or gap < -2 * height or box[0] > last[0] + 1.5 * height
                    or last[2] < right_edge - 6 * height):
                paragraph += 1
        result.append(LayerLine(words, paragraph))
        previous = (box, height)
    return result


def readable_share(tokens: list[str]) -> float:
    """The share of tokens that read as Vietnamese syllables, Latin words or abbreviations, numbers or codes."""
    cores = [core for core in (_EDGES.sub("", t) for t in tokens) if core]
    if not cores:
        return 0.0
    good = sum(1 for core in cores if _HAS_DIGIT.search(core) or (_LETTERS.match(core) and (
        is_syllable(core.lower()) or core.isascii())))
    return good / len(cores)


def uncovered_share(gray: np.ndarray, scale: float, words: list[Box], images: list[Box]) -> float:
    """The share of the page's letter-like ink (dark marks of text size, not rules or pictures) that
    lies outside the layer's words and the page's images; `scale`: pixels per point."""
    ink = gray < 140
    covered = np.zeros_like(ink)
    heights = []
    for x0, y0, x1, y1 in words:
        pad = 0.25 * (y1 - y0)
        covered[max(0, int((y0 - pad) * scale)) : int((y1 + pad) * scale) + 1,
                max(0, int((x0 - pad) * scale)) : int((x1 + pad) * scale) + 1] = True
        heights.append((y1 - y0) * scale)
    for x0, y0, x1, y1 in images:
        covered[max(0, int(y0 * scale)) : int(y1 * scale) + 1, max(0, int(x0 * scale)) : int(x1 * scale) + 1] = True
    inside = int((ink & covered).sum())
    count, _, stats, _ = cv2.connectedComponentsWithStats((ink & ~covered).astype(np.uint8), connectivity=8)
    letter = float(np.median(heights)) if heights else 12 * scale
    outside = 0
    for _, _, w, h, area in stats[1:count]:
        if area >= 4 and h <= 3 * letter and w <= 12 * h and h <= 12 * w:
            outside += int(area)
    total = inside + outside
    return outside / total if total else 0.0


def judge(objects: PageObjects, gray: np.ndarray | None, scale: float) -> Judgement:
    """The decision for a page that is not one scan: read its layer, OCR it, or both (parts of it).

    `gray`: the page rendered (for the ink check), `scale` its pixels per point."""
    visible = [c for c in objects.chars if not c.space and not c.hidden]
    hidden = dict(Counter(c.hidden for c in objects.chars if c.hidden))
    evidence: dict[str, Any] = {"characters": len(visible), "hidden": hidden, "images": len(objects.images)}
    if objects.rotation % 360:
        return Judgement("ocr", f"the page is rotated by {objects.rotation}°; read from its image", evidence)
    if not visible:
        if hidden:
            why = ", ".join(f"{n} {k}" for k, n in sorted(hidden.items()))
            return Judgement("ocr", f"the text layer is not what the page shows ({why} characters only)", evidence)
        return Judgement("ocr", "no text layer", evidence)
    unmapped = sum(1 for c in visible if c.unmapped) / len(visible)
    evidence["unmapped"] = round(unmapped, 3)
    if unmapped > UNMAPPED_SHARE:
        return Judgement("ocr", f"{unmapped:.0%} of the layer's characters are in fonts without a Unicode map", evidence)
    lines = layer_lines(objects.chars)
    encoding = _convert(lines)
    share = readable_share([w[0] for line in lines for w in line.words])
    evidence["readable"] = round(share, 3)
    if share < READABLE_SHARE:
        return Judgement("ocr", f"only {share:.0%} of the layer's tokens read as words, numbers or codes", evidence)
    page_area = objects.width * objects.height
    regions = [box for box in objects.images if _area(box) >= REGION_AREA * page_area and box[3] - box[1] >= REGION_HEIGHT]
    if gray is not None:
        outside = uncovered_share(gray, scale, [w[1] for line in lines for w in line.words], objects.images)
        evidence["uncovered"] = round(outside, 3)
        if outside > UNCOVERED_SHARE:
            return Judgement("ocr", f"{outside:.0%} of the page's letters lie outside the text layer", evidence)
    if regions:
        return Judgement("text-layer+ocr", f"born-digital text with {len(regions)} pasted image(s) OCR'd", evidence,
                         lines, regions, encoding)
    reason = "born-digital text" + (f", converted from {encoding}" if encoding else "")
    return Judgement("text-layer", reason, evidence, lines, [], encoding)


def _convert(lines: list[LayerLine]) -> str | None:
    """Convert a legacy-encoded layer (TCVN3, VNI, VISCII) to Unicode in place, the page's lines decided
    together (a short line follows the page's encoding) and those in a TCVN3 capital font (.VnTimeH) as
    capitals; the encodings found (`tcvn3`, `vni+tcvn3`...), or None."""
    capital = [any(legacy.font_capitals(font) for _, _, font in line.words) for line in lines]
    found: list[str] = []
    for in_capitals in (False, True):
        chosen = [line for line, flag in zip(lines, capital) if flag == in_capitals]
        if not chosen:
            continue
        text, encoding = legacy.fix_text("\n".join(" ".join(w[0] for w in line.words) for line in chosen), capitals=in_capitals)
        if encoding is None:
            continue
        found += [name for name in encoding.split("+") if name not in found]
        for line, converted in zip(chosen, text.split("\n")):
            parts = converted.split()
            if len(parts) == len(line.words):
                line.words = [(part, box, font) for part, (_, box, font) in zip(parts, line.words)]
    return "+".join(found) or None


def ocr_words(lines: list[LayerLine], scale: float) -> list[OcrWord]:
    """The layer's lines as words in page-image pixels, grouped as Tesseract groups its own (block,
    paragraph, line), so that they go through the same reading order."""
    words = []
    for number, line in enumerate(lines, start=1):
        for text, (x0, y0, x1, y1), _ in line.words:
            box = (round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale))
            words.append(OcrWord(text, 1.0, box, (line.paragraph, line.paragraph, number)))
    return words
