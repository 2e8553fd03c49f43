"""Print Tesseract's page layout analysis leaves unread, read again.

On a 1-bit scan a seal is as black as the print: Tesseract takes the signature block it stamps
(`KT. CHỦ TỊCH / PHÓ CHỦ TỊCH`, the signer's name) for a picture and reads none of it. Here the
ink left outside every word Tesseract read is gathered into regions; each region large enough to
hold a block is read again, in black and white, as one uniform block of text (`--psm 6`). Of what
it gives, the lines that read as print (letters, Tesseract sure of them) join the page's words where
no word read before overlaps them, or where they overlap only words Tesseract doubted, which they replace.

A short line inside a block can go unread too: a centred issuer's last word wrapped onto a line of its own
(`ĐÀN`), whose ink Tesseract took into the boxes of the words above it. `skipped_lines` reads such a line
again on its own (`--psm 7`).
"""

from __future__ import annotations

import unicodedata

import cv2
import numpy as np

from ..model import union
from .tesseract import Key, OcrWord, by_line, run_tesseract

REGION_BLOCKS = 2000  # block numbers of the words read again start here
MIN_SIDE_IN = 0.5  # a region must be this many inches each way to hold a block of print
MIN_LINE_CONF = 0.75  # a line read again is kept when Tesseract's mean confidence in its words reaches this
DAMAGED_LETTERS = 4  # a doubted word of this many letters before a line's sure words is print a stroke crossed
SPECK_CONF = 0.5  # a mark with no letter or digit that Tesseract is less sure of than this is dropped from a line read again
MAX_REGIONS = 4
SHRINK = 4  # regions are found on the page a quarter the size
INK = 128  # darker than this is ink; a region is read in black and white at this threshold, so that a seal
# whose colour dropout left it grey (a small JPEG's colour is blurred) does not hide the name it stamps


