"""OCR: the words Tesseract read (`tesseract.run_tesseract`) -> lines of words with boxes and confidences, in reading order.

Reading order handles the two-column bands of administrative documents (issuer
and number on the left, motto and date on the right at the top; recipients on
the left, signature on the right at the bottom): inside such a band the left
column's lines come before the right column's, never interleaved.
"""

from __future__ import annotations

import re
import statistics

from ..model import Line, Word
from ..text.vietnamese import fold, is_syllable
from .tesseract import OcrWord, by_line, words_box


def _capitals(word: OcrWord) -> bool:
    return any(c.isalpha() for c in word.text) and word.text.isupper()


def _continues(words: list[OcrWord]) -> bool:
    """Words that go on a sentence: their first letter is small (`yết khó khăn`, `¡ quyết`), which no column
    of the header or the signature opens with."""
    first = next((c for w in words for c in w.text if c.isalpha()), "")
    return first.islower()


def _height(words: list[OcrWord]) -> float:
    return max(statistics.median(w.box[3] - w.box[1] for w in words), 8)


_MOTTO = ("cong hoa", "doc lap")  # folded: the motto's two lines open the header's right column


def _opens_motto(words: list[OcrWord]) -> bool:
    return words[0].text[:1].isupper() and fold(" ".join(w.text for w in words[:2])).lower() in _MOTTO


def _split_at_gaps(words: list[OcrWord]) -> list[list[OcrWord]]:
    """Tesseract sometimes reads across the two header columns as one line: cut such a line at its wide gap
    (three letters' height; between two words in capitals, `DÂN | CỘNG HÒA`, half that and five spaces; before
    the motto, `ĐÀ NẴNG | CỘNG HOÀ`, `ĐÀO TẠO | Độc lập`, any gap wider than two and a half spaces)."""
    words = sorted(words, key=lambda w: w.box[0])
    height = _height(words)
    gaps = [word.box[0] - prev.box[2] for prev, word in zip(words, words[1:])]
    space = statistics.median(gaps) if gaps else 0
    parts: list[list[OcrWord]] = [[words[0]]]
    for index, (prev, word, gap) in enumerate(zip(words, words[1:], gaps), start=1):
        if (
            gap > 3.0 * height
            or (gap > max(1.5 * height, 5 * space) and _capitals(prev) and _capitals(word))
            or (gap > 2.5 * space and _opens_motto(words[index:]))
        ):
            parts.append([])
        parts[-1].append(word)
    return parts


def _same_row(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3] - a[1], b[3] - b[1])


def _join_broken_rows(parts: list[list[OcrWord]]) -> list[list[OcrWord]]:
    """A row of prose Tesseract read as two lines of blocks side by side (a blur or a crease took the letters
    between, `4. Đẩy mạnh gi | yết khó khăn`): the right part goes on the sentence, and lies within three
    letters' height of the part left of it on the same row; the two are one line again, read across, not as
    columns."""
    joined: list[tuple[tuple[int, int, int, int], list[OcrWord]]] = []
    for part in sorted(parts, key=lambda p: p[0].box[0]):
        box = words_box(part)
        left = [
            i for i, (near, words) in enumerate(joined)
            if near[2] <= box[0] and _same_row(near, box) and words[-1].key != part[0].key  # a line cut by _split_at_gaps stays cut
        ]
        if left and _continues(part):
            i = max(left, key=lambda k: joined[k][0][2])
            words = joined[i][1] + part
            if box[0] - joined[i][0][2] <= 3.0 * _height(words):
                joined[i] = (words_box(words), words)
                continue
        joined.append((box, part))
    return [words for _, words in joined]


def _column(box: tuple[int, int, int, int], left: int, right: int) -> str:
    width = max(right - left, 1)
    x0, x1 = (box[0] - left) / width, (box[2] - left) / width
    if x1 < 0.55 and x0 < 0.30:
        return "left"
    if x0 > 0.35 and x1 > 0.60:
        return "right"
    return "full"


_ADDRESSEES = re.compile(r"\W*Kinh\s*gui", re.IGNORECASE)  # folded: `Kính gửi:` opens what follows the header


SPECK_CONF = 0.5  # a line of a letter or two that Tesseract is less sure of than this is a speck's
SPECK_HEIGHT = 0.5  # ... as is one lower than this share of the page's words


def _speck(words: list[OcrWord], height: float) -> bool:
    """A line Tesseract read off a speck or a stroke (`:`, `z`, `Ẩ.`, `lo` between a scan's two header columns): no
    letter or digit, or two at most that Tesseract doubts or that stand lower than half a line of print."""
    letters = sum(c.isalnum() for w in words for c in w.text)
    box = words_box(words)
    return letters == 0 or (letters <= 2 and (max(w.conf for w in words) < SPECK_CONF or box[3] - box[1] < SPECK_HEIGHT * height))


