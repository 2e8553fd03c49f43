"""Print Tesseract's page layout analysis leaves unread, read again.

On a 1-bit scan a seal is as black as the print: Tesseract takes the signature block it stamps
(`KT. CHỦ TỊCH / PHÓ CHỦ TỊCH`, the signer's name) for a picture and reads none of it. Here the
ink left outside every word Tesseract read is gathered into regions; each region large enough to
hold a block is read again as one uniform block of text (`--psm 6`), and of what it gives, the
lines that read as print (letters, Tesseract sure of them) and that no word read before overlaps
join the page's words.
"""

from __future__ import annotations

import cv2
import numpy as np

from .tesseract import Key, OcrWord, by_line, run_tesseract

REGION_BLOCKS = 2000  # block numbers of the words read again start here
MIN_SIDE_IN = 0.5  # a region must be this many inches each way to hold a block of print
MIN_LINE_CONF = 0.75  # a line read again is kept when Tesseract's mean confidence in its words reaches this
MAX_REGIONS = 4
SHRINK = 4  # regions are found on the page a quarter the size


def regions(gray: np.ndarray, words: list[OcrWord], dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes of the ink no word covers, gathered a line's height around, the largest first."""
    ink = (gray < 128).astype(np.uint8)
    for w in words:
        x0, y0, x1, y1 = w.box
        ink[max(0, y0 - 2) : y1 + 2, max(0, x0 - 2) : x1 + 2] = 0
    small = cv2.resize(ink, (ink.shape[1] // SHRINK, ink.shape[0] // SHRINK), interpolation=cv2.INTER_AREA)
    reach = max(3, dpi // (12 * SHRINK))  # a sixth of an inch: letters of one block touch
    joined = cv2.dilate((small > 0).astype(np.uint8), np.ones((reach, reach), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    side = MIN_SIDE_IN * dpi / SHRINK
    h, w = joined.shape
    pad = dpi // 4  # a line the region only touches is read whole
    found = [
        (max(0, int(x) * SHRINK - pad), max(0, int(y) * SHRINK - pad),
         min(gray.shape[1], int(x + bw) * SHRINK + pad), min(gray.shape[0], int(y + bh) * SHRINK + pad))
        for x, y, bw, bh, _ in stats[1:]
        if bw >= side and bh >= side and bw < 0.9 * w and bh < 0.5 * h  # not the page's border or a full-page picture
    ]
    return sorted(found, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))[:MAX_REGIONS]


def _overlaps(box: tuple[int, int, int, int], others: list[tuple[int, int, int, int]]) -> bool:
    x0, y0, x1, y1 = box
    return any(min(x1, b[2]) > max(x0, b[0]) and min(y1, b[3]) > max(y0, b[1]) for b in others)


def _printed(line: list[OcrWord]) -> bool:
    """A line read again that reads as print: most of its characters letters, Tesseract sure of it."""
    chars = [c for w in line for c in w.text if not c.isspace()]
    letters = sum(c.isalpha() for c in chars)
    return letters >= 2 and letters >= 0.7 * len(chars) and sum(w.conf for w in line) / len(line) >= MIN_LINE_CONF


def _on_page(word: OcrWord, x0: int, y0: int, key: Key) -> OcrWord:
    """A word read in the part of the page from (x0, y0) on, in page coordinates, under `key`."""
    x, y, right, bottom = word.box
    return OcrWord(word.text, word.conf, (x0 + x, y0 + y, x0 + right, y0 + bottom), key)


def reread(gray: np.ndarray, words: list[OcrWord], dpi: int, lang: str, timeout: float = 0) -> list[OcrWord]:
    """The words of the page's unread print, in page coordinates, none overlapping a word read before."""
    taken = [w.box for w in words]
    found: list[OcrWord] = []
    for number, (x0, y0, x1, y1) in enumerate(regions(gray, words, dpi), start=1):
        read = run_tesseract(gray[y0:y1, x0:x1], lang, 6, dpi, timeout)
        for line in by_line([_on_page(w, x0, y0, (REGION_BLOCKS * number + w.key[0], *w.key[1:])) for w in read]).values():
            kept = [w for w in line if not _overlaps(w.box, taken)]
            if kept and _printed(kept):
                found += kept
    return found


NAME_WORDS = (2, 4)  # a name line: this many capitalised words after what is left of its first one
HEAD_LETTERS = 3  # the pieces of a first word the signature's stroke cut: small letters, this many at most
HEAD_REACH = 3.0  # the name is read again from this many of its heights further left


def _cut_head(line: list[OcrWord]) -> int:
    """How many words open `line` as pieces of a name's first word (`rần n | Ngọc Căng`, `m | Trường Thọ`): small
    letters, HEAD_LETTERS at most each, before NAME_WORDS capitalised words; 0 where the line is no such name."""
    k = 0
    while k < len(line) and line[k].text.isalpha() and line[k].text.islower() and len(line[k].text) <= HEAD_LETTERS:
        k += 1
    rest = line[k:]
    named = NAME_WORDS[0] <= len(rest) <= NAME_WORDS[1] and all(w.text.isalpha() and w.text.istitle() for w in rest)
    return k if named else 0


def whole_names(gray: np.ndarray, words: list[OcrWord], dpi: int, lang: str, timeout: float = 0) -> list[OcrWord]:
    """`words` with each name whose first letters a signature's stroke took (`m Trường Thọ`) read again as one
    line, from a little further left: where the line read again ends in the same capitalised words and opens
    with one more that Tesseract is sure of (`Phạm`), it replaces the pieces."""
    lines = by_line(words)
    replaced: dict[Key, list[OcrWord]] = {}
    for key, line in lines.items():
        cut = _cut_head(line)
        if not cut:
            continue
        name = line[cut:]  # its own height: the pieces may be a stroke's ends, or the seal's, above it
        x0, y0 = min(w.box[0] for w in name), min(w.box[1] for w in name)
        x1, y1 = max(w.box[2] for w in name), max(w.box[3] for w in name)
        height = y1 - y0
        margin = height // 3
        box = (max(0, int(x0 - HEAD_REACH * height)), max(0, y0 - margin), min(gray.shape[1], x1 + margin), min(gray.shape[0], y1 + margin))
        again = run_tesseract(gray[box[1] : box[3], box[0] : box[2]], lang, 7, dpi, timeout)
        rest = [w.text for w in name]
        if len(again) != len(rest) + 1 or [w.text for w in again[1:]] != rest:
            continue
        first = again[0]
        if first.text.isalpha() and first.text.istitle() and first.conf >= MIN_LINE_CONF:
            replaced[key] = [_on_page(first, box[0], box[1], key), *name]
    return [w for key, line in lines.items() for w in replaced.get(key, line)]