def regions(gray: np.ndarray, words: list[OcrWord], dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes of the ink no word covers, gathered a line's height around, the largest first. A region takes in
    whole the smaller pieces of ink a quarter of an inch from it: the title above a signature's stroke and the
    name under it (`CHỦ TỊCH`, `Nguyễn Hoàng Giang`), too small to be regions of their own."""
    ink = _uncovered(gray, [w.box for w in words])
    small = cv2.resize(ink, (ink.shape[1] // SHRINK, ink.shape[0] // SHRINK), interpolation=cv2.INTER_AREA)
    reach = max(3, dpi // (12 * SHRINK))  # a sixth of an inch: letters of one block touch
    pieces = _pieces(small, (reach, reach))
    side = MIN_SIDE_IN * dpi / SHRINK
    h, w = small.shape
    near = dpi // (4 * SHRINK)
    found = []
    for x0, y0, x1, y1 in pieces:
        if not (x1 - x0 >= side and y1 - y0 >= side and x1 - x0 < 0.9 * w and y1 - y0 < 0.5 * h):
            continue  # too small for a block, or the page's border or a full-page picture
        around = (x0 - near, y0 - near, x1 + near, y1 + near)
        taken = [b for b in pieces if _overlaps(b, [around]) and (b[2] - b[0]) < 0.9 * w and (b[3] - b[1]) < 0.5 * h]
        found.append(union(taken))
    pad = dpi // 4  # a line the region only touches is read whole
    found = [(max(0, x0 * SHRINK - pad), max(0, y0 * SHRINK - pad), min(gray.shape[1], x1 * SHRINK + pad),
              min(gray.shape[0], y1 * SHRINK + pad)) for x0, y0, x1, y1 in found]
    largest: list[tuple[int, int, int, int]] = []
    for box in sorted(found, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1])):
        if not any(b[0] <= box[0] and b[1] <= box[1] and box[2] <= b[2] and box[3] <= b[3] for b in largest):
            largest.append(box)  # two pieces that took in each other read once
    return largest[:MAX_REGIONS]


def _uncovered(gray: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """1 where the page has ink that none of the words' `boxes` covers (a box and two pixels around it)."""
    ink = (gray < INK).astype(np.uint8)
    for x0, y0, x1, y1 in boxes:
        ink[max(0, y0 - 2) : y1 + 2, max(0, x0 - 2) : x1 + 2] = 0
    return ink


def _pieces(small: np.ndarray, kernel: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """The boxes of the pieces of ink on a page shrunk by SHRINK (any pixel above 0), each grown by `kernel` (rows,
    columns) so that what stands that close is one piece; in the shrunk page's pixels."""
    joined = cv2.dilate((small > 0).astype(np.uint8), np.ones(kernel, np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    return [(int(x), int(y), int(x + bw), int(y + bh)) for x, y, bw, bh, _ in stats[1:]]


def _overlaps(box: tuple[int, int, int, int], others: list[tuple[int, int, int, int]]) -> bool:
    x0, y0, x1, y1 = box
    return any(min(x1, b[2]) > max(x0, b[0]) and min(y1, b[3]) > max(y0, b[1]) for b in others)


def _printed(line: list[OcrWord]) -> bool:
    """A line read again that reads as print: most of its characters letters, Tesseract sure of it."""
    chars = [c for w in line for c in w.text if not c.isspace()]
    letters = sum(c.isalpha() for c in chars)
    return letters >= 2 and letters >= 0.7 * len(chars) and sum(w.conf for w in line) / len(line) >= MIN_LINE_CONF


def _speck(word: OcrWord) -> bool:
    """A mark Tesseract doubts and that holds no letter or digit: a seal's or a stroke's speck (`:` before a name)."""
    return word.conf < SPECK_CONF and not any(c.isalnum() for c in word.text)


def _trimmed(line: list[OcrWord]) -> tuple[list[OcrWord], list[OcrWord]]:
    """A line read again without the words Tesseract doubts at its ends (`CS | ĐỀN TỊCH`): a seal's ring or a
    signature's stroke read beside the print; but a word of DAMAGED_LETTERS letters or more right before the words
    it is sure of stays, print the stroke crossed (`` `xNguyễn | Hoàng Giang``). The line, and the words it is judged
    by: its sure ones, where they are two words of two letters or more (print, not `xã * H` off a seal), else all."""
    sure = [k for k, w in enumerate(line) if w.conf >= SPECK_CONF]
    start, end = (sure[0], sure[-1] + 1) if sure else (0, 0)
    if sum(sum(c.isalpha() for c in w.text) >= 2 for w in line[start:end]) < 2:
        return line, line
    damaged = start > 0 and sum(c.isalpha() for c in line[start - 1].text) >= DAMAGED_LETTERS
    return line[start - damaged : end], line[start:end]


def _on_page(word: OcrWord, x0: int, y0: int, key: Key) -> OcrWord:
    """A word read in the part of the page from (x0, y0) on, in page coordinates, under `key`."""
    x, y, right, bottom = word.box
    return OcrWord(word.text, word.conf, (x0 + x, y0 + y, x0 + right, y0 + bottom), key)


def _read_again(word: OcrWord, line: list[OcrWord]) -> bool:
    """Does a sure word of `line` hold `word`'s letters, marks aside (`hước` in `Phước`, `Hiên` in `Hiền`): the line
    read again reads it too, whole where the seal had cut it."""
    letters = _letters(word.text)
    return bool(letters) and any(letters in _letters(w.text) for w in line)


def _doubtful(word: OcrWord) -> bool:
    """A word of the first reading that a line read again may replace: Tesseract unsure of it, or no letters."""
    return word.conf < MIN_LINE_CONF or not any(c.isalpha() for c in word.text)


def reread(gray: np.ndarray, words: list[OcrWord], dpi: int, lang: str, timeout: float = 0) -> list[OcrWord]:
    """`words` and the words of the page's unread print, in page coordinates. A line read again that overlaps only
    words the first reading doubted (`ZZ _. TỊCH` for a seal-stamped `CHỦ TỊCH`: the whole line read again is
    `CHỦ TỊCH`), or those and words it reads too (`M. LÀ hước Hiên` under `frân Phước Hiền`), replaces them;
    beside any other word read before, only its words that overlap none are kept."""
    kept_before = list(words)
    found: list[OcrWord] = []
    for number, (x0, y0, x1, y1) in enumerate(regions(gray, words, dpi), start=1):
        crop = np.where(gray[y0:y1, x0:x1] < INK, 0, 255).astype(np.uint8)
        read = run_tesseract(crop, lang, 6, dpi, timeout)
        for line in by_line([_on_page(w, x0, y0, (REGION_BLOCKS * number + w.key[0], *w.key[1:])) for w in read]).values():
            line, sure = _trimmed([w for w in line if not _speck(w)])
            span = union([w.box for w in line])
            if span is None or _overlaps(span, [w.box for w in found]):
                continue
            under = [w for w in kept_before if _overlaps(w.box, [span])]
            if any(map(_doubtful, under)) and all(_doubtful(w) or _read_again(w, sure) for w in under) and _printed(sure):
                kept_before = [w for w in kept_before if w not in under]
                found += line
                continue
            kept = [w for w in line if not _overlaps(w.box, [b.box for b in kept_before])]
            if kept and _printed([w for w in kept if w in sure]):
                found += kept
    return kept_before + found


SKIPPED_BLOCKS = 4000  # block numbers of the lines read in a block's gaps start here
SKIPPED_HEIGHT_IN = (0.08, 0.5)  # a line of print is this tall, its marks included
SKIPPED_MIN_WIDTH_IN = 0.2
SKIPPED_REACH = 1.5  # a skipped line stands within this many of its block's line heights of a line read
MAX_SKIPPED = 6
STRETCHED = 1.4  # a word's box this many times its line's middle height took in print beside the line


def _line_bound(words: list[OcrWord]) -> list[tuple[list[OcrWord], list[tuple[int, int, int, int]]]]:
    """Each line read, with its words' boxes; a box Tesseract stretched over a short line under or above its own
    (`UBND` over `ĐÀN`: STRETCHED times the line's middle height) held to the height of the nearest word of the
    line that is not stretched, a quarter of the line's height more each way. The words of a line curved on a
    photo keep their own boxes."""
    out = []
    for line in by_line(words).values():
        heights = [w.box[3] - w.box[1] for w in line]
        middle = float(np.median(heights))
        plain = [k for k, h in enumerate(heights) if h <= STRETCHED * middle]
        boxes = []
        for k, (x0, y0, x1, y1) in enumerate(w.box for w in line):
            if heights[k] > STRETCHED * middle and plain:
                near = line[min(plain, key=lambda j: abs(j - k))].box
                slack = int(middle) // 4
                y0, y1 = max(y0, near[1] - slack), min(y1, near[3] + slack)
            boxes.append((x0, y0, x1, y1))
        out.append((line, boxes))
    return out


def _beside_a_line(box: tuple[int, int, int, int], lines: list[tuple[int, int, int, int]]) -> bool:
    """Does a line read stand right above or under `box`, over the same columns, as tall as it give or take half,
    and no line read run through it (ink inside a line is a word whose box Tesseract drew short, read already):
    `box` is then a line of the same block of print."""
    x0, y0, x1, y1 = box
    beside = False
    for lx0, ly0, lx1, ly1 in lines:
        height, across = ly1 - ly0, min(x1, lx1) - max(x0, lx0)
        gap = max(y0, ly0) - min(y1, ly1)  # less than 0: they overlap by as much
        if across >= (x1 - x0) / 2 and -gap >= (y1 - y0) / 2:
            return False
        beside |= across > 0 and -height / 4 <= gap <= SKIPPED_REACH * height and 0.5 * height <= y1 - y0 <= 2 * height
    return beside


def skipped_lines(gray: np.ndarray, words: list[OcrWord], dpi: int, lang: str, timeout: float = 0) -> list[OcrWord]:
    """`words` and the short lines of print Tesseract's layout analysis passed over inside a block it read: the
    last word of a centred issuer wrapped onto a line of its own (`ĐÀN` under `... UBND HUYỆN NGHĨA`), which
    Tesseract took into the words above it. Ink that no word held to its line's height covers, as tall as a line
    and standing right above or under a line read over the same columns, is read again as one line; its words
    join the page where they read as print and overlap no word read before."""
    bound_lines = _line_bound(words)
    bound = [box for _, boxes in bound_lines for box in boxes]
    ink = _uncovered(gray, bound)
    small = cv2.resize(ink * 255, (ink.shape[1] // SHRINK, ink.shape[0] // SHRINK), interpolation=cv2.INTER_AREA)
    reach = max(3, dpi // (8 * SHRINK))  # an eighth of an inch: the words of a line touch, not the lines
    lines = [union(boxes) for line, boxes in bound_lines if any(c.isalpha() for w in line for c in w.text)]
    low, high = (side * dpi for side in SKIPPED_HEIGHT_IN)
    found: list[OcrWord] = []
    pieces = [(x0 * SHRINK, y0 * SHRINK, x1 * SHRINK, y1 * SHRINK) for x0, y0, x1, y1 in _pieces(small, (3, reach))]
    pieces = [b for b in pieces if low <= b[3] - b[1] <= high and b[2] - b[0] >= SKIPPED_MIN_WIDTH_IN * dpi]
    for number, box in enumerate([b for b in pieces if _beside_a_line(b, lines)][:MAX_SKIPPED], start=1):
        pad = (box[3] - box[1]) // 2
        x0, y0 = max(0, box[0] - pad), max(0, box[1] - pad)
        x1, y1 = min(gray.shape[1], box[2] + pad), min(gray.shape[0], box[3] + pad)
        crop = np.where(ink[y0:y1, x0:x1] > 0, 0, 255).astype(np.uint8)
        read = [_on_page(w, x0, y0, (SKIPPED_BLOCKS + number, 1, 1)) for w in run_tesseract(crop, lang, 7, dpi, timeout)]
        line = [w for w in read if not _speck(w)]
        if line and _printed(line) and not _overlaps(union([w.box for w in line]), bound + [w.box for w in found]):
            found += line
    return words + found


NAME_WORDS = (2, 4)  # a name line: this many capitalised words after what is left of its first one
HEAD_LETTERS = 3  # the pieces of a first word the signature's stroke cut: small letters, this many at most
HEAD_REACH = 3.0  # the name is read again from this many of its heights further left
NAME_INK = (INK, 100)  # thresholds a name is read again at, after its reading as it is


def _cut_head(line: list[OcrWord]) -> int:
    """How many words open `line` as pieces of a name's first word (`rần n | Ngọc Căng`, `m | Trường Thọ`): small
    letters, HEAD_LETTERS at most each, before NAME_WORDS capitalised words; 0 where the line is no such name."""
    k = 0
    while k < len(line) and line[k].text.isalpha() and line[k].text.islower() and len(line[k].text) <= HEAD_LETTERS:
        k += 1
    return k if _named(line[k:]) else 0


def _named(words: list[OcrWord]) -> bool:
    """NAME_WORDS capitalised words, letters only: a person's name, as read."""
    return NAME_WORDS[0] <= len(words) <= NAME_WORDS[1] and all(w.text.isalpha() and w.text.istitle() for w in words)


def _letters(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if c.isalpha() and not unicodedata.combining(c))


def _first_word(again: list[OcrWord], rest: list[str]) -> OcrWord | None:
    """The word a name read again opens with, before the words `rest` (by their letters), when Tesseract is sure
    of it and it is capitalised; specks before it are passed over."""
    while again and not any(c.isalpha() for c in again[0].text):
        again = again[1:]
    if len(again) != len(rest) + 1 or [_letters(w.text) for w in again[1:]] != rest:
        return None
    first = again[0]
    return first if first.text.isalpha() and first.text.istitle() and first.conf >= MIN_LINE_CONF else None


def whole_names(gray: np.ndarray, words: list[OcrWord], dpi: int, lang: str, timeout: float = 0) -> list[OcrWord]:
    """`words` with each name whose first letters a signature's stroke took (`m Trường Thọ`) read again as one
    line, from a little further left: where the line read again ends in the same capitalised words and opens
    with one more that Tesseract is sure of (`Phạm`), it replaces the pieces. The words are compared by their
    letters alone: the line read again may put another mark on one (`Hiển` for `Hiền`); the first reading's stay.
    The line is read as it is, then in black and white at two thresholds (NAME_INK): a stroke in lighter ink
    over the first letters fades at the darker one."""
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
        crop = gray[box[1] : box[3], box[0] : box[2]]
        rest = [_letters(w.text) for w in name]
        for ink in (None, *NAME_INK):
            seen = crop if ink is None else np.where(crop < ink, 0, 255).astype(np.uint8)
            first = _first_word(run_tesseract(seen, lang, 7, dpi, timeout), rest)
            if first is not None:
                replaced[key] = [_on_page(first, box[0], box[1], key), *name]
                break
    return [w for key, line in lines.items() for w in replaced.get(key, line)]


SIGNER_REACH_IN = 1.3  # a signer's name stands within this many inches under the title over the signature
SIGNER_BLOCKS = 3000  # block numbers of a signer's name read again start here
NAME_PSM = 11  # sparse text: the name apart from the strokes of the signature beside it


def _title(line: list[OcrWord]) -> bool:
    """A line of capitals only, of words Tesseract is sure of (`PHÓ CHỦ TỊCH`, `GIÁM ĐỐC`): a title."""
    letters = "".join(c for w in line for c in w.text if c.isalpha())
    return len(letters) >= 4 and letters.isupper() and min(w.conf for w in line) >= MIN_LINE_CONF


def _name_line(line: list[OcrWord]) -> bool:
    """A person's name (`_named`) that Tesseract is sure of."""
    return _named(line) and sum(w.conf for w in line) / len(line) >= MIN_LINE_CONF


def signer_below(gray: np.ndarray, words: list[OcrWord], dpi: int, lang: str, timeout: float = 0) -> list[OcrWord]:
    """`words` and, where the page's lowest title in its right half has nothing read under it within
    SIGNER_REACH_IN (the signature's strokes beside the name made Tesseract's layout analysis take the block for a
    picture), the signer's name read again there as sparse text: the first line under the title that reads as a
    name."""
    height, width = gray.shape
    lines = [line for line in by_line(words).values() if any(c.isalpha() for w in line for c in w.text)]
    titles = [union([w.box for w in line]) for line in lines if _title(line)]
    titles = [b for b in titles if b[0] + b[2] > width]
    if not titles:
        return words
    x0, _, x1, y1 = max(titles, key=lambda b: b[3])
    reach = (x0 - (x1 - x0) // 2, y1 + 1, x1 + (x1 - x0) // 2, min(height, y1 + int(SIGNER_REACH_IN * dpi)))
    if any(_overlaps(union([w.box for w in line]), [reach]) for line in lines):
        return words
    left, top, right, bottom = max(0, reach[0]), reach[1], min(width, reach[2]), reach[3]
    if bottom - top < dpi // 8:
        return words
    crop = np.where(gray[top:bottom, left:right] < INK, 0, 255).astype(np.uint8)
    read = run_tesseract(crop, lang, NAME_PSM, dpi, timeout)
    for key, line in by_line(read).items():
        line = [w for w in line if not _speck(w)]
        if _name_line(line):
            return words + [_on_page(w, left, top, (SIGNER_BLOCKS + key[0], *key[1:])) for w in line]
    return words
