"""A receiving office's stamp: the ruled box an archive stamps on every document it receives
(`CÔNG VĂN ĐẾN`, `Số: ...`, `Ngày: ...`, `Chuyển: ...`, the clerk's handwriting in it), wherever
there was room, often over the subject or the first body line.

Its frame is found in the page image: long ruled lines, horizontal and vertical, joined into a
box the size of a stamp (an inch or more wide, under two inches tall), ruled along its top and down
a side at least. A box whose words name
such a stamp (two of its labels: ĐẾN, Số, Ngày, Giờ, Chuyển) is one: the words Tesseract read
inside it are kept apart from the page's text, with the box, so nothing is lost (a page's text
had `CV ĐEN | Chuyển:` and the clerk's digits in its sentences).
"""

from __future__ import annotations

import cv2
import numpy as np

from ..text.vietnamese import fold
from .tesseract import OcrWord

RULE_H_IN = 0.6  # a horizontal rule of the frame is at least this long (inches)
RULE_V_IN = 0.2  # a vertical rule, at least this tall (taller than the print's letters)
GAP_IN = 0.12  # gaps in the rules bridged
WIDTH_IN = (1.0, 4.0)  # the frame's width and height (inches)
HEIGHT_IN = (0.4, 2.0)
LABELS = ("den", "so", "ngay", "gio", "chuyen")  # folded: what a received stamp says
MIN_LABELS = 2


def frames(image: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes closed by ruled lines, of a stamp's size, in `image` (grey, dark print on light paper); looked for at
    half the resolution of a page at 200 dpi or more (a rule stays a rule), in the page's pixels."""
    shrink = 2 if dpi >= 200 else 1
    ink = (image[::shrink, ::shrink] < 128).astype(np.uint8)
    dpi //= shrink
    long_h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(3, int(RULE_H_IN * dpi))), np.uint8))
    long_v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(3, int(RULE_V_IN * dpi)), 1), np.uint8))
    reach = max(3, int(GAP_IN * dpi))  # a stamp's rules are broken where the ink was thin: bridged
    rules = cv2.dilate(long_h | long_v, np.ones((reach, reach), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    found = []
    for x, y, w, h, _ in stats[1:count]:
        box = (int(x), int(y), int(x + w), int(y + h))
        if WIDTH_IN[0] * dpi <= w <= WIDTH_IN[1] * dpi and HEIGHT_IN[0] * dpi <= h <= HEIGHT_IN[1] * dpi and _closed(long_h, long_v, box):
            found.append((box[0] * shrink, box[1] * shrink, box[2] * shrink, box[3] * shrink))
    return found


def _closed(long_h: np.ndarray, long_v: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """A ruled line along the box's top and one down a side at least (a stamp's frame is often broken or
    open at the bottom): a frame, not the rule under a heading."""
    x0, y0, x1, y1 = box
    edge = max(3, (y1 - y0) // 5)
    return bool(long_h[y0:y0 + edge, x0:x1].any() and (long_v[y0:y1, x0:x0 + edge].any() or long_v[y0:y1, x1 - edge:x1].any()))


def _inside(word: OcrWord, box: tuple[int, int, int, int]) -> bool:
    cx, cy = (word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _names_a_stamp(words: list[OcrWord]) -> bool:
    said = {fold(w.text).lower().strip(".:;,|-_") for w in words}
    return sum(any(s == label or s.startswith(label + ":") for s in said) for label in LABELS) >= MIN_LABELS


def received(image: np.ndarray, words: list[OcrWord], dpi: int) -> tuple[list[OcrWord], list[dict]]:
    """The page's words without those inside a received stamp, and the stamps: {bbox, text}."""
    stamps = []
    for box in frames(image, dpi):
        within = [_inside(w, box) for w in words]
        inside = [w for w, is_in in zip(words, within) if is_in]
        if inside and _names_a_stamp(inside):
            stamps.append({"bbox": list(box), "text": " ".join(w.text for w in sorted(inside, key=lambda w: (w.box[1], w.box[0])))})
            words = [w for w, is_in in zip(words, within) if not is_in]
    return words, stamps