def reading_order(groups: list[tuple[tuple[int, int, int, int], str, list[OcrWord]]], specks: frozenset[int] = frozenset()) -> list[int]:
    """Indices of (box, column, words) items in reading order.

    Lines are taken top to bottom; a run of consecutive left/right (not
    full-width) lines forms a two-column band, read left column first, then right.
    `Kính gửi:` ends the header's band, wherever it stands: the addressees
    come after the motto and the date. A speck's line (`specks`: their indices)
    between the columns ends no band: it is read after the band it stands in.
    """
    order = sorted(range(len(groups)), key=lambda i: ((groups[i][0][1] + groups[i][0][3]) / 2, groups[i][0][0]))
    result: list[int] = []
    band: list[int] = []

    def flush() -> None:
        result.extend(i for i in band if groups[i][1] == "left")
        result.extend(i for i in band if groups[i][1] == "right")
        result.extend(i for i in band if groups[i][1] == "full")
        band.clear()

    for i in order:
        if i in specks and groups[i][1] == "full" and band:
            band.append(i)
        elif groups[i][1] == "full" or _ADDRESSEES.match(fold(" ".join(w.text for w in groups[i][2][:2]))):
            flush()
            result.append(i)
        else:
            band.append(i)
    flush()
    return result


def page_lines(words: list[OcrWord], page: int) -> list[Line]:
    """Group a page's words into lines (split at column gaps), in reading order, as model Lines."""
    if not words:
        return []
    by_key = by_line(words)
    parts = _join_broken_rows([part for members in by_key.values() for part in _split_at_gaps(members)])
    height = _height(words)
    specks = frozenset(k for k, part in enumerate(parts) if _speck(part, height))
    printed = [w for k, part in enumerate(parts) if k not in specks for w in part] or words  # the page's extent: a speck's aside
    left = min(w.box[0] for w in printed)
    right = max(w.box[2] for w in printed)
    groups = []
    for part in parts:
        box = words_box(part)
        groups.append((box, _column(box, left, right), part))
    lines: list[Line] = []
    paragraph, last_key = 0, None
    count = 0
    for index in reading_order(groups, specks):
        box, column, part = groups[index]
        key = part[0].key
        if key[:2] != last_key:
            paragraph += 1
            last_key = key[:2]
        line_id = f"p{page}-l{len(lines) + 1}"
        line_words = []
        for w in part:
            count += 1
            line_words.append(Word(id=f"p{page}-w{count}", ocr=w.text, text=w.text, conf=round(w.conf, 3), page=page, line=line_id, bbox=w.box))
        lines.append(Line(id=line_id, page=page, words=line_words, bbox=box, block=key[0], paragraph=paragraph, column=column))
    return lines


LOW_CONF = 0.6  # a word Tesseract read with less confidence than this is doubtful
# On 6 real archive pages 1-10% of the words are doubtful; on a page of handwriting or a photo,
# most are (or nothing is read at all).
DOUBTFUL_SHARE = 0.4
INK_SHARE = 0.01  # dark pixels on a page that is not blank


def page_warnings(words: list[OcrWord], gray) -> list[str]:
    """What a clerk should know of a page Tesseract could hardly read: handwriting, a photo, not a document."""
    if not words:
        ink = float((gray < 128).mean())
        return [f"no text was read, though {ink:.0%} of the page is ink: handwriting or not a document"] if ink > INK_SHARE else []
    doubtful = sum(1 for w in words if w.conf < LOW_CONF)
    if doubtful / len(words) > DOUBTFUL_SHARE:
        return [f"{doubtful} of {len(words)} words read with low confidence: handwriting, a photo or not a "
                "document; every word is flagged"]
    return []


UPRIGHT_WORDS = 20  # words of letters a page needs before its share of syllables tells whether it was read upright
UPRIGHT_SHARE = 0.6  # a page read with fewer of its words Vietnamese syllables than this may be on its side or upside down


def syllable_share(lines: list[Line]) -> float | None:
    """The share of a page's words of letters that are Vietnamese syllables as read: 0.96-0.99 on real archive pages
    read upright, about 0.3 on the same pages turned a quarter or a half; None for a page of fewer words."""
    letters = [core.lower() for line in lines for w in line.words if (core := w.text.strip(",.;:()\"'“”")).isalpha()]
    if len(letters) < UPRIGHT_WORDS:
        return None
    return sum(map(is_syllable, letters)) / len(letters)
